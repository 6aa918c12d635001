"""Acting as a user from the page: each action goes through the emulator's driver methods."""

from __future__ import annotations

from typing import Any

from emulator.driver import Emulator
from emulator.enums import CallbackType
from emulator.errors import EmulatorUsageError
from emulator.handle import InteractionHandle
from emulator.web.views import can_send, channel_for

MAX_MESSAGE = 2000
OPEN_MODALS_PER_USER = 10


class PageError(Exception):
    """Something the person asked for that cannot happen; the message is shown to them."""


class Actions:
    """Run what a person does on the page through slash(), click(), submit_modal() and friends."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        # The modals each user has open, by the interaction that opened them.
        self.open_modals: dict[int, dict[int, InteractionHandle]] = {}
        # Ephemeral messages a user dismissed.
        self.dismissed: dict[int, set[int]] = {}

    async def run(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """Do one action for a user and return what the page needs to show next."""
        kind = body.get("kind")
        runner = {
            "message": self._message,
            "slash": self._slash,
            "autocomplete": self._autocomplete,
            "click": self._click,
            "select": self._select,
            "modal": self._modal,
            "message_command": self._message_command,
            "user_command": self._user_command,
            "dismiss": self._dismiss,
        }.get(str(kind))
        if runner is None:
            raise PageError(f"unknown action {kind!r}")
        if user_id not in self.emu.world.users:
            raise PageError("unknown person")
        try:
            return await runner(user_id, body)
        except EmulatorUsageError as error:
            raise PageError(_plain(str(error))) from None

    def _bot_connected(self) -> None:
        if not self.emu.hub.sessions:
            raise PageError("The bot isn't connected right now. Give it a moment and try again.")

    async def _answer(self, handle: InteractionHandle) -> dict[str, Any]:
        """Wait for the bot's first answer and describe it for the page."""
        try:
            response = await handle.response(timeout=self.emu.interaction_deadline + 1)
        except (AssertionError, TimeoutError):
            raise PageError("The application did not respond in time.") from None
        result: dict[str, Any] = {"ok": True, "type": response["type"]}
        if response["type"] == CallbackType.MODAL:
            modals = self.open_modals.setdefault(handle.user_id, {})
            modals[handle.id] = handle
            while len(modals) > OPEN_MODALS_PER_USER:
                del modals[next(iter(modals))]
            result["modal"] = {**response["data"], "interaction_id": str(handle.id)}
        if response["type"] == CallbackType.AUTOCOMPLETE_RESULT:
            result["choices"] = handle.choices or []
        return result

    async def _message(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        channel = channel_for(self.emu, int(body["channel_id"]), user_id)
        content = str(body.get("content") or "").strip()
        if not content:
            raise PageError("Write something first.")
        if len(content) > MAX_MESSAGE:
            raise PageError(f"Messages can be up to {MAX_MESSAGE} characters.")
        if not can_send(self.emu, channel, user_id):
            raise PageError("You do not have permission to send messages in this channel.")
        message = self.emu.post_message(user_id, channel.id, content)
        return {"ok": True, "message_id": message["id"]}

    async def _slash(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        self._bot_connected()
        handle = await self.emu.slash(
            user_id,
            str(body["command"]),
            channel_id=int(body["channel_id"]),
            options=dict(body.get("options") or {}),
        )
        return await self._answer(handle)

    async def _autocomplete(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        self._bot_connected()
        choices = await self.emu.autocomplete(
            user_id,
            str(body["command"]),
            focused=str(body["focused"]),
            channel_id=int(body["channel_id"]),
            options=dict(body.get("options") or {}),
        )
        return {"ok": True, "type": CallbackType.AUTOCOMPLETE_RESULT, "choices": list(choices)}

    def _message_for(self, body: dict[str, Any]) -> dict[str, Any]:
        message = self.emu.world.message_index.get(int(body["message_id"]))
        if message is None:
            raise PageError("That message isn't there any more.")
        return message

    async def _click(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        self._bot_connected()
        message = self._message_for(body)
        self._may_see(user_id, message)
        handle = await self.emu.click(user_id, message, custom_id=str(body["custom_id"]))
        return await self._answer(handle)

    async def _select(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        self._bot_connected()
        message = self._message_for(body)
        self._may_see(user_id, message)
        values = [str(v) for v in body.get("values") or []]
        handle = await self.emu.select(user_id, message, values, custom_id=str(body["custom_id"]))
        return await self._answer(handle)

    async def _modal(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        self._bot_connected()
        origin = self.open_modals.get(user_id, {}).pop(int(body["interaction_id"]), None)
        if origin is None:
            raise PageError("This form was closed. Open it again to continue.")
        values = dict(body.get("values") or {})
        handle = await self.emu.submit_modal(user_id, origin, values)
        return await self._answer(handle)

    async def _message_command(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        self._bot_connected()
        message = self._message_for(body)
        self._may_see(user_id, message)
        handle = await self.emu.message_command(user_id, str(body["name"]), target=message)
        return await self._answer(handle)

    async def _user_command(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        self._bot_connected()
        handle = await self.emu.user_command(
            user_id,
            str(body["name"]),
            target_user_id=int(body["user_id"]),
            channel_id=int(body["channel_id"]),
        )
        return await self._answer(handle)

    async def _dismiss(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        message_id = int(body["message_id"])
        if self.emu.ephemeral_owners.get(message_id) == user_id:
            self.dismissed.setdefault(user_id, set()).add(message_id)
        return {"ok": True}

    def _may_see(self, user_id: int, message: dict[str, Any]) -> None:
        channel_for(self.emu, int(message["channel_id"]), user_id)


def _plain(text: str) -> str:
    """Turn a driver error into a sentence for the page (first letter up, no ids)."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text else "That didn't work."

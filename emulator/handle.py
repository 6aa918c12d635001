"""The InteractionHandle: one interaction sent to the bot, and everything it answered."""

# ruff: noqa: ASYNC109  (the driver API takes timeout= by contract, see SPEC.md)

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from emulator.enums import MESSAGE_CALLBACKS, CallbackType, InteractionType, MessageFlag
from emulator.world import World

T = TypeVar("T")


class HandleOwner(Protocol):
    """What a handle reads from the emulator: the world, REST calls in flight, and waiting."""

    world: World
    inflight: int

    def wait_until(
        self, predicate: Callable[[], T | None], timeout: float, what: str
    ) -> Awaitable[T]:
        """Wait until predicate() is truthy and return its value."""
        ...


class InteractionHandle:
    """One interaction sent to the bot, and everything the bot answered to it."""

    def __init__(
        self,
        owner: HandleOwner,
        *,
        interaction_id: int,
        kind: InteractionType,
        payload: dict[str, Any],
        user_id: int,
        guild_id: int | None,
        channel_id: int,
        label: str,
        deadline: float,
        source_message_id: int | None = None,
    ) -> None:
        self._owner = owner
        self.id = interaction_id
        self.token: str = payload["token"]
        self.type = kind
        self.payload = payload
        self.user_id = user_id
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.label = label
        self.source_message_id = source_message_id
        self.created_at = asyncio.get_running_loop().time()
        self.deadline = deadline
        self.first_response: dict[str, Any] | None = None
        self.attempts: list[dict[str, Any]] = []
        self.expired = False
        self.original_id: int | None = None
        self.followup_ids: list[int] = []
        self.files: list[tuple[str, bytes]] = []
        self.edit_count = 0
        self.deleted_original = False
        self._last_original: dict[str, Any] | None = None
        self._timer: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"<InteractionHandle {self.label} id={self.id} response_type={self.response_type}>"

    # ------------------------------------------------------------ state
    @property
    def responded(self) -> bool:
        """Return whether the first answer was accepted."""
        return self.first_response is not None

    @property
    def response_type(self) -> int | None:
        """Return the accepted first answer's type (4..9, see CallbackType), or None."""
        return self.first_response["type"] if self.first_response else None

    @property
    def message(self) -> dict[str, Any] | None:
        """Return the current original response message (after edits), if any."""
        if self.original_id is None or self.response_type not in MESSAGE_CALLBACKS:
            return None
        current = self._owner.world.message_index.get(self.original_id)
        if current is not None:
            self._last_original = current
        return self._last_original

    @property
    def ephemeral(self) -> bool:
        """Return whether the answer is ephemeral (flags & 64 on the response or its message)."""
        message = self.message
        if message is not None:
            return bool(int(message.get("flags") or 0) & MessageFlag.EPHEMERAL)
        data = (self.first_response or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & MessageFlag.EPHEMERAL)

    @property
    def content(self) -> str | None:
        """Return the original response message's content."""
        message = self.message
        return message["content"] if message else None

    @property
    def embeds(self) -> list[dict]:
        """Return the original response message's embeds."""
        message = self.message
        return message["embeds"] if message else []

    @property
    def components(self) -> list[dict]:
        """Return the original response message's components."""
        message = self.message
        return message["components"] if message else []

    @property
    def modal(self) -> dict[str, Any] | None:
        """Return the modal the bot answered with (type 9), if any."""
        if self.first_response is not None and self.response_type == CallbackType.MODAL:
            return self.first_response["data"]
        return None

    @property
    def choices(self) -> list[dict] | None:
        """Return the autocomplete choices (type 8), if any."""
        if self.response_type == CallbackType.AUTOCOMPLETE_RESULT:
            return list((self.first_response or {}).get("data", {}).get("choices") or [])
        return None

    @property
    def followups(self) -> list[dict]:
        """Return the followup messages sent so far (current state)."""
        index = self._owner.world.message_index
        return [index[i] for i in self.followup_ids if i in index]

    def followup_files(self, i: int = 0) -> list[tuple[str, bytes]]:
        """Return (filename, bytes) of the i-th followup's attachments (after await followup(i))."""
        if i >= len(self.followup_ids):
            return []
        message = self._owner.world.message_index.get(self.followup_ids[i]) or {}
        data = self._owner.world.attachment_data
        return [(a["filename"], data[int(a["id"])]) for a in message.get("attachments") or []]

    @property
    def pending(self) -> bool:
        """Return whether a deferred answer still waits for its edit or followup."""
        if self.response_type == CallbackType.DEFERRED_CHANNEL_MESSAGE:
            message = self.message
            return message is not None and bool(int(message["flags"]) & MessageFlag.LOADING)
        if self.response_type == CallbackType.DEFERRED_UPDATE_MESSAGE:
            return self.edit_count == 0 and not self.followup_ids
        return False

    # ------------------------------------------------------------ what the emulator records
    def arm_deadline(self, on_expiry: Callable[[InteractionHandle], None]) -> None:
        """Start the clock: unless answered within the deadline, mark expired and call on_expiry."""
        self.disarm_deadline()
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.deadline, self._deadline_passed, on_expiry)

    def disarm_deadline(self) -> None:
        """Stop the deadline clock (answered, forgotten, or the emulator stops)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _deadline_passed(self, on_expiry: Callable[[InteractionHandle], None]) -> None:
        self._timer = None
        if self.first_response is None:
            self.expired = True
            on_expiry(self)

    def accept(self, body: dict[str, Any], files: list[tuple[str, bytes]]) -> None:
        """Record the accepted first answer and its files; the deadline no longer runs."""
        self.files = files
        self.first_response = body
        self.disarm_deadline()

    def original_deleted(self, message: dict[str, Any]) -> None:
        """Record that the bot deleted the original response (h.message keeps its last state)."""
        self._last_original = message
        self.deleted_original = True

    # ------------------------------------------------------------ waiting
    async def response(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the first answer and return its body {"type", "data"}."""
        await self._owner.wait_until(
            lambda: self.first_response is not None or self.expired,
            timeout,
            f"{self.label}: no answer to the interaction",
        )
        if self.first_response is None:
            raise AssertionError(f"{self.label}: not answered within {self.deadline}s (expired)")
        return self.first_response

    async def followup(self, i: int = 0, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the i-th followup message and return it."""
        await self._owner.wait_until(
            lambda: len(self.followup_ids) > i, timeout, f"{self.label}: followup #{i}"
        )
        return self._owner.world.message_index.get(self.followup_ids[i]) or {}

    async def original(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the original response (filled in if it was deferred) and return it."""
        await self.response(timeout)
        await self._owner.wait_until(
            lambda: not self.pending, timeout, f"{self.label}: deferred answer never completed"
        )
        message = self.message
        if message is None:
            raise AssertionError(
                f"{self.label}: the answer (type {self.response_type}) has no message"
            )
        return message

    async def wait_until_done(self, timeout: float = 5.0) -> None:
        """Wait until answered, any deferral is completed and no REST call is in flight."""
        await self.response(timeout)
        await self._owner.wait_until(
            lambda: not self.pending and self._owner.inflight == 0,
            timeout,
            f"{self.label}: still pending",
        )


class Choices(list):
    """Autocomplete choices, with the handle that produced them."""

    handle: InteractionHandle

"""Driving interactions as a user would: slash commands, autocomplete, buttons, selects, modals."""

# ruff: noqa: ASYNC109  (the driver API takes timeout= by contract, see SPEC.md)

from __future__ import annotations

from typing import Any

from emulator.building import WorldBuilder
from emulator.commands import check_command_usable, find_command
from emulator.components import locate_component, select_data
from emulator.enums import (
    SELECT_TYPES,
    CallbackType,
    ChannelType,
    CommandType,
    ComponentType,
    InteractionType,
    MessageFlag,
)
from emulator.errors import EmulatorUsageError
from emulator.handle import Choices, InteractionHandle
from emulator.ids import as_id
from emulator.messages import wire
from emulator.modals import modal_components
from emulator.options import OptionBuilder, build_command_data
from emulator.payloads import interaction_payload
from emulator.permissions import Permissions
from emulator.world import Channel, User

_BUTTONS = frozenset({ComponentType.BUTTON})


class InteractionDriver(WorldBuilder):
    """The driver's interaction methods: each sends an INTERACTION_CREATE and returns its handle."""

    # ------------------------------------------------------------ where an interaction happens
    def _context(
        self, user_id: int, guild_id: int | None, channel_id: int | None
    ) -> tuple[int | None, Channel]:
        """Return (guild_id, channel) for an interaction, checking the user may be there."""
        world = self.world
        if isinstance(user_id, User):
            user_id = user_id.id
        if user_id not in world.users:
            raise EmulatorUsageError(f"unknown user {user_id}")
        if guild_id is None and channel_id is not None:
            channel = world.get_channel(channel_id)
            if channel is None:
                raise EmulatorUsageError(f"unknown channel {channel_id}")
            guild_id = channel.guild_id
        if guild_id is None:
            return None, self.dm_channel_for(user_id)
        if guild_id not in world.guilds:
            raise EmulatorUsageError(f"unknown guild {guild_id}")
        if (guild_id, user_id) not in world.members:
            raise EmulatorUsageError(f"user {user_id} is not a member of guild {guild_id}")
        channel = self._guild_channel(guild_id, channel_id)
        if not world.permissions_in(channel, user_id) & Permissions.VIEW_CHANNEL:
            raise EmulatorUsageError(f"user {user_id} cannot see channel {channel.name!r}")
        return guild_id, channel

    def _guild_channel(self, guild_id: int, channel_id: int | None) -> Channel:
        """Return the channel in the guild (by default its first text channel)."""
        if channel_id is None:
            text = [c for c in self.world.guilds[guild_id].channels if c.type == ChannelType.TEXT]
            # Every real interaction happens in a channel: give a bare guild a #general.
            return text[0] if text else self.create_channel(guild_id, "general")
        found = self.world.get_channel(channel_id)
        if found is None or found.guild_id != guild_id:
            raise EmulatorUsageError(f"channel {channel_id} is not in guild {guild_id}")
        return found

    def _send_interaction(
        self,
        kind: InteractionType,
        data: dict[str, Any],
        user_id: int,
        guild_id: int | None,
        channel: Channel,
        label: str,
        *,
        locale: str | None = None,
        source_message: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        spoken = locale or self.world.users[user_id].locale
        payload = interaction_payload(self, kind, data, user_id, guild_id, channel, spoken)
        if source_message is not None:
            payload["message"] = wire(source_message)
        handle = InteractionHandle(
            self,
            interaction_id=int(payload["id"]),
            kind=kind,
            payload=payload,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel.id,
            label=label,
            deadline=self.interaction_deadline,
            source_message_id=int(source_message["id"]) if source_message else None,
        )
        if source_message is not None and kind == InteractionType.COMPONENT:
            handle.original_id = handle.source_message_id
        sent = self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id, newest_only=True)
        if not sent:
            raise EmulatorUsageError("no bot is connected to the gateway")
        self.interactions[handle.id] = handle
        self.interactions_by_token[handle.token] = handle
        handle.arm_deadline(self._on_deadline)
        return handle

    def _on_deadline(self, handle: InteractionHandle) -> None:
        self.problem(
            f"interaction {handle.label} (id {handle.id}) was not answered within "
            f"{handle.deadline}s"
        )
        self.notify()

    # ------------------------------------------------------------ application commands
    async def slash(
        self,
        user_id: int,
        command: str,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str | None = None,
        options: dict[str, Any] | None = None,
        **values: Any,
    ) -> InteractionHandle:
        """Invoke a registered slash command ("name [group] sub") with typed option values."""
        name, *path = command.strip().lstrip("/").split()
        guild_id, channel = self._context(as_id(user_id, "user"), guild_id, channel_id)
        user_id = as_id(user_id, "user")
        cmd = find_command(self, name, CommandType.CHAT_INPUT, guild_id)
        check_command_usable(self, cmd, user_id, guild_id, channel)
        builder = OptionBuilder(self, user_id, guild_id, channel)
        data = build_command_data(builder, cmd, path, {**(options or {}), **values})
        return self._send_interaction(
            InteractionType.APPLICATION_COMMAND,
            data,
            user_id,
            guild_id,
            channel,
            f"/{command}",
            locale=locale,
        )

    async def autocomplete(
        self,
        user_id: int,
        command: str,
        *,
        focused: str,
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str | None = None,
        options: dict[str, Any] | None = None,
        timeout: float = 5.0,
        **values: Any,
    ) -> Choices:
        """Send an autocomplete interaction and return the bot's choices (.handle on the list)."""
        name, *path = command.strip().lstrip("/").split()
        guild_id, channel = self._context(as_id(user_id, "user"), guild_id, channel_id)
        user_id = as_id(user_id, "user")
        cmd = find_command(self, name, CommandType.CHAT_INPUT, guild_id)
        check_command_usable(self, cmd, user_id, guild_id, channel)
        merged = {**(options or {}), **values}
        merged.setdefault(focused, "")
        builder = OptionBuilder(self, user_id, guild_id, channel)
        data = build_command_data(builder, cmd, path, merged, focused=focused)
        handle = self._send_interaction(
            InteractionType.AUTOCOMPLETE,
            data,
            user_id,
            guild_id,
            channel,
            f"/{command} [autocomplete]",
            locale=locale,
        )
        response = await handle.response(timeout)
        if response["type"] != CallbackType.AUTOCOMPLETE_RESULT:
            raise AssertionError(f"autocomplete answered with type {response['type']}, not 8")
        choices = Choices(response.get("data", {}).get("choices") or [])
        choices.handle = handle
        return choices

    async def message_command(
        self, user_id: int, name: str, *, target: dict[str, Any], locale: str | None = None
    ) -> InteractionHandle:
        """Invoke a message context menu command on a message dict."""
        user_id = as_id(user_id, "user")
        current = self.world.message_index.get(int(target["id"]))
        if current is None or current.get("flags", 0) & MessageFlag.EPHEMERAL:
            raise EmulatorUsageError(f"message {target['id']} is not a channel message")
        guild_id, channel = self._context(user_id, None, int(current["channel_id"]))
        cmd = find_command(self, name, CommandType.MESSAGE, guild_id)
        check_command_usable(self, cmd, user_id, guild_id, channel)
        builder = OptionBuilder(self, user_id, guild_id, channel)
        author_id = int(current["author"]["id"])
        if author_id in self.world.users:
            builder.resolve_user(author_id, name)
        builder.resolved.setdefault("messages", {})[current["id"]] = wire(current)
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": CommandType.MESSAGE,
            "target_id": current["id"],
            "resolved": builder.resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return self._send_interaction(
            InteractionType.APPLICATION_COMMAND,
            data,
            user_id,
            guild_id,
            channel,
            f"[message] {name}",
            locale=locale,
        )

    async def user_command(
        self,
        user_id: int,
        name: str,
        *,
        target_user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str | None = None,
    ) -> InteractionHandle:
        """Invoke a user context menu command on a user."""
        user_id = as_id(user_id, "user")
        target_user_id = as_id(target_user_id, "target_user_id")
        guild_id, channel = self._context(user_id, guild_id, channel_id)
        cmd = find_command(self, name, CommandType.USER, guild_id)
        check_command_usable(self, cmd, user_id, guild_id, channel)
        builder = OptionBuilder(self, user_id, guild_id, channel)
        builder.resolve_user(target_user_id, name)
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": CommandType.USER,
            "target_id": str(target_user_id),
            "resolved": builder.resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return self._send_interaction(
            InteractionType.APPLICATION_COMMAND,
            data,
            user_id,
            guild_id,
            channel,
            f"[user] {name}",
            locale=locale,
        )

    # ------------------------------------------------------------ components
    def _component_message(self, user_id: int, message: dict[str, Any]) -> dict[str, Any]:
        current = self.world.message_index.get(int(message["id"]))
        if current is None:
            raise EmulatorUsageError(f"message {message['id']} does not exist (deleted?)")
        if int(current.get("flags") or 0) & MessageFlag.EPHEMERAL:
            owner = self.ephemeral_owners.get(int(current["id"]))
            if owner != user_id:
                raise EmulatorUsageError(
                    f"message {message['id']} is ephemeral and only user {owner} can see it"
                )
        return current

    async def click(
        self,
        user_id: int,
        message: dict[str, Any],
        custom_id: str | None = None,
        label: str | None = None,
        *,
        locale: str | None = None,
    ) -> InteractionHandle:
        """Click a button on a message (found by custom_id or label)."""
        user_id = as_id(user_id, "user")
        current = self._component_message(user_id, message)
        comp = locate_component(current, custom_id=custom_id, label=label, types=_BUTTONS)
        guild_id, channel = self._context(user_id, None, int(current["channel_id"]))
        data: dict[str, Any] = {
            "custom_id": comp["custom_id"],
            "component_type": ComponentType.BUTTON,
        }
        if comp.get("id") is not None:
            data["id"] = comp["id"]
        return self._send_interaction(
            InteractionType.COMPONENT,
            data,
            user_id,
            guild_id,
            channel,
            f"[button] {comp.get('label') or comp['custom_id']}",
            locale=locale,
            source_message=current,
        )

    async def select(
        self,
        user_id: int,
        message: dict[str, Any],
        values: list[Any],
        custom_id: str | None = None,
        *,
        locale: str | None = None,
    ) -> InteractionHandle:
        """Choose values in a select menu (string, user, role, mentionable or channel select)."""
        user_id = as_id(user_id, "user")
        current = self._component_message(user_id, message)
        comp = locate_component(current, custom_id=custom_id, label=None, types=SELECT_TYPES)
        guild_id, channel = self._context(user_id, None, int(current["channel_id"]))
        low, high = comp.get("min_values", 1), comp.get("max_values", 1)
        if not low <= len(values) <= high:
            raise EmulatorUsageError(f"select {comp['custom_id']!r} takes {low}..{high} values")
        builder = OptionBuilder(self, user_id, guild_id, channel)
        return self._send_interaction(
            InteractionType.COMPONENT,
            select_data(comp, values, builder),
            user_id,
            guild_id,
            channel,
            f"[select] {comp['custom_id']}",
            locale=locale,
            source_message=current,
        )

    # ------------------------------------------------------------ modals
    async def submit_modal(
        self,
        user_id: int,
        modal: dict[str, Any] | InteractionHandle,
        values: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str | None = None,
    ) -> InteractionHandle:
        """Submit a modal the bot opened, with values by custom_id (validated like Discord).

        guild_id/channel_id are optional: the modal is submitted where it was opened, and a
        mismatch raises EmulatorUsageError.
        """
        user_id = as_id(user_id, "user")
        origin, modal_data = self._modal_origin(modal)
        if origin.user_id != user_id:
            raise EmulatorUsageError(f"modal was opened for user {origin.user_id}, not {user_id}")
        if guild_id is not None and as_id(guild_id, "guild_id") != origin.guild_id:
            raise EmulatorUsageError(f"modal was opened in guild {origin.guild_id}, not {guild_id}")
        if channel_id is not None and as_id(channel_id, "channel_id") != origin.channel_id:
            raise EmulatorUsageError(f"modal was opened in channel {origin.channel_id}")
        channel = self.world.get_channel(origin.channel_id)
        if channel is None:
            raise EmulatorUsageError(f"the channel of {origin.label} no longer exists")
        values = dict(values or {})
        builder = OptionBuilder(self, user_id, origin.guild_id, channel)
        components = modal_components(modal_data["components"], values, builder)
        if values:
            raise EmulatorUsageError(f"modal has no input(s) {sorted(values)}")
        data: dict[str, Any] = {"custom_id": modal_data["custom_id"], "components": components}
        if builder.resolved:
            data["resolved"] = builder.resolved
        source = None
        if origin.source_message_id is not None:
            source = self.world.message_index.get(origin.source_message_id)
        return self._send_interaction(
            InteractionType.MODAL_SUBMIT,
            data,
            user_id,
            origin.guild_id,
            channel,
            f"[modal] {modal_data.get('title') or modal_data['custom_id']}",
            locale=locale,
            source_message=source,
        )

    def _modal_origin(
        self, modal: dict[str, Any] | InteractionHandle
    ) -> tuple[InteractionHandle, dict[str, Any]]:
        """Return the interaction that opened a modal, and the modal's payload."""
        if isinstance(modal, InteractionHandle):
            modal_data = modal.modal
            if modal_data is None:
                raise EmulatorUsageError(f"{modal.label} did not answer with a modal")
            return modal, modal_data
        origin = self.modal_origins.get(modal.get("custom_id", ""))
        if origin is None:
            raise EmulatorUsageError(f"modal {modal.get('custom_id')!r} was never opened")
        return origin, modal

"""Driving interactions: payload builders, option typing and the InteractionHandle."""

# ruff: noqa: ASYNC109  (the driver API takes timeout= by contract, see SPEC.md)

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from emulator.errors import EmulatorUsageError
from emulator.ids import new_token
from emulator.messages import ATTACHMENT_SIZE_LIMIT, Upload, new_attachment, wire
from emulator.permissions import Permissions
from emulator.validation import EPHEMERAL, LOADING, SELECT_TYPES
from emulator.world import DM, Channel, Role, User

if TYPE_CHECKING:
    from emulator.driver import Emulator

APPLICATION_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
OPTION_TYPE_NAMES = {
    1: "subcommand",
    2: "subcommand group",
    3: "string",
    4: "integer",
    5: "boolean",
    6: "user",
    7: "channel",
    8: "role",
    9: "mentionable",
    10: "number",
    11: "attachment",
}


class InteractionHandle:
    """One interaction sent to the bot, and everything the bot answered to it."""

    def __init__(
        self,
        emu: Emulator,
        *,
        interaction_id: int,
        kind: int,
        payload: dict[str, Any],
        user_id: int,
        guild_id: int | None,
        channel_id: int,
        label: str,
        source_message_id: int | None = None,
    ) -> None:
        self._emu = emu
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
        self.deadline = emu.interaction_deadline
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
        """Return the accepted first answer's type (4..9), or None."""
        return self.first_response["type"] if self.first_response else None

    @property
    def message(self) -> dict[str, Any] | None:
        """Return the current original response message (after edits), if any."""
        if self.original_id is None or self.response_type in (None, 8, 9):
            return None
        current = self._emu.world.message_index.get(self.original_id)
        if current is not None:
            self._last_original = current
        return self._last_original

    @property
    def ephemeral(self) -> bool:
        """Return whether the answer is ephemeral (flags & 64 on the response or its message)."""
        message = self.message
        if message is not None:
            return bool(int(message.get("flags") or 0) & EPHEMERAL)
        data = (self.first_response or {}).get("data") or {}
        return bool(int(data.get("flags") or 0) & EPHEMERAL)

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
        if self.response_type == 9:
            return self.first_response["data"]  # type: ignore[index]
        return None

    @property
    def choices(self) -> list[dict] | None:
        """Return the autocomplete choices (type 8), if any."""
        if self.response_type == 8:
            return list((self.first_response or {}).get("data", {}).get("choices") or [])
        return None

    @property
    def followups(self) -> list[dict]:
        """Return the followup messages sent so far (current state)."""
        index = self._emu.world.message_index
        return [index[i] for i in self.followup_ids if i in index]

    def followup_files(self, i: int = 0) -> list[tuple[str, bytes]]:
        """Return (filename, bytes) of the i-th followup's attachments (after await followup(i))."""
        if i >= len(self.followup_ids):
            return []
        message = self._emu.world.message_index.get(self.followup_ids[i]) or {}
        data = self._emu.world.attachment_data
        return [(a["filename"], data[int(a["id"])]) for a in message.get("attachments") or []]

    @property
    def pending(self) -> bool:
        """Return whether a deferred answer still waits for its edit or followup."""
        if self.response_type == 5:
            message = self.message
            return message is not None and bool(int(message["flags"]) & LOADING)
        if self.response_type == 6:
            return self.edit_count == 0 and not self.followup_ids
        return False

    # ------------------------------------------------------------ waiting
    async def response(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the first answer and return its body {"type", "data"}."""
        await self._emu.wait_until(
            lambda: self.first_response is not None or self.expired,
            timeout,
            f"{self.label}: no answer to the interaction",
        )
        if self.first_response is None:
            raise AssertionError(f"{self.label}: not answered within {self.deadline}s (expired)")
        return self.first_response

    async def followup(self, i: int = 0, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the i-th followup message and return it."""
        await self._emu.wait_until(
            lambda: len(self.followup_ids) > i, timeout, f"{self.label}: followup #{i}"
        )
        return self._emu.world.message_index.get(self.followup_ids[i]) or {}

    async def original(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the original response (filled in if it was deferred) and return it."""
        await self.response(timeout)
        await self._emu.wait_until(
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
        await self._emu.wait_until(
            lambda: not self.pending and self._emu.inflight == 0,
            timeout,
            f"{self.label}: still pending",
        )


class Choices(list):
    """Autocomplete choices, with the handle that produced them."""

    handle: InteractionHandle


# -------------------------------------------------------------------- helpers
def _as_id(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise EmulatorUsageError(f"{what}: expected an id, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    found = getattr(value, "id", None)
    if isinstance(found, int):
        return found
    if isinstance(value, Mapping) and "id" in value:
        return int(value["id"])
    raise EmulatorUsageError(f"{what}: expected an id or object with .id, got {value!r}")


def walk_components(components: list[dict]) -> Iterator[dict]:
    """Yield every component in a message or modal layout, depth first."""
    for comp in components or []:
        yield comp
        if comp.get("components"):
            yield from walk_components(comp["components"])
        if comp.get("component"):
            yield from walk_components([comp["component"]])
        if comp.get("accessory"):
            yield from walk_components([comp["accessory"]])


def find_command(emu: Emulator, name: str, ctype: int, guild_id: int | None) -> dict[str, Any]:
    """Find a registered command: the guild's first, then global ones."""
    scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
    for scope in scopes:
        for cmd in emu.world.commands.get(scope, []):
            if cmd["name"] == name and cmd.get("type", 1) == ctype:
                return cmd
    registered = sorted(
        f"{c['name']} (type {c.get('type', 1)})"
        for scope in scopes
        for c in emu.world.commands.get(scope, [])
    )
    raise EmulatorUsageError(
        f"no registered command {name!r} of type {ctype} for guild {guild_id}; "
        f"registered: {registered or 'none (did the bot sync its tree?)'}"
    )


def _check_command_usable(
    emu: Emulator, cmd: dict[str, Any], user_id: int, guild_id: int | None, channel: Channel
) -> None:
    contexts = cmd.get("contexts")
    if contexts is None:
        contexts = [0] if cmd.get("dm_permission") is False else [0, 1]
    if cmd.get("guild_id"):
        contexts = [0]
    context = 0 if guild_id is not None else 1
    if context not in contexts:
        where = "in a guild" if guild_id is not None else "in DMs"
        raise EmulatorUsageError(f"command {cmd['name']!r} cannot be used {where}")
    if guild_id is None:
        return
    perms = emu.world.permissions_in(channel, user_id)
    if not perms & Permissions.USE_APPLICATION_COMMANDS:
        raise EmulatorUsageError(f"user {user_id} lacks USE_APPLICATION_COMMANDS in {channel.name}")
    required = cmd.get("default_member_permissions")
    if required is not None and not perms & Permissions.ADMINISTRATOR:
        needed = int(required)
        if perms & needed != needed:
            missing = Permissions.names(needed & ~perms)
            raise EmulatorUsageError(
                f"user {user_id} cannot see command {cmd['name']!r}: "
                f"default_member_permissions needs {missing}"
            )


def command_usable(
    emu: Emulator, cmd: dict[str, Any], user_id: int, guild_id: int | None, channel: Channel
) -> bool:
    """Return whether a user's client would offer this command here (contexts, permissions)."""
    try:
        _check_command_usable(emu, cmd, user_id, guild_id, channel)
    except EmulatorUsageError:
        return False
    return True


def _check_choices(schema: dict, value: Any, where: str) -> Any:
    choices = schema.get("choices")
    if not choices:
        return value
    for choice in choices:
        if choice["value"] == value and type(choice["value"]) is type(value):
            return value
    for choice in choices:
        if choice["name"] == value:
            return choice["value"]
    allowed = [c["value"] for c in choices]
    raise EmulatorUsageError(f"{where}: {value!r} is not one of the choices {allowed}")


def _check_range(schema: dict, value: float, where: str) -> None:
    low, high = schema.get("min_value"), schema.get("max_value")
    if low is not None and value < low:
        raise EmulatorUsageError(f"{where}: {value} is below min_value {low}")
    if high is not None and value > high:
        raise EmulatorUsageError(f"{where}: {value} is above max_value {high}")


class OptionBuilder:
    """Type option values against a command's schema and collect data.resolved."""

    def __init__(self, emu: Emulator, user_id: int, guild_id: int | None, channel: Channel) -> None:
        self.emu = emu
        self.user_id = user_id
        self.guild_id = guild_id
        self.channel = channel
        self.resolved: dict[str, dict[str, Any]] = {}

    def _resolve(self, kind: str, key: int, value: dict[str, Any]) -> None:
        self.resolved.setdefault(kind, {})[str(key)] = value

    def resolve_user(self, user_id: int, where: str) -> None:
        """Add a user (and their member, in a guild) to resolved."""
        world = self.emu.world
        user = world.users.get(user_id)
        if user is None:
            raise EmulatorUsageError(f"{where}: unknown user {user_id}")
        self._resolve("users", user_id, user.to_json())
        if self.guild_id is not None:
            member = world.members.get((self.guild_id, user_id))
            if member is not None:
                data = member.to_json(with_user=False)
                data["permissions"] = str(world.permissions_in(self.channel, user_id))
                self._resolve("members", user_id, data)

    def resolve_role(self, role_id: int, where: str) -> None:
        """Add a role of this guild to resolved."""
        role = self.emu.world.roles.get(role_id)
        if role is None or role.guild_id != self.guild_id:
            raise EmulatorUsageError(f"{where}: role {role_id} is not in guild {self.guild_id}")
        self._resolve("roles", role_id, role.to_json())

    def resolve_channel(self, channel_id: int, where: str, channel_types: list[int] | None) -> None:
        """Add a channel of this guild to resolved, checking channel_types."""
        channel = self.emu.world.get_channel(channel_id)
        if channel is None or channel.guild_id != self.guild_id:
            raise EmulatorUsageError(
                f"{where}: channel {channel_id} is not in guild {self.guild_id}"
            )
        if channel_types and channel.type not in channel_types:
            raise EmulatorUsageError(
                f"{where}: channel type {channel.type} not in channel_types {channel_types}"
            )
        data = channel.to_json()
        data["permissions"] = str(self.emu.world.permissions_in(channel, self.user_id))
        self._resolve("channels", channel_id, data)

    def resolve_attachment(self, value: Any, where: str) -> int:
        """Upload a test-provided file and add it to resolved; return its id."""
        if isinstance(value, Upload):
            upload = value
        elif isinstance(value, bytes):
            upload = Upload("files[0]", "file.bin", None, value)
        elif isinstance(value, tuple) and len(value) == 2:
            upload = Upload("files[0]", str(value[0]), None, bytes(value[1]))
        else:
            raise EmulatorUsageError(f"{where}: attachments are bytes or (filename, bytes)")
        data = new_attachment(self.emu, self.channel.id, upload)
        data["ephemeral"] = True
        self._resolve("attachments", int(data["id"]), data)
        return int(data["id"])

    def value(self, schema: dict[str, Any], raw: Any, where: str) -> Any:
        """Return the wire value for one option, validated like Discord's client would."""
        otype = schema["type"]
        if otype == 3:
            if not isinstance(raw, str):
                raise EmulatorUsageError(f"{where}: expected a string, got {raw!r}")
            raw = _check_choices(schema, raw, where)
            low, high = schema.get("min_length"), schema.get("max_length")
            if low is not None and len(raw) < low:
                raise EmulatorUsageError(f"{where}: shorter than min_length {low}")
            if high is not None and len(raw) > high:
                raise EmulatorUsageError(f"{where}: longer than max_length {high}")
            if len(raw) > 6000:
                raise EmulatorUsageError(f"{where}: longer than 6000 characters")
            return raw
        if otype == 4:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise EmulatorUsageError(f"{where}: expected an integer, got {raw!r}")
            raw = _check_choices(schema, raw, where)
            _check_range(schema, raw, where)
            if abs(raw) > 2**53:
                raise EmulatorUsageError(f"{where}: integers are limited to +-2^53")
            return raw
        if otype == 5:
            if not isinstance(raw, bool):
                raise EmulatorUsageError(f"{where}: expected a boolean, got {raw!r}")
            return raw
        if otype == 10:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise EmulatorUsageError(f"{where}: expected a number, got {raw!r}")
            raw = _check_choices(schema, raw, where)
            _check_range(schema, raw, where)
            return raw
        if otype == 6:
            user_id = _as_id(raw, where)
            self.resolve_user(user_id, where)
            return str(user_id)
        if otype == 7:
            channel_id = _as_id(raw, where)
            self.resolve_channel(channel_id, where, schema.get("channel_types"))
            return str(channel_id)
        if otype == 8:
            role_id = _as_id(raw, where)
            self.resolve_role(role_id, where)
            return str(role_id)
        if otype == 9:
            target = _as_id(raw, where)
            if isinstance(raw, Role) or target in self.emu.world.roles:
                self.resolve_role(target, where)
            else:
                self.resolve_user(target, where)
            return str(target)
        if otype == 11:
            return str(self.resolve_attachment(raw, where))
        raise EmulatorUsageError(f"{where}: unsupported option type {otype}")

    def options(
        self,
        schema: list[dict[str, Any]],
        values: dict[str, Any],
        where: str,
        *,
        focused: str | None = None,
    ) -> list[dict[str, Any]]:
        """Return typed leaf options; with focused set (autocomplete) required ones may be absent."""
        by_name = {o["name"]: o for o in schema}
        unknown = set(values) - set(by_name)
        if unknown:
            raise EmulatorUsageError(
                f"{where}: unknown option(s) {sorted(unknown)}; the command has {sorted(by_name)}"
            )
        result: list[dict[str, Any]] = []
        for opt in schema:
            name = opt["name"]
            if name not in values or values[name] is None:
                if opt.get("required") and focused is None:
                    raise EmulatorUsageError(f"{where}: required option {name!r} is missing")
                continue
            raw = values[name]
            if name == focused:
                if opt["type"] not in (3, 4, 10) or not opt.get("autocomplete"):
                    raise EmulatorUsageError(f"{where}: option {name!r} has no autocomplete")
                result.append(
                    {"name": name, "type": opt["type"], "value": str(raw), "focused": True}
                )
                continue
            typed = self.value(opt, raw, f"{where} option {name!r}")
            result.append({"name": name, "type": opt["type"], "value": typed})
        if focused is not None and focused not in by_name:
            raise EmulatorUsageError(f"{where}: focused option {focused!r} does not exist")
        return result


def build_command_data(
    builder: OptionBuilder,
    cmd: dict[str, Any],
    path: list[str],
    values: dict[str, Any],
    *,
    focused: str | None = None,
) -> dict[str, Any]:
    """Build data for a chat input command invocation along a subcommand path."""
    where = "/" + " ".join([cmd["name"], *path])
    schema = cmd.get("options") or []
    nested: list[dict[str, Any]] = []
    top = nested
    remaining = list(path)
    while any(o["type"] in (1, 2) for o in schema):
        if not remaining:
            subs = [o["name"] for o in schema if o["type"] in (1, 2)]
            raise EmulatorUsageError(f"{where}: choose a subcommand: {subs}")
        name = remaining.pop(0)
        sub = next((o for o in schema if o["name"] == name and o["type"] in (1, 2)), None)
        if sub is None:
            subs = [o["name"] for o in schema if o["type"] in (1, 2)]
            raise EmulatorUsageError(f"{where}: no subcommand {name!r}; choose from {subs}")
        entry: dict[str, Any] = {"name": name, "type": sub["type"], "options": []}
        nested.append(entry)
        nested = entry["options"]
        schema = sub.get("options") or []
    if remaining:
        raise EmulatorUsageError(f"{where}: {remaining} is not a subcommand")
    nested.extend(builder.options(schema, values, where, focused=focused))
    data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
    if top:
        data["options"] = top
    if cmd.get("guild_id"):
        data["guild_id"] = cmd["guild_id"]
    if builder.resolved:
        data["resolved"] = builder.resolved
    return data


def locate_component(
    message: dict[str, Any], *, custom_id: str | None, label: str | None, types: frozenset[int]
) -> dict[str, Any]:
    """Find a component on a message by custom_id or label; raise if absent or disabled."""
    candidates = [
        c for c in walk_components(message.get("components") or []) if c.get("type") in types
    ]
    for comp in candidates:
        if custom_id is not None and comp.get("custom_id") == custom_id:
            break
        if custom_id is None and label is not None and comp.get("label") == label:
            break
        if custom_id is None and label is None and len(candidates) == 1:
            break
    else:
        known = [(c.get("custom_id"), c.get("label")) for c in candidates]
        wanted = custom_id if custom_id is not None else label
        raise EmulatorUsageError(f"no component {wanted!r} on message {message['id']}; has {known}")
    if comp.get("disabled"):
        raise EmulatorUsageError(f"component {comp.get('custom_id')!r} is disabled")
    if comp.get("type") == 2 and comp.get("style") in (5, 6):
        raise EmulatorUsageError("link and premium buttons do not send interactions")
    return comp


class InteractionDriver:
    """The driver's interaction methods (mixed into Emulator)."""

    def _context(
        self: Emulator, user_id: int, guild_id: int | None, channel_id: int | None
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
        if channel_id is None:
            text = [c for c in world.guilds[guild_id].channels if c.type == 0]
            # Every real interaction happens in a channel: give a bare guild a #general.
            channel = text[0] if text else self.create_channel(guild_id, "general")
        else:
            found = world.get_channel(channel_id)
            if found is None or found.guild_id != guild_id:
                raise EmulatorUsageError(f"channel {channel_id} is not in guild {guild_id}")
            channel = found
        if not world.permissions_in(channel, user_id) & Permissions.VIEW_CHANNEL:
            raise EmulatorUsageError(f"user {user_id} cannot see channel {channel.name!r}")
        return guild_id, channel

    def _payload(
        self: Emulator,
        kind: int,
        data: dict[str, Any],
        user_id: int,
        guild_id: int | None,
        channel: Channel,
        locale: str,
    ) -> dict[str, Any]:
        """Build an INTERACTION_CREATE payload with every key the library needs."""
        world = self.world
        interaction_id = self.snowflakes.next()
        channel_json = channel.to_json()
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "data": data,
            "token": new_token("aW50ZXJhY3Rpb24"),
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "channel": channel_json,
            "channel_id": str(channel.id),
        }
        if guild_id is not None:
            guild = world.guilds[guild_id]
            member = world.members[(guild_id, user_id)]
            perms = world.permissions_in(channel, user_id)
            channel_json["permissions"] = str(perms)
            member_json = member.to_json()
            member_json["permissions"] = str(perms)
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": guild.locale, "features": []},
                guild_locale=guild.locale,
                member=member_json,
                app_permissions=str(world.permissions_in(channel, self.bot_user.id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=world.users[user_id].to_json(),
                app_permissions=str(
                    Permissions.VIEW_CHANNEL
                    | Permissions.SEND_MESSAGES
                    | Permissions.EMBED_LINKS
                    | Permissions.ATTACH_FILES
                    | Permissions.READ_MESSAGE_HISTORY
                ),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
        return payload

    def _send_interaction(
        self: Emulator,
        kind: int,
        data: dict[str, Any],
        user_id: int,
        guild_id: int | None,
        channel: Channel,
        label: str,
        *,
        locale: str = "en-US",
        source_message: dict[str, Any] | None = None,
    ) -> InteractionHandle:
        payload = self._payload(kind, data, user_id, guild_id, channel, locale)
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
            source_message_id=int(source_message["id"]) if source_message else None,
        )
        if source_message is not None and kind == COMPONENT:
            handle.original_id = handle.source_message_id
        sent = self.dispatch("INTERACTION_CREATE", payload, guild_id=guild_id, newest_only=True)
        if not sent:
            raise EmulatorUsageError("no bot is connected to the gateway")
        self.interactions[handle.id] = handle
        self.interactions_by_token[handle.token] = handle
        loop = asyncio.get_running_loop()
        handle._timer = loop.call_later(self.interaction_deadline, self._on_deadline, handle)
        return handle

    def _on_deadline(self: Emulator, handle: InteractionHandle) -> None:
        if handle.first_response is None:
            handle.expired = True
            self.problem(
                f"interaction {handle.label} (id {handle.id}) was not answered within "
                f"{handle.deadline}s"
            )
            self.notify()

    # ------------------------------------------------------------ public API
    async def slash(
        self: Emulator,
        user_id: int,
        command: str,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
        options: dict[str, Any] | None = None,
        **values: Any,
    ) -> InteractionHandle:
        """Invoke a registered slash command ("name [group] sub") with typed option values."""
        name, *path = command.strip().lstrip("/").split()
        guild_id, channel = self._context(_as_id(user_id, "user"), guild_id, channel_id)
        user_id = _as_id(user_id, "user")
        cmd = find_command(self, name, 1, guild_id)
        _check_command_usable(self, cmd, user_id, guild_id, channel)
        builder = OptionBuilder(self, user_id, guild_id, channel)
        data = build_command_data(builder, cmd, path, {**(options or {}), **values})
        return self._send_interaction(
            APPLICATION_COMMAND, data, user_id, guild_id, channel, f"/{command}", locale=locale
        )

    async def autocomplete(
        self: Emulator,
        user_id: int,
        command: str,
        *,
        focused: str,
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
        options: dict[str, Any] | None = None,
        timeout: float = 5.0,
        **values: Any,
    ) -> Choices:
        """Send an autocomplete interaction and return the bot's choices (.handle on the list)."""
        name, *path = command.strip().lstrip("/").split()
        guild_id, channel = self._context(_as_id(user_id, "user"), guild_id, channel_id)
        user_id = _as_id(user_id, "user")
        cmd = find_command(self, name, 1, guild_id)
        _check_command_usable(self, cmd, user_id, guild_id, channel)
        merged = {**(options or {}), **values}
        merged.setdefault(focused, "")
        builder = OptionBuilder(self, user_id, guild_id, channel)
        data = build_command_data(builder, cmd, path, merged, focused=focused)
        handle = self._send_interaction(
            AUTOCOMPLETE,
            data,
            user_id,
            guild_id,
            channel,
            f"/{command} [autocomplete]",
            locale=locale,
        )
        response = await handle.response(timeout)
        if response["type"] != 8:
            raise AssertionError(f"autocomplete answered with type {response['type']}, not 8")
        choices = Choices(response.get("data", {}).get("choices") or [])
        choices.handle = handle
        return choices

    async def message_command(
        self: Emulator, user_id: int, name: str, *, target: dict[str, Any], locale: str = "en-US"
    ) -> InteractionHandle:
        """Invoke a message context menu command on a message dict."""
        user_id = _as_id(user_id, "user")
        current = self.world.message_index.get(int(target["id"]))
        if current is None or current.get("flags", 0) & EPHEMERAL:
            raise EmulatorUsageError(f"message {target['id']} is not a channel message")
        guild_id, channel = self._context(user_id, None, int(current["channel_id"]))
        cmd = find_command(self, name, 3, guild_id)
        _check_command_usable(self, cmd, user_id, guild_id, channel)
        builder = OptionBuilder(self, user_id, guild_id, channel)
        author_id = int(current["author"]["id"])
        if author_id in self.world.users:
            builder.resolve_user(author_id, name)
        builder.resolved.setdefault("messages", {})[current["id"]] = wire(current)
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 3,
            "target_id": current["id"],
            "resolved": builder.resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return self._send_interaction(
            APPLICATION_COMMAND,
            data,
            user_id,
            guild_id,
            channel,
            f"[message] {name}",
            locale=locale,
        )

    async def user_command(
        self: Emulator,
        user_id: int,
        name: str,
        *,
        target_user_id: int,
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Invoke a user context menu command on a user."""
        user_id = _as_id(user_id, "user")
        target_user_id = _as_id(target_user_id, "target_user_id")
        guild_id, channel = self._context(user_id, guild_id, channel_id)
        cmd = find_command(self, name, 2, guild_id)
        _check_command_usable(self, cmd, user_id, guild_id, channel)
        builder = OptionBuilder(self, user_id, guild_id, channel)
        builder.resolve_user(target_user_id, name)
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 2,
            "target_id": str(target_user_id),
            "resolved": builder.resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return self._send_interaction(
            APPLICATION_COMMAND, data, user_id, guild_id, channel, f"[user] {name}", locale=locale
        )

    def _component_message(self: Emulator, user_id: int, message: dict[str, Any]) -> dict[str, Any]:
        current = self.world.message_index.get(int(message["id"]))
        if current is None:
            raise EmulatorUsageError(f"message {message['id']} does not exist (deleted?)")
        if int(current.get("flags") or 0) & EPHEMERAL:
            owner = self.ephemeral_owners.get(int(current["id"]))
            if owner != user_id:
                raise EmulatorUsageError(
                    f"message {message['id']} is ephemeral and only user {owner} can see it"
                )
        return current

    async def click(
        self: Emulator,
        user_id: int,
        message: dict[str, Any],
        custom_id: str | None = None,
        label: str | None = None,
        *,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Click a button on a message (found by custom_id or label)."""
        user_id = _as_id(user_id, "user")
        current = self._component_message(user_id, message)
        comp = locate_component(current, custom_id=custom_id, label=label, types=frozenset({2}))
        guild_id, channel = self._context(user_id, None, int(current["channel_id"]))
        data: dict[str, Any] = {"custom_id": comp["custom_id"], "component_type": 2}
        if comp.get("id") is not None:
            data["id"] = comp["id"]
        return self._send_interaction(
            COMPONENT,
            data,
            user_id,
            guild_id,
            channel,
            f"[button] {comp.get('label') or comp['custom_id']}",
            locale=locale,
            source_message=current,
        )

    async def select(
        self: Emulator,
        user_id: int,
        message: dict[str, Any],
        values: list[Any],
        custom_id: str | None = None,
        *,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Choose values in a select menu (string, user, role, mentionable or channel select)."""
        user_id = _as_id(user_id, "user")
        current = self._component_message(user_id, message)
        comp = locate_component(current, custom_id=custom_id, label=None, types=SELECT_TYPES)
        guild_id, channel = self._context(user_id, None, int(current["channel_id"]))
        low, high = comp.get("min_values", 1), comp.get("max_values", 1)
        if not low <= len(values) <= high:
            raise EmulatorUsageError(f"select {comp['custom_id']!r} takes {low}..{high} values")
        data, _ = self._select_data(comp, values, user_id, guild_id, channel)
        return self._send_interaction(
            COMPONENT,
            data,
            user_id,
            guild_id,
            channel,
            f"[select] {comp['custom_id']}",
            locale=locale,
            source_message=current,
        )

    def _select_data(
        self: Emulator,
        comp: dict[str, Any],
        values: list[Any],
        user_id: int,
        guild_id: int | None,
        channel: Channel,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        ctype = comp["type"]
        where = f"select {comp['custom_id']!r}"
        builder = OptionBuilder(self, user_id, guild_id, channel)
        wire_values: list[str] = []
        if ctype == 3:
            allowed = [o["value"] for o in comp.get("options") or []]
            for value in values:
                if value not in allowed:
                    raise EmulatorUsageError(f"{where}: {value!r} not among options {allowed}")
                wire_values.append(value)
        else:
            for value in values:
                target = _as_id(value, where)
                if ctype == 5 or (ctype == 7 and target not in self.world.roles):
                    builder.resolve_user(target, where)
                elif ctype in (6, 7):
                    builder.resolve_role(target, where)
                else:
                    builder.resolve_channel(target, where, comp.get("channel_types"))
                wire_values.append(str(target))
        data: dict[str, Any] = {
            "custom_id": comp["custom_id"],
            "component_type": ctype,
            "values": wire_values,
        }
        if builder.resolved:
            data["resolved"] = builder.resolved
        return data, builder.resolved

    async def submit_modal(
        self: Emulator,
        user_id: int,
        modal: dict[str, Any] | InteractionHandle,
        values: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Submit a modal the bot opened, with values by custom_id (validated like Discord).

        guild_id/channel_id are optional: the modal is submitted where it was opened, and a
        mismatch raises EmulatorUsageError.
        """
        user_id = _as_id(user_id, "user")
        if isinstance(modal, InteractionHandle):
            origin: InteractionHandle | None = modal
            modal_data = modal.modal
            if modal_data is None:
                raise EmulatorUsageError(f"{modal.label} did not answer with a modal")
        else:
            modal_data = modal
            origin = self.modal_origins.get(modal_data.get("custom_id", ""))
        if origin is None:
            raise EmulatorUsageError(f"modal {modal_data.get('custom_id')!r} was never opened")
        if origin.user_id != user_id:
            raise EmulatorUsageError(f"modal was opened for user {origin.user_id}, not {user_id}")
        if guild_id is not None and _as_id(guild_id, "guild_id") != origin.guild_id:
            raise EmulatorUsageError(f"modal was opened in guild {origin.guild_id}, not {guild_id}")
        if channel_id is not None and _as_id(channel_id, "channel_id") != origin.channel_id:
            raise EmulatorUsageError(f"modal was opened in channel {origin.channel_id}")
        channel = self.world.get_channel(origin.channel_id)
        if channel is None:
            raise EmulatorUsageError(f"the channel of {origin.label} no longer exists")
        values = dict(values or {})
        builder = OptionBuilder(self, user_id, origin.guild_id, channel)
        components = self._modal_components(modal_data["components"], values, builder)
        if values:
            raise EmulatorUsageError(f"modal has no input(s) {sorted(values)}")
        data: dict[str, Any] = {"custom_id": modal_data["custom_id"], "components": components}
        if builder.resolved:
            data["resolved"] = builder.resolved
        source = None
        if origin.source_message_id is not None:
            source = self.world.message_index.get(origin.source_message_id)
        return self._send_interaction(
            MODAL_SUBMIT,
            data,
            user_id,
            origin.guild_id,
            channel,
            f"[modal] {modal_data.get('title') or modal_data['custom_id']}",
            locale=locale,
            source_message=source,
        )

    def _modal_components(
        self: Emulator, layout: list[dict], values: dict[str, Any], builder: OptionBuilder
    ) -> list[dict]:
        result: list[dict] = []
        for comp in layout:
            ctype = comp.get("type")
            if ctype == 1:
                inner = self._modal_components(comp.get("components") or [], values, builder)
                result.append({"type": 1, "components": inner})
            elif ctype == 18:
                child = self._modal_components([comp["component"]], values, builder)[0]
                item: dict[str, Any] = {"type": 18, "component": child}
                if comp.get("id") is not None:
                    item["id"] = comp["id"]
                result.append(item)
            elif ctype == 10:
                result.append({"type": 10, "id": comp.get("id")})
            else:
                result.append(self._modal_input(comp, values, builder))
        return result

    def _modal_input(
        self: Emulator, comp: dict[str, Any], values: dict[str, Any], builder: OptionBuilder
    ) -> dict[str, Any]:
        ctype = comp.get("type")
        custom_id = comp.get("custom_id", "")
        where = f"modal input {custom_id!r}"
        required = comp.get("required", True)
        given = custom_id in values
        raw = values.pop(custom_id, None)
        out: dict[str, Any] = {"type": ctype, "custom_id": custom_id}
        if comp.get("id") is not None:
            out["id"] = comp["id"]
        if ctype == 4:
            text = raw if given else comp.get("value") or ""
            if not isinstance(text, str):
                raise EmulatorUsageError(f"{where}: expected a string, got {text!r}")
            if required and not text:
                raise EmulatorUsageError(f"{where} is required")
            low, high = comp.get("min_length"), comp.get("max_length", 4000)
            if text and low is not None and len(text) < low:
                raise EmulatorUsageError(f"{where}: shorter than min_length {low}")
            if high is not None and len(text) > high:
                raise EmulatorUsageError(f"{where}: longer than max_length {high}")
            out["value"] = text
        elif ctype in SELECT_TYPES or ctype in (19, 22):
            chosen = list(raw) if given and raw is not None else []
            low = comp.get("min_values", 1 if required else 0)
            high = comp.get("max_values", 1)
            if required and not chosen:
                raise EmulatorUsageError(f"{where} is required")
            if chosen and not low <= len(chosen) <= high:
                raise EmulatorUsageError(f"{where}: takes {low}..{high} values")
            if ctype == 19:
                out["values"] = [str(builder.resolve_attachment(v, where)) for v in chosen]
            elif ctype == 22 or ctype == 3:
                allowed = [o["value"] for o in comp.get("options") or []]
                for value in chosen:
                    if value not in allowed:
                        raise EmulatorUsageError(f"{where}: {value!r} not among {allowed}")
                out["values"] = chosen
            else:
                fake = {**comp, "custom_id": custom_id}
                data, _ = self._select_data(
                    fake, chosen, builder.user_id, builder.guild_id, builder.channel
                )
                out["values"] = data["values"]
                for kind, items in data.get("resolved", {}).items():
                    builder.resolved.setdefault(kind, {}).update(items)
        elif ctype == 21:
            allowed = [o["value"] for o in comp.get("options") or []]
            if required and raw is None:
                raise EmulatorUsageError(f"{where} is required")
            if raw is not None and raw not in allowed:
                raise EmulatorUsageError(f"{where}: {raw!r} not among {allowed}")
            out["value"] = raw
        elif ctype == 23:
            out["value"] = bool(raw) if given else bool(comp.get("default"))
        else:
            raise EmulatorUsageError(f"{where}: unsupported modal component type {ctype}")
        return out

    def dm_channel_for(self: Emulator, user_id: int) -> Channel:
        """Return (creating if needed) the DM channel between the bot and a user."""
        world = self.world
        channel = world.dm_channels.get(user_id)
        if channel is None:
            channel = Channel(
                id=self.snowflakes.next(),
                type=DM,
                name=None,
                recipients=[world.users[user_id]],
                world=world,
            )
            world.dm_channels[user_id] = channel
        return channel

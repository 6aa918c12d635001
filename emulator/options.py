"""Options of a command invocation: typed against the command's schema, with data.resolved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.core import Core
from emulator.enums import AUTOCOMPLETE_OPTION_TYPES, SUBCOMMAND_TYPES, CommandType, OptionType
from emulator.errors import EmulatorUsageError
from emulator.ids import as_id
from emulator.messages import Upload, new_attachment
from emulator.world import Channel, Role


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


def _string(schema: dict[str, Any], raw: Any, where: str) -> str:
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


def _integer(schema: dict[str, Any], raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise EmulatorUsageError(f"{where}: expected an integer, got {raw!r}")
    raw = _check_choices(schema, raw, where)
    _check_range(schema, raw, where)
    if abs(raw) > 2**53:
        raise EmulatorUsageError(f"{where}: integers are limited to +-2^53")
    return raw


def _boolean(schema: dict[str, Any], raw: Any, where: str) -> bool:
    if not isinstance(raw, bool):
        raise EmulatorUsageError(f"{where}: expected a boolean, got {raw!r}")
    return raw


def _number(schema: dict[str, Any], raw: Any, where: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise EmulatorUsageError(f"{where}: expected a number, got {raw!r}")
    raw = _check_choices(schema, raw, where)
    _check_range(schema, raw, where)
    return raw


# How each plain-valued option type is checked (the others resolve users, roles, channels).
_SCALARS: dict[int, Callable[[dict[str, Any], Any, str], Any]] = {
    OptionType.STRING: _string,
    OptionType.INTEGER: _integer,
    OptionType.BOOLEAN: _boolean,
    OptionType.NUMBER: _number,
}
_ENTITY_TYPES = frozenset(
    {OptionType.USER, OptionType.CHANNEL, OptionType.ROLE, OptionType.MENTIONABLE}
)


class OptionBuilder:
    """Type option values against a command's schema and collect data.resolved."""

    def __init__(self, emu: Core, user_id: int, guild_id: int | None, channel: Channel) -> None:
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
        typing = _SCALARS.get(otype)
        if typing is not None:
            return typing(schema, raw, where)
        if otype == OptionType.ATTACHMENT:
            return str(self.resolve_attachment(raw, where))
        if otype not in _ENTITY_TYPES:
            raise EmulatorUsageError(f"{where}: unsupported option type {otype}")
        target = as_id(raw, where)
        if otype == OptionType.USER:
            self.resolve_user(target, where)
        elif otype == OptionType.CHANNEL:
            self.resolve_channel(target, where, schema.get("channel_types"))
        elif otype == OptionType.ROLE or isinstance(raw, Role) or target in self.emu.world.roles:
            self.resolve_role(target, where)
        else:  # a mentionable that is not a role: a user
            self.resolve_user(target, where)
        return str(target)

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
                if opt["type"] not in AUTOCOMPLETE_OPTION_TYPES or not opt.get("autocomplete"):
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
    while any(o["type"] in SUBCOMMAND_TYPES for o in schema):
        if not remaining:
            subs = [o["name"] for o in schema if o["type"] in SUBCOMMAND_TYPES]
            raise EmulatorUsageError(f"{where}: choose a subcommand: {subs}")
        name = remaining.pop(0)
        sub = next((o for o in schema if o["name"] == name and o["type"] in SUBCOMMAND_TYPES), None)
        if sub is None:
            subs = [o["name"] for o in schema if o["type"] in SUBCOMMAND_TYPES]
            raise EmulatorUsageError(f"{where}: no subcommand {name!r}; choose from {subs}")
        entry: dict[str, Any] = {"name": name, "type": sub["type"], "options": []}
        nested.append(entry)
        nested = entry["options"]
        schema = sub.get("options") or []
    if remaining:
        raise EmulatorUsageError(f"{where}: {remaining} is not a subcommand")
    nested.extend(builder.options(schema, values, where, focused=focused))
    data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": CommandType.CHAT_INPUT}
    if top:
        data["options"] = top
    if cmd.get("guild_id"):
        data["guild_id"] = cmd["guild_id"]
    if builder.resolved:
        data["resolved"] = builder.resolved
    return data

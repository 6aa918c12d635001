"""Registered application commands: find one, and say whether a user may invoke it here."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.enums import CommandType, InteractionContext
from emulator.errors import EmulatorUsageError
from emulator.permissions import Permissions
from emulator.world import Channel

GUILD, BOT_DM = InteractionContext.GUILD, InteractionContext.BOT_DM


def find_command(emu: Core, name: str, ctype: int, guild_id: int | None) -> dict[str, Any]:
    """Find a registered command: the guild's first, then global ones."""
    scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
    for scope in scopes:
        for cmd in emu.world.commands.get(scope, []):
            if cmd["name"] == name and cmd.get("type", CommandType.CHAT_INPUT) == ctype:
                return cmd
    registered = sorted(
        f"{c['name']} (type {c.get('type', CommandType.CHAT_INPUT)})"
        for scope in scopes
        for c in emu.world.commands.get(scope, [])
    )
    raise EmulatorUsageError(
        f"no registered command {name!r} of type {ctype} for guild {guild_id}; "
        f"registered: {registered or 'none (did the bot sync its tree?)'}"
    )


def check_command_usable(
    emu: Core, cmd: dict[str, Any], user_id: int, guild_id: int | None, channel: Channel
) -> None:
    """Raise EmulatorUsageError unless the user's client would offer this command here."""
    contexts = cmd.get("contexts")
    if contexts is None:
        in_dms = cmd.get("dm_permission") is not False
        contexts = [GUILD, BOT_DM] if in_dms else [GUILD]
    if cmd.get("guild_id"):
        contexts = [GUILD]
    context = GUILD if guild_id is not None else BOT_DM
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
    emu: Core, cmd: dict[str, Any], user_id: int, guild_id: int | None, channel: Channel
) -> bool:
    """Return whether a user's client would offer this command here (contexts, permissions)."""
    try:
        check_command_usable(emu, cmd, user_id, guild_id, channel)
    except EmulatorUsageError:
        return False
    return True

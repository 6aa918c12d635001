"""What most routes start with: find the channel or guild in the path, check the bot's rights."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.errors import missing_access, missing_permissions, not_found
from emulator.permissions import Permissions
from emulator.rest import Call
from emulator.world import Channel, Guild, Member, Role


def get_channel_or_404(emu: Core, channel_id: int) -> Channel:
    """Return a channel the bot can see, or raise 404/403 like Discord."""
    channel = emu.world.get_channel(channel_id)
    if channel is None:
        raise not_found("Channel", 10003)
    if channel.guild_id is not None:
        if (channel.guild_id, emu.bot_user.id) not in emu.world.members:
            raise missing_access()
        if not emu.world.permissions_in(channel, emu.bot_user.id) & Permissions.VIEW_CHANNEL:
            raise missing_access()
    return channel


def bot_perms(emu: Core, channel: Channel) -> int:
    """Return the bot's permissions in a channel."""
    return emu.world.permissions_in(channel, emu.bot_user.id)


def require(emu: Core, channel: Channel, bits: int, name: str) -> None:
    """Raise 403 50013 unless the bot has all bits in the channel."""
    if bot_perms(emu, channel) & bits != bits:
        raise missing_permissions(name)


def guild_or_404(emu: Core, call: Call) -> Guild:
    """Return the guild in the path if the bot is in it."""
    guild = emu.world.guilds.get(call.id("guild_id"))
    if guild is None:
        raise not_found("Guild", 10004)
    if (guild.id, emu.bot_user.id) not in emu.world.members:
        raise missing_access()
    return guild


def guild_perms(emu: Core, guild: Guild) -> int:
    """Return the bot's guild-wide permissions."""
    return emu.world.base_permissions(guild.id, emu.bot_user.id)


def require_guild(emu: Core, guild: Guild, bits: int, name: str) -> None:
    """Raise 403 50013 unless the bot has the bits guild-wide."""
    if guild_perms(emu, guild) & bits != bits:
        raise missing_permissions(name)


def check_grantable(perms: int, bits: int, what: str) -> None:
    """Raise 403 50013 if bits include any the bot lacks (ADMINISTRATOR may grant anything)."""
    if perms & Permissions.ADMINISTRATOR:
        return
    beyond = bits & ~perms
    if beyond:
        raise missing_permissions(f"cannot {what} {Permissions.names(beyond)}")


def member_or_404(emu: Core, guild: Guild, user_id: int) -> Member:
    """Return a member or raise 404 10007."""
    member = emu.world.members.get((guild.id, user_id))
    if member is None:
        raise not_found("Member", 10007)
    return member


def role_in_guild(emu: Core, guild: Guild, role_id: int) -> Role:
    """Return a role of the guild or raise 404 10011."""
    role = emu.world.roles.get(role_id)
    if role is None or role.guild_id != guild.id:
        raise not_found("Role", 10011)
    return role


def message_in_path(emu: Core, call: Call) -> tuple[Channel, dict[str, Any]]:
    """Return the channel and message in the path (404 10008 if the message is not there)."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    message = emu.world.message_index.get(call.id("message_id"))
    if message is None or message["channel_id"] != str(channel.id):
        raise not_found("Message", 10008)
    return channel, message

"""Discord permission bits and the resolution rules (roles, then channel overwrites)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.world import Channel, World


class Permissions:
    """Permission bit constants, as plain ints, plus a few useful sets."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50

    ALL = (1 << 51) - 1
    NONE = 0

    # What Discord gives @everyone in a new server.
    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | STREAM
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | MENTION_EVERYONE
        | USE_EXTERNAL_EMOJIS
        | CONNECT
        | SPEAK
        | USE_VAD
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | REQUEST_TO_SPEAK
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | USE_EXTERNAL_STICKERS
        | SEND_MESSAGES_IN_THREADS
        | USE_EMBEDDED_ACTIVITIES
        | USE_SOUNDBOARD
        | CREATE_GUILD_EXPRESSIONS
        | CREATE_EVENTS
        | USE_EXTERNAL_SOUNDS
        | SEND_VOICE_MESSAGES
        | SEND_POLLS
        | USE_EXTERNAL_APPS
    )

    # What a peer-support bot asks for when invited, without ADMINISTRATOR.
    ADMIN_FREE_DEFAULT = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | SEND_MESSAGES_IN_THREADS
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | USE_EXTERNAL_EMOJIS
        | MANAGE_MESSAGES
        | MANAGE_ROLES
        | MANAGE_CHANNELS
        | MANAGE_THREADS
        | CREATE_PUBLIC_THREADS
        | CREATE_PRIVATE_THREADS
        | MANAGE_EVENTS
        | CREATE_EVENTS
        | MANAGE_WEBHOOKS
        | USE_APPLICATION_COMMANDS
    )

    @classmethod
    def names(cls, value: int) -> list[str]:
        """Return the names of the bits set in value."""
        return [name for name, bit in _BITS.items() if value & bit]


_BITS: dict[str, int] = {
    name: bit
    for name, bit in vars(Permissions).items()
    if name.isupper()
    and isinstance(bit, int)
    and bit
    and bit & (bit - 1) == 0
    and name not in {"ALL", "NONE"}
}


def overwrite(target: Any, *, allow: int = 0, deny: int = 0, type: int | None = None) -> dict:
    """Build a permission overwrite dict for a Role, Member, User or raw id."""
    from emulator.world import Member, Role

    if type is None:
        type = 0 if isinstance(target, Role) else 1 if isinstance(target, Member) else None
        if type is None:
            type = 1
    target_id = getattr(target, "id", target)
    return {"id": str(target_id), "type": type, "allow": str(allow), "deny": str(deny)}


def normalise_overwrites(overwrites: Iterable[Mapping[str, Any]] | None) -> list[dict]:
    """Return overwrites with string ids/bits and int types, as Discord serialises them."""
    result = []
    for item in overwrites or ():
        result.append(
            {
                "id": str(item["id"]),
                "type": int(item.get("type", 0)),
                "allow": str(int(item.get("allow", 0) or 0)),
                "deny": str(int(item.get("deny", 0) or 0)),
            }
        )
    return result


def base_permissions(world: World, guild_id: int, user_id: int) -> int:
    """Compute a member's guild-wide permissions from @everyone and their roles."""
    guild = world.guilds[guild_id]
    if user_id == guild.owner_id:
        return Permissions.ALL
    member = world.members.get((guild_id, user_id))
    value = world.roles[guild_id].permissions
    if member is not None:
        for role_id in member.roles:
            role = world.roles.get(role_id)
            if role is not None:
                value |= role.permissions
    if value & Permissions.ADMINISTRATOR:
        return Permissions.ALL
    return value


def channel_permissions(world: World, channel: Channel, user_id: int) -> int:
    """Compute a member's permissions in a guild channel or thread, overwrites included."""
    if channel.guild_id is None:
        return (
            Permissions.VIEW_CHANNEL
            | Permissions.SEND_MESSAGES
            | Permissions.READ_MESSAGE_HISTORY
            | Permissions.EMBED_LINKS
            | Permissions.ATTACH_FILES
            | Permissions.ADD_REACTIONS
        )
    guild_id = channel.guild_id
    base = base_permissions(world, guild_id, user_id)
    if base & Permissions.ADMINISTRATOR or user_id == world.guilds[guild_id].owner_id:
        return Permissions.ALL
    source = channel
    if channel.is_thread and channel.parent_id in world.channels:
        source = world.channels[channel.parent_id]
    value = _apply_overwrites(world, source, guild_id, user_id, base)
    if not value & Permissions.VIEW_CHANNEL:
        return 0
    # Implicit denials: who cannot send cannot embed, attach, speak aloud or mention everyone.
    sends = Permissions.SEND_MESSAGES_IN_THREADS if channel.is_thread else Permissions.SEND_MESSAGES
    if not value & sends:
        value &= ~(
            Permissions.SEND_TTS_MESSAGES
            | Permissions.MENTION_EVERYONE
            | Permissions.EMBED_LINKS
            | Permissions.ATTACH_FILES
        )
    if channel.is_thread and channel.type == 12:
        members = world.thread_members.get(channel.id, set())
        if user_id not in members and not value & Permissions.MANAGE_THREADS:
            return 0
    return value


def _apply_overwrites(
    world: World, channel: Channel, guild_id: int, user_id: int, base: int
) -> int:
    """Apply @everyone, role and member overwrites of a channel to base permissions."""
    member = world.members.get((guild_id, user_id))
    role_ids = {str(r) for r in (member.roles if member else [])}
    value = base
    by_id = {o["id"]: o for o in channel.permission_overwrites}
    everyone = by_id.get(str(guild_id))
    if everyone is not None:
        value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
    allow = deny = 0
    for item in channel.permission_overwrites:
        if item["type"] == 0 and item["id"] in role_ids:
            allow |= int(item["allow"])
            deny |= int(item["deny"])
    value = (value & ~deny) | allow
    own = by_id.get(str(user_id))
    if own is not None and own["type"] == 1:
        value = (value & ~int(own["deny"])) | int(own["allow"])
    return value

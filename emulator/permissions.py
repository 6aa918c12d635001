"""Discord permission bits and the rules that combine them (roles, then channel overwrites).

The rules work on plain values; `World.permissions_in` looks up the roles and overwrites.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulator.enums import OverwriteType


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

    # What the bot may do in a DM channel.
    DM_DEFAULT = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | READ_MESSAGE_HISTORY
        | EMBED_LINKS
        | ATTACH_FILES
        | ADD_REACTIONS
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


def normalise_overwrites(overwrites: Iterable[Mapping[str, Any]] | None) -> list[dict]:
    """Return overwrites with string ids/bits and int types, as Discord serialises them."""
    result = []
    for item in overwrites or ():
        result.append(
            {
                "id": str(item["id"]),
                "type": int(item.get("type", OverwriteType.ROLE)),
                "allow": str(int(item.get("allow", 0) or 0)),
                "deny": str(int(item.get("deny", 0) or 0)),
            }
        )
    return result


def guild_permissions(everyone: int, role_permissions: Iterable[int], *, is_owner: bool) -> int:
    """Combine @everyone's and a member's roles' permissions (owners and admins get all)."""
    if is_owner:
        return Permissions.ALL
    value = everyone
    for bits in role_permissions:
        value |= bits
    if value & Permissions.ADMINISTRATOR:
        return Permissions.ALL
    return value


def apply_overwrites(
    base: int,
    overwrites: Iterable[Mapping[str, Any]],
    *,
    everyone_id: int,
    role_ids: Iterable[int],
    user_id: int,
) -> int:
    """Apply a channel's @everyone, role and member overwrites, in Discord's order."""
    overwrites = list(overwrites)
    by_id = {o["id"]: o for o in overwrites}
    value = base
    everyone = by_id.get(str(everyone_id))
    if everyone is not None:
        value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
    roles = {str(r) for r in role_ids}
    allow = deny = 0
    for item in overwrites:
        if item["type"] == OverwriteType.ROLE and item["id"] in roles:
            allow |= int(item["allow"])
            deny |= int(item["deny"])
    value = (value & ~deny) | allow
    own = by_id.get(str(user_id))
    if own is not None and own["type"] == OverwriteType.MEMBER:
        value = (value & ~int(own["deny"])) | int(own["allow"])
    return value


def without_send_implied(value: int, *, in_thread: bool) -> int:
    """Drop what sending implies when it is denied: who cannot send cannot embed, attach, ..."""
    sends = Permissions.SEND_MESSAGES_IN_THREADS if in_thread else Permissions.SEND_MESSAGES
    if value & sends:
        return value
    return value & ~(
        Permissions.SEND_TTS_MESSAGES
        | Permissions.MENTION_EVERYONE
        | Permissions.EMBED_LINKS
        | Permissions.ATTACH_FILES
    )

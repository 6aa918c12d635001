"""The emulated Discord world: users, guilds, roles, channels, members, messages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from emulator.enums import POST_CHANNEL_TYPES, THREAD_TYPES, VOICE_TYPES, ChannelType, OverwriteType
from emulator.ids import iso
from emulator.permissions import (
    Permissions,
    apply_overwrites,
    guild_permissions,
    without_send_implied,
)

# Channels that hold threads and say how long new ones stay active.
_ARCHIVING_TYPES = frozenset(
    {ChannelType.TEXT, ChannelType.ANNOUNCEMENT, ChannelType.FORUM, ChannelType.MEDIA}
)


@dataclass(eq=False)
class User:
    """A Discord user (also the bot's own user)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    locale: str = "en-US"  # the language the user's Discord client is set to

    @property
    def mention(self) -> str:
        """Return the user's mention string."""
        return f"<@{self.id}>"

    def to_json(self) -> dict[str, Any]:
        """Serialise as Discord's user object."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "public_flags": 0,
            "flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass(eq=False)
class Role:
    """A guild role; the @everyone role's id is the guild id."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    managed: bool = False
    bot_id: int | None = None

    @property
    def mention(self) -> str:
        """Return the role's mention string."""
        return f"<@&{self.id}>" if self.id != self.guild_id else "@everyone"

    def to_json(self) -> dict[str, Any]:
        """Serialise as Discord's role object."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "description": None,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass(eq=False)
class Member:
    """A user's membership of a guild; roles is a list of role ids (without @everyone)."""

    guild_id: int
    user: User
    roles: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso)
    nick: str | None = None
    world: World | None = field(default=None, repr=False)

    @property
    def id(self) -> int:
        """Return the user id."""
        return self.user.id

    @property
    def mention(self) -> str:
        """Return the member's mention string."""
        return self.user.mention

    @property
    def permissions(self) -> int:
        """Return the member's guild-wide permissions, computed from the world."""
        if self.world is None:
            raise RuntimeError("member is not attached to a world")
        return self.world.base_permissions(self.guild_id, self.user.id)

    def to_json(self, *, with_user: bool = True) -> dict[str, Any]:
        """Serialise as Discord's guild member object."""
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "joined_at": self.joined_at,
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_json()
        return data


@dataclass(eq=False)
class Channel:
    """A guild channel, thread or DM channel."""

    id: int
    type: int
    name: str | None
    guild_id: int | None = None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    rate_limit_per_user: int = 0
    permission_overwrites: list[dict] = field(default_factory=list)
    bitrate: int = 64000
    user_limit: int = 0
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    archive_timestamp: str = field(default_factory=iso)
    create_timestamp: str = field(default_factory=iso)
    message_count: int = 0
    total_message_sent: int = 0
    recipients: list[User] = field(default_factory=list)
    last_message_id: int | None = None
    available_tags: list[dict] = field(default_factory=list)
    applied_tags: list[str] = field(default_factory=list)
    world: World | None = field(default=None, repr=False)

    @property
    def is_thread(self) -> bool:
        """Return whether this channel is a thread."""
        return self.type in THREAD_TYPES

    @property
    def mention(self) -> str:
        """Return the channel's mention string."""
        return f"<#{self.id}>"

    def to_json(self) -> dict[str, Any]:
        """Serialise as Discord's channel object."""
        if self.type == ChannelType.DM:
            return {
                "id": str(self.id),
                "type": ChannelType.DM,
                "last_message_id": _opt_str(self.last_message_id),
                "flags": 0,
                "recipients": [u.to_json() for u in self.recipients],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": _opt_str(self.parent_id),
            "nsfw": self.nsfw,
            "rate_limit_per_user": self.rate_limit_per_user,
            "flags": 0,
            "last_message_id": _opt_str(self.last_message_id),
        }
        if self.is_thread:
            members = self.world.thread_members.get(self.id, set()) if self.world else set()
            data.update(
                owner_id=_opt_str(self.owner_id),
                message_count=self.message_count,
                total_message_sent=self.total_message_sent,
                member_count=min(len(members), 50),
                applied_tags=list(self.applied_tags),
                thread_metadata={
                    "archived": self.archived,
                    "locked": self.locked,
                    "invitable": self.invitable,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.archive_timestamp,
                    "create_timestamp": self.create_timestamp,
                },
            )
            return data
        data.update(
            position=self.position,
            permission_overwrites=[dict(o) for o in self.permission_overwrites],
            topic=self.topic,
        )
        if self.type in VOICE_TYPES:
            data.update(bitrate=self.bitrate, user_limit=self.user_limit, rtc_region=None)
        if self.type in _ARCHIVING_TYPES:
            data["default_auto_archive_duration"] = 1440
        if self.type in POST_CHANNEL_TYPES:
            data.update(
                available_tags=list(self.available_tags),
                default_reaction_emoji=None,
                default_thread_rate_limit_per_user=0,
                default_sort_order=None,
                default_forum_layout=0,
            )
        return data


@dataclass(eq=False)
class Guild:
    """A guild (server); its @everyone role has the guild's id."""

    id: int
    name: str
    owner_id: int
    bot_role_id: int
    locale: str = "en-US"
    world: World | None = field(default=None, repr=False)

    def _w(self) -> World:
        if self.world is None:
            raise RuntimeError("guild is not attached to a world")
        return self.world

    @property
    def everyone_role(self) -> Role:
        """Return the @everyone role."""
        return self._w().roles[self.id]

    @property
    def bot_role(self) -> Role:
        """Return the bot's managed role."""
        return self._w().roles[self.bot_role_id]

    @property
    def owner(self) -> Member:
        """Return the owner's member."""
        return self._w().members[(self.id, self.owner_id)]

    @property
    def roles(self) -> list[Role]:
        """Return the guild's roles, lowest position first."""
        roles = [r for r in self._w().roles.values() if r.guild_id == self.id]
        return sorted(roles, key=lambda r: (r.position, r.id))

    @property
    def channels(self) -> list[Channel]:
        """Return the guild's channels (threads excluded), by position."""
        found = [
            c for c in self._w().channels.values() if c.guild_id == self.id and not c.is_thread
        ]
        return sorted(found, key=lambda c: (c.position, c.id))

    @property
    def threads(self) -> list[Channel]:
        """Return the guild's threads."""
        return [c for c in self._w().channels.values() if c.guild_id == self.id and c.is_thread]

    @property
    def members(self) -> list[Member]:
        """Return the guild's members."""
        return [m for (gid, _), m in self._w().members.items() if gid == self.id]

    def to_json(self) -> dict[str, Any]:
        """Serialise as Discord's guild object (REST shape)."""
        members = self.members
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.to_json() for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.locale,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "approximate_member_count": len(members),
            "approximate_presence_count": 0,
            "max_members": 500000,
        }

    def gateway_json(self) -> dict[str, Any]:
        """Serialise as the GUILD_CREATE payload, with everything the library caches."""
        world = self._w()
        data = self.to_json()
        members = self.members
        data.update(
            unavailable=False,
            large=len(members) > 250,
            member_count=len(members),
            joined_at=world.members[(self.id, world.bot_user_id)].joined_at,
            channels=[c.to_json() for c in self.channels],
            threads=[c.to_json() for c in self.threads if not c.archived],
            members=[m.to_json() for m in members],
            voice_states=[],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[
                dict(e) for e in world.scheduled_events.values() if e["guild_id"] == str(self.id)
            ],
            soundboard_sounds=[],
        )
        return data


class World:
    """Every entity the emulator knows, readable directly by tests."""

    def __init__(self, bot_user: User) -> None:
        self.bot_user_id = bot_user.id
        self.users: dict[int, User] = {bot_user.id: bot_user}
        self.guilds: dict[int, Guild] = {}
        self.roles: dict[int, Role] = {}
        self.channels: dict[int, Channel] = {}
        self.members: dict[tuple[int, int], Member] = {}
        self.messages: defaultdict[int, list[dict]] = defaultdict(list)
        self.thread_members: defaultdict[int, set[int]] = defaultdict(set)
        self.scheduled_events: dict[int, dict] = {}
        self.commands: defaultdict[int | None, list[dict]] = defaultdict(list)
        self.dm_channels: dict[int, Channel] = {}
        self.webhooks: dict[int, dict] = {}
        self.closed_dms: set[int] = set()
        # Every message by id: channel messages and ephemeral interaction messages.
        self.message_index: dict[int, dict] = {}
        # (author id, nonce) -> (message id, monotonic time): for enforce_nonce.
        self.message_nonces: dict[tuple[int, str], tuple[int, float]] = {}
        self.attachment_data: dict[int, bytes] = {}

    @property
    def threads(self) -> dict[int, Channel]:
        """Return every thread by id."""
        return {cid: c for cid, c in self.channels.items() if c.is_thread}

    def get_channel(self, channel_id: int) -> Channel | None:
        """Return a guild channel, thread or DM channel by id."""
        found = self.channels.get(channel_id)
        if found is not None:
            return found
        for dm in self.dm_channels.values():
            if dm.id == channel_id:
                return dm
        return None

    def member(self, guild_id: int, user_id: int) -> Member | None:
        """Return a member or None."""
        return self.members.get((guild_id, user_id))

    def base_permissions(self, guild_id: int, user_id: int) -> int:
        """Return a member's guild-wide permissions from @everyone and their roles."""
        member = self.members.get((guild_id, user_id))
        roles = [
            self.roles[r].permissions for r in (member.roles if member else ()) if r in self.roles
        ]
        return guild_permissions(
            self.roles[guild_id].permissions,
            roles,
            is_owner=user_id == self.guilds[guild_id].owner_id,
        )

    def permissions_in(self, channel: Channel, user_id: int) -> int:
        """Return a user's permissions in a guild channel, thread or DM, overwrites included."""
        if channel.guild_id is None:
            return Permissions.DM_DEFAULT
        base = self.base_permissions(channel.guild_id, user_id)
        if base & Permissions.ADMINISTRATOR:
            return Permissions.ALL
        # A thread has no overwrites of its own: its parent's apply.
        source = channel
        if channel.is_thread and channel.parent_id in self.channels:
            source = self.channels[channel.parent_id]
        member = self.members.get((channel.guild_id, user_id))
        value = apply_overwrites(
            base,
            source.permission_overwrites,
            everyone_id=channel.guild_id,
            role_ids=member.roles if member else (),
            user_id=user_id,
        )
        if not value & Permissions.VIEW_CHANNEL:
            return 0
        value = without_send_implied(value, in_thread=channel.is_thread)
        if channel.type == ChannelType.PRIVATE_THREAD:
            joined = user_id in self.thread_members.get(channel.id, set())
            if not joined and not value & Permissions.MANAGE_THREADS:
                return 0
        return value

    def top_role_position(self, guild_id: int, user_id: int) -> int:
        """Return the position of the member's highest role (0 for @everyone only)."""
        member = self.members.get((guild_id, user_id))
        if member is None:
            return -1
        return max((self.roles[r].position for r in member.roles if r in self.roles), default=0)

    def guild_shared_with_bot(self, user_id: int) -> bool:
        """Return whether the user is in at least one guild with the bot."""
        return any(
            (gid, user_id) in self.members and (gid, self.bot_user_id) in self.members
            for gid in self.guilds
        )


def _opt_str(value: int | None) -> str | None:
    return None if value is None else str(value)


def overwrite(target: Any, *, allow: int = 0, deny: int = 0, type: int | None = None) -> dict:
    """Build a permission overwrite dict for a Role, Member, User or raw id."""
    if type is None:
        type = OverwriteType.ROLE if isinstance(target, Role) else OverwriteType.MEMBER
    target_id = getattr(target, "id", target)
    return {"id": str(target_id), "type": int(type), "allow": str(allow), "deny": str(deny)}

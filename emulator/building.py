"""Building the world from a test: users, guilds, roles, channels, threads, members, posts.

Each change after a bot connected dispatches the gateway event Discord would send.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulator.core import Core
from emulator.enums import MESSAGEABLE_TYPES, THREAD_TYPES, ChannelType
from emulator.errors import EmulatorUsageError
from emulator.ids import as_id, iso
from emulator.messages import build_message, store_message
from emulator.permissions import Permissions, normalise_overwrites
from emulator.world import Channel, Guild, Member, Role, User


class WorldBuilder(Core):
    """The driver's world-building and world-reading methods."""

    # ------------------------------------------------------------ world building
    def create_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        bot: bool = False,
        locale: str = "en-US",
    ) -> User:
        """Create a user (not in any guild yet), whose client speaks `locale`."""
        user = User(
            id=self.snowflakes.next(),
            username=username,
            global_name=global_name,
            bot=bot,
            locale=locale,
        )
        self.world.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str,
        *,
        bot_permissions: int = Permissions.ADMIN_FREE_DEFAULT,
        everyone_permissions: int = Permissions.EVERYONE_DEFAULT,
        owner_id: int | None = None,
        locale: str = "en-US",
    ) -> Guild:
        """Create a guild with @everyone, an owner and the bot (managed role with bot_permissions)."""
        world = self.world
        guild_id = self.snowflakes.next()
        if owner_id is None:
            owner = self.create_user(f"{name.lower().replace(' ', '-')}-owner")
        else:
            owner = world.users[as_id(owner_id)]
        bot_role = Role(
            id=self.snowflakes.next(),
            guild_id=guild_id,
            name=self.bot_user.username,
            permissions=bot_permissions,
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild = Guild(guild_id, name, owner.id, bot_role.id, locale=locale, world=world)
        world.guilds[guild_id] = guild
        world.roles[guild_id] = Role(guild_id, guild_id, "@everyone", everyone_permissions, 0)
        world.roles[bot_role.id] = bot_role
        world.members[(guild_id, owner.id)] = Member(guild_id, owner, [], world=world)
        world.members[(guild_id, self.bot_user.id)] = Member(
            guild_id, self.bot_user, [bot_role.id], world=world
        )
        self.dispatch("GUILD_CREATE", guild.gateway_json(), guild_id=guild_id)
        return guild

    def set_role_position(self, guild_id: int, role_id: int, position: int) -> None:
        """Move a role to a position (1 = just above @everyone); dispatch GUILD_ROLE_UPDATE."""
        guild = self.find_guild(guild_id)
        role = self.world.roles[as_id(role_id)]
        self.place_role(guild, role, position - 1)
        self.dispatch_role_update(guild.id, role)

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions; dispatch GUILD_ROLE_UPDATE."""
        guild = self.find_guild(guild_id)
        role = self.world.roles[as_id(role_id)]
        role.permissions = permissions
        self.dispatch_role_update(guild.id, role)

    def create_channel(
        self,
        guild_id: int,
        name: str,
        *,
        type: int = ChannelType.TEXT,
        overwrites: Iterable[dict[str, Any]] | None = None,
        parent_id: int | None = None,
        topic: str | None = None,
        position: int | None = None,
        nsfw: bool = False,
    ) -> Channel:
        """Create a guild channel (0 text, 2 voice, 4 category, 5 announcement, 15 forum)."""
        guild = self.find_guild(guild_id)
        if type in THREAD_TYPES or type == ChannelType.DM:
            raise EmulatorUsageError("use create_thread() for threads; DMs are made on demand")
        parent = None
        if parent_id is not None:
            parent = self.world.channels.get(as_id(parent_id))
            if parent is None or parent.type != ChannelType.CATEGORY:
                raise EmulatorUsageError(f"parent {parent_id} is not a category")
        if overwrites is None and parent is not None:
            overwrites = parent.permission_overwrites
        channel = Channel(
            id=self.snowflakes.next(),
            type=type,
            name=name,
            guild_id=guild.id,
            position=len(guild.channels) if position is None else position,
            parent_id=parent.id if parent else None,
            topic=topic,
            nsfw=nsfw,
            permission_overwrites=normalise_overwrites(overwrites),
            world=self.world,
        )
        self.world.channels[channel.id] = channel
        self.dispatch("CHANNEL_CREATE", channel.to_json(), guild_id=guild.id)
        return channel

    def create_thread(
        self,
        channel_id: int,
        name: str,
        *,
        type: int = ChannelType.PUBLIC_THREAD,
        owner_id: int | None = None,
        members: Iterable[int] = (),
        archived: bool = False,
        locked: bool = False,
    ) -> Channel:
        """Create a thread under a text or forum channel, with its members."""
        parent = self.world.channels.get(as_id(channel_id))
        if parent is None or parent.is_thread:
            raise EmulatorUsageError(f"channel {channel_id} cannot hold threads")
        if type not in THREAD_TYPES:
            raise EmulatorUsageError(f"thread type must be 10, 11 or 12, not {type}")
        thread = Channel(
            id=self.snowflakes.next(),
            type=type,
            name=name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=as_id(owner_id) if owner_id is not None else self.bot_user.id,
            archived=archived,
            locked=locked,
            archive_timestamp=iso(self.utcnow()),
            create_timestamp=iso(self.utcnow()),
            world=self.world,
        )
        self.world.channels[thread.id] = thread
        thread_members = self.world.thread_members[thread.id]
        thread_members.update(as_id(m) for m in members)
        if thread.owner_id is not None:
            thread_members.add(thread.owner_id)
        data = thread.to_json()
        data["newly_created"] = True
        self.dispatch("THREAD_CREATE", data, guild_id=thread.guild_id)
        return thread

    def add_member(
        self,
        guild_id: int,
        user_id: int,
        *,
        roles: Iterable[Any] = (),
        permissions: int | None = None,
        nick: str | None = None,
    ) -> Member:
        """Add a user to a guild; permissions=N also gives them a personal role with N."""
        guild = self.find_guild(guild_id)
        user = self.world.users.get(as_id(user_id))
        if user is None:
            raise EmulatorUsageError(f"unknown user {user_id}; create_user() first")
        if (guild.id, user.id) in self.world.members:
            raise EmulatorUsageError(f"user {user.username} is already in {guild.name}")
        role_ids = [as_id(r) for r in roles]
        for rid in role_ids:
            if rid not in self.world.roles or self.world.roles[rid].guild_id != guild.id:
                raise EmulatorUsageError(f"role {rid} is not in guild {guild.name}")
        if permissions is not None:
            role_ids.append(
                self.create_role(
                    guild.id, f"{user.username} permissions", permissions=permissions
                ).id
            )
        member = Member(
            guild.id, user, role_ids, joined_at=iso(self.utcnow()), nick=nick, world=self.world
        )
        self.world.members[(guild.id, user.id)] = member
        data = member.to_json()
        data["guild_id"] = str(guild.id)
        self.dispatch("GUILD_MEMBER_ADD", data, guild_id=guild.id)
        return member

    def set_member_roles(self, guild_id: int, user_id: int, roles: Iterable[Any]) -> None:
        """Replace a member's roles; dispatch GUILD_MEMBER_UPDATE."""
        guild = self.find_guild(guild_id)
        member = self.world.members.get((guild.id, as_id(user_id)))
        if member is None:
            raise EmulatorUsageError(f"user {user_id} is not in guild {guild.name}")
        member.roles = [as_id(r) for r in roles]
        self.dispatch_member_update(member)

    def set_channel_overwrites(self, channel_id: int, overwrites: Iterable[dict[str, Any]]) -> None:
        """Replace a channel's permission overwrites; dispatch CHANNEL_UPDATE."""
        channel = self.world.channels.get(as_id(channel_id))
        if channel is None or channel.is_thread:
            raise EmulatorUsageError(f"unknown channel {channel_id}")
        channel.permission_overwrites = normalise_overwrites(overwrites)
        self.dispatch("CHANNEL_UPDATE", channel.to_json(), guild_id=channel.guild_id)

    def close_dms(self, user_id: int) -> None:
        """Make the bot's DMs to this user fail with 403 code 50007."""
        self.world.closed_dms.add(as_id(user_id))

    def open_dms(self, user_id: int) -> None:
        """Undo close_dms()."""
        self.world.closed_dms.discard(as_id(user_id))

    def post_message(
        self,
        user_id: int,
        channel_id: int,
        content: str = "",
        *,
        embeds: list[dict] | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Post a message as a user (MESSAGE_CREATE); channel_id may be a DM channel id."""
        user = self.world.users[as_id(user_id)]
        channel = self.world.get_channel(as_id(channel_id))
        if channel is None or channel.type not in MESSAGEABLE_TYPES:
            raise EmulatorUsageError(f"cannot post in channel {channel_id}")
        if channel.guild_id is not None and (channel.guild_id, user.id) not in self.world.members:
            raise EmulatorUsageError(f"{user.username} is not in that guild")
        body: dict[str, Any] = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to["id"]}
        message = build_message(self, channel, user.to_json(), body, [])
        store_message(self, channel, message)
        return message

    def post_dm(self, user_id: int, content: str) -> dict[str, Any]:
        """Post a DM from a user to the bot (MESSAGE_CREATE without guild_id)."""
        channel = self.dm_channel_for(as_id(user_id))
        return self.post_message(user_id, channel.id, content)

    # ------------------------------------------------------------ reading the world
    def member_has_role(self, guild_id: int, user_id: int, role_id: int) -> bool:
        """Return whether a member currently has a role."""
        member = self.world.members.get((as_id(guild_id), as_id(user_id)))
        return member is not None and as_id(role_id) in member.roles

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Return the messages of a channel, oldest first."""
        return list(self.world.messages.get(as_id(channel_id), []))

    def dm_messages(self, user_id: int) -> list[dict[str, Any]]:
        """Return the messages in the DM channel with a user, oldest first."""
        channel = self.world.dm_channels.get(as_id(user_id))
        return [] if channel is None else self.channel_messages(channel.id)

    def attachment_bytes(self, message: dict[str, Any], index: int = 0) -> bytes:
        """Return the bytes of a message's index-th attachment."""
        attachments = message.get("attachments") or []
        if index >= len(attachments):
            raise EmulatorUsageError(f"message {message['id']} has {len(attachments)} attachments")
        return self.world.attachment_data[int(attachments[index]["id"])]

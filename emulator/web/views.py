"""What one user of the emulated Discord can see: channels, messages, members, events, commands."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from emulator.commands import command_usable
from emulator.core import Core
from emulator.enums import (
    POST_CHANNEL_TYPES,
    SUBCOMMAND_TYPES,
    VOICE_TYPES,
    ChannelType,
    CommandType,
    MessageFlag,
)
from emulator.errors import EmulatorUsageError
from emulator.permissions import Permissions
from emulator.world import Channel, Guild, Member

MESSAGE_LIMIT = 100


def display_name(emu: Core, user_id: int, guild_id: int | None = None) -> str:
    """Return how the client shows a user: nickname, else global name, else username."""
    if guild_id is not None:
        member = emu.world.members.get((guild_id, user_id))
        if member is not None and member.nick:
            return member.nick
    user = emu.world.users.get(user_id)
    if user is None:
        return "Unknown user"
    return user.global_name or user.username


def can_view(emu: Core, channel: Channel, user_id: int) -> bool:
    """Return whether a user can see a channel, thread or DM channel."""
    if channel.type == ChannelType.DM:
        return any(u.id == user_id for u in channel.recipients)
    if (channel.guild_id, user_id) not in emu.world.members:
        return False
    return bool(emu.world.permissions_in(channel, user_id) & Permissions.VIEW_CHANNEL)


def can_send(emu: Core, channel: Channel, user_id: int) -> bool:
    """Return whether a user may post a message in a channel (threads need their own bit)."""
    if channel.type == ChannelType.DM:
        return can_view(emu, channel, user_id) and user_id not in emu.world.closed_dms
    perms = emu.world.permissions_in(channel, user_id)
    needed = Permissions.VIEW_CHANNEL | (
        Permissions.SEND_MESSAGES_IN_THREADS if channel.is_thread else Permissions.SEND_MESSAGES
    )
    if perms & needed != needed:
        return False
    if channel.is_thread and channel.locked:
        return bool(perms & Permissions.MANAGE_THREADS)
    return channel.type != ChannelType.CATEGORY and channel.type not in POST_CHANNEL_TYPES


def _is_private(emu: Core, channel: Channel) -> bool:
    """Return whether @everyone is denied View Channel here (the client shows a lock)."""
    if channel.is_thread:
        return channel.type == ChannelType.PRIVATE_THREAD
    for item in channel.permission_overwrites:
        if item["id"] == str(channel.guild_id) and int(item["deny"]) & Permissions.VIEW_CHANNEL:
            return True
    return False


def _thread_json(emu: Core, thread: Channel) -> dict[str, Any]:
    members = emu.world.thread_members.get(thread.id, set())
    return {
        "id": str(thread.id),
        "name": thread.name,
        "type": thread.type,
        "parent_id": str(thread.parent_id),
        "private": thread.type == ChannelType.PRIVATE_THREAD,
        "archived": thread.archived,
        "locked": thread.locked,
        "member_ids": sorted(str(m) for m in members),
        "message_count": len(emu.world.messages.get(thread.id, [])),
    }


def voice_access(emu: Core, channel: Channel) -> list[dict[str, Any]]:
    """Return, for every person in the guild, whether they may see and join a voice channel."""
    result = []
    for member in _people(emu, channel.guild_id):
        perms = emu.world.permissions_in(channel, member.id)
        view = bool(perms & Permissions.VIEW_CHANNEL)
        result.append(
            {
                "user_id": str(member.id),
                "can_view": view,
                "can_connect": view and bool(perms & Permissions.CONNECT),
            }
        )
    return result


def _people(emu: Core, guild_id: int | None) -> list[Member]:
    if guild_id is None:
        return []
    guild = emu.world.guilds[guild_id]
    return [m for m in guild.members if not m.user.bot]


def _channel_json(emu: Core, channel: Channel, user_id: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(channel.id),
        "name": channel.name,
        "type": channel.type,
        "position": channel.position,
        "parent_id": None if channel.parent_id is None else str(channel.parent_id),
        "topic": channel.topic,
        "private": _is_private(emu, channel),
        "can_send": can_send(emu, channel, user_id),
        "threads": [
            _thread_json(emu, thread)
            for thread in sorted(
                (t for t in emu.world.channels.values() if t.parent_id == channel.id),
                key=lambda t: t.id,
            )
            if thread.is_thread and can_view(emu, thread, user_id)
        ],
    }
    if channel.type in VOICE_TYPES:
        data["access"] = voice_access(emu, channel)
    return data


def _guild_json(emu: Core, guild: Guild, user_id: int) -> dict[str, Any]:
    visible = [
        c for c in guild.channels if c.type != ChannelType.CATEGORY and can_view(emu, c, user_id)
    ]
    parents = {c.parent_id for c in visible}
    categories = [c for c in guild.channels if c.type == ChannelType.CATEGORY and c.id in parents]
    members = sorted(guild.members, key=lambda m: display_name(emu, m.id, guild.id).lower())
    return {
        "id": str(guild.id),
        "name": guild.name,
        "owner_id": str(guild.owner_id),
        "roles": [
            {
                "id": str(r.id),
                "name": r.name,
                "color": r.color,
                "hoist": r.hoist,
                "position": r.position,
                "managed": r.managed,
            }
            for r in reversed(guild.roles)
        ],
        "categories": [
            {"id": str(c.id), "name": c.name, "position": c.position} for c in categories
        ],
        "channels": [_channel_json(emu, c, user_id) for c in visible],
        "members": [
            {
                "id": str(m.id),
                "name": display_name(emu, m.id, guild.id),
                "username": m.user.username,
                "bot": m.user.bot,
                "roles": [str(r) for r in m.roles],
            }
            for m in members
        ],
        "events": [
            {
                key: event.get(key)
                for key in (
                    "id",
                    "name",
                    "description",
                    "scheduled_start_time",
                    "scheduled_end_time",
                    "status",
                    "channel_id",
                    "entity_type",
                    "entity_metadata",
                    "user_count",
                )
            }
            for event in sorted(
                emu.world.scheduled_events.values(), key=lambda e: e["scheduled_start_time"]
            )
            if event["guild_id"] == str(guild.id)
        ],
    }


def state(emu: Core, user_id: int) -> dict[str, Any]:
    """Return everything the client shows around the messages, as this user sees it."""
    world = emu.world
    if user_id not in world.users:
        raise EmulatorUsageError(f"unknown user {user_id}")
    guilds = [g for g in world.guilds.values() if (g.id, user_id) in world.members]
    dm = world.dm_channels.get(user_id)
    return {
        "me": {"id": str(user_id), "name": display_name(emu, user_id)},
        "bot": {
            "id": str(emu.bot_user.id),
            "name": emu.bot_user.username,
            "online": bool(emu.hub.sessions),
        },
        "guilds": [_guild_json(emu, g, user_id) for g in guilds],
        "dms": [] if dm is None else [{"id": str(dm.id), "name": emu.bot_user.username}],
        "commands_version": commands_version(emu),
    }


def commands_version(emu: Core) -> str:
    """Return a short fingerprint of the registered commands (the client refetches on change)."""
    scopes = {str(scope): cmds for scope, cmds in emu.world.commands.items()}
    encoded = json.dumps(scopes, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:12]


def channel_for(emu: Core, channel_id: int, user_id: int) -> Channel:
    """Return a channel the user can see, or raise EmulatorUsageError."""
    channel = emu.world.get_channel(channel_id)
    if channel is None or not can_view(emu, channel, user_id):
        raise EmulatorUsageError("that channel isn't there, or you can't see it")
    return channel


def messages(emu: Core, channel_id: int, user_id: int, hidden: set[int]) -> dict[str, Any]:
    """Return a channel's latest messages as this user sees them, their ephemeral ones included."""
    channel = channel_for(emu, channel_id, user_id)
    world = emu.world
    shown = list(world.messages.get(channel.id, []))
    owners = emu.ephemeral_owners
    shown += [
        message
        for mid, message in world.message_index.items()
        if owners.get(mid) == user_id
        and mid not in hidden
        and int(message["channel_id"]) == channel.id
        and int(message.get("flags") or 0) & MessageFlag.EPHEMERAL
    ]
    shown.sort(key=lambda m: int(m["id"]))
    shown = shown[-MESSAGE_LIMIT:]
    threads = {
        t.id: t for t in world.channels.values() if t.is_thread and t.parent_id == channel.id
    }
    return {
        "channel": {
            "id": str(channel.id),
            "name": channel.name if channel.type != ChannelType.DM else emu.bot_user.username,
            "type": channel.type,
            "guild_id": None if channel.guild_id is None else str(channel.guild_id),
            "parent_id": None if channel.parent_id is None else str(channel.parent_id),
            "topic": channel.topic,
            "private": channel.type != ChannelType.DM and _is_private(emu, channel),
            "can_send": can_send(emu, channel, user_id),
            "access": voice_access(emu, channel) if channel.type in VOICE_TYPES else None,
        },
        "messages": [_message_json(emu, m, threads, user_id) for m in shown],
    }


def _message_json(
    emu: Core, message: dict[str, Any], threads: dict[int, Channel], user_id: int
) -> dict[str, Any]:
    data = {key: value for key, value in message.items() if key != "allowed_mentions"}
    data["ephemeral"] = bool(int(message.get("flags") or 0) & MessageFlag.EPHEMERAL)
    data["attachments"] = [
        {**a, "url": f"/ui/attachments/{a['id']}/{a['filename']}"}
        for a in message.get("attachments") or []
    ]
    thread = threads.get(int(message["id"]))
    if thread is not None and can_view(emu, thread, user_id):
        data["thread"] = _thread_json(emu, thread)
    meta = message.get("interaction_metadata")
    handle = emu.interactions.get(int(meta["id"])) if meta else None
    if handle is not None:
        data["command_path"] = command_path(handle.payload.get("data") or {})
    return data


def command_path(data: dict[str, Any]) -> str:
    """Return "name group sub" for an application command's data (just its name otherwise)."""
    parts = [str(data.get("name") or "")]
    options = data.get("options") or []
    while options and options[0].get("type") in SUBCOMMAND_TYPES:
        parts.append(str(options[0]["name"]))
        options = options[0].get("options") or []
    return " ".join(p for p in parts if p)


def commands(emu: Core, user_id: int, channel_id: int) -> list[dict[str, Any]]:
    """Return the registered commands this user could use in this channel (guild ones first)."""
    channel = channel_for(emu, channel_id, user_id)
    guild_id = channel.guild_id
    scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
    seen: set[tuple[str, int]] = set()
    usable = []
    for scope in scopes:
        for cmd in emu.world.commands.get(scope, []):
            key = (cmd["name"], cmd.get("type", CommandType.CHAT_INPUT))
            if key in seen:
                continue
            seen.add(key)
            if command_usable(emu, cmd, user_id, guild_id, channel):
                usable.append(cmd)
    return usable

"""Save an emulator's world as JSON and bring it back, so a long-lived emulator survives a restart.

Only what a bot could have seen is kept: users, guilds, roles, channels, members, messages
(ephemeral ones too), threads, scheduled events, registered commands, webhooks and attachment
bytes, with the application's ids and token. In-flight interactions, recorded requests and
gateway sessions are not: a restored emulator starts with no bot connected.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
from typing import Any

from emulator.core import Core
from emulator.world import Channel, Guild, Member, Role, User, World

FORMAT = 1


class SnapshotError(ValueError):
    """A saved world that cannot be read back (another format, or damaged)."""


def _fields(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        f.name: copy.deepcopy(getattr(obj, f.name))
        for f in dataclasses.fields(obj)
        if f.name not in ("world", *skip)
    }


def _channel(channel: Channel) -> dict[str, Any]:
    data = _fields(channel, ("recipients",))
    data["recipients"] = [user.id for user in channel.recipients]
    return data


def dump_world(emu: Core) -> dict[str, Any]:
    """Return the emulator's world and identity as plain JSON-ready data."""
    world = emu.world
    return {
        "format": FORMAT,
        "application_id": emu.application_id,
        "application_flags": emu.application_flags,
        "token": emu.token,
        "bot_user": _fields(emu.bot_user),
        "owner_user": emu.owner_user.id,
        "users": [_fields(user) for user in world.users.values()],
        "guilds": [_fields(guild) for guild in world.guilds.values()],
        "roles": [_fields(role) for role in world.roles.values()],
        "channels": [_channel(channel) for channel in world.channels.values()],
        "dm_channels": {str(uid): _channel(ch) for uid, ch in world.dm_channels.items()},
        "members": [
            {**_fields(member, ("user",)), "user": member.user.id}
            for member in world.members.values()
        ],
        "messages": {str(cid): copy.deepcopy(msgs) for cid, msgs in world.messages.items()},
        "ephemeral": [
            {"owner": emu.ephemeral_owners.get(mid), "message": copy.deepcopy(message)}
            for mid, message in world.message_index.items()
            if mid in emu.ephemeral_owners
        ],
        "thread_members": {str(tid): sorted(uids) for tid, uids in world.thread_members.items()},
        "scheduled_events": copy.deepcopy(list(world.scheduled_events.values())),
        "commands": {
            "global" if scope is None else str(scope): copy.deepcopy(cmds)
            for scope, cmds in world.commands.items()
        },
        "webhooks": copy.deepcopy(list(world.webhooks.values())),
        "closed_dms": sorted(world.closed_dms),
        "attachments": {
            str(aid): base64.b64encode(data).decode("ascii")
            for aid, data in world.attachment_data.items()
        },
    }


def load_world(emu: Core, data: dict[str, Any]) -> None:
    """Replace a not yet started emulator's world and identity with a saved one."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError("the saved world has another format")
    if emu.hub.sessions:
        raise SnapshotError("restore a world before any bot connects")
    try:
        _load(emu, data)
    except (KeyError, TypeError, ValueError) as error:
        raise SnapshotError(f"the saved world is damaged ({type(error).__name__})") from None


def _load(emu: Core, data: dict[str, Any]) -> None:
    bot_user = User(**data["bot_user"])
    world = World(bot_user)
    users = {int(u["id"]): User(**u) for u in data["users"]}
    users[bot_user.id] = bot_user
    world.users = users
    _load_entities(world, data)
    owners = _load_messages(world, data)
    for tid, uids in data["thread_members"].items():
        world.thread_members[int(tid)] = {int(u) for u in uids}
    world.scheduled_events = {int(e["id"]): e for e in data["scheduled_events"]}
    for scope, commands in data["commands"].items():
        world.commands[None if scope == "global" else int(scope)] = commands
    world.webhooks = {int(w["id"]): w for w in data["webhooks"]}
    world.closed_dms = {int(u) for u in data["closed_dms"]}
    world.attachment_data = {
        int(aid): base64.b64decode(encoded) for aid, encoded in data["attachments"].items()
    }
    emu.world = world
    emu.bot_user = bot_user
    emu.application_id = int(data["application_id"])
    emu.application_flags = int(data["application_flags"])
    emu.token = str(data["token"])
    emu.owner_user = users[int(data["owner_user"])]
    emu.ephemeral_owners = owners
    emu.snowflakes.skip_past(_largest_id(world, emu.application_id))


def _load_entities(world: World, data: dict[str, Any]) -> None:
    """Restore guilds, roles, channels (DM ones too) and members into a world with its users."""
    users = world.users
    for item in data["guilds"]:
        guild = Guild(**item, world=world)
        world.guilds[guild.id] = guild
    for item in data["roles"]:
        role = Role(**item)
        world.roles[role.id] = role

    def channel(item: dict[str, Any]) -> Channel:
        fields = dict(item)
        recipients = [users[int(uid)] for uid in fields.pop("recipients")]
        return Channel(**fields, recipients=recipients, world=world)

    for item in data["channels"]:
        found = channel(item)
        world.channels[found.id] = found
    for uid, item in data["dm_channels"].items():
        world.dm_channels[int(uid)] = channel(item)
    for item in data["members"]:
        fields = dict(item)
        member = Member(user=users[int(fields.pop("user"))], **fields, world=world)
        world.members[(member.guild_id, member.id)] = member


def _load_messages(world: World, data: dict[str, Any]) -> dict[int, int]:
    """Restore channel and ephemeral messages; return who owns each ephemeral one."""
    for cid, messages in data["messages"].items():
        world.messages[int(cid)] = messages
        for message in messages:
            world.message_index[int(message["id"])] = message
    owners: dict[int, int] = {}
    for item in data["ephemeral"]:
        message = item["message"]
        world.message_index[int(message["id"])] = message
        if item["owner"] is not None:
            owners[int(message["id"])] = int(item["owner"])
    return owners


def _largest_id(world: World, application_id: int) -> int:
    ids = [application_id, *world.users, *world.guilds, *world.roles, *world.channels]
    ids += [c.id for c in world.dm_channels.values()]
    ids += list(world.message_index)
    ids += list(world.scheduled_events)
    ids += list(world.attachment_data)
    ids += [int(c["id"]) for cmds in world.commands.values() for c in cmds]
    ids += [int(c["version"]) for cmds in world.commands.values() for c in cmds if "version" in c]
    return max(ids)

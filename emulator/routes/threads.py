"""Thread routes: start threads and forum posts, edit threads, thread members, active threads."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.enums import ARCHIVE_DURATIONS, POST_CHANNEL_TYPES, THREAD_TYPES, ChannelType
from emulator.errors import ApiError, FormErrors, missing_access, missing_permissions, not_found
from emulator.ids import iso
from emulator.messages import build_message, store_message, wire, without_unpermitted_embeds
from emulator.permissions import Permissions
from emulator.rest import Call, Reply, Router
from emulator.routes.lookup import bot_perms, get_channel_or_404, message_in_path, require
from emulator.validation import validate_message_body
from emulator.world import Channel

# Channels a thread cannot start in (besides threads and DMs).
_NO_THREADS = frozenset({ChannelType.VOICE, ChannelType.CATEGORY})


def edit_thread(emu: Core, thread: Channel, body: dict[str, Any]) -> dict[str, Any]:
    """Apply PATCH /channels/{thread_id}: rename, archive, lock, tags (MANAGE_THREADS rules)."""
    manage = bool(bot_perms(emu, thread) & Permissions.MANAGE_THREADS)
    may_edit = manage or thread.owner_id == emu.bot_user.id
    _check_thread_edit(thread, body, manage=manage, may_edit=may_edit)
    for key in ("name", "locked", "invitable", "auto_archive_duration", "rate_limit_per_user"):
        if key in body and body[key] is not None:
            setattr(thread, key, body[key])
    if "archived" in body and body["archived"] is not None:
        thread.archived = bool(body["archived"])
        thread.archive_timestamp = iso(emu.utcnow())
    if "applied_tags" in body:
        thread.applied_tags = [str(t) for t in body["applied_tags"] or []]
    emu.dispatch("THREAD_UPDATE", thread.to_json(), guild_id=thread.guild_id)
    return thread.to_json()


def _check_thread_edit(
    thread: Channel, body: dict[str, Any], *, manage: bool, may_edit: bool
) -> None:
    """Raise what Discord answers to a thread edit the bot may not make, in Discord's order."""
    if thread.locked and not manage:
        raise ApiError(403, 160005, "Thread is locked")
    if "locked" in body and not manage:
        raise missing_permissions("MANAGE_THREADS (lock)")
    if ("name" in body or "auto_archive_duration" in body) and not may_edit:
        raise missing_permissions("MANAGE_THREADS")
    errors = FormErrors()
    if "name" in body and not 1 <= len(body["name"] or "") <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    errors.raise_if_any(f"PATCH thread {thread.name}")
    if "invitable" in body and thread.type != ChannelType.PRIVATE_THREAD:
        raise ApiError(400, 50035, "Invalid Form Body", problem="invitable is for private threads")
    if body.get("archived") and not may_edit:
        raise missing_permissions("MANAGE_THREADS (archive)")
    if "auto_archive_duration" in body and body["auto_archive_duration"] not in ARCHIVE_DURATIONS:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            problem="auto_archive_duration must be 60/1440/4320/10080",
        )


def _thread_member_json(thread: Channel, user_id: int, emu: Core, with_member: bool) -> dict:
    data: dict[str, Any] = {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": iso(emu.utcnow()),
        "flags": 0,
    }
    member = emu.world.members.get((thread.guild_id, user_id)) if thread.guild_id else None
    if with_member and member is not None:
        data["member"] = member.to_json()
    return data


def _new_thread(
    emu: Core, parent: Channel, body: dict[str, Any], thread_type: int, thread_id: int | None
) -> Channel:
    errors = FormErrors()
    name = body.get("name") or ""
    if not 1 <= len(name) <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    duration = body.get("auto_archive_duration", 1440)
    if duration not in ARCHIVE_DURATIONS:
        errors.add("auto_archive_duration", "BASE_TYPE_CHOICES", "Value must be one of ...")
    errors.raise_if_any(f"thread create in #{parent.name}")
    thread = Channel(
        id=thread_id or emu.snowflakes.next(),
        type=thread_type,
        name=name,
        guild_id=parent.guild_id,
        parent_id=parent.id,
        owner_id=emu.bot_user.id,
        auto_archive_duration=duration,
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        invitable=bool(body.get("invitable", True)),
        applied_tags=[str(t) for t in body.get("applied_tags") or []],
        archive_timestamp=iso(emu.utcnow()),
        create_timestamp=iso(emu.utcnow()),
        world=emu.world,
    )
    emu.world.channels[thread.id] = thread
    emu.world.thread_members[thread.id].add(emu.bot_user.id)
    return thread


def _dispatch_thread_create(emu: Core, thread: Channel) -> dict[str, Any]:
    data = thread.to_json()
    data["newly_created"] = True
    data["member"] = _thread_member_json(thread, emu.bot_user.id, emu, with_member=False)
    emu.dispatch("THREAD_CREATE", data, guild_id=thread.guild_id)
    emu.notify()
    return data


async def start_thread(emu: Core, call: Call) -> Reply:
    """POST /channels/{channel_id}/threads (also forum posts with a first message)."""
    parent = get_channel_or_404(emu, call.id("channel_id"))
    if parent.is_thread or parent.type == ChannelType.DM or parent.type in _NO_THREADS:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    body = call.body()
    if parent.type in POST_CHANNEL_TYPES:
        require(emu, parent, Permissions.SEND_MESSAGES, "SEND_MESSAGES (forum post)")
        first = body.get("message")
        if not isinstance(first, dict):
            raise ApiError(
                400, 50035, "Invalid Form Body", problem="forum post without a first message"
            )
        validate_message_body(
            first, has_files=bool(call.uploads), context="forum post message", prefix="message"
        )
        first = without_unpermitted_embeds(
            emu, parent, first, has_files=bool(call.uploads), editing=False
        )
        thread = _new_thread(emu, parent, body, ChannelType.PUBLIC_THREAD, None)
        message = build_message(
            emu, thread, emu.bot_user.to_json(), first, call.uploads, message_id=thread.id
        )
        data = _dispatch_thread_create(emu, thread)
        store_message(emu, thread, message)
        data["message"] = wire(message)
        return Reply(201, data)
    thread_type = int(body.get("type") or ChannelType.PRIVATE_THREAD)
    if thread_type not in THREAD_TYPES:
        raise ApiError(400, 50035, "Invalid Form Body", problem=f"thread type {thread_type}")
    if thread_type == ChannelType.PRIVATE_THREAD:
        require(emu, parent, Permissions.CREATE_PRIVATE_THREADS, "CREATE_PRIVATE_THREADS")
    else:
        require(emu, parent, Permissions.CREATE_PUBLIC_THREADS, "CREATE_PUBLIC_THREADS")
    thread = _new_thread(emu, parent, body, thread_type, None)
    return Reply(201, _dispatch_thread_create(emu, thread))


async def start_thread_from_message(emu: Core, call: Call) -> Reply:
    """POST /channels/{channel_id}/messages/{message_id}/threads (public; id == message id)."""
    parent, message = message_in_path(emu, call)
    require(emu, parent, Permissions.CREATE_PUBLIC_THREADS, "CREATE_PUBLIC_THREADS")
    if int(message["id"]) in emu.world.channels:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    thread = _new_thread(emu, parent, call.body(), ChannelType.PUBLIC_THREAD, int(message["id"]))
    message["thread"] = thread.to_json()
    return Reply(201, _dispatch_thread_create(emu, thread))


def _thread(emu: Core, call: Call) -> Channel:
    thread = get_channel_or_404(emu, call.id("channel_id"))
    if not thread.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return thread


def _member_target(emu: Core, call: Call) -> int:
    raw = call.params["user_id"]
    return emu.bot_user.id if raw == "@me" else call.id("user_id")


async def add_thread_member(emu: Core, call: Call) -> None:
    """PUT /channels/{thread_id}/thread-members/{user_id|@me}."""
    thread = _thread(emu, call)
    user_id = _member_target(emu, call)
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    if (thread.guild_id, user_id) not in emu.world.members:
        raise not_found("Member", 10007)
    members = emu.world.thread_members[thread.id]
    if user_id != emu.bot_user.id:
        perms = bot_perms(emu, thread)
        if not perms & Permissions.SEND_MESSAGES_IN_THREADS:
            raise missing_permissions("SEND_MESSAGES_IN_THREADS")
        may_invite = emu.bot_user.id in members and thread.invitable
        if (
            thread.type == ChannelType.PRIVATE_THREAD
            and not perms & Permissions.MANAGE_THREADS
            and not may_invite
        ):
            raise missing_access()
    if user_id in members:
        return
    members.add(user_id)
    emu.hub.thread_members_update(
        {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": min(len(members), 50),
            "added_members": [_thread_member_json(thread, user_id, emu, with_member=True)],
        },
        thread.guild_id or 0,
        bot_involved=user_id == emu.bot_user.id,
    )
    emu.notify()


async def remove_thread_member(emu: Core, call: Call) -> None:
    """DELETE /channels/{thread_id}/thread-members/{user_id|@me}."""
    thread = _thread(emu, call)
    user_id = _member_target(emu, call)
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    members = emu.world.thread_members[thread.id]
    if user_id != emu.bot_user.id:
        perms = bot_perms(emu, thread)
        creator = thread.type == ChannelType.PRIVATE_THREAD and thread.owner_id == emu.bot_user.id
        if not perms & Permissions.MANAGE_THREADS and not creator:
            raise missing_permissions("MANAGE_THREADS")
    if user_id not in members:
        return
    members.discard(user_id)
    emu.hub.thread_members_update(
        {
            "id": str(thread.id),
            "guild_id": str(thread.guild_id),
            "member_count": min(len(members), 50),
            "removed_member_ids": [str(user_id)],
        },
        thread.guild_id or 0,
        bot_involved=user_id == emu.bot_user.id,
    )
    emu.notify()


async def get_thread_member(emu: Core, call: Call) -> dict[str, Any]:
    """GET /channels/{thread_id}/thread-members/{user_id}."""
    thread = _thread(emu, call)
    user_id = _member_target(emu, call)
    if user_id not in emu.world.thread_members.get(thread.id, set()):
        raise not_found("Member", 10007)
    return _thread_member_json(thread, user_id, emu, with_member="with_member" in call.query)


async def list_thread_members(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /channels/{thread_id}/thread-members."""
    thread = _thread(emu, call)
    with_member = call.query.get("with_member") in ("true", "True", "1")
    return [
        _thread_member_json(thread, uid, emu, with_member)
        for uid in sorted(emu.world.thread_members.get(thread.id, set()))
    ]


async def active_threads(emu: Core, call: Call) -> dict[str, Any]:
    """GET /guilds/{guild_id}/threads/active."""
    guild_id = call.id("guild_id")
    threads = [
        t
        for t in emu.world.channels.values()
        if t.is_thread and t.guild_id == guild_id and not t.archived
    ]
    return {
        "threads": [t.to_json() for t in threads],
        "members": [
            _thread_member_json(t, emu.bot_user.id, emu, False)
            for t in threads
            if emu.bot_user.id in emu.world.thread_members.get(t.id, set())
        ],
    }


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("POST", "/channels/{channel_id}/threads", start_thread)
    router.add(
        "POST", "/channels/{channel_id}/messages/{message_id}/threads", start_thread_from_message
    )
    router.add("GET", "/channels/{channel_id}/thread-members", list_thread_members)
    members = "/channels/{channel_id}/thread-members/{user_id}"
    router.add("PUT", members, add_thread_member)
    router.add("DELETE", members, remove_thread_member)
    router.add("GET", members, get_thread_member)
    router.add("GET", "/guilds/{guild_id}/threads/active", active_threads)

"""Channel routes: channels, messages, DMs, permission overwrites, threads, reactions."""

from __future__ import annotations

import time
import urllib.parse
from typing import TYPE_CHECKING, Any

from emulator.errors import ApiError, FormErrors, missing_access, missing_permissions, not_found
from emulator.ids import iso
from emulator.messages import (
    apply_edit,
    author_is,
    build_message,
    check_can_send,
    check_edit_not_empty,
    is_reply,
    remove_message,
    store_message,
    wire,
    without_unpermitted_embeds,
)
from emulator.permissions import Permissions, normalise_overwrites
from emulator.rest import Call, Reply, Router
from emulator.validation import validate_message_body
from emulator.world import (
    DM,
    FORUM,
    MEDIA,
    MESSAGEABLE_TYPES,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    STAGE,
    THREAD_TYPES,
    VOICE,
    Channel,
)

if TYPE_CHECKING:
    from emulator.driver import Emulator

NONCE_WINDOW_SECONDS = 5 * 60  # "the past few minutes"


def get_channel_or_404(emu: Emulator, channel_id: int) -> Channel:
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


def bot_perms(emu: Emulator, channel: Channel) -> int:
    """Return the bot's permissions in a channel."""
    return emu.world.permissions_in(channel, emu.bot_user.id)


def require(emu: Emulator, channel: Channel, bits: int, name: str) -> None:
    """Raise 403 50013 unless the bot has all bits in the channel."""
    if bot_perms(emu, channel) & bits != bits:
        raise missing_permissions(name)


# ------------------------------------------------------------------ channels
async def get_channel(emu: Emulator, call: Call) -> dict[str, Any]:
    """GET /channels/{channel_id}."""
    return get_channel_or_404(emu, call.id("channel_id")).to_json()


async def edit_channel(emu: Emulator, call: Call) -> dict[str, Any]:
    """PATCH /channels/{channel_id}: rename, topic, overwrites; archive/lock for threads."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    body = call.body()
    if channel.type == DM:
        raise ApiError(403, 50003, "Cannot execute action on a DM channel")
    if channel.is_thread:
        return _edit_thread(emu, channel, body)
    require(emu, channel, Permissions.MANAGE_CHANNELS, "MANAGE_CHANNELS")
    errors = FormErrors()
    if "name" in body and not 1 <= len(body["name"] or "") <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if body.get("topic") and len(body["topic"]) > 1024:
        errors.add("topic", "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.")
    errors.raise_if_any(f"PATCH channel {channel.name}")
    for key in (
        "name",
        "topic",
        "nsfw",
        "rate_limit_per_user",
        "position",
        "user_limit",
        "bitrate",
    ):
        if key in body:
            setattr(channel, key, body[key])
    if "parent_id" in body:
        channel.parent_id = int(body["parent_id"]) if body["parent_id"] else None
    if "permission_overwrites" in body:
        require(emu, channel, Permissions.MANAGE_ROLES, "MANAGE_ROLES")
        channel.permission_overwrites = normalise_overwrites(body["permission_overwrites"])
    emu.dispatch("CHANNEL_UPDATE", channel.to_json(), guild_id=channel.guild_id)
    return channel.to_json()


def _edit_thread(emu: Emulator, thread: Channel, body: dict[str, Any]) -> dict[str, Any]:
    perms = bot_perms(emu, thread)
    manage = bool(perms & Permissions.MANAGE_THREADS)
    owner = thread.owner_id == emu.bot_user.id
    if thread.locked and not manage:
        raise ApiError(403, 160005, "Thread is locked")
    if "locked" in body and not manage:
        raise missing_permissions("MANAGE_THREADS (lock)")
    if ("name" in body or "auto_archive_duration" in body) and not (manage or owner):
        raise missing_permissions("MANAGE_THREADS")
    errors = FormErrors()
    if "name" in body and not 1 <= len(body["name"] or "") <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    errors.raise_if_any(f"PATCH thread {thread.name}")
    if "invitable" in body and thread.type != PRIVATE_THREAD:
        raise ApiError(400, 50035, "Invalid Form Body", problem="invitable is for private threads")
    if "archived" in body and not (manage or owner or not body["archived"]):
        raise missing_permissions("MANAGE_THREADS (archive)")
    if "auto_archive_duration" in body and body["auto_archive_duration"] not in (
        60,
        1440,
        4320,
        10080,
    ):
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            problem="auto_archive_duration must be 60/1440/4320/10080",
        )
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


async def delete_channel(emu: Emulator, call: Call) -> dict[str, Any]:
    """DELETE /channels/{channel_id}."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    if channel.type == DM:
        return channel.to_json()
    needed = Permissions.MANAGE_THREADS if channel.is_thread else Permissions.MANAGE_CHANNELS
    require(emu, channel, needed, "MANAGE_THREADS" if channel.is_thread else "MANAGE_CHANNELS")
    data = channel.to_json()
    del emu.world.channels[channel.id]
    emu.world.messages.pop(channel.id, None)
    if channel.is_thread:
        emu.world.thread_members.pop(channel.id, None)
        emu.dispatch(
            "THREAD_DELETE",
            {
                "id": data["id"],
                "guild_id": data["guild_id"],
                "parent_id": data["parent_id"],
                "type": data["type"],
            },
            guild_id=channel.guild_id,
        )
    else:
        emu.dispatch("CHANNEL_DELETE", data, guild_id=channel.guild_id)
    emu.notify()
    return data


async def put_overwrite(emu: Emulator, call: Call) -> None:
    """PUT /channels/{channel_id}/permissions/{target_id}: needs MANAGE_ROLES, no escalation."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    if channel.is_thread or channel.type == DM:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    target_id = call.id("target_id")
    body = call.body()
    kind = body.get("type")
    errors = FormErrors()
    if kind not in (0, 1, "0", "1"):
        errors.add("type", "BASE_TYPE_CHOICES", "Value must be one of (0, 1).")
    try:
        allow = int(body.get("allow") or 0)
        deny = int(body.get("deny") or 0)
    except (TypeError, ValueError):
        errors.add("allow", "NUMBER_TYPE_COERCE", "Value is not int.")
        allow = deny = 0
    errors.raise_if_any(f"PUT overwrite in {channel.name}")
    kind = int(kind)  # type: ignore[arg-type]
    world = emu.world
    if kind == 0:
        role = world.roles.get(target_id)
        if role is None or role.guild_id != channel.guild_id:
            raise not_found("Role", 10011)
    elif target_id not in world.users:
        raise not_found("User", 10013)
    perms = bot_perms(emu, channel)
    if not perms & Permissions.MANAGE_ROLES:
        raise missing_permissions("MANAGE_ROLES")
    if not perms & Permissions.ADMINISTRATOR:
        beyond = (allow | deny) & ~perms
        if beyond:
            raise missing_permissions(f"cannot grant or deny {Permissions.names(beyond)}")
    overwrites = [o for o in channel.permission_overwrites if o["id"] != str(target_id)]
    overwrites.append({"id": str(target_id), "type": kind, "allow": str(allow), "deny": str(deny)})
    channel.permission_overwrites = overwrites
    emu.dispatch("CHANNEL_UPDATE", channel.to_json(), guild_id=channel.guild_id)
    emu.notify()


async def delete_overwrite(emu: Emulator, call: Call) -> None:
    """DELETE /channels/{channel_id}/permissions/{target_id}."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    require(emu, channel, Permissions.MANAGE_ROLES, "MANAGE_ROLES")
    target = call.params["target_id"]
    before = len(channel.permission_overwrites)
    channel.permission_overwrites = [o for o in channel.permission_overwrites if o["id"] != target]
    if len(channel.permission_overwrites) != before:
        emu.dispatch("CHANNEL_UPDATE", channel.to_json(), guild_id=channel.guild_id)
    emu.notify()


async def typing(emu: Emulator, call: Call) -> None:
    """POST /channels/{channel_id}/typing."""
    get_channel_or_404(emu, call.id("channel_id"))


# ------------------------------------------------------------------ messages
async def create_message(emu: Emulator, call: Call) -> dict[str, Any]:
    """POST /channels/{channel_id}/messages (JSON or multipart)."""
    channel = emu.world.get_channel(call.id("channel_id"))
    if channel is None:
        raise not_found("Channel", 10003)
    if channel.type not in MESSAGEABLE_TYPES:
        raise ApiError(
            400,
            50008,
            "Cannot send messages in a non-text channel",
            problem=f"message to #{channel.name}, a channel of type {channel.type}",
        )
    body = call.body()
    context = f"message to #{channel.name or 'DM'}"
    validate_message_body(body, has_files=bool(call.uploads), context=context)
    check_can_send(emu, channel, has_files=bool(call.uploads), replies=is_reply(body))
    body = without_unpermitted_embeds(
        emu, channel, body, has_files=bool(call.uploads), editing=False
    )
    earlier = _same_nonce(emu, body)
    if earlier is not None:
        return wire(earlier)
    message = build_message(emu, channel, emu.bot_user.to_json(), body, call.uploads)
    store_message(emu, channel, message)
    if body.get("enforce_nonce") and body.get("nonce") is not None:
        key = (emu.bot_user.id, str(body["nonce"]))
        emu.world.message_nonces[key] = (int(message["id"]), time.monotonic())
    return wire(message)


def _same_nonce(emu: Emulator, body: dict[str, Any]) -> dict[str, Any] | None:
    """With enforce_nonce, return the message the same author sent with this nonce lately.

    Discord: "If true and nonce is present, it will be checked for uniqueness in the past few
    minutes. If another message was created by the same author with the same nonce, that
    message will be returned and no new message will be created."
    """
    nonce = body.get("nonce")
    if not body.get("enforce_nonce") or nonce is None:
        return None
    if not isinstance(nonce, int | str) or len(str(nonce)) > 25:
        raise ApiError(400, 50035, "Invalid Form Body", problem=f"nonce {nonce!r} is invalid")
    found = emu.world.message_nonces.get((emu.bot_user.id, str(nonce)))
    if found is None or time.monotonic() - found[1] > NONCE_WINDOW_SECONDS:
        return None
    return emu.world.message_index.get(found[0])


def _message(emu: Emulator, call: Call) -> tuple[Channel, dict[str, Any]]:
    channel = get_channel_or_404(emu, call.id("channel_id"))
    message = emu.world.message_index.get(call.id("message_id"))
    if message is None or message["channel_id"] != str(channel.id):
        raise not_found("Message", 10008)
    return channel, message


def _require_connect(emu: Emulator, channel: Channel) -> None:
    """Reading a voice or stage channel's messages also needs CONNECT (else 50001)."""
    if channel.type in (VOICE, STAGE) and not bot_perms(emu, channel) & Permissions.CONNECT:
        raise missing_access()


async def get_message(emu: Emulator, call: Call) -> dict[str, Any]:
    """GET /channels/{channel_id}/messages/{message_id}: VIEW_CHANNEL + READ_MESSAGE_HISTORY."""
    channel, message = _message(emu, call)
    if channel.guild_id is not None:
        _require_connect(emu, channel)
        if not bot_perms(emu, channel) & Permissions.READ_MESSAGE_HISTORY:
            raise missing_access()
    return wire(message)


async def list_messages(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    """GET /channels/{channel_id}/messages (newest first; before/after/around, limit).

    Without READ_MESSAGE_HISTORY Discord answers an empty list, not an error.
    """
    channel = get_channel_or_404(emu, call.id("channel_id"))
    if channel.guild_id is not None:
        _require_connect(emu, channel)
        if not bot_perms(emu, channel) & Permissions.READ_MESSAGE_HISTORY:
            return []
    limit = max(1, min(100, int(call.query.get("limit", 50))))
    history = list(emu.world.messages.get(channel.id, []))
    if "before" in call.query:
        history = [m for m in history if int(m["id"]) < int(call.query["before"])]
    if "after" in call.query:
        history = [m for m in history if int(m["id"]) > int(call.query["after"])]
        return [wire(m) for m in reversed(history[:limit])]
    if "around" in call.query:
        pivot = int(call.query["around"])
        older = [m for m in history if int(m["id"]) <= pivot][-(limit // 2 + 1) :]
        newer = [m for m in history if int(m["id"]) > pivot][: limit - len(older)]
        return [wire(m) for m in reversed(older + newer)]
    return [wire(m) for m in reversed(history[-limit:])]


async def edit_message(emu: Emulator, call: Call) -> dict[str, Any]:
    """PATCH /channels/{channel_id}/messages/{message_id} (own messages; flags for others)."""
    channel, message = _message(emu, call)
    body = call.body()
    if not author_is(message, emu.bot_user.id):
        if set(body) - {"flags"}:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        require(emu, channel, Permissions.MANAGE_MESSAGES, "MANAGE_MESSAGES")
    validate_message_body(body, has_files=bool(call.uploads), context="message edit", editing=True)
    body = without_unpermitted_embeds(
        emu, channel, body, has_files=bool(call.uploads), editing=True
    )
    check_edit_not_empty(message, body, call.uploads, "message edit")
    apply_edit(emu, message, body, call.uploads)
    emu.dispatch_message("MESSAGE_UPDATE", message)
    emu.notify()
    return wire(message)


async def delete_message(emu: Emulator, call: Call) -> None:
    """DELETE /channels/{channel_id}/messages/{message_id}."""
    channel, message = _message(emu, call)
    if not author_is(message, emu.bot_user.id):
        if channel.type == DM:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        require(emu, channel, Permissions.MANAGE_MESSAGES, "MANAGE_MESSAGES")
    remove_message(emu, message)


async def bulk_delete(emu: Emulator, call: Call) -> None:
    """POST /channels/{channel_id}/messages/bulk-delete."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    require(emu, channel, Permissions.MANAGE_MESSAGES, "MANAGE_MESSAGES")
    ids = [int(i) for i in call.body().get("messages") or []]
    if not 2 <= len(ids) <= 100:
        raise ApiError(
            400, 50016, "Provided too few or too many messages to delete.", problem="bulk"
        )
    for message_id in ids:
        message = emu.world.message_index.get(message_id)
        if message is not None and message["channel_id"] == str(channel.id):
            remove_message(emu, message)


def _emoji(call: Call) -> dict[str, Any]:
    raw = urllib.parse.unquote(call.params["emoji"])
    if ":" in raw:
        name, emoji_id = raw.rsplit(":", 1)
        return {"id": emoji_id, "name": name}
    return {"id": None, "name": raw}


async def add_reaction(emu: Emulator, call: Call) -> None:
    """PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me."""
    channel, message = _message(emu, call)
    emoji = _emoji(call)
    reactions = message.setdefault("reactions", [])
    if channel.guild_id is not None:
        # Joining an existing reaction needs only READ_MESSAGE_HISTORY; a new one ADD_REACTIONS.
        require(emu, channel, Permissions.READ_MESSAGE_HISTORY, "READ_MESSAGE_HISTORY")
        if not any(r["emoji"] == emoji and r["count"] > 0 for r in reactions):
            require(emu, channel, Permissions.ADD_REACTIONS, "ADD_REACTIONS")
    for reaction in reactions:
        if reaction["emoji"] == emoji:
            if not reaction["me"]:
                reaction["me"] = True
                reaction["count"] += 1
            break
    else:
        reactions.append({"emoji": emoji, "count": 1, "me": True, "burst_colors": []})
    data: dict[str, Any] = {
        "user_id": str(emu.bot_user.id),
        "channel_id": message["channel_id"],
        "message_id": message["id"],
        "emoji": emoji,
        "burst": False,
        "type": 0,
    }
    if channel.guild_id is not None:
        data["guild_id"] = str(channel.guild_id)
    emu.dispatch("MESSAGE_REACTION_ADD", data, guild_id=channel.guild_id)
    emu.notify()


async def remove_own_reaction(emu: Emulator, call: Call) -> None:
    """DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me."""
    _, message = _message(emu, call)
    emoji = _emoji(call)
    for reaction in message.get("reactions", []):
        if reaction["emoji"] == emoji and reaction["me"]:
            reaction["me"] = False
            reaction["count"] -= 1
    message["reactions"] = [r for r in message.get("reactions", []) if r["count"] > 0]
    emu.notify()


# ------------------------------------------------------------------ DMs
async def create_dm(emu: Emulator, call: Call) -> dict[str, Any]:
    """POST /users/@me/channels {recipient_id}."""
    body = call.body()
    try:
        user_id = int(body.get("recipient_id"))
    except (TypeError, ValueError):
        raise ApiError(
            400, 50035, "Invalid Form Body", problem="DM create without a valid recipient_id"
        ) from None
    if user_id not in emu.world.users:
        raise not_found("User", 10013)
    return emu.dm_channel_for(user_id).to_json()


# ------------------------------------------------------------------ threads
def _thread_member_json(thread: Channel, user_id: int, emu: Emulator, with_member: bool) -> dict:
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
    emu: Emulator, parent: Channel, body: dict[str, Any], thread_type: int, thread_id: int | None
) -> Channel:
    errors = FormErrors()
    name = body.get("name") or ""
    if not 1 <= len(name) <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    duration = body.get("auto_archive_duration", 1440)
    if duration not in (60, 1440, 4320, 10080):
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


def _dispatch_thread_create(emu: Emulator, thread: Channel) -> dict[str, Any]:
    data = thread.to_json()
    data["newly_created"] = True
    data["member"] = _thread_member_json(thread, emu.bot_user.id, emu, with_member=False)
    emu.dispatch("THREAD_CREATE", data, guild_id=thread.guild_id)
    emu.notify()
    return data


async def start_thread(emu: Emulator, call: Call) -> Reply:
    """POST /channels/{channel_id}/threads (also forum posts with a first message)."""
    parent = get_channel_or_404(emu, call.id("channel_id"))
    if parent.is_thread or parent.type == DM or parent.type in (2, 4):
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    body = call.body()
    if parent.type in (FORUM, MEDIA):
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
        thread = _new_thread(emu, parent, body, PUBLIC_THREAD, None)
        message = build_message(
            emu, thread, emu.bot_user.to_json(), first, call.uploads, message_id=thread.id
        )
        data = _dispatch_thread_create(emu, thread)
        store_message(emu, thread, message)
        data["message"] = wire(message)
        return Reply(201, data)
    thread_type = int(body.get("type") or PRIVATE_THREAD)
    if thread_type not in THREAD_TYPES:
        raise ApiError(400, 50035, "Invalid Form Body", problem=f"thread type {thread_type}")
    if thread_type == PRIVATE_THREAD:
        require(emu, parent, Permissions.CREATE_PRIVATE_THREADS, "CREATE_PRIVATE_THREADS")
    else:
        require(emu, parent, Permissions.CREATE_PUBLIC_THREADS, "CREATE_PUBLIC_THREADS")
    thread = _new_thread(emu, parent, body, thread_type, None)
    return Reply(201, _dispatch_thread_create(emu, thread))


async def start_thread_from_message(emu: Emulator, call: Call) -> Reply:
    """POST /channels/{channel_id}/messages/{message_id}/threads (public; id == message id)."""
    parent, message = _message(emu, call)
    require(emu, parent, Permissions.CREATE_PUBLIC_THREADS, "CREATE_PUBLIC_THREADS")
    if int(message["id"]) in emu.world.channels:
        raise ApiError(400, 160004, "A thread has already been created for this message")
    thread = _new_thread(emu, parent, call.body(), PUBLIC_THREAD, int(message["id"]))
    message["thread"] = thread.to_json()
    return Reply(201, _dispatch_thread_create(emu, thread))


def _thread(emu: Emulator, call: Call) -> Channel:
    thread = get_channel_or_404(emu, call.id("channel_id"))
    if not thread.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    return thread


def _member_target(emu: Emulator, call: Call) -> int:
    raw = call.params["user_id"]
    return emu.bot_user.id if raw == "@me" else call.id("user_id")


async def add_thread_member(emu: Emulator, call: Call) -> None:
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
            thread.type == PRIVATE_THREAD
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


async def remove_thread_member(emu: Emulator, call: Call) -> None:
    """DELETE /channels/{thread_id}/thread-members/{user_id|@me}."""
    thread = _thread(emu, call)
    user_id = _member_target(emu, call)
    if thread.archived:
        raise ApiError(400, 50083, "Thread is archived")
    members = emu.world.thread_members[thread.id]
    if user_id != emu.bot_user.id:
        perms = bot_perms(emu, thread)
        creator = thread.type == PRIVATE_THREAD and thread.owner_id == emu.bot_user.id
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


async def get_thread_member(emu: Emulator, call: Call) -> dict[str, Any]:
    """GET /channels/{thread_id}/thread-members/{user_id}."""
    thread = _thread(emu, call)
    user_id = _member_target(emu, call)
    if user_id not in emu.world.thread_members.get(thread.id, set()):
        raise not_found("Member", 10007)
    return _thread_member_json(thread, user_id, emu, with_member="with_member" in call.query)


async def list_thread_members(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    """GET /channels/{thread_id}/thread-members."""
    thread = _thread(emu, call)
    with_member = call.query.get("with_member") in ("true", "True", "1")
    return [
        _thread_member_json(thread, uid, emu, with_member)
        for uid in sorted(emu.world.thread_members.get(thread.id, set()))
    ]


async def active_threads(emu: Emulator, call: Call) -> dict[str, Any]:
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
    router.add("GET", "/channels/{channel_id}", get_channel)
    router.add("PATCH", "/channels/{channel_id}", edit_channel)
    router.add("DELETE", "/channels/{channel_id}", delete_channel)
    router.add("PUT", "/channels/{channel_id}/permissions/{target_id}", put_overwrite)
    router.add("DELETE", "/channels/{channel_id}/permissions/{target_id}", delete_overwrite)
    router.add("POST", "/channels/{channel_id}/typing", typing)
    router.add("GET", "/channels/{channel_id}/messages", list_messages)
    router.add("POST", "/channels/{channel_id}/messages", create_message)
    router.add("POST", "/channels/{channel_id}/messages/bulk-delete", bulk_delete)
    router.add("GET", "/channels/{channel_id}/messages/{message_id}", get_message)
    router.add("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message)
    router.add("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message)
    reactions = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
    router.add("PUT", reactions, add_reaction)
    router.add("DELETE", reactions, remove_own_reaction)
    router.add("POST", "/users/@me/channels", create_dm)
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

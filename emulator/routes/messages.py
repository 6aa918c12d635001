"""Message routes: send, read, edit and delete messages, and the bot's own reactions."""

from __future__ import annotations

import time
import urllib.parse
from typing import Any

from emulator.core import Core
from emulator.enums import MESSAGEABLE_TYPES, VOICE_TYPES, ChannelType, ReactionType
from emulator.errors import ApiError, missing_access, not_found
from emulator.messages import (
    apply_edit,
    author_is,
    build_message,
    check_can_send,
    check_edit_not_empty,
    dispatch_message,
    is_reply,
    remove_message,
    store_message,
    wire,
    without_unpermitted_embeds,
)
from emulator.permissions import Permissions
from emulator.rest import Call, Router
from emulator.routes.lookup import bot_perms, get_channel_or_404, message_in_path, require
from emulator.validation import validate_message_body
from emulator.world import Channel

NONCE_WINDOW_SECONDS = 5 * 60  # "the past few minutes"


# ------------------------------------------------------------------ messages
async def create_message(emu: Core, call: Call) -> dict[str, Any]:
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


def _same_nonce(emu: Core, body: dict[str, Any]) -> dict[str, Any] | None:
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


def _require_connect(emu: Core, channel: Channel) -> None:
    """Reading a voice or stage channel's messages also needs CONNECT (else 50001)."""
    if channel.type in VOICE_TYPES and not bot_perms(emu, channel) & Permissions.CONNECT:
        raise missing_access()


async def get_message(emu: Core, call: Call) -> dict[str, Any]:
    """GET /channels/{channel_id}/messages/{message_id}: VIEW_CHANNEL + READ_MESSAGE_HISTORY."""
    channel, message = message_in_path(emu, call)
    if channel.guild_id is not None:
        _require_connect(emu, channel)
        if not bot_perms(emu, channel) & Permissions.READ_MESSAGE_HISTORY:
            raise missing_access()
    return wire(message)


async def list_messages(emu: Core, call: Call) -> list[dict[str, Any]]:
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


async def edit_message(emu: Core, call: Call) -> dict[str, Any]:
    """PATCH /channels/{channel_id}/messages/{message_id} (own messages; flags for others)."""
    channel, message = message_in_path(emu, call)
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
    dispatch_message(emu, "MESSAGE_UPDATE", message)
    emu.notify()
    return wire(message)


async def delete_message(emu: Core, call: Call) -> None:
    """DELETE /channels/{channel_id}/messages/{message_id}."""
    channel, message = message_in_path(emu, call)
    if not author_is(message, emu.bot_user.id):
        if channel.type == ChannelType.DM:
            raise ApiError(403, 50003, "Cannot execute action on a DM channel")
        require(emu, channel, Permissions.MANAGE_MESSAGES, "MANAGE_MESSAGES")
    remove_message(emu, message)


async def bulk_delete(emu: Core, call: Call) -> None:
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


# ------------------------------------------------------------------ reactions
def _emoji(call: Call) -> dict[str, Any]:
    raw = urllib.parse.unquote(call.params["emoji"])
    if ":" in raw:
        name, emoji_id = raw.rsplit(":", 1)
        return {"id": emoji_id, "name": name}
    return {"id": None, "name": raw}


async def add_reaction(emu: Core, call: Call) -> None:
    """PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me."""
    channel, message = message_in_path(emu, call)
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
        "type": ReactionType.NORMAL,
    }
    if channel.guild_id is not None:
        data["guild_id"] = str(channel.guild_id)
    emu.dispatch("MESSAGE_REACTION_ADD", data, guild_id=channel.guild_id)
    emu.notify()


async def remove_own_reaction(emu: Core, call: Call) -> None:
    """DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me."""
    _, message = message_in_path(emu, call)
    emoji = _emoji(call)
    for reaction in message.get("reactions", []):
        if reaction["emoji"] == emoji and reaction["me"]:
            reaction["me"] = False
            reaction["count"] -= 1
    message["reactions"] = [r for r in message.get("reactions", []) if r["count"] > 0]
    emu.notify()


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("GET", "/channels/{channel_id}/messages", list_messages)
    router.add("POST", "/channels/{channel_id}/messages", create_message)
    router.add("POST", "/channels/{channel_id}/messages/bulk-delete", bulk_delete)
    router.add("GET", "/channels/{channel_id}/messages/{message_id}", get_message)
    router.add("PATCH", "/channels/{channel_id}/messages/{message_id}", edit_message)
    router.add("DELETE", "/channels/{channel_id}/messages/{message_id}", delete_message)
    reactions = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
    router.add("PUT", reactions, add_reaction)
    router.add("DELETE", reactions, remove_own_reaction)

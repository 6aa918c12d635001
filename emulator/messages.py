"""Build, store, edit and dispatch messages, with attachments and mention resolution."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from emulator.core import Core
from emulator.enums import ChannelType, MessageFlag, MessageType, ReferenceType
from emulator.errors import ApiError, missing_access, missing_permissions
from emulator.ids import iso
from emulator.permissions import Permissions
from emulator.validation import is_empty_message
from emulator.world import Channel

# Keys the emulator keeps on stored messages that Discord does not send.
INTERNAL_KEYS = frozenset({"allowed_mentions"})
# What an edit may change that decides whether a message shows anything.
MESSAGE_PARTS = ("content", "embeds", "components", "attachments", "sticker_items", "poll")
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body (files[n])."""

    field: str
    filename: str
    content_type: str | None
    data: bytes

    @property
    def index(self) -> int | None:
        """Return n for a field named files[n], else None."""
        match = re.fullmatch(r"files\[(\d+)\]", self.field)
        return int(match.group(1)) if match else None


def wire(message: dict[str, Any]) -> dict[str, Any]:
    """Return the message as Discord sends it (without the emulator's own keys)."""
    return {k: v for k, v in message.items() if k not in INTERNAL_KEYS}


def new_attachment(
    emu: Core, channel_id: int, upload: Upload, description: str | None = None
) -> dict[str, Any]:
    """Store an uploaded file and return its attachment object."""
    if len(upload.data) > ATTACHMENT_SIZE_LIMIT:
        raise ApiError(
            413,
            40005,
            "Request entity too large",
            problem=f"file {upload.filename!r} is {len(upload.data)} bytes (limit 10 MiB)",
        )
    attachment_id = emu.snowflakes.next()
    emu.world.attachment_data[attachment_id] = upload.data
    url = f"{emu.http_base}/attachments/{channel_id}/{attachment_id}/{upload.filename}"
    content_type = upload.content_type
    if not content_type or content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(upload.filename)[0] or content_type
    data: dict[str, Any] = {
        "id": str(attachment_id),
        "filename": upload.filename,
        "size": len(upload.data),
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
        "height": None,
        "width": None,
    }
    if description:
        data["description"] = description
    return data


def build_attachments(
    emu: Core,
    channel_id: int,
    body_attachments: list[dict] | None,
    uploads: list[Upload],
    existing: list[dict] | None = None,
) -> list[dict]:
    """Merge kept attachments with new uploads the way Discord reads `attachments` + files[n]."""
    existing = existing or []
    by_index = {u.index: u for u in uploads if u.index is not None}
    used: set[int] = set()
    result: list[dict] = []
    if body_attachments is None:
        result.extend(existing)
    else:
        kept = {a["id"]: a for a in existing}
        for item in body_attachments:
            raw_id: Any = item.get("id")
            if str(raw_id) in kept:
                result.append(kept[str(raw_id)])
                continue
            try:
                index = int(raw_id)
            except (TypeError, ValueError):
                continue
            upload = by_index.get(index)
            if upload is None:
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    errors={"attachments": {"_errors": [{"code": "ATTACHMENT_NOT_FOUND"}]}},
                    problem=f"attachments refers to files[{index}] which was not uploaded",
                )
            used.add(index)
            result.append(new_attachment(emu, channel_id, upload, item.get("description")))
    for upload in uploads:
        if upload.index not in used:
            result.append(new_attachment(emu, channel_id, upload))
    return result


def _author_permissions(emu: Core, channel_id: int, author_id: int) -> int:
    """Return the author's permissions where the message is (webhooks: everything)."""
    channel = emu.world.get_channel(channel_id)
    if channel is None or channel.guild_id is None or author_id not in emu.world.users:
        return Permissions.ALL
    return emu.world.permissions_in(channel, author_id)


def resolve_mentions(
    emu: Core,
    guild_id: int | None,
    content: str,
    allowed: dict[str, Any] | None,
    replied_user_id: int | None = None,
    author_permissions: int = Permissions.ALL,
) -> tuple[list[dict], list[str], bool]:
    """Return (mentions, mention_roles, mention_everyone) that would actually ping.

    As on Discord, a role pings only if it is mentionable or the author has MENTION_EVERYONE,
    and @everyone/@here only with MENTION_EVERYONE.
    """
    content = content or ""
    may_mention_everyone = bool(author_permissions & Permissions.MENTION_EVERYONE)
    parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
    ping_reply = allowed is None or allowed.get("replied_user", True)
    replied = replied_user_id if ping_reply else None
    mentions = _pinged_users(emu, guild_id, content, parse, allowed, replied)
    roles = _pinged_roles(emu, guild_id, content, parse, allowed, may_mention_everyone)
    everyone = (
        may_mention_everyone
        and "everyone" in parse
        and ("@everyone" in content or "@here" in content)
    )
    return mentions, roles, everyone


def _pinged_users(
    emu: Core,
    guild_id: int | None,
    content: str,
    parse: set[str],
    allowed: dict[str, Any] | None,
    replied_user_id: int | None,
) -> list[dict]:
    allowed_users = {str(u) for u in (allowed or {}).get("users") or []}
    user_ids: list[int] = []
    for raw in _USER_MENTION.findall(content):
        if ("users" in parse or raw in allowed_users) and int(raw) not in user_ids:
            user_ids.append(int(raw))
    if replied_user_id is not None and replied_user_id not in user_ids:
        user_ids.append(replied_user_id)
    mentions = []
    for uid in user_ids:
        user = emu.world.users.get(uid)
        if user is not None:
            data = user.to_json()
            member = emu.world.members.get((guild_id, uid)) if guild_id else None
            if member is not None:
                data["member"] = member.to_json(with_user=False)
            mentions.append(data)
    return mentions


def _pinged_roles(
    emu: Core,
    guild_id: int | None,
    content: str,
    parse: set[str],
    allowed: dict[str, Any] | None,
    may_mention_everyone: bool,
) -> list[str]:
    allowed_roles = {str(r) for r in (allowed or {}).get("roles") or []}
    roles: list[str] = []
    for raw in _ROLE_MENTION.findall(content):
        role = emu.world.roles.get(int(raw))
        if role is None or role.guild_id != guild_id:
            continue
        if not (role.mentionable or may_mention_everyone):
            continue
        if ("roles" in parse or raw in allowed_roles) and raw not in roles:
            roles.append(raw)
    return roles


def build_message(
    emu: Core,
    channel: Channel,
    author: dict[str, Any],
    body: dict[str, Any],
    uploads: list[Upload],
    *,
    message_type: int = MessageType.DEFAULT,
    flags: int | None = None,
    message_id: int | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a message dict (not stored yet) from a request body."""
    content = body.get("content") or ""
    allowed = body.get("allowed_mentions")
    reference = body.get("message_reference")
    replied_user_id = None
    referenced = None
    if reference and reference.get("message_id"):
        referenced = emu.world.message_index.get(int(reference["message_id"]))
        if referenced is None and reference.get("fail_if_not_exists", True):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                errors={
                    "message_reference": {
                        "_errors": [
                            {"code": "REPLIES_UNKNOWN_MESSAGE", "message": "Unknown message"}
                        ]
                    }
                },
            )
        if referenced is not None:
            replied_user_id = int(referenced["author"]["id"])
            if message_type == MessageType.DEFAULT:
                message_type = MessageType.REPLY
    mentions, mention_roles, everyone = resolve_mentions(
        emu,
        channel.guild_id,
        content,
        allowed,
        replied_user_id,
        _author_permissions(emu, channel.id, int(author["id"])),
    )
    message: dict[str, Any] = {
        "id": str(message_id or emu.snowflakes.next()),
        "channel_id": str(channel.id),
        "type": message_type,
        "content": content,
        "author": author,
        "attachments": build_attachments(emu, channel.id, body.get("attachments"), uploads),
        "embeds": [_normalise_embed(e) for e in body.get("embeds") or []],
        "components": body.get("components") or [],
        "mentions": mentions,
        "mention_roles": mention_roles,
        "mention_everyone": everyone,
        "pinned": False,
        "tts": bool(body.get("tts")),
        "timestamp": iso(emu.utcnow()),
        "edited_timestamp": None,
        "flags": int(body.get("flags") or 0) if flags is None else flags,
        "allowed_mentions": allowed,
    }
    if channel.guild_id is not None:
        message["guild_id"] = str(channel.guild_id)
    if body.get("nonce") is not None:
        message["nonce"] = body["nonce"]
    if body.get("poll"):
        message["poll"] = body["poll"]
    if referenced is not None:
        message["message_reference"] = {
            "type": ReferenceType.DEFAULT,
            "message_id": referenced["id"],
            "channel_id": referenced["channel_id"],
            "guild_id": referenced.get("guild_id"),
        }
        message["referenced_message"] = wire(referenced)
    if extra:
        message.update(extra)
    return message


def _normalise_embed(embed: dict[str, Any]) -> dict[str, Any]:
    data = dict(embed)
    data.setdefault("type", "rich")
    return data


def apply_edit(
    emu: Core, message: dict[str, Any], body: dict[str, Any], uploads: list[Upload]
) -> dict[str, Any]:
    """Apply a PATCH body to a stored message in place and return it."""
    for key in ("content", "embeds", "components"):
        if key in body:
            value = body[key]
            if value is None:
                value = "" if key == "content" else []
            message[key] = [_normalise_embed(e) for e in value] if key == "embeds" else value
    if "flags" in body and body["flags"] is not None:
        keep = int(message["flags"]) & (MessageFlag.EPHEMERAL | MessageFlag.IS_COMPONENTS_V2)
        changeable = MessageFlag.SUPPRESS_EMBEDS | MessageFlag.IS_COMPONENTS_V2
        message["flags"] = keep | (int(body["flags"]) & changeable)
    message["flags"] = int(message["flags"]) & ~MessageFlag.LOADING
    if "allowed_mentions" in body:
        message["allowed_mentions"] = body["allowed_mentions"]
    if "attachments" in body or uploads:
        message["attachments"] = build_attachments(
            emu,
            int(message["channel_id"]),
            body.get("attachments"),
            uploads,
            message.get("attachments"),
        )
    guild_id = int(message["guild_id"]) if message.get("guild_id") else None
    if "content" in body or "allowed_mentions" in body:
        author_perms = _author_permissions(
            emu, int(message["channel_id"]), int(message["author"]["id"])
        )
        mentions, roles, everyone = resolve_mentions(
            emu,
            guild_id,
            message["content"],
            message.get("allowed_mentions"),
            author_permissions=author_perms,
        )
        message.update(mentions=mentions, mention_roles=roles, mention_everyone=everyone)
    message["edited_timestamp"] = iso(emu.utcnow())
    return message


def check_edit_not_empty(
    message: dict[str, Any], body: dict[str, Any], uploads: list[Upload], context: str
) -> None:
    """Raise 50006 like Discord if an edit would leave the message showing nothing."""
    after = {key: body[key] if key in body else message.get(key) for key in MESSAGE_PARTS}
    if "attachments" in body:
        after["attachments"] = list(body["attachments"] or []) + list(uploads)
    elif uploads:
        after["attachments"] = [*(message.get("attachments") or []), *uploads]
    if is_empty_message(after):
        raise ApiError(
            400, 50006, "Cannot send an empty message", problem=f"{context}: edit leaves it empty"
        )


def without_unpermitted_embeds(
    emu: Core, channel: Channel, body: dict[str, Any], *, has_files: bool, editing: bool
) -> dict[str, Any]:
    """Return the body as Discord keeps it when the bot lacks EMBED_LINKS in the channel.

    Discord drops the embeds of such a message; a new message left with nothing else is
    refused with 403 50013 (an edit left empty gets the usual 50006).
    """
    if not body.get("embeds") or channel.guild_id is None:
        return body
    if emu.world.permissions_in(channel, emu.bot_user.id) & Permissions.EMBED_LINKS:
        return body
    rest = body.get("content") or body.get("components") or has_files or body.get("sticker_ids")
    if not editing and not (rest or body.get("poll")):
        raise missing_permissions("EMBED_LINKS")
    return {**body, "embeds": []}


def check_can_send(
    emu: Core,
    channel: Channel,
    *,
    has_files: bool,
    replies: bool = False,
) -> None:
    """Raise the 403 Discord answers when the bot may not post in a channel.

    (Embeds without EMBED_LINKS are dropped rather than refused: see without_unpermitted_embeds.)
    """
    world = emu.world
    bot_id = emu.bot_user.id
    if channel.type == ChannelType.DM:
        user = channel.recipients[0]
        if user.bot or user.id in world.closed_dms or not world.guild_shared_with_bot(user.id):
            raise ApiError(403, 50007, "Cannot send messages to this user")
        return
    perms = world.permissions_in(channel, bot_id)
    if not perms & Permissions.VIEW_CHANNEL:
        raise missing_access()
    needed = (
        Permissions.SEND_MESSAGES_IN_THREADS if channel.is_thread else Permissions.SEND_MESSAGES
    )
    if not perms & needed:
        raise missing_permissions("SEND_MESSAGES")
    if has_files and not perms & Permissions.ATTACH_FILES:
        raise missing_permissions("ATTACH_FILES")
    if replies and not perms & Permissions.READ_MESSAGE_HISTORY:
        raise missing_permissions("READ_MESSAGE_HISTORY (reply)")
    if channel.is_thread and channel.locked and not perms & Permissions.MANAGE_THREADS:
        raise ApiError(403, 160005, "Thread is locked")


def store_message(emu: Core, channel: Channel, message: dict[str, Any]) -> None:
    """Add a message to its channel's history and dispatch MESSAGE_CREATE."""
    world = emu.world
    world.messages[channel.id].append(message)
    world.message_index[int(message["id"])] = message
    channel.last_message_id = int(message["id"])
    if channel.is_thread:
        channel.message_count += 1
        channel.total_message_sent += 1
        if channel.archived:
            channel.archived = False
            channel.archive_timestamp = iso(emu.utcnow())
            emu.dispatch("THREAD_UPDATE", channel.to_json(), guild_id=channel.guild_id)
    dispatch_message(emu, "MESSAGE_CREATE", message)
    emu.notify()


def remove_message(emu: Core, message: dict[str, Any]) -> None:
    """Delete a stored message and dispatch MESSAGE_DELETE."""
    world = emu.world
    message_id = int(message["id"])
    channel_id = int(message["channel_id"])
    world.message_index.pop(message_id, None)
    history = world.messages.get(channel_id)
    if history is not None and message in history:
        history.remove(message)
        data: dict[str, Any] = {"id": message["id"], "channel_id": message["channel_id"]}
        guild_id = message.get("guild_id")
        if guild_id:
            data["guild_id"] = guild_id
        emu.dispatch("MESSAGE_DELETE", data, guild_id=int(guild_id) if guild_id else None)
    emu.notify()


def is_reply(body: dict[str, Any]) -> bool:
    """Say whether a message body replies to another message (a forward is not a reply)."""
    reference = body.get("message_reference") or {}
    kind = int(reference.get("type") or ReferenceType.DEFAULT)
    return bool(reference.get("message_id")) and kind == ReferenceType.DEFAULT


def author_is(message: dict[str, Any], user_id: int) -> bool:
    """Return whether a message was written by the given user."""
    return int(message["author"]["id"]) == user_id


def dispatch_message(emu: Core, event: str, message: dict[str, Any]) -> None:
    """Dispatch MESSAGE_CREATE/UPDATE with the author's member and the content intent's rules."""
    if not emu.hub.sessions:
        return
    data = wire(message)
    guild_id = int(message["guild_id"]) if message.get("guild_id") else None
    author_id = int(message["author"]["id"])
    if guild_id is not None and "webhook_id" not in message:
        member = emu.world.members.get((guild_id, author_id))
        if member is not None:
            data["member"] = member.to_json(with_user=False)
    redacted = None
    mentions_bot = any(int(u["id"]) == emu.bot_user.id for u in message.get("mentions", []))
    if guild_id is not None and author_id != emu.bot_user.id and not mentions_bot:
        redacted = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
    emu.hub.dispatch(event, data, guild_id=guild_id, redacted=redacted)

"""Channel routes: get, edit and delete channels, permission overwrites, typing, DM channels."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.enums import ChannelType, OverwriteType
from emulator.errors import ApiError, FormErrors, missing_permissions, not_found
from emulator.permissions import Permissions, normalise_overwrites
from emulator.rest import Call, Router
from emulator.routes.lookup import bot_perms, check_grantable, get_channel_or_404, require
from emulator.routes.threads import edit_thread


# ------------------------------------------------------------------ channels
async def get_channel(emu: Core, call: Call) -> dict[str, Any]:
    """GET /channels/{channel_id}."""
    return get_channel_or_404(emu, call.id("channel_id")).to_json()


async def edit_channel(emu: Core, call: Call) -> dict[str, Any]:
    """PATCH /channels/{channel_id}: rename, topic, overwrites; archive/lock for threads."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    body = call.body()
    if channel.type == ChannelType.DM:
        raise ApiError(403, 50003, "Cannot execute action on a DM channel")
    if channel.is_thread:
        return edit_thread(emu, channel, body)
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


async def delete_channel(emu: Core, call: Call) -> dict[str, Any]:
    """DELETE /channels/{channel_id}."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    if channel.type == ChannelType.DM:
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


# ------------------------------------------------------------------ permission overwrites
async def put_overwrite(emu: Core, call: Call) -> None:
    """PUT /channels/{channel_id}/permissions/{target_id}: needs MANAGE_ROLES, no escalation."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    if channel.is_thread or channel.type == ChannelType.DM:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    target_id = call.id("target_id")
    body = call.body()
    raw_kind: Any = body.get("type")
    errors = FormErrors()
    if raw_kind not in (*OverwriteType, "0", "1"):
        errors.add("type", "BASE_TYPE_CHOICES", "Value must be one of (0, 1).")
    try:
        allow = int(body.get("allow") or 0)
        deny = int(body.get("deny") or 0)
    except (TypeError, ValueError):
        errors.add("allow", "NUMBER_TYPE_COERCE", "Value is not int.")
        allow = deny = 0
    errors.raise_if_any(f"PUT overwrite in {channel.name}")
    kind = OverwriteType(int(raw_kind))
    world = emu.world
    if kind == OverwriteType.ROLE:
        role = world.roles.get(target_id)
        if role is None or role.guild_id != channel.guild_id:
            raise not_found("Role", 10011)
    elif target_id not in world.users:
        raise not_found("User", 10013)
    perms = bot_perms(emu, channel)
    if not perms & Permissions.MANAGE_ROLES:
        raise missing_permissions("MANAGE_ROLES")
    check_grantable(perms, allow | deny, "grant or deny")
    overwrites = [o for o in channel.permission_overwrites if o["id"] != str(target_id)]
    entry = {"id": str(target_id), "type": int(kind), "allow": str(allow), "deny": str(deny)}
    overwrites.append(entry)
    channel.permission_overwrites = overwrites
    emu.dispatch("CHANNEL_UPDATE", channel.to_json(), guild_id=channel.guild_id)
    emu.notify()


async def delete_overwrite(emu: Core, call: Call) -> None:
    """DELETE /channels/{channel_id}/permissions/{target_id}."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    require(emu, channel, Permissions.MANAGE_ROLES, "MANAGE_ROLES")
    target = call.params["target_id"]
    before = len(channel.permission_overwrites)
    channel.permission_overwrites = [o for o in channel.permission_overwrites if o["id"] != target]
    if len(channel.permission_overwrites) != before:
        emu.dispatch("CHANNEL_UPDATE", channel.to_json(), guild_id=channel.guild_id)
    emu.notify()


# ------------------------------------------------------------------ typing and DMs
async def typing(emu: Core, call: Call) -> None:
    """POST /channels/{channel_id}/typing."""
    get_channel_or_404(emu, call.id("channel_id"))


async def create_dm(emu: Core, call: Call) -> dict[str, Any]:
    """POST /users/@me/channels {recipient_id}."""
    body = call.body()
    try:
        user_id = int(body.get("recipient_id", ""))
    except (TypeError, ValueError):
        raise ApiError(
            400, 50035, "Invalid Form Body", problem="DM create without a valid recipient_id"
        ) from None
    if user_id not in emu.world.users:
        raise not_found("User", 10013)
    return emu.dm_channel_for(user_id).to_json()


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("GET", "/channels/{channel_id}", get_channel)
    router.add("PATCH", "/channels/{channel_id}", edit_channel)
    router.add("DELETE", "/channels/{channel_id}", delete_channel)
    router.add("PUT", "/channels/{channel_id}/permissions/{target_id}", put_overwrite)
    router.add("DELETE", "/channels/{channel_id}/permissions/{target_id}", delete_overwrite)
    router.add("POST", "/channels/{channel_id}/typing", typing)
    router.add("POST", "/users/@me/channels", create_dm)

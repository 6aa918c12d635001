"""Interaction callbacks, followups, @original edits, and channel webhooks."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from emulator.errors import ApiError, FormErrors, missing_permissions, not_found
from emulator.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    COMPONENT,
    MODAL_SUBMIT,
    InteractionHandle,
)
from emulator.messages import (
    apply_edit,
    build_message,
    check_edit_not_empty,
    remove_message,
    store_message,
    wire,
)
from emulator.permissions import Permissions
from emulator.rest import Call, Router
from emulator.validation import (
    EPHEMERAL,
    IS_COMPONENTS_V2,
    LOADING,
    SUPPRESS_EMBEDS,
    SUPPRESS_NOTIFICATIONS,
    validate_autocomplete,
    validate_message_body,
    validate_modal,
)
from emulator.world import Channel

if TYPE_CHECKING:
    from emulator.driver import Emulator

_ALLOWED_RESPONSES = {
    APPLICATION_COMMAND: {4, 5, 9},
    COMPONENT: {4, 5, 6, 7, 9},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}
_RESPONSE_NAMES = {
    4: "message",
    5: "deferred message",
    6: "deferred update",
    7: "update message",
    8: "autocomplete result",
    9: "modal",
}


def _interaction_message(
    emu: Emulator,
    handle: InteractionHandle,
    data: dict[str, Any],
    uploads: list[Any],
    *,
    flags: int,
) -> dict[str, Any]:
    """Create the message for a type 4/5 answer or a followup (ephemeral ones stay off-channel)."""
    channel = emu.world.get_channel(handle.channel_id)
    if channel is None:
        raise not_found("Channel", 10003)
    inner = handle.payload.get("data") or {}
    if handle.type == APPLICATION_COMMAND:
        message_type = 20 if inner.get("type", 1) == 1 else 23
    else:
        message_type = 0
    user = emu.world.users[handle.user_id].to_json()
    extra = {
        "webhook_id": str(emu.application_id),
        "application_id": str(emu.application_id),
        "interaction_metadata": {
            "id": str(handle.id),
            "type": handle.type,
            "user": user,
            "authorizing_integration_owners": handle.payload.get("authorizing_integration_owners"),
        },
        "interaction": {
            "id": str(handle.id),
            "type": handle.type,
            "name": inner.get("name") or inner.get("custom_id") or "",
            "user": user,
        },
    }
    message = build_message(
        emu,
        channel,
        emu.bot_user.to_json(),
        data,
        uploads,
        message_type=message_type,
        flags=flags,
        extra=extra,
    )
    if flags & EPHEMERAL:
        emu.world.message_index[int(message["id"])] = message
        emu.ephemeral_owners[int(message["id"])] = handle.user_id
        emu.notify()
    else:
        store_message(emu, channel, message)
    return message


def _update_message(
    emu: Emulator, message: dict[str, Any], body: dict[str, Any], uploads: list
) -> None:
    apply_edit(emu, message, body, uploads)
    if not int(message.get("flags") or 0) & EPHEMERAL:
        emu.dispatch_message("MESSAGE_UPDATE", message)
    emu.notify()


def _message_flags(data: dict[str, Any]) -> int:
    return int(data.get("flags") or 0) & (
        EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2
    )


async def callback(emu: Emulator, call: Call) -> dict[str, Any]:
    """POST /interactions/{id}/{token}/callback: the first answer, within the deadline."""
    handle = emu.interactions.get(call.id("interaction_id"))
    if handle is None or handle.token != call.params["token"]:
        raise ApiError(
            404, 10062, "Unknown interaction", problem="callback for an unknown interaction"
        )
    body = call.body()
    handle.attempts.append(body)
    rtype = body.get("type")
    context = f"interaction {handle.label}: answer type {rtype}"
    if handle.first_response is not None:
        raise ApiError(
            400,
            40060,
            "Interaction has already been acknowledged.",
            problem=f"{context}: second initial response (already answered with type "
            f"{handle.response_type}); use a followup or edit_original_response",
        )
    elapsed = asyncio.get_running_loop().time() - handle.created_at
    if handle.expired or elapsed > handle.deadline:
        handle.expired = True
        raise ApiError(
            404,
            10062,
            "Unknown interaction",
            problem=f"{context}: answered after {elapsed:.2f}s (deadline {handle.deadline}s)",
        )
    if rtype not in _ALLOWED_RESPONSES[handle.type]:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            errors={"type": {"_errors": [{"code": "INTERACTION_RESPONSE_TYPE_INVALID"}]}},
            problem=f"{context}: type {rtype} is not a valid answer to interaction type "
            f"{handle.type}",
        )
    data = body.get("data") or {}
    if rtype in (6, 7) and handle.source_message_id is None:
        raise ApiError(
            400, 50035, "Invalid Form Body", problem=f"{context}: no component message to update"
        )
    if rtype == 4:
        validate_message_body(
            data,
            has_files=bool(call.uploads),
            context=context,
            allow_ephemeral=True,
            prefix="data",
        )
        message = _interaction_message(emu, handle, data, call.uploads, flags=_message_flags(data))
        handle.original_id = int(message["id"])
    elif rtype == 5:
        flags = (int(data.get("flags") or 0) & EPHEMERAL) | LOADING
        message = _interaction_message(emu, handle, {"content": ""}, [], flags=flags)
        handle.original_id = int(message["id"])
    elif rtype == 6:
        handle.original_id = handle.source_message_id
    elif rtype == 7:
        validate_message_body(
            data, has_files=bool(call.uploads), context=context, editing=True, prefix="data"
        )
        source = emu.world.message_index.get(handle.source_message_id or 0)
        if source is None:
            raise not_found("Message", 10008)
        check_edit_not_empty(source, data, call.uploads, context)
        _update_message(emu, source, data, call.uploads)
        handle.original_id = handle.source_message_id
    elif rtype == 8:
        validate_autocomplete(data, context)
    elif rtype == 9:
        validate_modal(data, context)
        emu.modal_origins[data["custom_id"]] = handle
    handle.files = [(u.filename, u.data) for u in call.uploads]
    handle.first_response = body
    if handle._timer is not None:
        handle._timer.cancel()
    emu.notify()
    message = handle.message if rtype in (4, 5, 7) else None
    resource: dict[str, Any] = {"type": rtype}
    if message is not None:
        resource["message"] = wire(message)
    return {
        "interaction": {
            "id": str(handle.id),
            "type": handle.type,
            "activity_instance_id": None,
            "response_message_id": str(handle.original_id) if message is not None else None,
            "response_message_loading": rtype == 5,
            "response_message_ephemeral": bool(message and int(message["flags"]) & EPHEMERAL),
        },
        "resource": resource,
    }


# ------------------------------------------------------------------ webhooks
def _is_interaction_webhook(emu: Emulator, call: Call) -> bool:
    return call.params["webhook_id"] == str(emu.application_id)


def _handle_for(emu: Emulator, call: Call, what: str) -> InteractionHandle:
    handle = emu.interactions_by_token.get(call.params["webhook_token"])
    if handle is None:
        raise ApiError(
            404, 10015, "Unknown Webhook", problem=f"{what} for an unknown interaction token"
        )
    if handle.first_response is None:
        raise ApiError(
            404,
            10015,
            "Unknown Webhook",
            problem=f"interaction {handle.label}: {what} before the initial response",
        )
    return handle


def _channel_webhook(emu: Emulator, call: Call, *, token: bool = True) -> dict[str, Any]:
    hook = emu.world.webhooks.get(call.id("webhook_id"))
    if hook is None or (token and hook["token"] != call.params.get("webhook_token")):
        raise not_found("Webhook", 10015)
    return hook


async def execute_webhook(emu: Emulator, call: Call) -> Any:
    """POST /webhooks/{id}/{token}: interaction followups, or a channel webhook post."""
    body = call.body()
    wait = call.query.get("wait", "false").lower() in ("1", "true")
    if _is_interaction_webhook(emu, call):
        handle = _handle_for(emu, call, "followup")
        context = f"interaction {handle.label}: followup"
        validate_message_body(
            body, has_files=bool(call.uploads), context=context, allow_ephemeral=True
        )
        original = handle.message
        if handle.response_type == 5 and original is not None and int(original["flags"]) & LOADING:
            # The first followup after a deferral fills in the "thinking" message.
            _update_message(emu, original, body, call.uploads)
            message = original
        else:
            message = _interaction_message(
                emu, handle, body, call.uploads, flags=_message_flags(body)
            )
        handle.followup_ids.append(int(message["id"]))
        emu.notify()
        return wire(message) if wait else None
    hook = _channel_webhook(emu, call)
    channel = emu.world.get_channel(int(call.query.get("thread_id") or hook["channel_id"]))
    if channel is None:
        raise not_found("Channel", 10003)
    validate_message_body(body, has_files=bool(call.uploads), context="webhook message")
    if body.get("components") and not hook.get("application_id"):
        raise ApiError(400, 50035, "Invalid Form Body", problem="components on a non-app webhook")
    author = {
        "id": hook["id"],
        "username": body.get("username") or hook["name"],
        "avatar": None,
        "discriminator": "0000",
        "global_name": None,
        "bot": True,
    }
    message = build_message(
        emu,
        channel,
        author,
        body,
        call.uploads,
        extra={"webhook_id": hook["id"], "application_id": str(emu.application_id)},
    )
    store_message(emu, channel, message)
    return wire(message) if wait else None


def _webhook_message(emu: Emulator, call: Call, what: str) -> tuple[InteractionHandle | None, dict]:
    raw_id = call.params["message_id"]
    if _is_interaction_webhook(emu, call):
        handle = _handle_for(emu, call, what)
        if raw_id == "@original":
            message = handle.message if handle.response_type in (4, 5, 6, 7) else None
            if message is None or handle.deleted_original:
                raise ApiError(
                    404,
                    10008,
                    "Unknown Message",
                    problem=f"interaction {handle.label}: {what} @original but the answer "
                    f"(type {handle.response_type}) has no message",
                )
            return handle, message
        message_id = call.id("message_id")
        if message_id not in handle.followup_ids and message_id != handle.original_id:
            raise not_found("Message", 10008)
        message = emu.world.message_index.get(message_id)
        if message is None:
            raise not_found("Message", 10008)
        return handle, message
    hook = _channel_webhook(emu, call)
    message = emu.world.message_index.get(call.id("message_id"))
    if message is None or message.get("webhook_id") != hook["id"]:
        raise not_found("Message", 10008)
    return None, message


async def get_webhook_message(emu: Emulator, call: Call) -> dict[str, Any]:
    """GET /webhooks/{id}/{token}/messages/{message_id|@original}."""
    return wire(_webhook_message(emu, call, "GET")[1])


async def edit_webhook_message(emu: Emulator, call: Call) -> dict[str, Any]:
    """PATCH /webhooks/{id}/{token}/messages/{message_id|@original}."""
    handle, message = _webhook_message(emu, call, "edit")
    body = call.body()
    context = f"interaction {handle.label}: edit" if handle else "webhook message edit"
    validate_message_body(body, has_files=bool(call.uploads), context=context, editing=True)
    check_edit_not_empty(message, body, call.uploads, context)
    _update_message(emu, message, body, call.uploads)
    if handle is not None:
        handle.edit_count += 1
        if call.params["message_id"] == "@original" and handle.response_type in (4, 5):
            handle.files = handle.files or [(u.filename, u.data) for u in call.uploads]
    emu.notify()
    return wire(message)


async def delete_webhook_message(emu: Emulator, call: Call) -> None:
    """DELETE /webhooks/{id}/{token}/messages/{message_id|@original}."""
    handle, message = _webhook_message(emu, call, "delete")
    if int(message.get("flags") or 0) & EPHEMERAL:
        emu.world.message_index.pop(int(message["id"]), None)
        emu.notify()
    else:
        remove_message(emu, message)
    if handle is not None and int(message["id"]) == handle.original_id:
        handle._last_original = message
        handle.deleted_original = True


# ------------------------------------------------------------------ channel webhooks
def _webhook_json(hook: dict[str, Any], *, with_token: bool = True) -> dict[str, Any]:
    data = dict(hook)
    if not with_token:
        data.pop("token", None)
    return data


async def create_webhook(emu: Emulator, call: Call) -> dict[str, Any]:
    """POST /channels/{channel_id}/webhooks: MANAGE_WEBHOOKS."""
    from emulator.routes.channels import get_channel_or_404, require

    channel = get_channel_or_404(emu, call.id("channel_id"))
    if channel.guild_id is None or channel.is_thread:
        raise ApiError(400, 50024, "Cannot execute action on this channel type")
    require(emu, channel, Permissions.MANAGE_WEBHOOKS, "MANAGE_WEBHOOKS")
    body = call.body()
    name = body.get("name") or ""
    errors = FormErrors()
    if not 1 <= len(name) <= 80:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 80 in length.")
    if "clyde" in name.lower() or "discord" in name.lower():
        errors.add("name", "USERNAME_INVALID_CONTAINS", "Webhook names cannot contain that.")
    errors.raise_if_any("webhook create")
    return _store_webhook(emu, channel, name)


def _store_webhook(emu: Emulator, channel: Channel, name: str) -> dict[str, Any]:
    from emulator.ids import new_token

    hook = {
        "id": str(emu.snowflakes.next()),
        "type": 1,
        "guild_id": str(channel.guild_id),
        "channel_id": str(channel.id),
        "name": name,
        "avatar": None,
        "token": new_token(),
        "application_id": str(emu.application_id),
        "user": emu.bot_user.to_json(),
    }
    emu.world.webhooks[int(hook["id"])] = hook
    emu.dispatch(
        "WEBHOOKS_UPDATE",
        {"guild_id": hook["guild_id"], "channel_id": hook["channel_id"]},
        guild_id=channel.guild_id,
    )
    emu.notify()
    return hook


async def channel_webhooks(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    """GET /channels/{channel_id}/webhooks."""
    from emulator.routes.channels import get_channel_or_404, require

    channel = get_channel_or_404(emu, call.id("channel_id"))
    require(emu, channel, Permissions.MANAGE_WEBHOOKS, "MANAGE_WEBHOOKS")
    return [h for h in emu.world.webhooks.values() if h["channel_id"] == str(channel.id)]


async def guild_webhooks(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/webhooks."""
    from emulator.routes.guilds import guild_or_404, require_guild

    guild = guild_or_404(emu, call)
    require_guild(emu, guild, Permissions.MANAGE_WEBHOOKS, "MANAGE_WEBHOOKS")
    return [h for h in emu.world.webhooks.values() if h["guild_id"] == str(guild.id)]


async def get_webhook(emu: Emulator, call: Call) -> dict[str, Any]:
    """GET /webhooks/{id} and /webhooks/{id}/{token}."""
    hook = _channel_webhook(emu, call, token="webhook_token" in call.params)
    return _webhook_json(hook, with_token="webhook_token" not in call.params)


async def delete_webhook(emu: Emulator, call: Call) -> None:
    """DELETE /webhooks/{id} and /webhooks/{id}/{token}."""
    hook = _channel_webhook(emu, call, token="webhook_token" in call.params)
    del emu.world.webhooks[int(hook["id"])]
    emu.notify()


async def edit_webhook(emu: Emulator, call: Call) -> dict[str, Any]:
    """PATCH /webhooks/{id} and /webhooks/{id}/{token}."""
    hook = _channel_webhook(emu, call, token="webhook_token" in call.params)
    body = call.body()
    if body.get("name"):
        hook["name"] = body["name"]
    if body.get("channel_id"):
        if "webhook_token" in call.params:
            raise missing_permissions("channel_id needs the bot token")
        hook["channel_id"] = str(body["channel_id"])
    return hook


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("POST", "/interactions/{interaction_id}/{token}/callback", callback, auth=False)
    base = "/webhooks/{webhook_id}/{webhook_token}"
    router.add("POST", base, execute_webhook, auth=False)
    router.add("GET", base, get_webhook, auth=False)
    router.add("PATCH", base, edit_webhook, auth=False)
    router.add("DELETE", base, delete_webhook, auth=False)
    router.add("GET", base + "/messages/{message_id}", get_webhook_message, auth=False)
    router.add("PATCH", base + "/messages/{message_id}", edit_webhook_message, auth=False)
    router.add("DELETE", base + "/messages/{message_id}", delete_webhook_message, auth=False)
    router.add("GET", "/webhooks/{webhook_id}", get_webhook)
    router.add("PATCH", "/webhooks/{webhook_id}", edit_webhook)
    router.add("DELETE", "/webhooks/{webhook_id}", delete_webhook)
    router.add("POST", "/channels/{channel_id}/webhooks", create_webhook)
    router.add("GET", "/channels/{channel_id}/webhooks", channel_webhooks)
    router.add("GET", "/guilds/{guild_id}/webhooks", guild_webhooks)

"""Interaction routes: the callback (first answer), followups and @original edits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from emulator.core import Core
from emulator.enums import (
    MESSAGE_CALLBACKS,
    CallbackType,
    CommandType,
    InteractionType,
    MessageFlag,
    MessageType,
)
from emulator.errors import ApiError, not_found
from emulator.handle import InteractionHandle
from emulator.messages import (
    Upload,
    apply_edit,
    build_message,
    check_edit_not_empty,
    dispatch_message,
    remove_message,
    store_message,
    wire,
)
from emulator.rest import Call, Router
from emulator.routes.webhooks import channel_webhook_or_404
from emulator.validation import validate_autocomplete, validate_message_body, validate_modal

# What a bot may answer to each kind of interaction.
_ALLOWED_RESPONSES = {
    InteractionType.APPLICATION_COMMAND: {
        CallbackType.CHANNEL_MESSAGE,
        CallbackType.DEFERRED_CHANNEL_MESSAGE,
        CallbackType.MODAL,
    },
    InteractionType.COMPONENT: {
        CallbackType.CHANNEL_MESSAGE,
        CallbackType.DEFERRED_CHANNEL_MESSAGE,
        CallbackType.DEFERRED_UPDATE_MESSAGE,
        CallbackType.UPDATE_MESSAGE,
        CallbackType.MODAL,
    },
    InteractionType.AUTOCOMPLETE: {CallbackType.AUTOCOMPLETE_RESULT},
    InteractionType.MODAL_SUBMIT: {
        CallbackType.CHANNEL_MESSAGE,
        CallbackType.DEFERRED_CHANNEL_MESSAGE,
        CallbackType.DEFERRED_UPDATE_MESSAGE,
        CallbackType.UPDATE_MESSAGE,
    },
}
# Answers that change the message the component (or the modal's button) is on.
_UPDATES = frozenset({CallbackType.DEFERRED_UPDATE_MESSAGE, CallbackType.UPDATE_MESSAGE})
# Answers whose message the callback's reply describes.
_REPLY_MESSAGE = frozenset(
    {
        CallbackType.CHANNEL_MESSAGE,
        CallbackType.DEFERRED_CHANNEL_MESSAGE,
        CallbackType.UPDATE_MESSAGE,
    }
)
_KEPT_FLAGS = (
    MessageFlag.EPHEMERAL
    | MessageFlag.SUPPRESS_EMBEDS
    | MessageFlag.SUPPRESS_NOTIFICATIONS
    | MessageFlag.IS_COMPONENTS_V2
)


def _interaction_message(
    emu: Core,
    handle: InteractionHandle,
    data: dict[str, Any],
    uploads: list[Upload],
    *,
    flags: int,
) -> dict[str, Any]:
    """Create the message for a type 4/5 answer or a followup (ephemeral ones stay off-channel)."""
    channel = emu.world.get_channel(handle.channel_id)
    if channel is None:
        raise not_found("Channel", 10003)
    inner = handle.payload.get("data") or {}
    message_type = MessageType.DEFAULT
    if handle.type == InteractionType.APPLICATION_COMMAND:
        slash = inner.get("type", CommandType.CHAT_INPUT) == CommandType.CHAT_INPUT
        message_type = MessageType.CHAT_INPUT_COMMAND if slash else MessageType.CONTEXT_MENU_COMMAND
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
    if flags & MessageFlag.EPHEMERAL:
        emu.world.message_index[int(message["id"])] = message
        emu.ephemeral_owners[int(message["id"])] = handle.user_id
        emu.notify()
    else:
        store_message(emu, channel, message)
    return message


def _update_message(
    emu: Core, message: dict[str, Any], body: dict[str, Any], uploads: list[Upload]
) -> None:
    apply_edit(emu, message, body, uploads)
    if not int(message.get("flags") or 0) & MessageFlag.EPHEMERAL:
        dispatch_message(emu, "MESSAGE_UPDATE", message)
    emu.notify()


def _message_flags(data: dict[str, Any]) -> int:
    return int(data.get("flags") or 0) & _KEPT_FLAGS


# ------------------------------------------------------------------ the first answer
async def callback(emu: Core, call: Call) -> dict[str, Any]:
    """POST /interactions/{id}/{token}/callback: the first answer, within the deadline."""
    handle = emu.interactions.get(call.id("interaction_id"))
    if handle is None or handle.token != call.params["token"]:
        raise ApiError(
            404, 10062, "Unknown interaction", problem="callback for an unknown interaction"
        )
    body = call.body()
    handle.attempts.append(body)
    rtype: Any = body.get("type")
    context = f"interaction {handle.label}: answer type {rtype}"
    _check_first_answer(handle, rtype, context)
    # Every type _check_first_answer lets through has its answer here.
    _ANSWERS[rtype](emu, handle, body.get("data") or {}, call.uploads, context)
    handle.accept(body, [(u.filename, u.data) for u in call.uploads])
    emu.notify()
    message = handle.message if rtype in _REPLY_MESSAGE else None
    resource: dict[str, Any] = {"type": rtype}
    if message is not None:
        resource["message"] = wire(message)
    ephemeral = bool(message and int(message["flags"]) & MessageFlag.EPHEMERAL)
    return {
        "interaction": {
            "id": str(handle.id),
            "type": handle.type,
            "activity_instance_id": None,
            "response_message_id": str(handle.original_id) if message is not None else None,
            "response_message_loading": rtype == CallbackType.DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": ephemeral,
        },
        "resource": resource,
    }


def _check_first_answer(handle: InteractionHandle, rtype: Any, context: str) -> None:
    """Refuse a second first answer, a late one, and one of the wrong type, as Discord does."""
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
    if rtype in _UPDATES and handle.source_message_id is None:
        raise ApiError(
            400, 50035, "Invalid Form Body", problem=f"{context}: no component message to update"
        )


def _answer_message(
    emu: Core, handle: InteractionHandle, data: dict, uploads: list[Upload], context: str
) -> None:
    """Type 4: a new message (ephemeral ones stay off the channel)."""
    validate_message_body(
        data, has_files=bool(uploads), context=context, allow_ephemeral=True, prefix="data"
    )
    message = _interaction_message(emu, handle, data, uploads, flags=_message_flags(data))
    handle.original_id = int(message["id"])


def _answer_deferred(
    emu: Core, handle: InteractionHandle, data: dict, uploads: list[Upload], context: str
) -> None:
    """Type 5: a "thinking" message the first followup or @original edit fills in."""
    flags = (int(data.get("flags") or 0) & MessageFlag.EPHEMERAL) | MessageFlag.LOADING
    message = _interaction_message(emu, handle, {"content": ""}, [], flags=flags)
    handle.original_id = int(message["id"])


def _answer_deferred_update(
    emu: Core, handle: InteractionHandle, data: dict, uploads: list[Upload], context: str
) -> None:
    """Type 6: nothing yet; @original is the component's message."""
    handle.original_id = handle.source_message_id


def _answer_update(
    emu: Core, handle: InteractionHandle, data: dict, uploads: list[Upload], context: str
) -> None:
    """Type 7: edit the component's message."""
    validate_message_body(
        data, has_files=bool(uploads), context=context, editing=True, prefix="data"
    )
    source = emu.world.message_index.get(handle.source_message_id or 0)
    if source is None:
        raise not_found("Message", 10008)
    check_edit_not_empty(source, data, uploads, context)
    _update_message(emu, source, data, uploads)
    handle.original_id = handle.source_message_id


def _answer_choices(
    emu: Core, handle: InteractionHandle, data: dict, uploads: list[Upload], context: str
) -> None:
    """Type 8: autocomplete choices."""
    validate_autocomplete(data, context)


def _answer_modal(
    emu: Core, handle: InteractionHandle, data: dict, uploads: list[Upload], context: str
) -> None:
    """Type 9: open a modal (remembered, so the test can submit it)."""
    validate_modal(data, context)
    emu.modal_origins[data["custom_id"]] = handle


_Answer = Callable[[Core, InteractionHandle, dict, list[Upload], str], None]
_ANSWERS: dict[int, _Answer] = {
    CallbackType.CHANNEL_MESSAGE: _answer_message,
    CallbackType.DEFERRED_CHANNEL_MESSAGE: _answer_deferred,
    CallbackType.DEFERRED_UPDATE_MESSAGE: _answer_deferred_update,
    CallbackType.UPDATE_MESSAGE: _answer_update,
    CallbackType.AUTOCOMPLETE_RESULT: _answer_choices,
    CallbackType.MODAL: _answer_modal,
}


# ------------------------------------------------------------------ followups and edits
def _is_interaction_webhook(emu: Core, call: Call) -> bool:
    return call.params["webhook_id"] == str(emu.application_id)


def _handle_for(emu: Core, call: Call, what: str) -> InteractionHandle:
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


async def execute_webhook(emu: Core, call: Call) -> Any:
    """POST /webhooks/{id}/{token}: interaction followups, or a channel webhook post."""
    body = call.body()
    wait = call.query.get("wait", "false").lower() in ("1", "true")
    if _is_interaction_webhook(emu, call):
        message = _followup(emu, call, body)
    else:
        message = _webhook_post(emu, call, body)
    return wire(message) if wait else None


def _followup(emu: Core, call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """Send an interaction followup (the first one after a deferral fills the thinking message)."""
    handle = _handle_for(emu, call, "followup")
    context = f"interaction {handle.label}: followup"
    validate_message_body(body, has_files=bool(call.uploads), context=context, allow_ephemeral=True)
    original = handle.message
    thinking = (
        handle.response_type == CallbackType.DEFERRED_CHANNEL_MESSAGE
        and original is not None
        and int(original["flags"]) & MessageFlag.LOADING
    )
    if thinking and original is not None:
        _update_message(emu, original, body, call.uploads)
        message = original
    else:
        message = _interaction_message(emu, handle, body, call.uploads, flags=_message_flags(body))
    handle.followup_ids.append(int(message["id"]))
    emu.notify()
    return message


def _webhook_post(emu: Core, call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """Post a message through a channel webhook (its name, or the username given, as author)."""
    hook = channel_webhook_or_404(emu, call)
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
    return message


def _webhook_message(emu: Core, call: Call, what: str) -> tuple[InteractionHandle | None, dict]:
    raw_id = call.params["message_id"]
    if _is_interaction_webhook(emu, call):
        handle = _handle_for(emu, call, what)
        if raw_id == "@original":
            message = handle.message if handle.response_type in MESSAGE_CALLBACKS else None
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
    hook = channel_webhook_or_404(emu, call)
    message = emu.world.message_index.get(call.id("message_id"))
    if message is None or message.get("webhook_id") != hook["id"]:
        raise not_found("Message", 10008)
    return None, message


async def get_webhook_message(emu: Core, call: Call) -> dict[str, Any]:
    """GET /webhooks/{id}/{token}/messages/{message_id|@original}."""
    return wire(_webhook_message(emu, call, "GET")[1])


async def edit_webhook_message(emu: Core, call: Call) -> dict[str, Any]:
    """PATCH /webhooks/{id}/{token}/messages/{message_id|@original}."""
    handle, message = _webhook_message(emu, call, "edit")
    body = call.body()
    context = f"interaction {handle.label}: edit" if handle else "webhook message edit"
    validate_message_body(body, has_files=bool(call.uploads), context=context, editing=True)
    check_edit_not_empty(message, body, call.uploads, context)
    _update_message(emu, message, body, call.uploads)
    if handle is not None:
        handle.edit_count += 1
        first_message = (CallbackType.CHANNEL_MESSAGE, CallbackType.DEFERRED_CHANNEL_MESSAGE)
        if call.params["message_id"] == "@original" and handle.response_type in first_message:
            handle.files = handle.files or [(u.filename, u.data) for u in call.uploads]
    emu.notify()
    return wire(message)


async def delete_webhook_message(emu: Core, call: Call) -> None:
    """DELETE /webhooks/{id}/{token}/messages/{message_id|@original}."""
    handle, message = _webhook_message(emu, call, "delete")
    if int(message.get("flags") or 0) & MessageFlag.EPHEMERAL:
        emu.world.message_index.pop(int(message["id"]), None)
        emu.notify()
    else:
        remove_message(emu, message)
    if handle is not None and int(message["id"]) == handle.original_id:
        handle.original_deleted(message)


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("POST", "/interactions/{interaction_id}/{token}/callback", callback, auth=False)
    base = "/webhooks/{webhook_id}/{webhook_token}"
    router.add("POST", base, execute_webhook, auth=False)
    router.add("GET", base + "/messages/{message_id}", get_webhook_message, auth=False)
    router.add("PATCH", base + "/messages/{message_id}", edit_webhook_message, auth=False)
    router.add("DELETE", base + "/messages/{message_id}", delete_webhook_message, auth=False)

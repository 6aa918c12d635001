"""Channel webhook routes: create, list, get, edit and delete (executing one is a followup route)."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.enums import WebhookType
from emulator.errors import ApiError, FormErrors, missing_permissions, not_found
from emulator.ids import new_token
from emulator.permissions import Permissions
from emulator.rest import Call, Router
from emulator.routes.lookup import get_channel_or_404, guild_or_404, require, require_guild
from emulator.world import Channel


def channel_webhook_or_404(emu: Core, call: Call, *, token: bool = True) -> dict[str, Any]:
    """Return the webhook in the path; with token=True the token in the path must match."""
    hook = emu.world.webhooks.get(call.id("webhook_id"))
    if hook is None or (token and hook["token"] != call.params.get("webhook_token")):
        raise not_found("Webhook", 10015)
    return hook


def _webhook_json(hook: dict[str, Any], *, with_token: bool = True) -> dict[str, Any]:
    data = dict(hook)
    if not with_token:
        data.pop("token", None)
    return data


async def create_webhook(emu: Core, call: Call) -> dict[str, Any]:
    """POST /channels/{channel_id}/webhooks: MANAGE_WEBHOOKS."""
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


def _store_webhook(emu: Core, channel: Channel, name: str) -> dict[str, Any]:
    hook: dict[str, Any] = {
        "id": str(emu.snowflakes.next()),
        "type": WebhookType.INCOMING,
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


async def channel_webhooks(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /channels/{channel_id}/webhooks."""
    channel = get_channel_or_404(emu, call.id("channel_id"))
    require(emu, channel, Permissions.MANAGE_WEBHOOKS, "MANAGE_WEBHOOKS")
    return [h for h in emu.world.webhooks.values() if h["channel_id"] == str(channel.id)]


async def guild_webhooks(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/webhooks."""
    guild = guild_or_404(emu, call)
    require_guild(emu, guild, Permissions.MANAGE_WEBHOOKS, "MANAGE_WEBHOOKS")
    return [h for h in emu.world.webhooks.values() if h["guild_id"] == str(guild.id)]


async def get_webhook(emu: Core, call: Call) -> dict[str, Any]:
    """GET /webhooks/{id} and /webhooks/{id}/{token}."""
    hook = channel_webhook_or_404(emu, call, token="webhook_token" in call.params)
    return _webhook_json(hook, with_token="webhook_token" not in call.params)


async def delete_webhook(emu: Core, call: Call) -> None:
    """DELETE /webhooks/{id} and /webhooks/{id}/{token}."""
    hook = channel_webhook_or_404(emu, call, token="webhook_token" in call.params)
    del emu.world.webhooks[int(hook["id"])]
    emu.notify()


async def edit_webhook(emu: Core, call: Call) -> dict[str, Any]:
    """PATCH /webhooks/{id} and /webhooks/{id}/{token}."""
    hook = channel_webhook_or_404(emu, call, token="webhook_token" in call.params)
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
    base = "/webhooks/{webhook_id}/{webhook_token}"
    router.add("GET", base, get_webhook, auth=False)
    router.add("PATCH", base, edit_webhook, auth=False)
    router.add("DELETE", base, delete_webhook, auth=False)
    router.add("GET", "/webhooks/{webhook_id}", get_webhook)
    router.add("PATCH", "/webhooks/{webhook_id}", edit_webhook)
    router.add("DELETE", "/webhooks/{webhook_id}", delete_webhook)
    router.add("POST", "/channels/{channel_id}/webhooks", create_webhook)
    router.add("GET", "/channels/{channel_id}/webhooks", channel_webhooks)
    router.add("GET", "/guilds/{guild_id}/webhooks", guild_webhooks)

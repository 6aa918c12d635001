"""Login and application routes: users, application info, gateway info, commands."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.enums import CommandType, IntegrationType
from emulator.errors import ApiError, missing_access, not_found
from emulator.rest import Call, Reply, Router
from emulator.validation import validate_commands


async def get_me(emu: Core, call: Call) -> dict[str, Any]:
    """GET /users/@me."""
    data = emu.bot_user.to_json()
    data.update(verified=True, mfa_enabled=False, locale="en-US", email=None, bio="")
    return data


async def patch_me(emu: Core, call: Call) -> dict[str, Any]:
    """PATCH /users/@me (username only)."""
    body = call.body()
    if body.get("username"):
        emu.bot_user.username = body["username"]
    return await get_me(emu, call)


async def get_user(emu: Core, call: Call) -> dict[str, Any]:
    """GET /users/{user_id}."""
    user = emu.world.users.get(call.id("user_id"))
    if user is None:
        raise not_found("User", 10013)
    return user.to_json()


async def get_application(emu: Core, call: Call) -> dict[str, Any]:
    """GET /oauth2/applications/@me and /applications/@me."""
    return {
        "id": str(emu.application_id),
        "name": emu.bot_user.username,
        "icon": None,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "bot": emu.bot_user.to_json(),
        "owner": emu.owner_user.to_json(),
        "team": None,
        "verify_key": "0" * 64,
        "flags": emu.application_flags,
        "tags": [],
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "terms_of_service_url": None,
        "privacy_policy_url": None,
        "approximate_guild_count": len(emu.world.guilds),
        "approximate_user_install_count": 0,
        "integration_types_config": {str(IntegrationType.GUILD_INSTALL): {}},
    }


async def get_gateway(emu: Core, call: Call) -> dict[str, Any]:
    """GET /gateway."""
    return {"url": emu.gateway_url}


async def get_gateway_bot(emu: Core, call: Call) -> dict[str, Any]:
    """GET /gateway/bot (AutoShardedClient uses it)."""
    return {
        "url": emu.gateway_url,
        "shards": 1,
        "session_start_limit": {
            "total": 1000,
            "remaining": 1000,
            "reset_after": 86_400_000,
            "max_concurrency": 1,
        },
    }


# ------------------------------------------------------------------ commands
def _scope(emu: Core, call: Call) -> int | None:
    if call.id("application_id") != emu.application_id:
        raise ApiError(403, 50001, "Missing Access")
    if "guild_id" not in call.params:
        return None
    guild_id = call.id("guild_id")
    if (guild_id, emu.bot_user.id) not in emu.world.members:
        raise missing_access()
    return guild_id


def _normalise_command(emu: Core, raw: dict[str, Any], scope: int | None) -> dict[str, Any]:
    ctype = int(raw.get("type") or CommandType.CHAT_INPUT)
    existing = next(
        (
            c
            for c in emu.world.commands.get(scope, [])
            if c["name"] == raw.get("name") and c["type"] == ctype
        ),
        None,
    )
    perms = raw.get("default_member_permissions")
    cmd: dict[str, Any] = {
        "id": existing["id"] if existing else str(emu.snowflakes.next()),
        "application_id": str(emu.application_id),
        "version": str(emu.snowflakes.next()),
        "type": ctype,
        "name": raw.get("name"),
        "name_localizations": raw.get("name_localizations"),
        "description": raw.get("description") or "",
        "description_localizations": raw.get("description_localizations"),
        "options": raw.get("options") or [],
        "default_member_permissions": None if perms is None else str(perms),
        "dm_permission": raw.get("dm_permission", True),
        "contexts": raw.get("contexts"),
        "integration_types": raw.get("integration_types") or [IntegrationType.GUILD_INSTALL],
        "nsfw": bool(raw.get("nsfw", False)),
    }
    if scope is not None:
        cmd["guild_id"] = str(scope)
    return cmd


async def list_commands(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /applications/{app}/commands and the guild variant."""
    return list(emu.world.commands.get(_scope(emu, call), []))


async def bulk_overwrite_commands(emu: Core, call: Call) -> list[dict[str, Any]]:
    """PUT /applications/{app}/commands and the guild variant: replace the whole set."""
    scope = _scope(emu, call)
    if not isinstance(call.json, list):
        raise ApiError(400, 50035, "Invalid Form Body", problem="command sync body is not a list")
    where = "global" if scope is None else f"guild {scope}"
    validate_commands(call.json, f"command sync ({where})")
    commands = [_normalise_command(emu, raw, scope) for raw in call.json]
    emu.world.commands[scope] = commands
    emu.notify()
    return commands


async def upsert_command(emu: Core, call: Call) -> Reply:
    """POST /applications/{app}/commands: create or replace one command."""
    scope = _scope(emu, call)
    body = call.body()
    validate_commands([body], "command create")
    cmd = _normalise_command(emu, body, scope)
    existing = emu.world.commands.get(scope, [])
    replaced = any(c["id"] == cmd["id"] for c in existing)
    emu.world.commands[scope] = [c for c in existing if c["id"] != cmd["id"]] + [cmd]
    emu.notify()
    return Reply(200 if replaced else 201, cmd)


def _find(emu: Core, call: Call) -> tuple[int | None, dict[str, Any]]:
    scope = _scope(emu, call)
    command_id = call.params["command_id"]
    for cmd in emu.world.commands.get(scope, []):
        if cmd["id"] == command_id:
            return scope, cmd
    raise not_found("application command", 10063)


async def get_command(emu: Core, call: Call) -> dict[str, Any]:
    """GET /applications/{app}/commands/{command_id}."""
    return _find(emu, call)[1]


async def edit_command(emu: Core, call: Call) -> dict[str, Any]:
    """PATCH /applications/{app}/commands/{command_id}."""
    scope, cmd = _find(emu, call)
    merged = {**cmd, **call.body()}
    validate_commands([merged], "command edit")
    updated = _normalise_command(emu, merged, scope)
    updated["id"] = cmd["id"]
    emu.world.commands[scope] = [updated if c is cmd else c for c in emu.world.commands[scope]]
    return updated


async def delete_command(emu: Core, call: Call) -> None:
    """DELETE /applications/{app}/commands/{command_id}."""
    scope, cmd = _find(emu, call)
    emu.world.commands[scope] = [c for c in emu.world.commands[scope] if c is not cmd]


async def command_permissions(emu: Core, call: Call) -> list[Any]:
    """GET /applications/{app}/guilds/{guild_id}/commands/permissions."""
    _scope(emu, call)
    return []


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("GET", "/users/@me", get_me)
    router.add("PATCH", "/users/@me", patch_me)
    router.add("GET", "/users/{user_id}", get_user)
    router.add("GET", "/oauth2/applications/@me", get_application)
    router.add("GET", "/applications/@me", get_application)
    router.add("GET", "/gateway", get_gateway, auth=False)
    router.add("GET", "/gateway/bot", get_gateway_bot)
    for base in (
        "/applications/{application_id}/commands",
        "/applications/{application_id}/guilds/{guild_id}/commands",
    ):
        router.add("GET", base, list_commands)
        router.add("PUT", base, bulk_overwrite_commands)
        router.add("POST", base, upsert_command)
        router.add("GET", base + "/{command_id}", get_command)
        router.add("PATCH", base + "/{command_id}", edit_command)
        router.add("DELETE", base + "/{command_id}", delete_command)
    router.add(
        "GET",
        "/applications/{application_id}/guilds/{guild_id}/commands/permissions",
        command_permissions,
    )

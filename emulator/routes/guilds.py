"""Guild routes: the guild, its channels, members and roles."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.enums import THREAD_TYPES, ChannelType
from emulator.errors import ApiError, FormErrors, missing_permissions
from emulator.permissions import Permissions, normalise_overwrites
from emulator.rest import Call, Reply, Router
from emulator.routes.lookup import (
    check_grantable,
    guild_or_404,
    guild_perms,
    member_or_404,
    require_guild,
    role_in_guild,
)
from emulator.world import Channel, Guild, Role


def bot_top_position(emu: Core, guild: Guild) -> int:
    """Return the position of the bot's highest role."""
    return emu.world.top_role_position(guild.id, emu.bot_user.id)


def check_role_manageable(emu: Core, guild: Guild, role: Role) -> None:
    """Raise 403 like Discord unless the bot may assign/edit this role."""
    require_guild(emu, guild, Permissions.MANAGE_ROLES, "MANAGE_ROLES")
    if guild.owner_id == emu.bot_user.id:
        return
    if role.managed or role.id == guild.id:
        raise missing_permissions(f"role {role.name!r} is managed or @everyone")
    if role.position >= bot_top_position(emu, guild):
        raise missing_permissions(
            f"role {role.name!r} (position {role.position}) is not below the bot's highest role"
            f" (position {bot_top_position(emu, guild)})"
        )


# ------------------------------------------------------------------ guild
async def get_guild(emu: Core, call: Call) -> dict[str, Any]:
    """GET /guilds/{guild_id}."""
    return guild_or_404(emu, call).to_json()


async def list_channels(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/channels."""
    guild = guild_or_404(emu, call)
    return [c.to_json() for c in guild.channels]


async def create_channel(emu: Core, call: Call) -> Reply:
    """POST /guilds/{guild_id}/channels: needs MANAGE_CHANNELS (+ MANAGE_ROLES for overwrites)."""
    guild = guild_or_404(emu, call)
    body = call.body()
    require_guild(emu, guild, Permissions.MANAGE_CHANNELS, "MANAGE_CHANNELS")
    errors = FormErrors()
    name = body.get("name") or ""
    if not 1 <= len(name) <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    ctype = int(body.get("type") or ChannelType.TEXT)
    if ctype in THREAD_TYPES or ctype == ChannelType.DM:
        errors.add("type", "BASE_TYPE_CHOICES", "Value must be a guild channel type.")
    errors.raise_if_any("channel create")
    overwrites = body.get("permission_overwrites")
    if overwrites:
        _check_new_overwrites(emu, guild, overwrites)
    parent_id = int(body["parent_id"]) if body.get("parent_id") else None
    if parent_id is not None:
        parent = emu.world.channels.get(parent_id)
        if parent is None or parent.type != ChannelType.CATEGORY or parent.guild_id != guild.id:
            raise ApiError(400, 50035, "Invalid Form Body", problem="parent_id is not a category")
        if overwrites is None:
            overwrites = parent.permission_overwrites
    channel = Channel(
        id=emu.snowflakes.next(),
        type=ctype,
        name=name,
        guild_id=guild.id,
        position=body.get("position") or len(guild.channels),
        parent_id=parent_id,
        topic=body.get("topic"),
        nsfw=bool(body.get("nsfw")),
        rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        permission_overwrites=normalise_overwrites(overwrites),
        world=emu.world,
    )
    emu.world.channels[channel.id] = channel
    emu.dispatch("CHANNEL_CREATE", channel.to_json(), guild_id=guild.id)
    emu.notify()
    return Reply(201, channel.to_json())


def _check_new_overwrites(emu: Core, guild: Guild, overwrites: list[dict[str, Any]]) -> None:
    """Overwrites on a new channel need MANAGE_ROLES and only bits the bot has itself."""
    perms = guild_perms(emu, guild)
    if not perms & Permissions.MANAGE_ROLES:
        raise missing_permissions("MANAGE_ROLES (overwrites)")
    for item in overwrites:
        bits = int(item.get("allow") or 0) | int(item.get("deny") or 0)
        check_grantable(perms, bits, "grant or deny")


# ------------------------------------------------------------------ members
async def get_member(emu: Core, call: Call) -> dict[str, Any]:
    """GET /guilds/{guild_id}/members/{user_id}."""
    guild = guild_or_404(emu, call)
    return member_or_404(emu, guild, call.id("user_id")).to_json()


async def list_members(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/members?limit&after (needs the GUILD_MEMBERS intent in reality)."""
    guild = guild_or_404(emu, call)
    limit = max(1, min(1000, int(call.query.get("limit", 1))))
    after = int(call.query.get("after", 0))
    members = sorted((m for m in guild.members if m.id > after), key=lambda m: m.id)
    return [m.to_json() for m in members[:limit]]


async def search_members(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/members/search?query&limit."""
    guild = guild_or_404(emu, call)
    query = call.query.get("query", "").lower()
    limit = max(1, min(1000, int(call.query.get("limit", 1))))
    found = [
        m
        for m in guild.members
        if m.user.username.lower().startswith(query) or (m.nick or "").lower().startswith(query)
    ]
    return [m.to_json() for m in found[:limit]]


async def add_member_role(emu: Core, call: Call) -> None:
    """PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}: MANAGE_ROLES + hierarchy."""
    guild = guild_or_404(emu, call)
    member = member_or_404(emu, guild, call.id("user_id"))
    role = role_in_guild(emu, guild, call.id("role_id"))
    check_role_manageable(emu, guild, role)
    if role.id not in member.roles:
        member.roles.append(role.id)
        emu.dispatch_member_update(member)
    emu.notify()


async def remove_member_role(emu: Core, call: Call) -> None:
    """DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}: MANAGE_ROLES + hierarchy."""
    guild = guild_or_404(emu, call)
    member = member_or_404(emu, guild, call.id("user_id"))
    role = role_in_guild(emu, guild, call.id("role_id"))
    check_role_manageable(emu, guild, role)
    if role.id in member.roles:
        member.roles.remove(role.id)
        emu.dispatch_member_update(member)
    emu.notify()


async def edit_member(emu: Core, call: Call) -> dict[str, Any]:
    """PATCH /guilds/{guild_id}/members/{user_id}: nick and roles."""
    guild = guild_or_404(emu, call)
    member = member_or_404(emu, guild, call.id("user_id"))
    body = call.body()
    if "nick" in body:
        if member.id != emu.bot_user.id:
            require_guild(emu, guild, Permissions.MANAGE_NICKNAMES, "MANAGE_NICKNAMES")
        member.nick = body["nick"] or None
    if "roles" in body:
        wanted = [int(r) for r in body["roles"] or []]
        for role_id in set(wanted) ^ set(member.roles):
            check_role_manageable(emu, guild, role_in_guild(emu, guild, role_id))
        member.roles = wanted
    emu.dispatch_member_update(member)
    emu.notify()
    return member.to_json()


async def kick_member(emu: Core, call: Call) -> None:
    """DELETE /guilds/{guild_id}/members/{user_id}: KICK_MEMBERS + hierarchy."""
    guild = guild_or_404(emu, call)
    member = member_or_404(emu, guild, call.id("user_id"))
    require_guild(emu, guild, Permissions.KICK_MEMBERS, "KICK_MEMBERS")
    if member.id == guild.owner_id or emu.world.top_role_position(
        guild.id, member.id
    ) >= bot_top_position(emu, guild):
        raise missing_permissions("member is not below the bot")
    emu.remove_member(guild.id, member.id)
    emu.notify()


# ------------------------------------------------------------------ roles
async def list_roles(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/roles."""
    return [r.to_json() for r in guild_or_404(emu, call).roles]


async def create_role(emu: Core, call: Call) -> dict[str, Any]:
    """POST /guilds/{guild_id}/roles: MANAGE_ROLES; cannot grant permissions the bot lacks."""
    guild = guild_or_404(emu, call)
    body = call.body()
    require_guild(emu, guild, Permissions.MANAGE_ROLES, "MANAGE_ROLES")
    perms = int(body.get("permissions") or 0)
    check_grantable(guild_perms(emu, guild), perms, "grant")
    name = body.get("name") or "new role"
    if len(name) > 100:
        raise ApiError(400, 50035, "Invalid Form Body", problem="role name longer than 100")
    role = emu.create_role(
        guild.id,
        name,
        permissions=perms,
        position=1,
        color=int(body.get("color") or 0),
        hoist=bool(body.get("hoist")),
        mentionable=bool(body.get("mentionable")),
    )
    emu.notify()
    return role.to_json()


async def edit_role(emu: Core, call: Call) -> dict[str, Any]:
    """PATCH /guilds/{guild_id}/roles/{role_id}."""
    guild = guild_or_404(emu, call)
    role = role_in_guild(emu, guild, call.id("role_id"))
    require_guild(emu, guild, Permissions.MANAGE_ROLES, "MANAGE_ROLES")
    if role.id != guild.id and role.position >= bot_top_position(emu, guild):
        raise missing_permissions("role is not below the bot's highest role")
    body = call.body()
    if "permissions" in body:
        perms = int(body["permissions"] or 0)
        own = guild_perms(emu, guild)
        if perms & ~own & ~role.permissions and not own & Permissions.ADMINISTRATOR:
            raise missing_permissions("cannot grant permissions the bot lacks")
        role.permissions = perms
    for key in ("name", "color", "hoist", "mentionable"):
        if key in body and body[key] is not None:
            setattr(role, key, body[key])
    emu.dispatch_role_update(guild.id, role)
    emu.notify()
    return role.to_json()


async def delete_role(emu: Core, call: Call) -> None:
    """DELETE /guilds/{guild_id}/roles/{role_id}."""
    guild = guild_or_404(emu, call)
    role = role_in_guild(emu, guild, call.id("role_id"))
    check_role_manageable(emu, guild, role)
    del emu.world.roles[role.id]
    for member in guild.members:
        if role.id in member.roles:
            member.roles.remove(role.id)
    emu.dispatch(
        "GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)}, guild_id=guild.id
    )
    emu.notify()


def register(router: Router) -> None:
    """Add this module's routes."""
    router.add("GET", "/guilds/{guild_id}", get_guild)
    router.add("GET", "/guilds/{guild_id}/channels", list_channels)
    router.add("POST", "/guilds/{guild_id}/channels", create_channel)
    router.add("GET", "/guilds/{guild_id}/members", list_members)
    router.add("GET", "/guilds/{guild_id}/members/search", search_members)
    router.add("GET", "/guilds/{guild_id}/members/{user_id}", get_member)
    router.add("PATCH", "/guilds/{guild_id}/members/{user_id}", edit_member)
    router.add("DELETE", "/guilds/{guild_id}/members/{user_id}", kick_member)
    roles = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"
    router.add("PUT", roles, add_member_role)
    router.add("DELETE", roles, remove_member_role)
    router.add("GET", "/guilds/{guild_id}/roles", list_roles)
    router.add("POST", "/guilds/{guild_id}/roles", create_role)
    router.add("PATCH", "/guilds/{guild_id}/roles/{role_id}", edit_role)
    router.add("DELETE", "/guilds/{guild_id}/roles/{role_id}", delete_role)

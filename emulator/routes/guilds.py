"""Guild routes: guild, channels, members, roles, scheduled events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.errors import ApiError, FormErrors, missing_access, missing_permissions, not_found
from emulator.ids import parse_iso
from emulator.permissions import Permissions, base_permissions, normalise_overwrites
from emulator.rest import Call, Reply, Router
from emulator.world import THREAD_TYPES, Channel, Guild, Member, Role

if TYPE_CHECKING:
    from emulator.driver import Emulator


def guild_or_404(emu: Emulator, call: Call) -> Guild:
    """Return the guild in the path if the bot is in it."""
    guild = emu.world.guilds.get(call.id("guild_id"))
    if guild is None:
        raise not_found("Guild", 10004)
    if (guild.id, emu.bot_user.id) not in emu.world.members:
        raise missing_access()
    return guild


def guild_perms(emu: Emulator, guild: Guild) -> int:
    """Return the bot's guild-wide permissions."""
    return base_permissions(emu.world, guild.id, emu.bot_user.id)


def require_guild(emu: Emulator, guild: Guild, bits: int, name: str) -> None:
    """Raise 403 50013 unless the bot has the bits guild-wide."""
    if guild_perms(emu, guild) & bits != bits:
        raise missing_permissions(name)


def bot_top_position(emu: Emulator, guild: Guild) -> int:
    """Return the position of the bot's highest role."""
    return emu.world.top_role_position(guild.id, emu.bot_user.id)


def check_role_manageable(emu: Emulator, guild: Guild, role: Role) -> None:
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
async def get_guild(emu: Emulator, call: Call) -> dict[str, Any]:
    """GET /guilds/{guild_id}."""
    return guild_or_404(emu, call).to_json()


async def list_channels(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/channels."""
    guild = guild_or_404(emu, call)
    return [c.to_json() for c in guild.channels]


async def create_channel(emu: Emulator, call: Call) -> Reply:
    """POST /guilds/{guild_id}/channels: needs MANAGE_CHANNELS (+ MANAGE_ROLES for overwrites)."""
    guild = guild_or_404(emu, call)
    body = call.body()
    require_guild(emu, guild, Permissions.MANAGE_CHANNELS, "MANAGE_CHANNELS")
    errors = FormErrors()
    name = body.get("name") or ""
    if not 1 <= len(name) <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    ctype = int(body.get("type") or 0)
    if ctype in THREAD_TYPES or ctype == 1:
        errors.add("type", "BASE_TYPE_CHOICES", "Value must be a guild channel type.")
    errors.raise_if_any("channel create")
    overwrites = body.get("permission_overwrites")
    if overwrites:
        perms = guild_perms(emu, guild)
        if not perms & Permissions.MANAGE_ROLES:
            raise missing_permissions("MANAGE_ROLES (overwrites)")
        if not perms & Permissions.ADMINISTRATOR:
            for item in overwrites:
                beyond = (int(item.get("allow") or 0) | int(item.get("deny") or 0)) & ~perms
                if beyond:
                    raise missing_permissions(f"cannot grant or deny {Permissions.names(beyond)}")
    parent_id = int(body["parent_id"]) if body.get("parent_id") else None
    if parent_id is not None:
        parent = emu.world.channels.get(parent_id)
        if parent is None or parent.type != 4 or parent.guild_id != guild.id:
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


# ------------------------------------------------------------------ members
def member_or_404(emu: Emulator, guild: Guild, user_id: int) -> Member:
    """Return a member or raise 404 10007."""
    member = emu.world.members.get((guild.id, user_id))
    if member is None:
        raise not_found("Member", 10007)
    return member


async def get_member(emu: Emulator, call: Call) -> dict[str, Any]:
    """GET /guilds/{guild_id}/members/{user_id}."""
    guild = guild_or_404(emu, call)
    return member_or_404(emu, guild, call.id("user_id")).to_json()


async def list_members(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/members?limit&after (needs the GUILD_MEMBERS intent in reality)."""
    guild = guild_or_404(emu, call)
    limit = max(1, min(1000, int(call.query.get("limit", 1))))
    after = int(call.query.get("after", 0))
    members = sorted((m for m in guild.members if m.id > after), key=lambda m: m.id)
    return [m.to_json() for m in members[:limit]]


async def search_members(emu: Emulator, call: Call) -> list[dict[str, Any]]:
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


def _role_in_guild(emu: Emulator, guild: Guild, role_id: int) -> Role:
    role = emu.world.roles.get(role_id)
    if role is None or role.guild_id != guild.id:
        raise not_found("Role", 10011)
    return role


async def add_member_role(emu: Emulator, call: Call) -> None:
    """PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}: MANAGE_ROLES + hierarchy."""
    guild = guild_or_404(emu, call)
    member = member_or_404(emu, guild, call.id("user_id"))
    role = _role_in_guild(emu, guild, call.id("role_id"))
    check_role_manageable(emu, guild, role)
    if role.id not in member.roles:
        member.roles.append(role.id)
        emu.dispatch_member_update(member)
    emu.notify()


async def remove_member_role(emu: Emulator, call: Call) -> None:
    """DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}: MANAGE_ROLES + hierarchy."""
    guild = guild_or_404(emu, call)
    member = member_or_404(emu, guild, call.id("user_id"))
    role = _role_in_guild(emu, guild, call.id("role_id"))
    check_role_manageable(emu, guild, role)
    if role.id in member.roles:
        member.roles.remove(role.id)
        emu.dispatch_member_update(member)
    emu.notify()


async def edit_member(emu: Emulator, call: Call) -> dict[str, Any]:
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
            check_role_manageable(emu, guild, _role_in_guild(emu, guild, role_id))
        member.roles = wanted
    emu.dispatch_member_update(member)
    emu.notify()
    return member.to_json()


async def kick_member(emu: Emulator, call: Call) -> None:
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
async def list_roles(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/roles."""
    return [r.to_json() for r in guild_or_404(emu, call).roles]


async def create_role(emu: Emulator, call: Call) -> dict[str, Any]:
    """POST /guilds/{guild_id}/roles: MANAGE_ROLES; cannot grant permissions the bot lacks."""
    guild = guild_or_404(emu, call)
    body = call.body()
    require_guild(emu, guild, Permissions.MANAGE_ROLES, "MANAGE_ROLES")
    perms = int(body.get("permissions") or 0)
    own = guild_perms(emu, guild)
    if perms & ~own and not own & Permissions.ADMINISTRATOR:
        raise missing_permissions(f"cannot grant {Permissions.names(perms & ~own)}")
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


async def edit_role(emu: Emulator, call: Call) -> dict[str, Any]:
    """PATCH /guilds/{guild_id}/roles/{role_id}."""
    guild = guild_or_404(emu, call)
    role = _role_in_guild(emu, guild, call.id("role_id"))
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
    emu.dispatch(
        "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.to_json()}, guild_id=guild.id
    )
    emu.notify()
    return role.to_json()


async def delete_role(emu: Emulator, call: Call) -> None:
    """DELETE /guilds/{guild_id}/roles/{role_id}."""
    guild = guild_or_404(emu, call)
    role = _role_in_guild(emu, guild, call.id("role_id"))
    check_role_manageable(emu, guild, role)
    del emu.world.roles[role.id]
    for member in guild.members:
        if role.id in member.roles:
            member.roles.remove(role.id)
    emu.dispatch(
        "GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role.id)}, guild_id=guild.id
    )
    emu.notify()


# ------------------------------------------------------------------ scheduled events
def _event_or_404(emu: Emulator, guild: Guild, call: Call) -> dict[str, Any]:
    event = emu.world.scheduled_events.get(call.id("event_id"))
    if event is None or event["guild_id"] != str(guild.id):
        raise not_found("Guild Scheduled Event", 10070)
    return event


def _validate_event(emu: Emulator, guild: Guild, event: dict[str, Any], context: str) -> None:
    errors = FormErrors()
    name = event.get("name") or ""
    if not 1 <= len(name) <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if event.get("description") and len(event["description"]) > 1000:
        errors.add("description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length.")
    if event.get("privacy_level") != 2:
        errors.add("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of (2,).")
    entity_type = event.get("entity_type")
    start = end = None
    try:
        start = parse_iso(event["scheduled_start_time"])
    except (KeyError, TypeError, ValueError):
        errors.add("scheduled_start_time", "DATE_TIME_TYPE_PARSE", "Could not parse the time.")
    if event.get("scheduled_end_time"):
        try:
            end = parse_iso(event["scheduled_end_time"])
        except (TypeError, ValueError):
            errors.add("scheduled_end_time", "DATE_TIME_TYPE_PARSE", "Could not parse the time.")
    if start and end and end <= start:
        errors.add("scheduled_end_time", "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "End < start")
    if entity_type == 3:
        location = (event.get("entity_metadata") or {}).get("location")
        if not location or len(location) > 100:
            errors.add(
                "entity_metadata.location", "BASE_TYPE_REQUIRED", "Location required (1-100)"
            )
        if end is None:
            errors.add("scheduled_end_time", "BASE_TYPE_REQUIRED", "Required for external events")
        if event.get("channel_id"):
            errors.add("channel_id", "GUILD_SCHEDULED_EVENT_CHANNEL", "Must be null for external")
    elif entity_type in (1, 2):
        channel = emu.world.channels.get(int(event.get("channel_id") or 0))
        wanted = 13 if entity_type == 1 else 2
        if channel is None or channel.guild_id != guild.id or channel.type != wanted:
            errors.add("channel_id", "GUILD_SCHEDULED_EVENT_CHANNEL", "Needs a matching channel")
    else:
        errors.add("entity_type", "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
    errors.raise_if_any(context)


# What an event's channel must allow besides the events permission, by entity type
# ("Guild Scheduled Event Permissions Requirements" in Discord's documentation).
_EVENT_CHANNEL_NEEDS = {
    1: Permissions.MANAGE_CHANNELS | Permissions.MUTE_MEMBERS | Permissions.MOVE_MEMBERS,
    2: Permissions.VIEW_CHANNEL | Permissions.CONNECT,
}


def _event_permissions(emu: Emulator, guild: Guild, event: dict[str, Any]) -> int:
    """Return the bot's permissions that count for an event: in its channel, else guild-wide."""
    if event.get("entity_type") in _EVENT_CHANNEL_NEEDS and event.get("channel_id"):
        channel = emu.world.channels.get(int(event["channel_id"]))
        if channel is not None:
            return emu.world.permissions_in(channel, emu.bot_user.id)
    return guild_perms(emu, guild)


def check_event_permissions(
    emu: Emulator, guild: Guild, event: dict[str, Any], *, creating: bool
) -> None:
    """Raise 403 50013 unless the bot may create (or edit/delete) this event, as Discord rules.

    Since July 2023 creating needs CREATE_EVENTS (MANAGE_EVENTS alone no longer does); editing
    or deleting an event the bot created needs either, anyone else's needs MANAGE_EVENTS. Voice
    events also need VIEW_CHANNEL and CONNECT in their channel, stage events more.
    """
    perms = _event_permissions(emu, guild, event)
    if creating:
        events = Permissions.CREATE_EVENTS
    elif event.get("creator_id") == str(emu.bot_user.id):
        events = Permissions.CREATE_EVENTS | Permissions.MANAGE_EVENTS
    else:
        events = Permissions.MANAGE_EVENTS
    if not perms & events:
        raise missing_permissions(" or ".join(Permissions.names(events)))
    needed = _EVENT_CHANNEL_NEEDS.get(event.get("entity_type") or 0, 0)
    if perms & needed != needed:
        raise missing_permissions(f"{Permissions.names(needed & ~perms)} in the event's channel")


async def create_event(emu: Emulator, call: Call) -> dict[str, Any]:
    """POST /guilds/{guild_id}/scheduled-events: CREATE_EVENTS (+ channel permissions)."""
    guild = guild_or_404(emu, call)
    body = call.body()
    event: dict[str, Any] = {
        "id": str(emu.snowflakes.next()),
        "guild_id": str(guild.id),
        "channel_id": str(body["channel_id"]) if body.get("channel_id") else None,
        "creator_id": str(emu.bot_user.id),
        "creator": emu.bot_user.to_json(),
        "name": body.get("name"),
        "description": body.get("description"),
        "scheduled_start_time": body.get("scheduled_start_time"),
        "scheduled_end_time": body.get("scheduled_end_time"),
        "privacy_level": body.get("privacy_level"),
        "status": 1,
        "entity_type": body.get("entity_type"),
        "entity_id": None,
        "entity_metadata": body.get("entity_metadata"),
        "user_count": 0,
        "image": None,
        "recurrence_rule": body.get("recurrence_rule"),
    }
    _validate_event(emu, guild, event, "scheduled event create")
    check_event_permissions(emu, guild, event, creating=True)
    if emu.strict_event_times and parse_iso(event["scheduled_start_time"]) <= emu.utcnow():
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            errors={
                "scheduled_start_time": {
                    "_errors": [
                        {
                            "code": "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                            "message": "Cannot schedule event in the past.",
                        }
                    ]
                }
            },
            problem="scheduled event starts in the past",
        )
    emu.world.scheduled_events[int(event["id"])] = event
    emu.dispatch("GUILD_SCHEDULED_EVENT_CREATE", dict(event), guild_id=guild.id)
    emu.notify()
    return event


_STATUS_MOVES = {1: {1, 2, 4}, 2: {2, 3}, 3: {3}, 4: {4}}


async def edit_event(emu: Emulator, call: Call) -> dict[str, Any]:
    """PATCH /guilds/{guild_id}/scheduled-events/{event_id}."""
    guild = guild_or_404(emu, call)
    event = _event_or_404(emu, guild, call)
    check_event_permissions(emu, guild, event, creating=False)
    body = call.body()
    updated = {**event, **{k: v for k, v in body.items() if k in event}}
    if "channel_id" in body:
        updated["channel_id"] = str(body["channel_id"]) if body["channel_id"] else None
    if "status" in body and body["status"] not in _STATUS_MOVES[event["status"]]:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            problem=f"scheduled event status {event['status']} -> {body['status']} is not allowed",
        )
    _validate_event(emu, guild, updated, "scheduled event edit")
    check_event_permissions(emu, guild, updated, creating=False)
    event.update(updated)
    emu.dispatch("GUILD_SCHEDULED_EVENT_UPDATE", dict(event), guild_id=guild.id)
    emu.notify()
    return event


async def delete_event(emu: Emulator, call: Call) -> None:
    """DELETE /guilds/{guild_id}/scheduled-events/{event_id}."""
    guild = guild_or_404(emu, call)
    event = _event_or_404(emu, guild, call)
    check_event_permissions(emu, guild, event, creating=False)
    del emu.world.scheduled_events[int(event["id"])]
    emu.dispatch("GUILD_SCHEDULED_EVENT_DELETE", dict(event), guild_id=guild.id)
    emu.notify()


async def get_event(emu: Emulator, call: Call) -> dict[str, Any]:
    """GET /guilds/{guild_id}/scheduled-events/{event_id}."""
    guild = guild_or_404(emu, call)
    return _event_or_404(emu, guild, call)


async def list_events(emu: Emulator, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/scheduled-events."""
    guild = guild_or_404(emu, call)
    return [e for e in emu.world.scheduled_events.values() if e["guild_id"] == str(guild.id)]


async def event_users(emu: Emulator, call: Call) -> list[Any]:
    """GET /guilds/{guild_id}/scheduled-events/{event_id}/users (nobody signs up here)."""
    guild = guild_or_404(emu, call)
    _event_or_404(emu, guild, call)
    return []


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
    events = "/guilds/{guild_id}/scheduled-events"
    router.add("GET", events, list_events)
    router.add("POST", events, create_event)
    router.add("GET", events + "/{event_id}", get_event)
    router.add("PATCH", events + "/{event_id}", edit_event)
    router.add("DELETE", events + "/{event_id}", delete_event)
    router.add("GET", events + "/{event_id}/users", event_users)

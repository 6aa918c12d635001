"""Scheduled event routes: create, edit, delete and list a guild's events."""

from __future__ import annotations

from typing import Any

from emulator.core import Core
from emulator.enums import ChannelType, EventEntityType, EventPrivacy, EventStatus
from emulator.errors import ApiError, FormErrors, missing_permissions, not_found
from emulator.ids import parse_iso
from emulator.permissions import Permissions
from emulator.rest import Call, Router
from emulator.routes.lookup import guild_or_404, guild_perms
from emulator.world import Guild


def _event_or_404(emu: Core, guild: Guild, call: Call) -> dict[str, Any]:
    event = emu.world.scheduled_events.get(call.id("event_id"))
    if event is None or event["guild_id"] != str(guild.id):
        raise not_found("Guild Scheduled Event", 10070)
    return event


def _validate_event(emu: Core, guild: Guild, event: dict[str, Any], context: str) -> None:
    errors = FormErrors()
    name = event.get("name") or ""
    if not 1 <= len(name) <= 100:
        errors.add("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    if event.get("description") and len(event["description"]) > 1000:
        errors.add("description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length.")
    if event.get("privacy_level") != EventPrivacy.GUILD_ONLY:
        errors.add("privacy_level", "BASE_TYPE_CHOICES", "Value must be one of (2,).")
    has_end = _validate_event_times(errors, event)
    entity_type = event.get("entity_type")
    if entity_type == EventEntityType.EXTERNAL:
        _validate_external_event(errors, event, has_end=has_end)
    elif entity_type in _EVENT_CHANNEL_TYPES:
        channel = emu.world.channels.get(int(event.get("channel_id") or 0))
        wanted = _EVENT_CHANNEL_TYPES[entity_type]
        if channel is None or channel.guild_id != guild.id or channel.type != wanted:
            errors.add("channel_id", "GUILD_SCHEDULED_EVENT_CHANNEL", "Needs a matching channel")
    else:
        errors.add("entity_type", "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
    errors.raise_if_any(context)


def _validate_event_times(errors: FormErrors, event: dict[str, Any]) -> bool:
    """Check the start and end times; return whether a readable end time is set."""
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
    return end is not None


def _validate_external_event(errors: FormErrors, event: dict[str, Any], *, has_end: bool) -> None:
    location = (event.get("entity_metadata") or {}).get("location")
    if not location or len(location) > 100:
        errors.add("entity_metadata.location", "BASE_TYPE_REQUIRED", "Location required (1-100)")
    if not has_end:
        errors.add("scheduled_end_time", "BASE_TYPE_REQUIRED", "Required for external events")
    if event.get("channel_id"):
        errors.add("channel_id", "GUILD_SCHEDULED_EVENT_CHANNEL", "Must be null for external")


# What an event's channel must allow besides the events permission, by entity type
# ("Guild Scheduled Event Permissions Requirements" in Discord's documentation).
_EVENT_CHANNEL_NEEDS: dict[int, int] = {
    EventEntityType.STAGE_INSTANCE: Permissions.MANAGE_CHANNELS
    | Permissions.MUTE_MEMBERS
    | Permissions.MOVE_MEMBERS,
    EventEntityType.VOICE: Permissions.VIEW_CHANNEL | Permissions.CONNECT,
}


# The channel type an event of each kind must be in.
_EVENT_CHANNEL_TYPES: dict[int, int] = {
    EventEntityType.STAGE_INSTANCE: ChannelType.STAGE,
    EventEntityType.VOICE: ChannelType.VOICE,
}


def _event_permissions(emu: Core, guild: Guild, event: dict[str, Any]) -> int:
    """Return the bot's permissions that count for an event: in its channel, else guild-wide."""
    if event.get("entity_type") in _EVENT_CHANNEL_NEEDS and event.get("channel_id"):
        channel = emu.world.channels.get(int(event["channel_id"]))
        if channel is not None:
            return emu.world.permissions_in(channel, emu.bot_user.id)
    return guild_perms(emu, guild)


def check_event_permissions(
    emu: Core, guild: Guild, event: dict[str, Any], *, creating: bool
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


async def create_event(emu: Core, call: Call) -> dict[str, Any]:
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
        "status": EventStatus.SCHEDULED,
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


# Where an event's status may go from each status.
_STATUS_MOVES = {
    EventStatus.SCHEDULED: {EventStatus.SCHEDULED, EventStatus.ACTIVE, EventStatus.CANCELED},
    EventStatus.ACTIVE: {EventStatus.ACTIVE, EventStatus.COMPLETED},
    EventStatus.COMPLETED: {EventStatus.COMPLETED},
    EventStatus.CANCELED: {EventStatus.CANCELED},
}


async def edit_event(emu: Core, call: Call) -> dict[str, Any]:
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


async def delete_event(emu: Core, call: Call) -> None:
    """DELETE /guilds/{guild_id}/scheduled-events/{event_id}."""
    guild = guild_or_404(emu, call)
    event = _event_or_404(emu, guild, call)
    check_event_permissions(emu, guild, event, creating=False)
    del emu.world.scheduled_events[int(event["id"])]
    emu.dispatch("GUILD_SCHEDULED_EVENT_DELETE", dict(event), guild_id=guild.id)
    emu.notify()


async def get_event(emu: Core, call: Call) -> dict[str, Any]:
    """GET /guilds/{guild_id}/scheduled-events/{event_id}."""
    guild = guild_or_404(emu, call)
    return _event_or_404(emu, guild, call)


async def list_events(emu: Core, call: Call) -> list[dict[str, Any]]:
    """GET /guilds/{guild_id}/scheduled-events."""
    guild = guild_or_404(emu, call)
    return [e for e in emu.world.scheduled_events.values() if e["guild_id"] == str(guild.id)]


async def event_users(emu: Core, call: Call) -> list[Any]:
    """GET /guilds/{guild_id}/scheduled-events/{event_id}/users (nobody signs up here)."""
    guild = guild_or_404(emu, call)
    _event_or_404(emu, guild, call)
    return []


def register(router: Router) -> None:
    """Add this module's routes."""
    events = "/guilds/{guild_id}/scheduled-events"
    router.add("GET", events, list_events)
    router.add("POST", events, create_event)
    router.add("GET", events + "/{event_id}", get_event)
    router.add("PATCH", events + "/{event_id}", edit_event)
    router.add("DELETE", events + "/{event_id}", delete_event)
    router.add("GET", events + "/{event_id}/users", event_users)

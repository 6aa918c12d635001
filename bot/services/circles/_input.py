"""Reading what a facilitator typed for a circle: dates, times, rules, or a kind explanation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain import recurrence
from bot.domain.recurrence import CircleSchedule, NthWeekday, Rule, ScheduleError
from bot.domain.text import excerpt
from bot.errors import InvalidInput
from bot.services.circles.values import MAX_CAPACITY, MAX_DESCRIPTION, MAX_TITLE
from bot.services.zones import require_zone


def parse_date(text: str, what: str) -> date:
    """Read a date written as YYYY-MM-DD, or explain kindly."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"I could not read the {what} “{excerpt(text)}”. Write it like 2026-03-17."
        ) from None


def parse_time(text: str) -> time:
    """Read a local time written as HH:MM (24-hour), or explain kindly."""
    try:
        parsed = datetime.strptime(text.strip(), "%H:%M")  # noqa: DTZ007 - a wall-clock time
    except ValueError:
        raise InvalidInput(
            f"I could not read the start time “{excerpt(text)}”. Write it like 19:00 (24-hour)."
        ) from None
    return parsed.time()


def parse_rule(text: str) -> Rule:
    """Read how often the circle meets, as the command's choices give it."""
    try:
        return Rule(text)
    except ValueError:
        raise InvalidInput("Choose how often the circle meets from the list.") from None


def parse_nth(text: str | None) -> NthWeekday | None:
    """Read a monthly day such as 'second Tuesday', if one was given."""
    return recurrence.parse_nth_weekday(text) if text else None


def check_circle(title: str, description: str, capacity: int | None) -> tuple[str, str]:
    """Return the title (one line) and description (trimmed), or explain what doesn't fit."""
    title = " ".join(title.split())
    description = description.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise InvalidInput(f"The title needs to be between 1 and {MAX_TITLE} characters.")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"The description can be at most {MAX_DESCRIPTION} characters.")
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"The capacity can be 1 to {MAX_CAPACITY} people, or left empty.")
    return title, description


def new_schedule(
    *,
    zone: str,
    first_date: str,
    start_time: str,
    duration_minutes: int,
    rule: str,
    until: str | None,
    count: int | None,
    nth_weekday: str | None,
    lead_minutes: tuple[int, ...],
) -> CircleSchedule:
    """Build and check a new circle's schedule from what the facilitator typed."""
    chosen_rule = parse_rule(rule)
    try:
        schedule = recurrence.new_schedule(
            zone=require_zone(zone).key,
            first_date=parse_date(first_date, "first date"),
            start_time=parse_time(start_time),
            duration=timedelta(minutes=duration_minutes),
            rule=chosen_rule,
            nth_weekday=parse_nth(nth_weekday),
            until=parse_date(until, "end date") if until else None,
            count=count,
        )
        recurrence.validate_lead_times(timedelta(minutes=m) for m in lead_minutes)
    except ScheduleError as error:
        raise InvalidInput(error.message) from None
    return schedule


def edited_schedule(
    schedule: CircleSchedule,
    index: int,
    *,
    zone: str | None,
    start_time: str | None,
    duration_minutes: int | None,
    first_date: str | None,
    rule: Rule | None,
    nth_weekday: str | None,
) -> CircleSchedule:
    """Return the schedule changed from meeting `index` on, as the facilitator asked."""
    try:
        return recurrence.edit_from(
            schedule,
            index,
            zone=require_zone(zone).key if zone else None,
            start_time=parse_time(start_time) if start_time else None,
            duration=timedelta(minutes=duration_minutes) if duration_minutes is not None else None,
            first_date=parse_date(first_date, "date") if first_date else None,
            rule=rule,
            nth_weekday=parse_nth(nth_weekday),
        )
    except ScheduleError as error:
        raise InvalidInput(error.message) from None

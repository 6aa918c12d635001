"""Reading what a facilitator typed for a circle: dates, times, rules, or a kind explanation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from bot.domain import recurrence
from bot.domain.recurrence import CircleSchedule, NthWeekday, Rule, ScheduleError
from bot.domain.text import excerpt
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.services.circles.values import MAX_CAPACITY, MAX_DESCRIPTION, MAX_TITLE
from bot.services.zones import require_zone

FIRST_DATE = N_("I could not read the first date “%(typed)s”. Write it like 2026-03-17.")
END_DATE = N_("I could not read the end date “%(typed)s”. Write it like 2026-03-17.")
DATE = N_("I could not read the date “%(typed)s”. Write it like 2026-03-17.")


def parse_date(text: str, unreadable: str = DATE) -> date:
    """Read a date written as YYYY-MM-DD, or explain kindly (`unreadable` says which date)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(unreadable, typed=excerpt(text)) from None


def parse_time(text: str) -> time:
    """Read a local time written as HH:MM (24-hour), or explain kindly."""
    try:
        parsed = datetime.strptime(text.strip(), "%H:%M")  # noqa: DTZ007 - a wall-clock time
    except ValueError:
        raise InvalidInput(
            N_("I could not read the start time “%(typed)s”. Write it like 19:00 (24-hour)."),
            typed=excerpt(text),
        ) from None
    return parsed.time()


def parse_rule(text: str) -> Rule:
    """Read how often the circle meets, as the command's choices give it."""
    try:
        return Rule(text)
    except ValueError:
        raise InvalidInput(N_("Choose how often the circle meets from the list.")) from None


def parse_nth(text: str | None) -> NthWeekday | None:
    """Read a monthly day such as 'second Tuesday', if one was given."""
    return recurrence.parse_nth_weekday(text) if text else None


def check_circle(title: str, description: str, capacity: int | None) -> tuple[str, str]:
    """Return the title (one line) and description (trimmed), or explain what doesn't fit."""
    title = " ".join(title.split())
    description = description.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise InvalidInput(
            N_("The title needs to be between 1 and %(limit)s characters."), limit=MAX_TITLE
        )
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            N_("The description can be at most %(limit)s characters."), limit=MAX_DESCRIPTION
        )
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            N_("The capacity can be 1 to %(limit)s people, or left empty."), limit=MAX_CAPACITY
        )
    return title, description


def schedule_note(schedule: CircleSchedule) -> str:
    """Return a schedule in a few language-neutral words, for the audit log."""
    segment = schedule.current
    note = (
        f"{segment.rule.value} from {segment.first_date.isoformat()} at "
        f"{segment.start_time:%H:%M} ({segment.zone}), "
        f"{int(segment.duration.total_seconds() // 60)} min"
    )
    if schedule.count is not None:
        note += f", {schedule.count} meetings"
    if schedule.until is not None:
        note += f", until {schedule.until.isoformat()}"
    return note


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
            first_date=parse_date(first_date, FIRST_DATE),
            start_time=parse_time(start_time),
            duration=timedelta(minutes=duration_minutes),
            rule=chosen_rule,
            nth_weekday=parse_nth(nth_weekday),
            until=parse_date(until, END_DATE) if until else None,
            count=count,
        )
        recurrence.validate_lead_times(timedelta(minutes=m) for m in lead_minutes)
    except ScheduleError as error:
        raise InvalidInput(error.text, **error.values) from None
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
            first_date=parse_date(first_date) if first_date else None,
            rule=rule,
            nth_weekday=parse_nth(nth_weekday),
        )
    except ScheduleError as error:
        raise InvalidInput(error.text, **error.values) from None

"""Recurring circle schedules: rules, validation and occurrences in the circle's own zone.

Pure logic, standard library only. A circle's schedule is a `CircleSchedule`: one or more
`Recurrence` segments (an edit starts a new segment from a given meeting on, so earlier
meetings never move), a series end (`until` a local date, inclusive, and/or a `count` of
meetings) and a set of skipped local dates. This module builds, checks and changes schedules
and re-exports the rest: the values (`recurrence_types`), expanding a schedule into meetings
(`recurrence_expansion`) and schedules in words (`recurrence_labels`).

Policies (mirroring RFC 5545 / iCalendar wherever it has an answer):

- Wall clock. Every meeting starts at the segment's local start time on its local date in
  the segment's IANA zone, so 19:00 stays 19:00 across daylight-saving changes. Durations and
  reminder lead times are elapsed time (a 2 h meeting lasts 2 h even across a change).
- First date. A start time that does not exist (spring-forward gap) or happens twice
  (fall-back fold) on a segment's first date is rejected by `validate_schedule`.
- Later meetings in a gap are shifted forward by the length of the gap (02:30 on a night
  that jumps from 02:00 to 03:00 becomes 03:30), as RFC 5545 section 3.3.5 and most calendars
  do. Later meetings in a fold take the first of the two instants (``fold=0``).
- Index. `Occurrence.index` is the 0-based position of the meeting in the whole series,
  counting every generated meeting including skipped ones. Skipped meetings are left out of
  `occurrences` and `next_occurrences` but keep their index, so indices never shift.
  A skip names a local date and cancels whatever meeting falls on that date in any segment:
  it survives an edit that only changes the time; after an edit that moves the day it only
  applies if a new meeting happens to fall on that date.
- Count. `count` is the number of generated meetings, skipped ones included (iCalendar COUNT
  counts instances before EXDATE removes them). A 10-meeting series with one skip holds 9.
- Monthly by weekday. "second Tuesday" style rules are derived from the first date unless
  given explicitly; a first date in the fifth week is read as "last <weekday>". An explicit
  "fifth <weekday>" produces nothing in months without one (RFC 5545 skips such months) and
  those months are not counted.
- Until is a local date in the zone of the segment that generates the meeting; a series with
  both `until` and `count` stops at whichever is reached first.
- Range. A meeting that would start or end after the year 9999 in UTC ends the series; one
  that would start before the year 1 in UTC is left out (the series goes on after it).

Functions that compute occurrences assume the schedule passed `validate_schedule`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.recurrence_expansion import (
    find_occurrence,
    make_occurrence,
    next_occurrences,
    occurrence_at,
    occurrences,
    position_date,
    segment_for,
)
from bot.domain.recurrence_labels import (
    check_nth_weekday,
    format_nth_weekday,
    parse_nth_weekday,
)
from bot.domain.recurrence_types import (
    MAX_DURATION,
    MAX_LEAD_TIME,
    N_,
    CircleSchedule,
    NthWeekday,
    Occurrence,
    Recurrence,
    Rule,
    ScheduleError,
    ScheduleErrorKind,
)
from bot.domain.text import excerpt
from bot.domain.zones import find_zone

__all__ = [
    "MAX_DURATION",
    "MAX_LEAD_TIME",
    "CircleSchedule",
    "NthWeekday",
    "Occurrence",
    "Recurrence",
    "Rule",
    "ScheduleError",
    "ScheduleErrorKind",
    "edit_from",
    "find_occurrence",
    "format_nth_weekday",
    "new_schedule",
    "next_occurrences",
    "occurrence_at",
    "occurrences",
    "parse_nth_weekday",
    "skip",
    "stop_before",
    "validate_lead_times",
    "validate_schedule",
]


# --- construction and validation -------------------------------------------------------------


def new_schedule(
    *,
    zone: str,
    first_date: date,
    start_time: time,
    duration: timedelta,
    rule: Rule,
    nth_weekday: NthWeekday | None = None,
    until: date | None = None,
    count: int | None = None,
) -> CircleSchedule:
    """Build a one-segment schedule from a facilitator's input and validate it."""
    schedule = CircleSchedule(
        segments=(Recurrence(zone, first_date, start_time, duration, rule, nth_weekday),),
        until=until,
        count=count,
    )
    validate_schedule(schedule)
    return schedule


def validate_schedule(schedule: CircleSchedule) -> None:
    """Raise ScheduleError if the schedule cannot be used as it stands."""
    if not schedule.segments or schedule.segments[0].starts_at_index != 0:
        raise ScheduleError(
            ScheduleErrorKind.BAD_EDIT, N_("A schedule must start at its first meeting.")
        )
    if schedule.count is not None and (
        isinstance(schedule.count, bool)
        or not isinstance(schedule.count, int)
        or schedule.count < 1
    ):
        raise ScheduleError(
            ScheduleErrorKind.BAD_COUNT,
            N_("The number of meetings must be a whole number of 1 or more."),
        )
    if schedule.until is not None and (
        not isinstance(schedule.until, date) or isinstance(schedule.until, datetime)
    ):
        raise ScheduleError(ScheduleErrorKind.BAD_RULE, N_("The end date must be a calendar date."))
    for position, segment in enumerate(schedule.segments):
        _validate_segment(segment)
        if schedule.until is not None and schedule.until < segment.first_date:
            raise ScheduleError(
                ScheduleErrorKind.END_BEFORE_START,
                N_("The end date, %(until)s, is before the first meeting on %(first)s."),
                until=schedule.until.isoformat(),
                first=segment.first_date.isoformat(),
            )
        if schedule.count is not None and segment.starts_at_index >= schedule.count:
            raise ScheduleError(
                ScheduleErrorKind.END_BEFORE_START,
                N_("The series ends after %(count)s meetings, before this change would start."),
                count=schedule.count,
            )
        if position:
            _validate_follows(schedule.segments[position - 1], segment)


def _validate_segment(segment: Recurrence) -> None:
    zone = _load_zone(segment.zone)
    _validate_fields(segment)
    if segment.nth_weekday is not None:
        _validate_nth_weekday(segment, segment.nth_weekday)
    if segment.starts_at_index < 0:
        raise ScheduleError(
            ScheduleErrorKind.BAD_EDIT, N_("A change cannot start before meeting 1.")
        )
    local = datetime.combine(segment.first_date, segment.start_time.replace(fold=0), zone)
    problem = _wall_clock_problem(local)
    if problem is not None:
        kind, jump = problem
        message = (
            N_(
                "%(date)s at %(time)s does not exist in %(zone)s: the clocks go forward by "
                "%(minutes)s minutes that night. Pick another time or date."
            )
            if kind is ScheduleErrorKind.NONEXISTENT_TIME
            else N_(
                "%(date)s at %(time)s happens twice in %(zone)s: the clocks go back by "
                "%(minutes)s minutes that night. Pick another time or date."
            )
        )
        raise ScheduleError(
            kind,
            message,
            date=segment.first_date.isoformat(),
            time=f"{segment.start_time:%H:%M}",
            zone=segment.zone,
            minutes=int(jump.total_seconds() // 60),
        )


def _validate_fields(segment: Recurrence) -> None:
    if not isinstance(segment.first_date, date) or isinstance(segment.first_date, datetime):
        raise ScheduleError(
            ScheduleErrorKind.BAD_RULE, N_("The first date must be a calendar date.")
        )
    if not isinstance(segment.start_time, time) or segment.start_time.tzinfo is not None:
        raise ScheduleError(
            ScheduleErrorKind.BAD_RULE, N_("The start time must be a local time without a zone.")
        )
    if not isinstance(segment.duration, timedelta) or not (
        timedelta(0) < segment.duration <= MAX_DURATION
    ):
        raise ScheduleError(
            ScheduleErrorKind.BAD_DURATION,
            N_("A meeting must last more than 0 minutes and at most %(hours)s hours."),
            hours=int(MAX_DURATION.total_seconds() // 3600),
        )
    if not isinstance(segment.rule, Rule):
        raise ScheduleError(ScheduleErrorKind.BAD_RULE, N_("Choose how often the circle meets."))


def _validate_nth_weekday(segment: Recurrence, nth: NthWeekday) -> None:
    if segment.rule is not Rule.MONTHLY_BY_WEEKDAY:
        raise ScheduleError(
            ScheduleErrorKind.BAD_RULE,
            N_("A day such as 'second Tuesday' only applies to monthly circles."),
        )
    check_nth_weekday(nth)
    if not nth.matches(segment.first_date):
        raise ScheduleError(
            ScheduleErrorKind.DATE_NOT_IN_RULE,
            N_("%(date)s is not the %(day)s of its month. Pick a first date that is."),
            date=segment.first_date.isoformat(),
            day=format_nth_weekday(nth),
        )


def _validate_follows(previous: Recurrence, segment: Recurrence) -> None:
    if segment.starts_at_index <= previous.starts_at_index:
        raise ScheduleError(ScheduleErrorKind.BAD_EDIT, N_("Changes must apply in meeting order."))
    last_index = segment.starts_at_index - 1
    last_day = position_date(previous, last_index - previous.starts_at_index)
    try:
        last = None if last_day is None else make_occurrence(previous, last_index, last_day)
    except OverflowError:
        last = None
    if last is None:
        raise ScheduleError(
            ScheduleErrorKind.NO_SUCH_MEETING, N_("The series has no meeting to change from.")
        )
    first = make_occurrence(segment, segment.starts_at_index, segment.first_date)
    if first.start_utc <= last.start_utc:
        raise ScheduleError(
            ScheduleErrorKind.BAD_EDIT,
            N_(
                "The changed meetings must start after the meeting on %(date)s, "
                "which stays as it was."
            ),
            date=last.local_date.isoformat(),
        )


def _load_zone(name: str) -> ZoneInfo:
    zone = find_zone(name)
    if zone is not None and zone.key == name:
        return zone
    hint = zone.key if zone is not None else None
    if hint:
        raise ScheduleError(
            ScheduleErrorKind.UNKNOWN_ZONE,
            N_("Unknown time zone “%(zone)s”. Did you mean %(hint)s?"),
            zone=excerpt(name),
            hint=hint,
        )
    raise ScheduleError(
        ScheduleErrorKind.UNKNOWN_ZONE,
        N_("Unknown time zone “%(zone)s”. Pick one from the list, such as Europe/London."),
        zone=excerpt(name),
    )


def _wall_clock_problem(local: datetime) -> tuple[ScheduleErrorKind, timedelta] | None:
    """Return whether an aware local time falls in a gap or a fold, and by how much."""
    first, second = local.replace(fold=0), local.replace(fold=1)
    offset_first, offset_second = first.utcoffset(), second.utcoffset()
    if offset_first is None or offset_second is None or offset_first == offset_second:
        return None
    round_trip = first.astimezone(UTC).astimezone(local.tzinfo).replace(tzinfo=None)
    if round_trip == local.replace(tzinfo=None, fold=0):
        return ScheduleErrorKind.AMBIGUOUS_TIME, offset_first - offset_second
    return ScheduleErrorKind.NONEXISTENT_TIME, offset_second - offset_first


# --- changes -----------------------------------------------------------------------------------


def skip(schedule: CircleSchedule, local_date: date) -> CircleSchedule:
    """Return the schedule with the meeting on local_date cancelled."""
    if find_occurrence(schedule, local_date) is None:
        raise ScheduleError(
            ScheduleErrorKind.NO_SUCH_MEETING,
            N_("The circle does not meet on %(date)s."),
            date=local_date.isoformat(),
        )
    return replace(schedule, skipped=schedule.skipped | {local_date})


def stop_before(schedule: CircleSchedule, index: int) -> CircleSchedule:
    """Return the schedule ended so that meeting index and every later one never happen."""
    if index < 1:
        raise ScheduleError(
            ScheduleErrorKind.END_BEFORE_START,
            N_(
                "The circle has not met yet, so there is no series to end; "
                "cancel the circle instead."
            ),
        )
    count = index if schedule.count is None else min(schedule.count, index)
    segments = tuple(seg for seg in schedule.segments if seg.starts_at_index < count)
    return replace(schedule, segments=segments, count=count)


def edit_from(
    schedule: CircleSchedule,
    index: int,
    *,
    zone: str | None = None,
    first_date: date | None = None,
    start_time: time | None = None,
    duration: timedelta | None = None,
    rule: Rule | None = None,
    nth_weekday: NthWeekday | None = None,
) -> CircleSchedule:
    """Return the schedule changed from meeting index on, leaving earlier meetings as they were."""
    old = occurrence_at(schedule, index)
    if old is None:
        raise ScheduleError(
            ScheduleErrorKind.NO_SUCH_MEETING, N_("That meeting is not part of the series.")
        )
    base = segment_for(schedule, index)
    new_rule = base.rule if rule is None else rule
    if nth_weekday is None and new_rule is Rule.MONTHLY_BY_WEEKDAY:
        # Keep "last Friday" as it was unless the day itself moves.
        keeps_day = first_date is None and base.rule is Rule.MONTHLY_BY_WEEKDAY
        nth_weekday = base.monthly_weekday if keeps_day else None
    segment = Recurrence(
        zone=base.zone if zone is None else zone,
        first_date=old.local_date if first_date is None else first_date,
        start_time=base.start_time if start_time is None else start_time,
        duration=base.duration if duration is None else duration,
        rule=new_rule,
        nth_weekday=nth_weekday,
        starts_at_index=index,
    )
    kept = tuple(seg for seg in schedule.segments if seg.starts_at_index < index)
    edited = replace(schedule, segments=(*kept, segment))
    validate_schedule(edited)
    return edited


# --- reminders ---------------------------------------------------------------------------------


def validate_lead_times(lead_times: Iterable[timedelta]) -> tuple[timedelta, ...]:
    """Return the lead times unchanged, or raise ScheduleError if one is unusable."""
    leads = tuple(lead_times)
    for lead in leads:
        if not isinstance(lead, timedelta) or not (timedelta(0) < lead <= MAX_LEAD_TIME):
            raise ScheduleError(
                ScheduleErrorKind.BAD_LEAD_TIME,
                N_(
                    "A reminder must come more than 0 minutes and at most %(days)s days "
                    "before the meeting."
                ),
                days=MAX_LEAD_TIME.days,
            )
    return leads

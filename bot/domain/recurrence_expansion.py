"""Recurring circle schedules: rules, validation and occurrences in the circle's own zone.

Pure logic, standard library only. A circle's schedule is a `CircleSchedule`: one or more
`Recurrence` segments (an edit starts a new segment from a given meeting on, so earlier
meetings never move), a series end (`until` a local date, inclusive, and/or a `count` of
meetings) and a set of skipped local dates.

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

Functions that compute occurrences assume the schedule passed `validate_schedule`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.domain.text import excerpt
from bot.domain.zones import find_zone

__all__ = [
    "DEFAULT_LEAD_TIMES",
    "MAX_DURATION",
    "MAX_LEAD_TIME",
    "CircleSchedule",
    "NthWeekday",
    "Occurrence",
    "Recurrence",
    "Rule",
    "ScheduleError",
    "ScheduleErrorKind",
    "describe",
    "edit_from",
    "find_occurrence",
    "format_nth_weekday",
    "new_schedule",
    "next_occurrences",
    "occurrence_at",
    "occurrences",
    "parse_nth_weekday",
    "reminder_times",
    "should_send_late",
    "skip",
    "stop_before",
    "validate_lead_times",
    "validate_schedule",
]

MAX_DURATION = timedelta(hours=12)
MAX_LEAD_TIME = timedelta(days=14)
DEFAULT_LEAD_TIMES = (timedelta(hours=24), timedelta(minutes=15))

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_ORDINAL_WORDS = {
    **{word: n for n, word in _ORDINALS.items()},
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
}
_WEEKDAY_WORDS = {
    **{name.lower(): i for i, name in enumerate(_WEEKDAYS)},
    **{name[:3].lower(): i for i, name in enumerate(_WEEKDAYS)},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_LABEL = re.compile(
    r"^\s*(?:every\s+)?(?:the\s+)?(?P<ordinal>\w+)\s+(?P<weekday>\w+?)s?\.?"
    r"(?:\s+(?:of|in)\s+(?:the|each|every)\s+month)?\s*$",
    re.IGNORECASE,
)


class Rule(StrEnum):
    """How often a circle meets."""

    ONE_OFF = "one_off"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY_BY_WEEKDAY = "monthly_by_weekday"


class ScheduleErrorKind(StrEnum):
    """What was wrong with scheduling input."""

    UNKNOWN_ZONE = "unknown_zone"
    NONEXISTENT_TIME = "nonexistent_time"
    AMBIGUOUS_TIME = "ambiguous_time"
    END_BEFORE_START = "end_before_start"
    BAD_COUNT = "bad_count"
    BAD_DURATION = "bad_duration"
    BAD_RULE = "bad_rule"
    DATE_NOT_IN_RULE = "date_not_in_rule"
    NO_SUCH_MEETING = "no_such_meeting"
    BAD_EDIT = "bad_edit"
    BAD_LEAD_TIME = "bad_lead_time"


class ScheduleError(ValueError):
    """Scheduling input that cannot be used, with a message safe to show the facilitator."""

    def __init__(self, kind: ScheduleErrorKind, message: str) -> None:
        """Store the kind of problem and its plain-language message."""
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True, slots=True)
class NthWeekday:
    """A weekday's position in its month: n is 1..5, or -1 for the last one."""

    n: int
    weekday: int  # 0 = Monday ... 6 = Sunday, as date.weekday()

    @classmethod
    def from_date(cls, day: date) -> NthWeekday:
        """Derive the position of day's weekday in its month; the fifth is read as last."""
        n = (day.day - 1) // 7 + 1
        return cls(-1 if n == 5 else n, day.weekday())

    def date_in(self, year: int, month: int) -> date | None:
        """Return this weekday's date in the month, or None when the month has no such day."""
        days_in_month = calendar.monthrange(year, month)[1]
        if self.n == -1:
            last = date(year, month, days_in_month)
            return last - timedelta(days=(last.weekday() - self.weekday) % 7)
        day = 1 + (self.weekday - date(year, month, 1).weekday()) % 7 + 7 * (self.n - 1)
        return date(year, month, day) if day <= days_in_month else None

    def matches(self, day: date) -> bool:
        """Return whether day is this weekday's date in its month."""
        return self.date_in(day.year, day.month) == day


@dataclass(frozen=True, slots=True)
class Recurrence:
    """One segment of a series: the rule that generates meetings from starts_at_index on."""

    zone: str
    first_date: date
    start_time: time
    duration: timedelta
    rule: Rule
    nth_weekday: NthWeekday | None = None  # monthly only; None derives it from first_date
    starts_at_index: int = 0

    @property
    def monthly_weekday(self) -> NthWeekday:
        """Return the explicit or derived weekday position of a monthly rule."""
        return self.nth_weekday or NthWeekday.from_date(self.first_date)


@dataclass(frozen=True, slots=True)
class CircleSchedule:
    """A circle's whole series: segments in order, the end, and the skipped local dates."""

    segments: tuple[Recurrence, ...]
    until: date | None = None
    count: int | None = None
    skipped: frozenset[date] = field(default_factory=frozenset)

    @property
    def current(self) -> Recurrence:
        """Return the segment that governs the latest meetings."""
        return self.segments[-1]


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One meeting: its stable series index, nominal local date and aware UTC times."""

    index: int
    local_date: date
    start_utc: datetime
    end_utc: datetime


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
            ScheduleErrorKind.BAD_EDIT, "A schedule must start at its first meeting."
        )
    if schedule.count is not None and (
        isinstance(schedule.count, bool)
        or not isinstance(schedule.count, int)
        or schedule.count < 1
    ):
        raise ScheduleError(
            ScheduleErrorKind.BAD_COUNT,
            "The number of meetings must be a whole number of 1 or more.",
        )
    if schedule.until is not None and (
        not isinstance(schedule.until, date) or isinstance(schedule.until, datetime)
    ):
        raise ScheduleError(ScheduleErrorKind.BAD_RULE, "The end date must be a calendar date.")
    for position, segment in enumerate(schedule.segments):
        _validate_segment(segment)
        if schedule.until is not None and schedule.until < segment.first_date:
            raise ScheduleError(
                ScheduleErrorKind.END_BEFORE_START,
                f"The end date, {_format_date(schedule.until)}, is before the first meeting on "
                f"{_format_date(segment.first_date)}.",
            )
        if schedule.count is not None and segment.starts_at_index >= schedule.count:
            raise ScheduleError(
                ScheduleErrorKind.END_BEFORE_START,
                f"The series ends after {schedule.count} meetings, before this change would start.",
            )
        if position:
            _validate_follows(schedule.segments[position - 1], segment)


def _validate_segment(segment: Recurrence) -> None:
    zone = _load_zone(segment.zone)
    if not isinstance(segment.first_date, date) or isinstance(segment.first_date, datetime):
        raise ScheduleError(ScheduleErrorKind.BAD_RULE, "The first date must be a calendar date.")
    if not isinstance(segment.start_time, time) or segment.start_time.tzinfo is not None:
        raise ScheduleError(
            ScheduleErrorKind.BAD_RULE, "The start time must be a local time without a zone."
        )
    if not isinstance(segment.duration, timedelta) or not (
        timedelta(0) < segment.duration <= MAX_DURATION
    ):
        raise ScheduleError(
            ScheduleErrorKind.BAD_DURATION,
            f"A meeting must last more than 0 minutes and at most "
            f"{_format_duration(MAX_DURATION)}.",
        )
    if not isinstance(segment.rule, Rule):
        raise ScheduleError(ScheduleErrorKind.BAD_RULE, "Choose how often the circle meets.")
    if segment.nth_weekday is not None:
        if segment.rule is not Rule.MONTHLY_BY_WEEKDAY:
            raise ScheduleError(
                ScheduleErrorKind.BAD_RULE,
                "A day such as 'second Tuesday' only applies to monthly circles.",
            )
        _check_nth_weekday(segment.nth_weekday)
        if not segment.nth_weekday.matches(segment.first_date):
            raise ScheduleError(
                ScheduleErrorKind.DATE_NOT_IN_RULE,
                f"{_format_date(segment.first_date)} is not the "
                f"{format_nth_weekday(segment.nth_weekday)} of its month. Pick a first date "
                "that is.",
            )
    if segment.starts_at_index < 0:
        raise ScheduleError(ScheduleErrorKind.BAD_EDIT, "A change cannot start before meeting 1.")
    local = datetime.combine(segment.first_date, segment.start_time.replace(fold=0), zone)
    problem = _wall_clock_problem(local)
    if problem is not None:
        kind, jump = problem
        when = f"{_format_date(segment.first_date)} at {segment.start_time:%H:%M}"
        if kind is ScheduleErrorKind.NONEXISTENT_TIME:
            message = (
                f"{when} does not exist in {segment.zone}: the clocks go forward by "
                f"{_format_duration(jump)} that night. Pick another time or date."
            )
        else:
            message = (
                f"{when} happens twice in {segment.zone}: the clocks go back by "
                f"{_format_duration(jump)} that night. Pick another time or date."
            )
        raise ScheduleError(kind, message)


def _validate_follows(previous: Recurrence, segment: Recurrence) -> None:
    if segment.starts_at_index <= previous.starts_at_index:
        raise ScheduleError(ScheduleErrorKind.BAD_EDIT, "Changes must apply in meeting order.")
    last_index = segment.starts_at_index - 1
    last = next(
        (occ for occ in _segment_occurrences(previous, None, None) if occ.index >= last_index),
        None,
    )
    if last is None or last.index != last_index:
        raise ScheduleError(
            ScheduleErrorKind.NO_SUCH_MEETING, "The series has no meeting to change from."
        )
    first = _make_occurrence(segment, segment.starts_at_index, segment.first_date)
    if first.start_utc <= last.start_utc:
        raise ScheduleError(
            ScheduleErrorKind.BAD_EDIT,
            f"The changed meetings must start after the meeting on "
            f"{_format_date(last.local_date)}, which stays as it was.",
        )


def _check_nth_weekday(nth: NthWeekday) -> None:
    if nth.n not in _ORDINALS or nth.weekday not in range(7):
        raise ScheduleError(
            ScheduleErrorKind.BAD_RULE, "Write the day like 'second Tuesday' or 'last Friday'."
        )


def _load_zone(name: str) -> ZoneInfo:
    zone = find_zone(name)
    if zone is not None and zone.key == name:
        return zone
    hint = zone.key if zone is not None else None
    suffix = f" Did you mean {hint}?" if hint else " Pick one from the list, such as Europe/London."
    raise ScheduleError(
        ScheduleErrorKind.UNKNOWN_ZONE, f"Unknown time zone “{excerpt(name)}”.{suffix}"
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
            f"The circle does not meet on {_format_date(local_date)}.",
        )
    return replace(schedule, skipped=schedule.skipped | {local_date})


def stop_before(schedule: CircleSchedule, index: int) -> CircleSchedule:
    """Return the schedule ended so that meeting index and every later one never happen."""
    if index < 1:
        raise ScheduleError(
            ScheduleErrorKind.END_BEFORE_START,
            "The circle has not met yet, so there is no series to end; cancel the circle instead.",
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
            ScheduleErrorKind.NO_SUCH_MEETING, "That meeting is not part of the series."
        )
    base = _segment_for(schedule, index)
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


def _segment_for(schedule: CircleSchedule, index: int) -> Recurrence:
    return next(seg for seg in reversed(schedule.segments) if seg.starts_at_index <= index)


# --- occurrences -------------------------------------------------------------------------------


def occurrences(
    schedule: CircleSchedule, start_utc: datetime, end_utc: datetime
) -> Iterator[Occurrence]:
    """Yield the meetings that start in [start_utc, end_utc), skipped ones left out."""
    _require_aware(start_utc, end_utc)
    for occ in _all_occurrences(schedule, start_utc, end_utc):
        if start_utc <= occ.start_utc and occ.local_date not in schedule.skipped:
            yield occ


def next_occurrences(schedule: CircleSchedule, after_utc: datetime, limit: int) -> list[Occurrence]:
    """Return up to limit meetings that start strictly after after_utc, skipped ones left out."""
    _require_aware(after_utc)
    found: list[Occurrence] = []
    if limit <= 0:
        return found
    for occ in _all_occurrences(schedule, after_utc, None):
        if occ.start_utc > after_utc and occ.local_date not in schedule.skipped:
            found.append(occ)
            if len(found) == limit:
                break
    return found


def occurrence_at(schedule: CircleSchedule, index: int) -> Occurrence | None:
    """Return meeting number index (0-based), skipped or not, or None if the series has none."""
    if index < 0 or (schedule.count is not None and index >= schedule.count):
        return None
    segment = _segment_for(schedule, index)
    for occ in _bounded(schedule, segment, None, None):
        if occ.index >= index:
            return occ if occ.index == index else None
    return None


def find_occurrence(schedule: CircleSchedule, local_date: date) -> Occurrence | None:
    """Return the meeting on local_date, skipped or not, or None if there is none."""
    around = datetime.combine(local_date, time(), UTC)
    for segment in schedule.segments:
        for occ in _bounded(schedule, segment, around, None):
            if occ.local_date >= local_date:
                if occ.local_date == local_date:
                    return occ
                break
    return None


def _all_occurrences(
    schedule: CircleSchedule, start_utc: datetime, end_utc: datetime | None
) -> Iterator[Occurrence]:
    """Yield every generated meeting (skips included) from around start_utc, in order."""
    for segment in schedule.segments:
        yield from _bounded(schedule, segment, start_utc, end_utc)


def _bounded(
    schedule: CircleSchedule,
    segment: Recurrence,
    start_utc: datetime | None,
    end_utc: datetime | None,
) -> Iterator[Occurrence]:
    """Yield one segment's meetings, cut at the next segment, the series end and end_utc."""
    later = [
        s.starts_at_index for s in schedule.segments if s.starts_at_index > segment.starts_at_index
    ]
    stop_index = min(later, default=None)
    if schedule.count is not None:
        stop_index = schedule.count if stop_index is None else min(stop_index, schedule.count)
    for occ in _segment_occurrences(segment, start_utc, stop_index):
        if schedule.until is not None and occ.local_date > schedule.until:
            return
        if end_utc is not None and occ.start_utc >= end_utc:
            return
        yield occ


def _segment_occurrences(
    segment: Recurrence, start_utc: datetime | None, stop_index: int | None
) -> Iterator[Occurrence]:
    """Yield a segment's meetings in order, possibly skipping ahead to just before start_utc."""
    for n, day in _local_dates(segment, start_utc):
        index = segment.starts_at_index + n
        if stop_index is not None and index >= stop_index:
            return
        try:
            occurrence = _make_occurrence(segment, index, day)
        except OverflowError:
            return  # it would start or end after the year 9999, past what a datetime holds
        yield occurrence


def _local_dates(segment: Recurrence, start_utc: datetime | None) -> Iterator[tuple[int, date]]:
    """Yield (position within the segment, local date) for every meeting the rule generates."""
    first = segment.first_date
    if segment.rule is Rule.ONE_OFF:
        yield 0, first
        return
    if segment.rule in (Rule.WEEKLY, Rule.BIWEEKLY):
        step = 7 if segment.rule is Rule.WEEKLY else 14
        n = 0
        if start_utc is not None:
            # Local dates are within a day or so of UTC dates; three days is a safe margin.
            days = (start_utc.astimezone(UTC).date() - first).days - 3
            n = max(0, days // step)
        while True:
            try:
                day = first + timedelta(days=step * n)
            except OverflowError:
                return
            yield n, day
            n += 1
    nth = segment.monthly_weekday
    n = 0
    months = first.year * 12 + first.month - 1
    while True:
        year, month0 = divmod(months, 12)
        if year > 9999:
            return
        day = nth.date_in(year, month0 + 1)
        if day is not None:
            yield n, day
            n += 1
        months += 1


def _make_occurrence(segment: Recurrence, index: int, day: date) -> Occurrence:
    # fold=0: a time in a gap moves forward by the gap, a time in a fold takes the first instant.
    local = datetime.combine(day, segment.start_time.replace(fold=0), ZoneInfo(segment.zone))
    start = local.astimezone(UTC)
    return Occurrence(index, day, start, start + segment.duration)


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Pass aware datetimes, not naive ones.")


# --- reminders ---------------------------------------------------------------------------------


def validate_lead_times(lead_times: Iterable[timedelta]) -> tuple[timedelta, ...]:
    """Return the lead times unchanged, or raise ScheduleError if one is unusable."""
    leads = tuple(lead_times)
    for lead in leads:
        if not isinstance(lead, timedelta) or not (timedelta(0) < lead <= MAX_LEAD_TIME):
            raise ScheduleError(
                ScheduleErrorKind.BAD_LEAD_TIME,
                f"A reminder must come more than 0 minutes and at most "
                f"{_format_duration(MAX_LEAD_TIME)} before the meeting.",
            )
    return leads


def reminder_times(
    occurrence: Occurrence, lead_times: Iterable[timedelta] = DEFAULT_LEAD_TIMES
) -> list[datetime]:
    """Return when each reminder is due (elapsed time before the start), in the order given."""
    return [occurrence.start_utc - lead for lead in validate_lead_times(lead_times)]


def should_send_late(reminder_due: datetime, occurrence_start: datetime, now: datetime) -> bool:
    """Return whether a reminder due by now should still go out: only before the meeting starts."""
    _require_aware(reminder_due, occurrence_start, now)
    return reminder_due <= now < occurrence_start


# --- labels ------------------------------------------------------------------------------------


def parse_nth_weekday(text: str) -> NthWeekday:
    """Parse a label such as 'second Tuesday', '2nd tue' or 'last Friday of the month'."""
    match = _LABEL.match(text)
    if match:
        n = _ORDINAL_WORDS.get(match["ordinal"].lower())
        weekday = _WEEKDAY_WORDS.get(match["weekday"].lower())
        if n is not None and weekday is not None:
            return NthWeekday(n, weekday)
    raise ScheduleError(
        ScheduleErrorKind.BAD_RULE,
        f"I could not read “{excerpt(text)}”. Write it like 'second Tuesday' or 'last Friday'.",
    )


def format_nth_weekday(nth: NthWeekday) -> str:
    """Return a label such as 'second Tuesday' that parse_nth_weekday reads back."""
    _check_nth_weekday(nth)
    return f"{_ORDINALS[nth.n]} {_WEEKDAYS[nth.weekday]}"


def describe(schedule: CircleSchedule | Recurrence) -> str:
    """Return a plain sentence describing how often and when the circle meets."""
    segment = schedule.current if isinstance(schedule, CircleSchedule) else schedule
    at = f"at {segment.start_time:%H:%M} ({segment.zone}) for {_format_duration(segment.duration)}"
    weekday = _WEEKDAYS[segment.first_date.weekday()]
    if segment.rule is Rule.ONE_OFF:
        text = f"Once, on {_format_date(segment.first_date)}, {at}"
    elif segment.rule is Rule.WEEKLY:
        text = f"Every {weekday} {at}"
    elif segment.rule is Rule.BIWEEKLY:
        text = f"Every other {weekday} {at}"
    else:
        text = f"Every {format_nth_weekday(segment.monthly_weekday)} of the month {at}"
    if isinstance(schedule, CircleSchedule) and segment.rule is not Rule.ONE_OFF:
        ends = []
        if schedule.count is not None:
            ends.append(f"{schedule.count} meeting{'s' if schedule.count != 1 else ''} in all")
        if schedule.until is not None:
            ends.append(f"until {_format_date(schedule.until)}")
        if ends:
            text += ", " + " or ".join(ends) + ("" if len(ends) == 1 else ", whichever is first")
    return text


def _format_date(day: date) -> str:
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _format_duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{value} {unit}{'s' if value != 1 else ''}"
        for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if value
    ]
    return " ".join(parts) or "less than a minute"

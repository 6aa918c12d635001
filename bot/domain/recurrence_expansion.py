"""Expanding a circle's schedule into meetings, jumping straight to the ones asked for.

Pure, standard library only; `bot.domain.recurrence` explains the policies and re-exports the
public functions. Every function here assumes the schedule passed `validate_schedule`.

No function walks the series from its first meeting to reach a later one: a meeting's date is
computed from its position (weekly: a multiple of 7 or 14 days; monthly: the month, or for a
"fifth" weekday, whole 400-year Gregorian cycles, which repeat exactly, and a table of one
cycle's months), and a search from a moment starts a few days before it. So a series running to the
year 9999, or starting in the year 1, costs what a short one does (see bench/recurrence.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from bot.domain.recurrence_types import CircleSchedule, NthWeekday, Occurrence, Recurrence, Rule

_CYCLE_MONTHS = 400 * 12  # the Gregorian calendar, weekdays included, repeats every 400 years
_LAST_YEAR = 9999  # the last year a date can hold
_MARGIN = timedelta(days=3)  # local dates are within a day or so of UTC dates


def occurrences(
    schedule: CircleSchedule, start_utc: datetime, end_utc: datetime
) -> Iterator[Occurrence]:
    """Yield the meetings that start in [start_utc, end_utc), skipped ones left out."""
    require_aware(start_utc, end_utc)
    for occ in _all_occurrences(schedule, start_utc, end_utc):
        if start_utc <= occ.start_utc and occ.local_date not in schedule.skipped:
            yield occ


def next_occurrences(schedule: CircleSchedule, after_utc: datetime, limit: int) -> list[Occurrence]:
    """Return up to limit meetings that start strictly after after_utc, skipped ones left out."""
    require_aware(after_utc)
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
    segment, stop = next(
        (seg, stop)
        for seg, stop in reversed(list(_spans(schedule)))
        if seg.starts_at_index <= index
    )
    if stop is not None and index >= stop:
        return None
    day = position_date(segment, index - segment.starts_at_index)
    if day is None or (schedule.until is not None and day > schedule.until):
        return None
    try:
        return make_occurrence(segment, index, day)
    except OverflowError:
        return None  # it would start or end outside what a datetime holds


def find_occurrence(schedule: CircleSchedule, local_date: date) -> Occurrence | None:
    """Return the meeting on local_date, skipped or not, or None if there is none."""
    around = datetime.combine(local_date, time(), UTC)
    for segment, stop_index in _spans(schedule):
        for occ in _bounded(schedule, segment, stop_index, around, None):
            if occ.local_date >= local_date:
                if occ.local_date == local_date:
                    return occ
                break
    return None


def segment_for(schedule: CircleSchedule, index: int) -> Recurrence:
    """Return the segment that generates meeting number index."""
    return next(seg for seg in reversed(schedule.segments) if seg.starts_at_index <= index)


def position_date(segment: Recurrence, position: int) -> date | None:
    """Return the local date of the segment's meeting at a position (0: its first date)."""
    first = segment.first_date
    if position < 0:
        return None
    if segment.rule is Rule.ONE_OFF:
        return first if position == 0 else None
    if segment.rule in (Rule.WEEKLY, Rule.BIWEEKLY):
        try:
            return first + timedelta(days=_step(segment) * position)
        except OverflowError:
            return None
    nth = segment.monthly_weekday
    if nth.n != 5:  # every month has a first..fourth and a last weekday
        return _date_in_month(nth, _month_number(first) + position)
    wanted = _fifths_before(nth.weekday, _month_number(first)) + position
    offsets = _fifth_offsets(nth.weekday)
    cycles, rest = divmod(wanted, len(offsets))
    return _date_in_month(nth, cycles * _CYCLE_MONTHS + offsets[rest])


def make_occurrence(segment: Recurrence, index: int, day: date) -> Occurrence:
    """Return the meeting on a local date (OverflowError if it is outside what a datetime holds)."""
    # fold=0: a time in a gap moves forward by the gap, a time in a fold takes the first instant.
    local = datetime.combine(day, segment.start_time.replace(fold=0), ZoneInfo(segment.zone))
    start = local.astimezone(UTC)
    return Occurrence(index, day, start, start + segment.duration)


def require_aware(*moments: datetime) -> None:
    """Raise ValueError for a naive datetime."""
    for moment in moments:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Pass aware datetimes, not naive ones.")


def _all_occurrences(
    schedule: CircleSchedule, start_utc: datetime, end_utc: datetime | None
) -> Iterator[Occurrence]:
    """Yield every generated meeting (skips included) from around start_utc, in order."""
    for segment, stop_index in _spans(schedule):
        yield from _bounded(schedule, segment, stop_index, start_utc, end_utc)


def _spans(schedule: CircleSchedule) -> Iterator[tuple[Recurrence, int | None]]:
    """Yield each segment with the index where its meetings stop (the next one, or the count)."""
    segments = schedule.segments
    for position, segment in enumerate(segments):
        stop = segments[position + 1].starts_at_index if position + 1 < len(segments) else None
        if schedule.count is not None:
            stop = schedule.count if stop is None else min(stop, schedule.count)
        yield segment, stop


def _bounded(
    schedule: CircleSchedule,
    segment: Recurrence,
    stop_index: int | None,
    start_utc: datetime,
    end_utc: datetime | None,
) -> Iterator[Occurrence]:
    """Yield one segment's meetings from around start_utc, cut at stop_index, the series end
    and end_utc."""
    for n, day in _local_dates(segment, start_utc):
        index = segment.starts_at_index + n
        if stop_index is not None and index >= stop_index:
            return
        if schedule.until is not None and day > schedule.until:
            return
        try:
            occ = make_occurrence(segment, index, day)
        except OverflowError:
            if day.year == 1:
                continue  # before the year 1 in UTC: that meeting can't be held, later ones can
            return  # after the year 9999 in UTC: the series ends there
        if end_utc is not None and occ.start_utc >= end_utc:
            return
        yield occ


def _local_dates(segment: Recurrence, start_utc: datetime) -> Iterator[tuple[int, date]]:
    """Yield (position within the segment, local date) of the meetings from just before start."""
    first = segment.first_date
    if segment.rule is Rule.ONE_OFF:
        yield 0, first
        return
    try:
        since = (start_utc.astimezone(UTC) - _MARGIN).date()
    except OverflowError:
        since = first
    if segment.rule in (Rule.WEEKLY, Rule.BIWEEKLY):
        step = _step(segment)
        n = max(0, (since - first).days // step)
        while True:
            try:
                day = first + timedelta(days=step * n)
            except OverflowError:
                return
            yield n, day
            n += 1
    nth = segment.monthly_weekday
    start_month = max(_month_number(first), _month_number(since))
    yield from _monthly_dates(nth, start_month, _months_before(nth, first, start_month))


def _step(segment: Recurrence) -> int:
    return 7 if segment.rule is Rule.WEEKLY else 14


def _month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def _date_in_month(nth: NthWeekday, month: int) -> date | None:
    year, month0 = divmod(month, 12)
    return nth.date_in(year, month0 + 1) if year <= _LAST_YEAR else None


def _monthly_dates(nth: NthWeekday, month: int, position: int) -> Iterator[tuple[int, date]]:
    """Yield (position, date) for every month from `month` on that has the weekday."""
    while month // 12 <= _LAST_YEAR:
        day = _date_in_month(nth, month)
        if day is not None:
            yield position, day
            position += 1
        month += 1


def _months_before(nth: NthWeekday, first: date, month: int) -> int:
    """Return how many meetings a monthly rule holds from first's month up to (not) month."""
    if nth.n != 5:
        return month - _month_number(first)
    return _fifths_before(nth.weekday, month) - _fifths_before(nth.weekday, _month_number(first))


def _fifths_before(weekday: int, month: int) -> int:
    """Return how many months before this month number have a fifth of the weekday."""
    offsets = _fifth_offsets(weekday)
    cycles, rest = divmod(month, _CYCLE_MONTHS)
    return cycles * len(offsets) + bisect_left(offsets, rest)


@cache
def _fifth_offsets(weekday: int) -> tuple[int, ...]:
    """Return the months of a 400-year cycle (0: a January of a year divisible by 400) that
    have a fifth of this weekday."""
    nth = NthWeekday(5, weekday)
    start = 2000 * 12  # month numbers are year * 12 + month - 1, so this one starts a cycle
    return tuple(m for m in range(_CYCLE_MONTHS) if _date_in_month(nth, start + m) is not None)

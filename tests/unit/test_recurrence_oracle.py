"""Circle recurrence against dateutil's rrule, near the first meeting and thousands of years on."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import islice
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule as dr
from dateutil.relativedelta import relativedelta
from dateutil.tz import datetime_ambiguous, datetime_exists, resolve_imaginary
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from bot.domain.recurrence import (
    CircleSchedule,
    NthWeekday,
    Occurrence,
    Recurrence,
    Rule,
    ScheduleError,
    ScheduleErrorKind,
    edit_from,
    find_occurrence,
    next_occurrences,
    occurrence_at,
    occurrences,
    validate_schedule,
)
from tests.unit.recurrence_cases import (
    LONDON,
    LONG_AGO,
    NEW_YORK,
    SYDNEY,
    TUE,
    make,
    utc,
)

# --- an independent implementation: dateutil's rrule on naive local times ---------------------

ZONES = (
    NEW_YORK,
    LONDON,
    SYDNEY,
    "Australia/Lord_Howe",
    "America/Santiago",
    "Europe/Dublin",
    "Asia/Kolkata",
)
T = TypeVar("T")
MONTHLY = Rule.MONTHLY_BY_WEEKDAY
DATEUTIL_WEEKDAYS = (dr.MO, dr.TU, dr.WE, dr.TH, dr.FR, dr.SA, dr.SU)
EDIT_HORIZON = timedelta(days=300)


@cache
def transition_dates(zone: str) -> tuple[date, ...]:
    """Return the local dates in 2019-2031 on which the zone's UTC offset changes."""
    tz = ZoneInfo(zone)
    found, day = [], date(2019, 1, 1)
    previous = datetime.combine(day, time(12), tz).utcoffset()
    while day < date(2032, 1, 1):
        day += timedelta(days=1)
        offset = datetime.combine(day, time(12), tz).utcoffset()
        if offset != previous:
            found.append(day)
        previous = offset
    return tuple(found)


@cache
def problem_slots(zone: str) -> tuple[datetime, ...]:
    """Return naive local quarter-hours in 2019-2031 that fall in a gap or a fold (per dateutil)."""
    tz = ZoneInfo(zone)
    slots = []
    for change in transition_dates(zone):
        night = datetime.combine(change, time()) - timedelta(hours=4)
        for quarter in range(4 * 10):
            naive = night + timedelta(minutes=15 * quarter)
            if not datetime_exists(naive, tz) or datetime_ambiguous(naive, tz):
                slots.append(naive)
    return tuple(slots)


def localize(naive: datetime, zone: str) -> datetime:
    """Localize like calendars do: a gap moves forward by its length, a fold takes fold=0."""
    return resolve_imaginary(naive.replace(tzinfo=ZoneInfo(zone), fold=0)).astimezone(UTC)


def oracle_rule(segment: Recurrence, until: date | None, count: int | None) -> dr.rrule:
    """Build dateutil's rrule for a segment on naive local datetimes."""
    start = datetime.combine(segment.first_date, segment.start_time)
    ends = {
        "count": count,
        "until": None if until is None else datetime.combine(until, time.max),
    }
    if segment.rule is Rule.ONE_OFF:
        return dr.rrule(dr.DAILY, dtstart=start, count=1, cache=True)
    if segment.rule in (Rule.WEEKLY, Rule.BIWEEKLY):
        interval = 1 if segment.rule is Rule.WEEKLY else 2
        return dr.rrule(dr.WEEKLY, interval=interval, dtstart=start, cache=True, **ends)
    nth = segment.nth_weekday or oracle_nth(segment.first_date)
    byweekday = DATEUTIL_WEEKDAYS[nth.weekday](nth.n)
    return dr.rrule(dr.MONTHLY, byweekday=byweekday, dtstart=start, cache=True, **ends)


def oracle_nth(day: date) -> NthWeekday:
    """Derive the documented default independently: fifth week means last."""
    n = (day.day - 1) // 7 + 1
    return NthWeekday(-1 if n == 5 else n, day.weekday())


def oracle_series(schedule: CircleSchedule, bound: datetime) -> list[Occurrence]:
    """Compute every kept meeting before bound with rrule and rruleset exdates, per segment."""
    kept: list[Occurrence] = []
    segments = schedule.segments
    naive_bound = bound.replace(tzinfo=None) + timedelta(days=2)
    for position, segment in enumerate(segments):
        first = segment.starts_at_index
        upcoming = segments[position + 1].starts_at_index if position + 1 < len(segments) else None
        count = None if schedule.count is None else schedule.count - first
        rule = oracle_rule(segment, schedule.until, count)
        generated: dict[datetime, int] = {}  # naive local start -> index in the series
        for naive in rule:
            if naive > naive_bound or (upcoming is not None and first + len(generated) >= upcoming):
                break
            generated[naive] = first + len(generated)
        rules = dr.rruleset()
        rules.rrule(rule)
        for day in schedule.skipped:
            rules.exdate(datetime.combine(day, segment.start_time))
        for naive in rules:
            if naive not in generated:
                break
            start = localize(naive, segment.zone)
            kept.append(Occurrence(generated[naive], naive.date(), start, start + segment.duration))
    return [occ for occ in kept if occ.start_utc < bound]


class Picker(Protocol):
    """A source of choices: Hypothesis draws or a seeded random generator."""

    def integer(self, low: int, high: int) -> int:
        """Pick an integer in [low, high]."""
        ...

    def choice(self, options: Sequence[T]) -> T:
        """Pick one of the options."""
        ...

    def subset(self, options: Sequence[T], max_size: int) -> frozenset[T]:
        """Pick up to max_size of the options."""
        ...


@dataclass(frozen=True)
class HypothesisPicker:
    """Choices drawn by Hypothesis, so failures shrink."""

    draw: Callable[[st.SearchStrategy[Any]], Any]

    def integer(self, low: int, high: int) -> int:
        """Draw an integer in [low, high]."""
        return self.draw(st.integers(low, high))

    def choice(self, options: Sequence[T]) -> T:
        """Draw one of the options."""
        return self.draw(st.sampled_from(options))

    def subset(self, options: Sequence[T], max_size: int) -> frozenset[T]:
        """Draw up to max_size of the options."""
        return self.draw(st.frozensets(st.sampled_from(options), max_size=max_size))


@dataclass(frozen=True)
class RandomPicker:
    """Choices from a seeded generator, so many cases run cheaply and repeatably."""

    rng: random.Random

    def integer(self, low: int, high: int) -> int:
        """Pick an integer in [low, high]."""
        return self.rng.randint(low, high)

    def choice(self, options: Sequence[T]) -> T:
        """Pick one of the options."""
        return self.rng.choice(options)

    def subset(self, options: Sequence[T], max_size: int) -> frozenset[T]:
        """Pick up to max_size of the options."""
        size = self.rng.randint(0, min(max_size, len(options)))
        return frozenset(self.rng.sample(list(options), size))


def draw_schedule(pick: Picker) -> CircleSchedule:
    """Draw a schedule input, often aimed at a DST change in its zone; may be invalid."""
    zone = pick.choice(ZONES)
    rule = pick.choice([Rule.ONE_OFF, *[Rule.WEEKLY, Rule.BIWEEKLY, MONTHLY] * 2])
    if pick.integer(0, 2) > 0 and problem_slots(zone):
        # Aim a later meeting at a wall time that does not exist or happens twice.
        slot = pick.choice(problem_slots(zone))
        back = pick.integer(1, 6)
        if rule is MONTHLY:
            first = oracle_same_weekday_months_before(slot.date(), back)
        else:
            first = slot.date() - timedelta(days=(7 if rule is Rule.WEEKLY else 14) * back)
        start_time = slot.time()
    else:
        first = date(2019, 1, 1) + timedelta(days=pick.integer(0, 12 * 365))
        if rule is MONTHLY and pick.integer(0, 1):  # a fifth-week date: "last" or "fifth"
            first = (first + relativedelta(day=31)) - timedelta(days=pick.integer(0, 2))
        start_time = time(pick.integer(0, 23), pick.choice([0, 15, 30, 45]))
    nth = None
    if rule is MONTHLY and pick.integer(0, 2):  # explicit; otherwise derived from first
        choices = [(first.day - 1) // 7 + 1]
        if (first + timedelta(days=7)).month != first.month:
            choices.append(-1)
        nth = NthWeekday(pick.choice(choices), first.weekday())
    end = pick.choice(["none", "count", "until"])
    count = pick.integer(1, 40) if end == "count" else None
    until = first + timedelta(days=pick.integer(0, 700)) if end == "until" else None
    duration = timedelta(minutes=pick.integer(15, 240))
    return CircleSchedule(
        segments=(Recurrence(zone, first, start_time, duration, rule, nth),),
        until=until,
        count=count,
    )


def oracle_same_weekday_months_before(day: date, months: int) -> date:
    """Return the date with day's weekday position, some months earlier (last if fifth)."""
    nth = oracle_nth(day)
    month_start = (day - relativedelta(months=months)).replace(day=1)
    weekday = DATEUTIL_WEEKDAYS[nth.weekday]
    if nth.n == -1:
        return month_start + relativedelta(day=31, weekday=weekday(-1))
    return month_start + relativedelta(weekday=weekday(nth.n))


def first_date_problem(segment: Recurrence) -> ScheduleErrorKind | None:
    """Classify the first meeting's wall time with dateutil's own helpers."""
    local = datetime.combine(segment.first_date, segment.start_time, ZoneInfo(segment.zone))
    if not datetime_exists(local):
        return ScheduleErrorKind.NONEXISTENT_TIME
    if datetime_ambiguous(local):
        return ScheduleErrorKind.AMBIGUOUS_TIME
    return None


def validated(schedule: CircleSchedule) -> bool:
    """Validate, checking that gap and fold errors agree with dateutil's classification."""
    expected = first_date_problem(schedule.segments[-1])
    try:
        validate_schedule(schedule)
    except ScheduleError as error:
        assert error.kind is expected
        return False
    assert expected is None
    return True


def coverage(schedule: CircleSchedule, kept: list[Occurrence]) -> set[str]:
    """Name the tricky cases a generated schedule exercised."""
    segment = schedule.segments[-1]
    zone = ZoneInfo(segment.zone)
    found = set()
    for occ in kept[1:]:
        local = datetime.combine(occ.local_date, segment.start_time, zone)
        if occ.start_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
            found.add("a later meeting falls in a gap")
        elif local.utcoffset() != local.replace(fold=1).utcoffset():
            found.add("a later meeting falls in a fold")
    if schedule.skipped and schedule.count is not None:
        found.add("count with skipped meetings")
    if segment.nth_weekday is not None and segment.nth_weekday.n == 5:
        found.add("fifth weekday")
    return found


def check_occurrences(pick: Picker) -> set[str] | None:
    """Compare occurrences and next_occurrences with the oracle; None if the input was invalid."""
    schedule = draw_schedule(pick)
    if not validated(schedule):
        return None
    segment = schedule.segments[0]
    candidates = [naive.date() for naive in islice(oracle_rule(segment, None, None), 30)]
    schedule = replace(schedule, skipped=pick.subset(candidates, 4))
    first_start = datetime.combine(segment.first_date, time(), UTC)
    lo = first_start + timedelta(hours=pick.choice([-48, 0, pick.integer(-48, 24 * 200)]))
    hi = lo + timedelta(hours=pick.integer(0, 24 * 200))
    expected = oracle_series(schedule, hi)

    assert list(occurrences(schedule, lo, hi)) == [occ for occ in expected if lo <= occ.start_utc]
    limit = pick.integer(0, 12)
    expected_next = [occ for occ in expected if occ.start_utc > lo][:limit]
    found_next = next_occurrences(schedule, lo, limit)
    assert [occ for occ in found_next if occ.start_utc < hi] == expected_next
    return coverage(schedule, expected)


EDIT_ERRORS = (
    ScheduleErrorKind.NONEXISTENT_TIME,
    ScheduleErrorKind.AMBIGUOUS_TIME,
    ScheduleErrorKind.END_BEFORE_START,
    ScheduleErrorKind.BAD_EDIT,
)


def check_edit(pick: Picker) -> set[str] | None:
    """Edit from a meeting on and compare with the oracle; None if the input was invalid."""
    schedule = draw_schedule(pick)
    if schedule.segments[0].rule is Rule.ONE_OFF or not validated(schedule):
        return None
    bound = datetime.combine(schedule.segments[0].first_date, time(), UTC) + EDIT_HORIZON
    generated = oracle_series(schedule, bound)
    choices = [occ for occ in generated[1:10] if occ.start_utc < bound - timedelta(days=60)]
    if not choices:
        return None
    at = pick.choice(choices)
    schedule = replace(schedule, skipped=pick.subset([occ.local_date for occ in generated], 3))
    before = [occ for occ in generated if occ.local_date not in schedule.skipped]
    changes: dict[str, Any] = {}
    if pick.integer(0, 1):
        changes["start_time"] = time(pick.integer(0, 23), pick.choice([0, 30]))
    if pick.integer(0, 1):
        changes["first_date"] = at.local_date + timedelta(days=pick.integer(-3, 10))
    if pick.integer(0, 1):
        changes["rule"] = pick.choice([Rule.WEEKLY, Rule.BIWEEKLY, MONTHLY])
    if pick.integer(0, 3) == 0:
        changes["zone"] = pick.choice(ZONES)
    if pick.integer(0, 1):
        changes["duration"] = timedelta(minutes=pick.integer(15, 180))
    try:
        edited = edit_from(schedule, at.index, **changes)
    except ScheduleError as error:
        assert error.kind in EDIT_ERRORS
        return None
    assert first_date_problem(edited.segments[-1]) is None
    assert edited.segments[-1].starts_at_index == at.index

    after = oracle_series(edited, bound)
    assert [occ for occ in after if occ.index < at.index] == [
        occ for occ in before if occ.index < at.index
    ]
    assert list(occurrences(edited, LONG_AGO, bound)) == after
    first_new = occurrence_at(edited, at.index)
    assert first_new is not None
    assert first_new.local_date == edited.segments[-1].first_date
    return {"edit", *coverage(edited, after)}


PROPERTY = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@PROPERTY
@given(data=st.data())
def test_occurrences_match_dateutil_rrule(data: st.DataObject) -> None:
    """Generate the same meetings as dateutil's rrule localized with the same policy."""
    found = check_occurrences(HypothesisPicker(data.draw))
    assume(found is not None)
    for name in found or ():
        event(name)


@PROPERTY
@given(data=st.data())
def test_edits_match_dateutil_rrule_and_keep_the_past(data: st.DataObject) -> None:
    """Keep meetings before an edit and generate later ones as rrule does from the new start."""
    found = check_edit(HypothesisPicker(data.draw))
    assume(found is not None)
    for name in found or ():
        event(name)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    ("check", "cases"), [(check_occurrences, 300), (check_edit, 150)], ids=["occurrences", "edits"]
)
def test_seeded_sweep_matches_dateutil_rrule(
    check: Callable[[Picker], set[str] | None], cases: int, seed: int
) -> None:
    """Agree with the oracle over hundreds of seeded cases, including gaps, folds and skips."""
    rng = random.Random(seed)
    seen: Counter[str] = Counter()
    for case in range(cases):
        state = rng.getstate()
        try:
            found = check(RandomPicker(rng))
        except AssertionError as error:
            rng.setstate(state)
            schedule = draw_schedule(RandomPicker(rng))
            raise AssertionError(f"seed {seed}, case {case}: {schedule!r}") from error
        seen.update(["valid"] if found is not None else ["invalid"])
        seen.update(found or ())
    assert seen["valid"] >= cases // 2, seen
    assert seen["a later meeting falls in a gap"] >= 5, seen
    assert seen["a later meeting falls in a fold"] >= 5, seen
    if check is check_occurrences:
        assert seen["count with skipped meetings"] >= 10, seen
        assert seen["fifth weekday"] >= 3, seen


# --- far from the first meeting: computed, not walked -----------------------------------------


def oracle_nth_meeting(segment: Recurrence, position: int) -> Occurrence:
    """Return the segment's meeting at a position with dateutil's rrule, walking there."""
    naive = next(islice(oracle_rule(segment, None, None), position, None))
    start = localize(naive, segment.zone)
    return Occurrence(position, naive.date(), start, start + segment.duration)


@PROPERTY
@given(
    rule=st.sampled_from([Rule.WEEKLY, Rule.BIWEEKLY, MONTHLY]),
    first=st.dates(date(1990, 1, 1), date(2060, 12, 31)),
    n=st.sampled_from([1, 2, 3, 4, 5, -1]),
    position=st.integers(0, 3000),
    zone=st.sampled_from(ZONES),
)
def test_a_far_meeting_is_the_one_rrule_reaches_by_walking(
    rule: Rule, first: date, n: int, position: int, zone: str
) -> None:
    """Meeting 3000 (and every fifth-weekday month across a 400-year cycle) matches rrule."""
    nth = None
    if rule is MONTHLY:
        nth = NthWeekday(n, first.weekday())
        day = nth.date_in(first.year, first.month)
        assume(day is not None)
        first = day or first
    schedule = CircleSchedule(
        (Recurrence(zone, first, time(11, 0), timedelta(hours=1), rule, nth),)
    )
    assume(validated(schedule))
    expected = oracle_nth_meeting(schedule.segments[0], position)
    assert occurrence_at(schedule, position) == expected
    assert find_occurrence(schedule, expected.local_date) == expected
    assert next_occurrences(schedule, expected.start_utc - timedelta(seconds=1), 1) == [expected]
    assert list(occurrences(schedule, expected.start_utc, expected.end_utc)) == [expected]


def test_a_weekly_series_to_the_year_9999_reaches_its_last_meeting() -> None:
    """The last meeting of a weekly series running to 9999 is there, and nothing after it."""
    schedule = make(zone=LONDON, first_date=date(2026, 1, 6), until=date(9999, 12, 31))
    last = date(9999, 12, 28)  # the last Tuesday of the year 9999
    index = (last - date(2026, 1, 6)).days // 7
    found = occurrence_at(schedule, index)
    assert found is not None and found.local_date == last
    assert occurrence_at(schedule, index + 1) is None
    assert next_occurrences(schedule, found.start_utc - timedelta(days=1), 3) == [found]
    assert find_occurrence(schedule, last) == found


def test_a_series_that_began_in_the_year_1_finds_todays_meeting() -> None:
    """A monthly series from the year 1 still gives this month's meeting its true index."""
    schedule = make(zone=LONDON, first_date=date(1, 1, 2), rule=MONTHLY)  # first Tuesday
    [coming] = next_occurrences(schedule, utc(2030, 1, 1), 1)
    assert coming.local_date == date(2030, 1, 1) and coming.index == 2029 * 12
    assert occurrence_at(schedule, coming.index) == coming


def test_a_fifth_weekday_thousands_of_years_on_is_counted_month_by_month() -> None:
    """Meeting n of a "fifth Tuesday" series is the n-th month with one, even 7,000 years on."""
    fifth = NthWeekday(5, TUE)
    schedule = make(zone=LONDON, first_date=date(2026, 3, 31), rule=MONTHLY, nth_weekday=fifth)
    months = ((year, month) for year in range(2026, 10_000) for month in range(1, 13))
    walked = [day for y, m in months if (day := fifth.date_in(y, m)) and day >= date(2026, 3, 31)]
    for index in (0, 1, 1670, 1671, 5000, len(walked) - 1):
        found = occurrence_at(schedule, index)
        assert found is not None and found.local_date == walked[index], index
    assert occurrence_at(schedule, len(walked)) is None
    assert find_occurrence(schedule, walked[-1]) == occurrence_at(schedule, len(walked) - 1)


def test_a_meeting_before_the_year_1_in_utc_is_left_out_and_the_series_goes_on() -> None:
    """A first meeting on 1 January of the year 1 in Sydney would be in the year 0 in UTC."""
    schedule = make(zone=SYDNEY, first_date=date(1, 1, 1), start_time=time(0, 30))
    assert occurrence_at(schedule, 0) is None
    second = occurrence_at(schedule, 1)
    assert second is not None and second.local_date == date(1, 1, 8)
    assert next_occurrences(schedule, utc(1, 1, 1), 1) == [second]
    assert find_occurrence(schedule, date(1, 1, 1)) is None

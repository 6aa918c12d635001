"""Circle recurrence: checking input, edits from a meeting on, lead times and labels."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.circle_reminders import choose_reminder
from bot.domain.recurrence import (
    MAX_DURATION,
    NthWeekday,
    Rule,
    ScheduleError,
    ScheduleErrorKind,
    edit_from,
    format_nth_weekday,
    next_occurrences,
    occurrences,
    parse_nth_weekday,
    skip,
    validate_lead_times,
)
from tests.unit.recurrence_cases import (
    EVER_AFTER,
    FRI,
    LONDON,
    LONG_AGO,
    MON,
    NEW_YORK,
    SUN,
    THU,
    TUE,
    WED,
    dates,
    error_kind,
    make,
    starts,
    utc,
)

# --- validation of input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "hint"),
    [
        ("Mars/Olympus_Mons", None),
        ("", None),
        ("America", None),
        ("localtime", None),
        ("../etc/passwd", None),
        ("europe/london", "Europe/London"),
        (" Australia/Sydney ", "Australia/Sydney"),
    ],
)
def test_unknown_zone_is_rejected(zone: str, hint: str | None) -> None:
    """Reject a zone that is not an IANA name, suggesting the right spelling when close."""
    with pytest.raises(ScheduleError) as caught:
        make(zone=zone)
    assert caught.value.kind is ScheduleErrorKind.UNKNOWN_ZONE
    assert (hint is not None) == (f"Did you mean {hint}?" in caught.value.message)


def test_end_before_start_is_rejected() -> None:
    """Reject an until date before the first meeting."""
    assert error_kind(until=date(2024, 3, 4)) is ScheduleErrorKind.END_BEFORE_START


def test_until_on_the_first_date_is_accepted() -> None:
    """Accept an until date equal to the first date: one meeting."""
    assert dates(make(until=date(2024, 3, 5))) == [date(2024, 3, 5)]


@pytest.mark.parametrize("count", [0, -1, True, 2.5])
def test_count_must_be_a_positive_whole_number(count: object) -> None:
    """Reject a number of meetings below one or not a whole number."""
    assert error_kind(count=count) is ScheduleErrorKind.BAD_COUNT


@pytest.mark.parametrize(
    "duration", [timedelta(0), timedelta(minutes=-30), MAX_DURATION + timedelta(seconds=1)]
)
def test_duration_must_be_positive_and_capped(duration: timedelta) -> None:
    """Reject a duration that is not positive or longer than the cap."""
    assert error_kind(duration=duration) is ScheduleErrorKind.BAD_DURATION


def test_duration_at_the_cap_is_accepted() -> None:
    """Accept a duration exactly at the cap."""
    make(duration=MAX_DURATION)


def test_start_time_with_a_zone_is_rejected() -> None:
    """Reject a start time that carries its own zone."""
    assert error_kind(start_time=time(19, tzinfo=UTC)) is ScheduleErrorKind.BAD_RULE


def test_first_date_must_be_a_date_not_a_datetime() -> None:
    """Reject a datetime passed as the first date."""
    kind = error_kind(first_date=datetime(2024, 3, 5, 19, tzinfo=UTC))
    assert kind is ScheduleErrorKind.BAD_RULE


# --- edits change future meetings only -------------------------------------------------------


def test_edit_changes_future_meetings_and_keeps_past_ones() -> None:
    """Move meetings from index 3 on to 18:00 and leave meetings 0-2 as they were."""
    before = make(count=6)
    after = edit_from(before, 3, start_time=time(18))
    old, new = starts(before), starts(after)
    assert new[:3] == old[:3]
    assert new[3:] == [start - timedelta(hours=1) for start in old[3:]]
    assert [occ.index for occ in occurrences(after, LONG_AGO, EVER_AFTER)] == list(range(6))


def test_edit_can_move_the_day_and_keeps_the_count() -> None:
    """Move meetings to Thursdays from index 2 on, with the series still 5 meetings long."""
    after = edit_from(make(count=5), 2, first_date=date(2024, 3, 21))
    assert dates(after) == [
        date(2024, 3, 5),
        date(2024, 3, 12),
        date(2024, 3, 21),
        date(2024, 3, 28),
        date(2024, 4, 4),
    ]


def test_edit_keeps_an_explicit_monthly_weekday() -> None:
    """Keep 'last Friday' when only the time changes, even on a date that is a fourth Friday."""
    before = make(zone=LONDON, first_date=date(2024, 3, 29), rule=Rule.MONTHLY_BY_WEEKDAY)
    after = edit_from(before, 1, start_time=time(18))  # meeting 1 is 26 April, a fourth Friday
    assert after.current.monthly_weekday == NthWeekday(-1, FRI)
    assert [occ.local_date for occ in next_occurrences(after, LONG_AGO, 3)] == [
        date(2024, 3, 29),
        date(2024, 4, 26),
        date(2024, 5, 31),
    ]


def test_edit_that_moves_the_day_derives_a_new_monthly_weekday() -> None:
    """Derive the monthly weekday from the new first date when an edit moves the day."""
    before = make(first_date=date(2024, 3, 29), rule=Rule.MONTHLY_BY_WEEKDAY)  # last Friday
    after = edit_from(before, 1, first_date=date(2024, 4, 9))  # a second Tuesday
    assert after.current.monthly_weekday == NthWeekday(2, TUE)
    assert [occ.local_date for occ in next_occurrences(after, LONG_AGO, 3)] == [
        date(2024, 3, 29),
        date(2024, 4, 9),
        date(2024, 5, 14),
    ]


def test_edit_can_change_rule_and_derives_monthly_weekday() -> None:
    """Switch a weekly circle to monthly from a meeting, deriving the weekday from its date."""
    after = edit_from(make(), 2, rule=Rule.MONTHLY_BY_WEEKDAY)  # 19 March: third Tuesday
    assert after.current.monthly_weekday == NthWeekday(3, TUE)
    assert [occ.local_date for occ in next_occurrences(after, LONG_AGO, 4)][2:] == [
        date(2024, 3, 19),
        date(2024, 4, 16),
    ]


def test_edit_at_a_segment_start_replaces_it() -> None:
    """Replace a segment when the edit starts at the same meeting."""
    once = edit_from(make(), 2, start_time=time(18))
    twice = edit_from(once, 2, start_time=time(17))
    assert len(twice.segments) == 2
    assert twice.current.start_time == time(17)


def test_edit_of_an_earlier_meeting_drops_later_edits() -> None:
    """Drop later segments when an edit starts before them."""
    once = edit_from(make(), 4, start_time=time(18))
    again = edit_from(once, 2, duration=timedelta(hours=1))
    assert [seg.starts_at_index for seg in again.segments] == [0, 2]
    assert again.current.start_time == time(19)


def test_edit_into_the_past_of_the_series_is_rejected() -> None:
    """Refuse an edit whose first meeting would not come after the meeting before it."""
    with pytest.raises(ScheduleError) as caught:
        edit_from(make(), 2, first_date=date(2024, 3, 12))
    assert caught.value.kind is ScheduleErrorKind.BAD_EDIT


def test_edit_of_a_meeting_after_the_end_is_rejected() -> None:
    """Refuse to edit a meeting the series does not have."""
    with pytest.raises(ScheduleError) as caught:
        edit_from(make(count=3), 3, start_time=time(18))
    assert caught.value.kind is ScheduleErrorKind.NO_SUCH_MEETING


def test_edit_to_a_time_in_a_gap_is_rejected() -> None:
    """Refuse an edit whose first meeting falls in a spring-forward gap."""
    schedule = make(first_date=date(2024, 3, 3), start_time=time(1, 0), rule=Rule.WEEKLY)
    with pytest.raises(ScheduleError) as caught:
        edit_from(schedule, 1, start_time=time(2, 30))
    assert caught.value.kind is ScheduleErrorKind.NONEXISTENT_TIME


def test_edit_of_a_skipped_meeting_keeps_it_skipped() -> None:
    """Keep a skipped date cancelled after a time change that keeps the day."""
    schedule = skip(make(count=4), date(2024, 3, 19))
    after = edit_from(schedule, 1, start_time=time(18))
    assert dates(after) == [date(2024, 3, 5), date(2024, 3, 12), date(2024, 3, 26)]


# --- reminders -------------------------------------------------------------------------------


def test_reminder_times_are_elapsed_lead_times_before_start() -> None:
    """Put a 24 h reminder 24 elapsed hours before, even across the spring-forward night."""
    (occ,) = next_occurrences(make(first_date=date(2024, 3, 10), rule=Rule.ONE_OFF), LONG_AGO, 1)
    assert occ.start_utc == utc(2024, 3, 10, 23)
    leads, day_before, soon = (24 * 60, 15), utc(2024, 3, 9, 23), utc(2024, 3, 10, 22, 45)
    assert choose_reminder(leads, occ.start_utc, day_before, LONG_AGO).send == 24 * 60
    early = day_before - timedelta(seconds=1)
    assert choose_reminder(leads, occ.start_utc, early, LONG_AGO).send is None
    assert choose_reminder(leads, occ.start_utc, soon, LONG_AGO).send == 15
    assert day_before.astimezone(ZoneInfo(NEW_YORK)).time() == time(18)  # 18:00 EST the day before


@pytest.mark.parametrize("lead", [timedelta(0), timedelta(minutes=-5), timedelta(days=15)])
def test_unusable_lead_time_is_rejected(lead: timedelta) -> None:
    """Reject a lead time that is not positive or too long."""
    with pytest.raises(ScheduleError) as caught:
        validate_lead_times([lead])
    assert caught.value.kind is ScheduleErrorKind.BAD_LEAD_TIME


# --- labels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("second Tuesday", NthWeekday(2, TUE)),
        ("last Friday", NthWeekday(-1, FRI)),
        ("  Last  friday  ", NthWeekday(-1, FRI)),
        ("2nd tue", NthWeekday(2, TUE)),
        ("the first Monday of the month", NthWeekday(1, MON)),
        ("every third Thursdays", NthWeekday(3, THU)),
        ("fifth Sun", NthWeekday(5, SUN)),
        ("4th Wed.", NthWeekday(4, WED)),
    ],
)
def test_parse_nth_weekday_reads_labels(label: str, expected: NthWeekday) -> None:
    """Read a monthly weekday label."""
    assert parse_nth_weekday(label) == expected


@pytest.mark.parametrize(
    "label", ["", "Tuesday", "sixth Tuesday", "second Tuesday Friday", "2 tue"]
)
def test_parse_nth_weekday_rejects_nonsense(label: str) -> None:
    """Reject a label that is not an ordinal and a weekday."""
    with pytest.raises(ScheduleError) as caught:
        parse_nth_weekday(label)
    assert caught.value.kind is ScheduleErrorKind.BAD_RULE


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, -1])
@pytest.mark.parametrize("weekday", range(7))
def test_format_and_parse_round_trip(n: int, weekday: int) -> None:
    """Read back every label that format_nth_weekday writes."""
    nth = NthWeekday(n, weekday)
    assert parse_nth_weekday(format_nth_weekday(nth)) == nth


def test_format_nth_weekday_writes_plain_words() -> None:
    """Write labels such as 'second Tuesday' and 'last Friday'."""
    assert format_nth_weekday(NthWeekday(2, TUE)) == "second Tuesday"
    assert format_nth_weekday(NthWeekday(-1, FRI)) == "last Friday"

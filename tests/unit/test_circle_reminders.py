"""Choosing circle reminders: each on time, or only the nearest one when it would come late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.circle_reminders import (
    ON_TIME,
    ReminderChoice,
    choose_reminder,
    is_late,
    superseded_on_resume,
)

START = datetime(2030, 1, 15, 19, 0, tzinfo=UTC)
LEADS = (24 * 60, 15)
LONG_AGO = START - timedelta(days=7)


def at(minutes_before: float) -> datetime:
    """Return the moment this many minutes before the meeting."""
    return START - timedelta(minutes=minutes_before)


def run_passes(
    leads: tuple[int, ...], going_since: datetime, first_pass: datetime
) -> list[tuple[int, datetime]]:
    """Run the reminders job every minute from `first_pass` to the start; return what it sent."""
    sent: list[tuple[int, datetime]] = []
    claimed: set[int] = set()
    now = first_pass
    while now < START + timedelta(minutes=5):
        choice = choose_reminder(leads, START, now, going_since)
        claimed.update(choice.superseded)
        if choice.send is not None and choice.send not in claimed:
            claimed.add(choice.send)
            sent.append((choice.send, now))
        now += timedelta(minutes=1)
    return sent


def test_nothing_is_due_a_week_ahead() -> None:
    """Before the first lead time nothing is sent."""
    assert choose_reminder(LEADS, START, at(3 * 24 * 60), LONG_AGO) == ReminderChoice(None)


def test_each_reminder_goes_at_its_time_for_an_early_yes() -> None:
    """Someone going for days gets the day-before reminder, then the 15-minute one."""
    assert run_passes(LEADS, LONG_AGO, at(48 * 60)) == [(24 * 60, at(24 * 60)), (15, at(15))]


def test_a_yes_17_minutes_before_waits_for_the_15_minute_reminder() -> None:
    """The day-before reminder is late and a nearer one is coming: only that one is sent."""
    assert choose_reminder(LEADS, START, at(17), at(17)) == ReminderChoice(None)
    assert run_passes(LEADS, at(17), at(17)) == [(15, at(15))]


def test_a_yes_10_minutes_before_still_gets_the_nearest_reminder() -> None:
    """The nearest reminder goes out late, until the meeting starts."""
    assert choose_reminder(LEADS, START, at(10), at(10)) == ReminderChoice(15, (24 * 60,))
    assert choose_reminder(LEADS, START, START, at(10)) == ReminderChoice(None)


def test_when_both_are_due_at_once_the_farther_one_is_superseded() -> None:
    """Hearth back 10 minutes before: the 15-minute reminder goes, the day-before one never."""
    assert choose_reminder(LEADS, START, at(10), LONG_AGO) == ReminderChoice(15, (24 * 60,))


def test_lateness_counts_from_the_yes_and_from_the_clock() -> None:
    """A reminder is late if its time passed more than ON_TIME ago, or before the member's yes."""
    due = at(24 * 60)
    assert not is_late(due, due + ON_TIME, LONG_AGO)
    assert is_late(due, due + ON_TIME + timedelta(seconds=1), LONG_AGO)
    assert is_late(due, due + timedelta(seconds=10), due + timedelta(seconds=5))


def test_a_claim_left_by_a_stop_is_superseded_once_late() -> None:
    """After a restart a claimed day-before reminder goes only if still on time."""
    assert not superseded_on_resume(24 * 60, LEADS, START, at(24 * 60 - 1))
    assert superseded_on_resume(24 * 60, LEADS, START, at(16))
    assert not superseded_on_resume(15, LEADS, START, at(10))  # the nearest: late is fine
    assert superseded_on_resume(15, LEADS, START, START)


leads_strategy = st.lists(
    st.integers(min_value=5, max_value=3 * 24 * 60), min_size=1, max_size=4, unique=True
).map(tuple)
minutes_before = st.integers(min_value=0, max_value=4 * 24 * 60)


@settings(max_examples=150, deadline=None)
@given(leads=leads_strategy, yes=minutes_before, up=minutes_before)
def test_a_late_reminder_is_only_ever_the_last_one(
    leads: tuple[int, ...], yes: int, up: int
) -> None:
    """However late the yes or Hearth's first pass, reminders come nearest-last, each once, and
    only the nearest lead is ever sent late (so a late one is never followed by another)."""
    going_since = at(yes)
    first_pass = max(going_since, at(up))
    sent = run_passes(leads, going_since, first_pass)
    assert [lead for lead, _ in sent] == sorted({lead for lead, _ in sent}, reverse=True)
    for lead, when in sent:
        if is_late(at(lead), when, going_since):
            assert lead == min(leads)
        assert when < START


@settings(max_examples=100, deadline=None)
@given(leads=leads_strategy)
def test_someone_going_from_the_start_gets_every_reminder(leads: tuple[int, ...]) -> None:
    """With Hearth up all along and a yes before every lead time, each reminder goes once."""
    sent = run_passes(leads, LONG_AGO, at(max(leads) + 1))
    assert [lead for lead, _ in sent] == sorted(leads, reverse=True)


@pytest.mark.parametrize(
    ("lead", "now", "send"),
    [
        (15, at(15), True),  # on time
        (24 * 60, at(2 * 60), True),  # late, still useful: no nearer reminder to wait for
        (24 * 60, at(1 / 60), True),
        (24 * 60, START, False),  # the meeting has started
        (15, START + timedelta(minutes=5), False),
        (15, at(20), False),  # not due yet
    ],
)
def test_a_lone_reminder_goes_out_late_only_before_the_meeting_starts(
    lead: int, now: datetime, send: bool
) -> None:
    """With no nearer reminder, a due one still goes out late, but never once the meeting began."""
    assert (choose_reminder((lead,), START, now, LONG_AGO).send == lead) is send

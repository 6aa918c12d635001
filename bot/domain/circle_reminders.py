"""Which circle reminder a member gets now: each on time, or only the nearest one when late.

A circle has reminders at several lead times (by default 24 hours and 15 minutes before). Each
goes out at its time. One that can't (the member said yes after it, or Hearth was down) is late,
and a late reminder is superseded by any nearer one, whether that nearer one is due in this same
pass or still to come: so nobody gets the day-before reminder and then, minutes later, the
15-minute one. The nearest reminder itself still goes out late, until the meeting starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# How late a reminder may go out and still count as on time (the job runs every minute).
ON_TIME = timedelta(minutes=5)


@dataclass(frozen=True)
class ReminderChoice:
    """What to do now for one member and one meeting: the lead to send, and those it supersedes."""

    send: int | None
    superseded: tuple[int, ...] = ()


def _due_at(start: datetime, lead_minutes: int) -> datetime:
    return start - timedelta(minutes=lead_minutes)


def is_late(due_at: datetime, now: datetime, going_since: datetime | None = None) -> bool:
    """Say whether a reminder due at `due_at` would go out late now (or after the member's yes)."""
    return now - due_at > ON_TIME or (going_since is not None and going_since > due_at)


def choose_reminder(
    leads: Iterable[int], start: datetime, now: datetime, going_since: datetime
) -> ReminderChoice:
    """Return which reminder (lead in minutes) to send now to someone going since `going_since`.

    Of the leads due (their time has come, the meeting has not started), only the nearest to
    the meeting may go; the farther ones are superseded by it. If a nearer lead is still to
    come and the nearest due one would be late, nothing is sent now: the nearer one will be.
    """
    ordered = sorted(set(leads))  # nearest to the meeting first
    due = [lead for lead in ordered if _due_at(start, lead) <= now < start]
    if not due:
        return ReminderChoice(None)
    nearest = due[0]
    nearer_to_come = ordered[0] != nearest
    if nearer_to_come and is_late(_due_at(start, nearest), now, going_since):
        return ReminderChoice(None)
    return ReminderChoice(nearest, tuple(due[1:]))


def superseded_on_resume(lead: int, leads: Iterable[int], start: datetime, now: datetime) -> bool:
    """Say whether a reminder claimed but never sent (Hearth stopped) should no longer go out.

    It is superseded once it would go out late while a nearer lead exists (due or still to
    come), and in any case once the meeting has started.
    """
    if now >= start:
        return True
    nearer = any(other < lead for other in leads)
    return nearer and is_late(_due_at(start, lead), now)

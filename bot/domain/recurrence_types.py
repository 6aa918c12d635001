"""The values a circle's schedule is made of: rules, segments, the series, one meeting, errors.

Pure, standard library only; `bot.domain.recurrence` explains the policies and re-exports these.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

MAX_DURATION = timedelta(hours=12)
MAX_LEAD_TIME = timedelta(days=14)


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


def N_(text: str) -> str:
    """Mark a message for the catalogs (bot.i18n's marker, kept here so the domain stays pure)."""
    return text


class ScheduleError(ValueError):
    """Scheduling input that cannot be used: a catalog message (English) and its values.

    `text` has %(name)s placeholders and `values` fills them with language-neutral words
    (ISO dates, 24-hour times, zone names, numbers); the cog says it in the reader's language.
    """

    def __init__(self, kind: ScheduleErrorKind, text: str, **values: object) -> None:
        """Store the kind of problem, its message and the values it names."""
        super().__init__(text)
        self.kind = kind
        self.text = text
        self.values = values

    @property
    def message(self) -> str:
        """Return the message in English, values filled in."""
        return self.text % self.values if self.values else self.text


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

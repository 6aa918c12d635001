"""Circle schedules in words: "second Tuesday" labels, plain sentences, dates and durations.

Pure, standard library only; re-exported by `bot.domain.recurrence`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain.recurrence_types import (
    CircleSchedule,
    NthWeekday,
    Recurrence,
    Rule,
    ScheduleError,
    ScheduleErrorKind,
)
from bot.domain.text import excerpt

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


def check_nth_weekday(nth: NthWeekday) -> None:
    """Raise ScheduleError unless nth names a real position (first..fifth, last) and weekday."""
    if nth.n not in _ORDINALS or nth.weekday not in range(7):
        raise ScheduleError(
            ScheduleErrorKind.BAD_RULE, "Write the day like 'second Tuesday' or 'last Friday'."
        )


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
    check_nth_weekday(nth)
    return f"{_ORDINALS[nth.n]} {_WEEKDAYS[nth.weekday]}"


def describe(schedule: CircleSchedule | Recurrence) -> str:
    """Return a plain sentence describing how often and when the circle meets."""
    segment = schedule.current if isinstance(schedule, CircleSchedule) else schedule
    at = f"at {segment.start_time:%H:%M} ({segment.zone}) for {format_duration(segment.duration)}"
    weekday = _WEEKDAYS[segment.first_date.weekday()]
    if segment.rule is Rule.ONE_OFF:
        text = f"Once, on {format_date(segment.first_date)}, {at}"
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
            ends.append(f"until {format_date(schedule.until)}")
        if ends:
            text += ", " + " or ".join(ends) + ("" if len(ends) == 1 else ", whichever is first")
    return text


def format_date(day: date) -> str:
    """Return a date in words, like 'Tuesday 17 March 2026'."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_duration(span: timedelta) -> str:
    """Return a length of time in words, like '1 hour 30 minutes'."""
    minutes = int(span.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [
        f"{value} {unit}{'s' if value != 1 else ''}"
        for value, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if value
    ]
    return " ".join(parts) or "less than a minute"

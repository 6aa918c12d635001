"""Monthly days as typed: "second Tuesday" labels, read and written back.

Pure, standard library only; re-exported by `bot.domain.recurrence`. Schedules in a reader's
words ("every other Tuesday at 19:00") are rendered by the circles cog from the values.
"""

from __future__ import annotations

import re

from bot.domain.recurrence_types import (
    N_,
    NthWeekday,
    ScheduleError,
    ScheduleErrorKind,
)
from bot.domain.text import excerpt

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
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
            ScheduleErrorKind.BAD_RULE, N_("Write the day like 'second Tuesday' or 'last Friday'.")
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
        N_("I could not read “%(typed)s”. Write it like 'second Tuesday' or 'last Friday'."),
        typed=excerpt(text),
    )


def format_nth_weekday(nth: NthWeekday) -> str:
    """Return a label such as 'second Tuesday' that parse_nth_weekday reads back."""
    check_nth_weekday(nth)
    return f"{_ORDINALS[nth.n]} {_WEEKDAYS[nth.weekday]}"

"""Anonymous check-ins: moods, safe text, delays, rotation windows, summaries and reminders.

Pure: standard library only, time passed in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

from bot.domain.text import excerpt

__all__ = [
    "EPOCH",
    "GIVE_UP_AFTER",
    "MOODS",
    "NOTE_MAX",
    "REF_ALPHABET",
    "WEEKDAYS",
    "HistoryOverview",
    "Mood",
    "MoodSummary",
    "clean_note",
    "community_summary",
    "daily_moods",
    "delivery_delay",
    "history_overview",
    "mood",
    "neutralise",
    "next_reminder",
    "parse_clock",
    "parse_days",
    "public_ref",
    "retry_delay",
    "window_bounds",
]

NOTE_MAX = 1000
GIVE_UP_AFTER = timedelta(days=1)
"""A check-in that could not be posted for this long is given up, and its author told."""

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
"""A Monday at midnight UTC: rotation windows are counted from here, so they line up."""


@dataclass(frozen=True)
class Mood:
    """One point of the 1–5 mood scale."""

    value: int
    word: str
    emoji: str

    @property
    def label(self) -> str:
        """Return the emoji and the word, capitalised."""
        return f"{self.emoji} {self.word.capitalize()}"


MOODS: tuple[Mood, ...] = (
    Mood(1, "struggling", "🌧️"),
    Mood(2, "low", "🌥️"),
    Mood(3, "okay", "⛅"),
    Mood(4, "good", "🌤️"),
    Mood(5, "doing well", "☀️"),
)


def mood(value: int) -> Mood:
    """Return the mood for a value from 1 to 5, or raise ValueError."""
    if not isinstance(value, int) or not 1 <= value <= len(MOODS):
        raise ValueError(f"mood must be 1 to {len(MOODS)}")
    return MOODS[value - 1]


# --- Text ----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n{3,}")
_EVERYONE = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
_MENTION = re.compile(r"<(@[!&]?|#|/)(?=[\w:-]*\d>)")
_ZWSP = "\u200b"


def clean_note(text: str | None) -> str | None:
    """Return the note tidied (no control characters, at most one blank line), or None if empty.

    Raises ValueError when it is longer than NOTE_MAX characters.
    """
    if text is None:
        return None
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _BLANK_LINES.sub("\n\n", _CONTROL.sub("", text)).strip()
    if not text:
        return None
    if len(text) > NOTE_MAX:
        raise ValueError(f"a note can be up to {NOTE_MAX} characters")
    return text


def neutralise(text: str) -> str:
    """Make mention syntax and @everyone/@here inert while keeping them readable."""
    text = _EVERYONE.sub(lambda m: f"@{_ZWSP}{m.group(1)}", text)
    return _MENTION.sub(lambda m: f"<{_ZWSP}{m.group(1)}", text)


# --- Delivery ------------------------------------------------------------------------------


class Uniform(Protocol):
    """A random source (random.Random or random.SystemRandom)."""

    def uniform(self, a: float, b: float) -> float:
        """Return a random float between a and b."""
        ...


def delivery_delay(max_seconds: int, rng: Uniform) -> timedelta:
    """Return a random delay between 0 and `max_seconds` (0 means post at once)."""
    if max_seconds <= 0:
        return timedelta(0)
    return timedelta(seconds=rng.uniform(0, max_seconds))


def retry_delay(attempts: int) -> timedelta:
    """Return how long to wait after `attempts` failed tries: 10 s doubling, at most 10 min."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 600))


REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def public_ref(random_bytes: bytes, length: int = 6) -> str:
    """Turn random bytes into a short reference without look-alike characters."""
    number = int.from_bytes(random_bytes, "big")
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(REF_ALPHABET))
        chars.append(REF_ALPHABET[index])
    return "".join(chars)


def window_bounds(
    now: datetime, days: int, not_before: datetime | None = None
) -> tuple[datetime, datetime]:
    """Return the rotation window holding `now`: aligned to EPOCH, never overlapping the last."""
    if days < 1:
        raise ValueError("a rotation window lasts at least a day")
    length = timedelta(days=days)
    start = EPOCH + ((now - EPOCH) // length) * length
    if not_before is not None and start < not_before:
        start = not_before
    end = start + length
    if end <= now:  # only when not_before pushed the start past an aligned boundary
        end = now + length
    return start, end


# --- Summaries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MoodSummary:
    """How many check-ins had each mood, from at least `members` different people."""

    counts: tuple[int, ...]  # index 0 is mood 1
    members: int

    @property
    def total(self) -> int:
        """Return the number of check-ins counted."""
        return sum(self.counts)


def community_summary(moods: Iterable[int], members: int, k: int) -> MoodSummary | None:
    """Return the distribution, or None unless at least `k` different members checked in."""
    if members < max(k, 1):
        return None
    counter = Counter(moods)
    return MoodSummary(tuple(counter.get(m.value, 0) for m in MOODS), members)


def daily_moods(entries: Iterable[tuple[date, int]]) -> dict[date, int]:
    """Return one mood per day: the rounded mean of that day's check-ins (halves round down)."""
    per_day: dict[date, list[int]] = {}
    for day, value in entries:
        per_day.setdefault(day, []).append(value)
    result = {}
    for day, values in sorted(per_day.items()):
        total, count = sum(values), len(values)
        result[day] = (2 * total + count - 1) // (2 * count)  # round half down, in integers
    return result


@dataclass(frozen=True)
class HistoryOverview:
    """How the member's days went: on how many days they checked in, and the usual mood."""

    checked: int
    common: int | None
    """The mood most days had (the lower one on a tie), None when no day was checked in."""


def history_overview(
    entries: Sequence[tuple[date, int]], today: date, days: int
) -> HistoryOverview:
    """Return how the member's last `days` days went (the cog says it in words)."""
    start = today - timedelta(days=days - 1)
    per_day = {d: m for d, m in daily_moods(entries).items() if start <= d <= today}
    if not per_day:
        return HistoryOverview(0, None)
    counts = Counter(per_day.values())
    top = max(counts.values())
    # On a tie, name the gentler reading: the lower mood, so nobody is told they were fine.
    common = min(value for value, count in counts.items() if count == top)
    return HistoryOverview(len(per_day), common)


# --- Reminders -----------------------------------------------------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {
    "daily": frozenset(range(7)),
    "every day": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
_CLOCK = re.compile(r"^\s*(\d{1,2})(?::|\.|h)?(\d{2})?\s*(am|pm)?\s*$", re.IGNORECASE)


def _folded(text: str) -> str:
    """Lowercase without accents or dots, so "Mié." and "mie" read alike."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(".", "")


def parse_days(text: str, local: Mapping[str, frozenset[int]] | None = None) -> frozenset[int]:
    """Parse "daily", "weekdays", "weekends" or a list like "mon, thu" into weekday numbers.

    `local` adds the member's own language: its words for several days ("laborables") and its
    day names or their short forms ("lun", "mié"), each read like the English ones (a day is
    any word that begins with its short form).
    """
    local = {_folded(word): days for word, days in (local or {}).items() if word.strip()}
    cleaned = _folded(text)
    several = {**_DAY_WORDS, **{w: d for w, d in local.items() if len(d) > 1}}
    if cleaned in several:
        return several[cleaned]
    names = [(name, frozenset({i})) for i, name in enumerate(WEEKDAYS)]
    names += [(word, d) for word, d in local.items() if len(d) == 1]
    days: set[int] = set()
    for part in re.split(r"[\s,;/]+", cleaned):
        if not part:
            continue
        matches = {day for name, found in names if part.startswith(name) for day in found}
        if len(matches) != 1:
            raise ValueError(f"unknown day “{excerpt(part)}”")
        days |= matches
    if not days:
        raise ValueError("choose at least one day")
    return frozenset(days)


def parse_clock(text: str) -> time:
    """Parse a local time such as "08:30", "8.30", "20h" or "8pm"."""
    match = _CLOCK.match(text)
    if match is None:
        raise ValueError("use a time like 08:30 or 8pm")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError("with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError("use a time like 08:30 or 8pm")
    return time(hour, minute)


def next_reminder(after: datetime, zone: tzinfo, at: time, days: frozenset[int]) -> datetime:
    """Return the first reminder slot strictly after `after`, as an aware UTC datetime.

    Slots are the local time `at` in `zone` on the chosen weekdays. A local time skipped by a
    daylight-saving change falls just after the gap; a repeated one counts once (the first).
    """
    if after.tzinfo is None:
        raise ValueError("after must be aware")
    if not days:
        raise ValueError("choose at least one day")
    local_day = after.astimezone(zone).date()
    for offset in range(0, 9):
        day = local_day + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        slot = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if slot > after:
            return slot
    raise AssertionError("a weekday always comes within 9 days")  # pragma: no cover

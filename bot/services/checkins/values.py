"""The values check-ins hand out (frozen dataclasses), their states and their limits.

Nothing here names who wrote a check-in: a check-in is known by its id and public reference.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain import checkins as domain

if TYPE_CHECKING:
    from bot.db.models import CheckinSettings


PENDING, POSTING, POSTED, FAILED, REMOVED = "pending", "posting", "posted", "failed", "removed"
REVEAL_PENDING, REVEAL_APPROVED, REVEAL_DECLINED, REVEAL_EXPIRED = (
    "pending",
    "approved",
    "declined",
    "expired",
)
SEAL_PENDING, SEAL_REVEAL = "pending", "reveal"
RATE_WINDOW = timedelta(hours=24)
MAX_PAUSE_DAYS = 7
HISTORY_DAYS = 90
REMINDER_LATE_LIMIT = timedelta(hours=1)
SUMMARY_PERIOD = timedelta(days=7)

# Setting name -> (lowest, highest) allowed.
SETTING_RANGES: Mapping[str, tuple[int, int]] = {
    "max_delay_seconds": (0, 15 * 60),
    "daily_limit": (1, 10),
    "window_days": (1, 28),
    "grace_days": (2, 30),
    "summary_min_members": (3, 50),
    "note_retention_days": (1, 365),
    "post_retention_days": (0, 365),
}


@dataclass(frozen=True)
class CheckinConfig:
    """A server's check-in settings (the defaults when never changed)."""

    guild_id: int
    max_delay_seconds: int = 180
    daily_limit: int = 3
    threads: bool = True
    reveal_enabled: bool = False
    window_days: int = 7
    grace_days: int = 7
    summary_min_members: int = 5
    note_retention_days: int = 30
    post_retention_days: int | None = None

    @classmethod
    def from_row(cls, row: CheckinSettings | None, guild_id: int) -> CheckinConfig:
        """Copy a settings row, or return the defaults."""
        if row is None:
            return cls(guild_id=guild_id)
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class Opening:
    """What the check-in form tells the member before they write."""

    reveal_enabled: bool
    max_delay_seconds: int
    keep_history: bool


@dataclass(frozen=True)
class Receipt:
    """What the member is told, privately, once their check-in is safely queued."""

    checkin_id: int
    ref: str
    pseudonym: str
    mood: int
    channel_id: int
    due_at: datetime
    unlinkable_at: datetime
    reveal_enabled: bool
    note_retention_days: int
    post_retention_days: int | None
    history_kept: bool
    show_crisis_card: bool


@dataclass(frozen=True)
class CheckinPost:
    """A check-in as moderators may see it: never who wrote it."""

    id: int
    ref: str
    guild_id: int
    status: str
    pseudonym: str
    mood: int
    channel_id: int | None
    message_id: int | None
    thread_id: int | None
    posted_at: datetime | None
    reveal_possible: bool
    report_count: int
    report_message_id: int | None


@dataclass(frozen=True)
class Pause:
    """A pause on an author nobody can name."""

    post: CheckinPost
    until: datetime
    shortened: bool


@dataclass(frozen=True)
class RevealRequest:
    """A moderator's request to reveal, waiting for a second moderator."""

    id: int
    post: CheckinPost
    requested_by: int
    reason: str
    expires_at: datetime


@dataclass(frozen=True)
class Revealed:
    """The outcome of an approved reveal (shown only to the two moderators and the author)."""

    request: RevealRequest
    approved_by: int
    author_id: int


@dataclass(frozen=True)
class History:
    """A member's own moods, if they chose to keep them."""

    kept: bool
    days: int
    today: date
    entries: tuple[tuple[date, int], ...]

    @property
    def per_day(self) -> dict[date, int]:
        """Return one mood per day."""
        return domain.daily_moods(self.entries)

    @property
    def overview(self) -> domain.HistoryOverview:
        """Return how the days went (on how many the member checked in, the usual mood)."""
        return domain.history_overview(self.entries, self.today, self.days)


@dataclass(frozen=True)
class Reminder:
    """A member's reminder choice."""

    guild_id: int
    zone: str
    at: str
    days: frozenset[int]
    next_at: datetime


@dataclass(frozen=True)
class Notice:
    """A private message for a check-in's author: a catalog message (N_) and its values.

    It is stored as JSON and put into words when shown, in the reader's language.
    """

    message: str
    values: Mapping[str, str] = field(default_factory=dict)

    def stored(self) -> str:
        """Return the notice as kept in the database (values cut so it fits its column)."""
        values = {name: str(value)[:300] for name, value in self.values.items()}
        return json.dumps({"message": self.message, "values": values}, ensure_ascii=False)

    @classmethod
    def read(cls, stored: str) -> Notice:
        """Return the notice kept as `stored` (a plain text from before is kept as it was)."""
        try:
            found = json.loads(stored)
            return cls(str(found["message"]), {k: str(v) for k, v in found["values"].items()})
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls(stored)


@dataclass(frozen=True)
class ReminderDue:
    """A reminder to send now."""

    user_id: int
    guild_id: int
    slot: datetime
    locale: str | None = None
    """The Discord locale the member set the reminder in (None: the server's language)."""


@dataclass(frozen=True)
class CommunitySummary:
    """How the community has been over the last week, if enough members checked in."""

    summary: domain.MoodSummary | None
    k: int
    since: datetime


@dataclass(frozen=True)
class WindowKey:
    """A rotation window and its key, as read from its row (kept in memory while it lives)."""

    id: int
    guild_id: int
    starts_at: datetime
    ends_at: datetime
    destroy_at: datetime
    secret: bytes = field(repr=False)


# ----- delivery ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Delivery:
    """A claimed check-in, ready to post."""

    checkin_id: int
    ref: str
    guild_id: int
    channel_id: int | None
    pseudonym: str
    mood: int
    note: str | None
    threads: bool
    alert_moderators: bool
    attempts: int


@dataclass(frozen=True)
class Posted:
    """A check-in now in its channel, to be marked posted."""

    checkin_id: int
    message_id: int
    thread_id: int | None


@dataclass(frozen=True)
class DeliveryFailure:
    """What happens after a failed post: a retry later, or giving up and telling the author."""

    checkin_id: int
    guild_id: int
    gave_up: bool
    retry_at: datetime | None
    author_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class PostToDelete:
    """A channel post whose time is up."""

    checkin_id: int
    channel_id: int
    message_id: int
    thread_id: int | None


@dataclass(frozen=True)
class TidyReport:
    """What one tidy run forgot."""

    windows_destroyed: int
    notes_erased: int
    rows_purged: int
    history_purged: int


@dataclass(frozen=True)
class FoundPost:
    """A check-in's message found in its channel (after a crash), and its thread if it has one."""

    message_id: int
    thread_id: int | None

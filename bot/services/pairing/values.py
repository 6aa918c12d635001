"""Peer pairing's values: states, limits and the frozen dataclasses the service returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from bot.domain.pairing import Frequency
from bot.domain.pairing_times import next_slot

MAX_TOPICS = 25
MAX_TOPIC_LENGTH = 60
MAX_LINE = 200
MAX_REPEAT_ROUNDS = 52
MAX_FOLLOWUP_DAYS = 30
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Round and group states.
OPEN = "open"
DONE = "done"
AWAITING = "awaiting"  # double opt-in: waiting for every member to accept
READY = "ready"  # the thread is to be made
INTRODUCED = "introduced"
CANCELLED = "cancelled"  # someone skipped, left, or could not be asked
EXPIRED = "expired"  # not everyone answered before the next round

ACCEPTED = "accepted"
SKIPPED = "skipped"
UNREACHABLE = "unreachable"

LEFT_OUT = "left_out"
FELL_THROUGH = "fell_through"

FOLLOWUP_ANSWERS = ("yes", "not_yet", "no")


@dataclass(frozen=True)
class PairingConfig:
    """A server's pairing settings, detached from the database."""

    guild_id: int
    channel_id: int | None
    weekday: int | None
    local_time: str | None
    zone: str | None
    rounds_before_repeat: int
    allow_trios: bool
    double_opt_in: bool
    topics: tuple[str, ...]
    followup_days: int

    @property
    def scheduled(self) -> bool:
        """Return whether rounds have a weekly time."""
        return self.weekday is not None and self.local_time is not None and self.zone is not None

    @property
    def ready(self) -> bool:
        """Return whether pairing is set up enough to run rounds."""
        return self.channel_id is not None

    def next_round(self, now: datetime) -> datetime | None:
        """Return when the next scheduled round runs, if there is a schedule."""
        if not self.scheduled:
            return None
        return next_slot(
            self.weekday or 0, time.fromisoformat(self.local_time or "00:00"), self.zone or "", now
        )


@dataclass(frozen=True)
class Profile:
    """A member's pairing choices in one server."""

    guild_id: int
    user_id: int
    zone: str
    frequency: Frequency
    topics: tuple[str, ...]
    line: str | None
    paused_until: datetime | None
    paused_indefinitely: bool
    priority: bool
    last_matched_round: int | None

    def paused_at(self, moment: datetime) -> bool:
        """Return whether the member is paused at a moment."""
        return self.paused_indefinitely or (
            self.paused_until is not None and self.paused_until > moment
        )


@dataclass(frozen=True)
class MemberStatus:
    """What `/pair status` shows."""

    profile: Profile | None
    config: PairingConfig
    next_round: datetime | None
    rounds_taken_part: int


@dataclass(frozen=True)
class Preview:
    """How a round would go right now: counts only."""

    opted_in: int
    eligible: int
    paused: int
    resting: int
    pairs: int
    trios: int
    left_out: int


@dataclass(frozen=True)
class GroupMember:
    """One member of a group as the introduction needs them."""

    row_id: int
    user_id: int | None
    zone: str | None
    line: str | None
    topics: tuple[str, ...]
    response: str | None
    invite_sent: bool


@dataclass(frozen=True)
class Group:
    """A pair or trio to introduce (or to ask first)."""

    id: int
    round_id: int
    round_number: int
    guild_id: int
    position: int
    name: str
    status: str
    thread_id: int | None
    thread_requested: bool
    introduced: bool
    members: tuple[GroupMember, ...]
    starters: tuple[str, ...]
    meeting_times: tuple[datetime, ...]

    @property
    def user_ids(self) -> tuple[int, ...]:
        """Return the ids of members still taking part."""
        return tuple(m.user_id for m in self.members if m.user_id is not None)

    @property
    def shared_topics(self) -> tuple[str, ...]:
        """Return the topics every member picked."""
        sets = [set(m.topics) for m in self.members if m.user_id is not None]
        return tuple(sorted(set.intersection(*sets))) if sets else ()


@dataclass(frozen=True)
class RoundPlan:
    """One round's state: the channel, groups still to ask or introduce, and its numbers."""

    id: int
    guild_id: int
    number: int
    channel_id: int | None
    double_opt_in: bool
    groups: tuple[Group, ...]
    eligible: int
    left_out: int


@dataclass(frozen=True)
class Notice:
    """A claimed private message to one member."""

    id: int
    guild_id: int
    user_id: int
    kind: str
    round_number: int
    locale: str | None = None  # the member's, from their profile (None: the server's language)


@dataclass(frozen=True)
class Invitation:
    """A claimed double opt-in invitation to send."""

    row_id: int
    user_id: int
    group_id: int
    guild_id: int
    round_number: int
    trio: bool
    resumed: bool = False  # claimed by a process that stopped: it may have gone out already
    locale: str | None = None  # the member's, from their profile (None: the server's language)


@dataclass(frozen=True)
class ResponseOutcome:
    """What an Accept or Skip changed."""

    group_id: int
    round_id: int
    status: str
    changed: bool


@dataclass(frozen=True)
class Followup:
    """A claimed "Did you connect?" to send."""

    row_id: int
    user_id: int
    guild_id: int
    thread_id: int | None
    resumed: bool = False  # claimed by a process that stopped: it may have gone out already
    locale: str | None = None  # the member's, from their profile (None: the server's language)


@dataclass(frozen=True)
class Stats:
    """Counts for moderators: never names."""

    rounds: int
    members: int
    paused: int
    groups_introduced: int
    groups_fell_through: int
    left_out: int
    asked: int
    answers: dict[str, int]


def thread_name(round_number: int, position: int) -> str:
    """Return a group's thread name: deterministic, so a resume can find it."""
    return f"Peer pair · round {round_number} · #{position}"

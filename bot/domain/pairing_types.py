"""Peer pairing's plain data: members as the matcher sees them, its input, its result, scores.

Standard library only; `bot.domain.pairing` explains the constraints and the scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from itertools import combinations
from typing import TypeAlias

MemberId: TypeAlias = str | int
HistoryEntry: TypeAlias = tuple[MemberId, MemberId, int]

MINUTES_PER_DAY = 24 * 60
BASE_POINTS = 1
TOPIC_POINTS = 6
MAX_COUNTED_TOPICS = 3
MAX_SCORE = BASE_POINTS + TOPIC_POINTS * MAX_COUNTED_TOPICS + 24


class Frequency(StrEnum):
    """How often a member wants to be matched."""

    EVERY_ROUND = "every_round"
    EVERY_OTHER_ROUND = "every_other_round"


@dataclass(frozen=True, slots=True)
class WakingHours:
    """A daily window in UTC minutes ``[start, end)``; wraps past midnight, equal ends = all day."""

    start: int
    end: int

    def __post_init__(self) -> None:
        """Reject minutes outside a day."""
        for value in (self.start, self.end):
            if not 0 <= value < MINUTES_PER_DAY:
                raise ValueError(f"minute of day out of range: {value}")

    @classmethod
    def from_local(
        cls, utc_offset_minutes: int, start: int = 8 * 60, end: int = 22 * 60
    ) -> WakingHours:
        """Build the UTC window for local waking minutes ``start``..``end`` at a UTC offset."""
        return cls(
            (start - utc_offset_minutes) % MINUTES_PER_DAY,
            (end - utc_offset_minutes) % MINUTES_PER_DAY,
        )

    def overlap_minutes(self, other: WakingHours) -> int:
        """Return how many minutes a day both windows share."""
        return _overlap_minutes(self.start, self.end, other.start, other.end)


@lru_cache(maxsize=1 << 16)
def _overlap_minutes(start_a: int, end_a: int, start_b: int, end_b: int) -> int:
    return sum(
        max(0, min(stop_a, stop_b) - max(begin_a, begin_b))
        for begin_a, stop_a in _segments(start_a, end_a)
        for begin_b, stop_b in _segments(start_b, end_b)
    )


def _segments(start: int, end: int) -> tuple[tuple[int, int], ...]:
    if start < end:
        return ((start, end),)
    if start > end:
        return ((start, MINUTES_PER_DAY), (0, end))
    return ((0, MINUTES_PER_DAY),)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member who opted in, as the matcher sees them.

    ``awake`` is the member's waking window in UTC for the round (the caller derives it from
    their time zone); ``priority`` marks someone left out last round, placed first this time.
    """

    id: MemberId
    topics: frozenset[str]
    awake: WakingHours
    frequency: Frequency = Frequency.EVERY_ROUND
    last_matched_round: int | None = None
    priority: bool = False
    paused: bool = False

    def __post_init__(self) -> None:
        """Store topics as a frozenset whatever iterable was given."""
        if not isinstance(self.topics, frozenset):
            object.__setattr__(self, "topics", frozenset(self.topics))

    def is_eligible(self, round_number: int) -> bool:
        """Return whether the member takes part in the given round."""
        if self.paused:
            return False
        if self.frequency is Frequency.EVERY_OTHER_ROUND and self.last_matched_round is not None:
            return round_number - self.last_matched_round >= 2
        return True


@dataclass(frozen=True, slots=True)
class MatchingInput:
    """Everything one round of matching depends on.

    ``blocked`` holds unordered pairs (either member blocked the other); ``history`` holds
    ``(a, b, round)`` for pairs grouped before (a trio is three entries, see
    `history_entries`); a pair that met in round r may meet again from round
    ``r + rounds_before_repeat + 1``.
    """

    candidates: tuple[Candidate, ...]
    round_number: int
    blocked: frozenset[frozenset[MemberId]] = frozenset()
    history: tuple[HistoryEntry, ...] = ()
    rounds_before_repeat: int = 0
    allow_trios: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        """Normalise collections and reject duplicate ids or a negative repeat gap."""
        object.__setattr__(self, "candidates", tuple(self.candidates))
        object.__setattr__(self, "blocked", frozenset(frozenset(pair) for pair in self.blocked))
        object.__setattr__(self, "history", tuple(tuple(entry) for entry in self.history))
        if self.rounds_before_repeat < 0:
            raise ValueError("rounds_before_repeat must not be negative")
        ids = [candidate.id for candidate in self.candidates]
        if len(set(ids)) != len(ids):
            raise ValueError("candidate ids must be unique")


@dataclass(frozen=True, slots=True)
class MatchingResult:
    """The groups of one round, their scores, and who was left out or not eligible.

    ``scores[i]`` is `group_score` of ``groups[i]``; ``left_out`` are eligible members to tell
    privately; ``not_eligible`` (paused, or resting on an every-other-round schedule) are not
    told anything.
    """

    groups: tuple[tuple[MemberId, ...], ...]
    scores: tuple[int, ...]
    left_out: tuple[MemberId, ...]
    not_eligible: tuple[MemberId, ...] = ()
    total_score: int = field(init=False)

    def __post_init__(self) -> None:
        """Compute the total score."""
        object.__setattr__(self, "total_score", sum(self.scores))


def pair_score(a: Candidate, b: Candidate) -> int:
    """Score how well two members fit: shared topics and shared waking hours."""
    shared = min(len(a.topics & b.topics), MAX_COUNTED_TOPICS)
    return BASE_POINTS + TOPIC_POINTS * shared + a.awake.overlap_minutes(b.awake) // 60


def group_score(members: Sequence[Candidate]) -> int:
    """Score a group as the sum of its pair scores."""
    return sum(pair_score(a, b) for a, b in combinations(members, 2))


def forbidden_pairs(matching: MatchingInput) -> frozenset[frozenset[MemberId]]:
    """Return the pairs that may not be grouped this round: blocks and recent meetings."""
    recent = (
        frozenset((a, b))
        for a, b, r in matching.history
        if matching.round_number - r <= matching.rounds_before_repeat
    )
    return matching.blocked | frozenset(recent)


def history_entries(result: MatchingResult, round_number: int) -> tuple[HistoryEntry, ...]:
    """Expand a result's groups into the history entries a later round needs."""
    return tuple((a, b, round_number) for group in result.groups for a, b in combinations(group, 2))


def id_key(member_id: MemberId) -> tuple[int, str | int]:
    return (0, member_id) if isinstance(member_id, int) else (1, str(member_id))

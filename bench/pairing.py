"""Benchmark peer pairing on realistic communities: time per round, quality, left-out counts.

Run ``python bench/pairing.py`` (default sizes 1,000, 10,000 and 50,000) or choose with
``--sizes 1000 2000``. For each size it builds a community (twelve topics with skewed
popularity, time zones weighted like an English-speaking server, a few waking-hour habits,
a fifth every other round, some members pausing, blocks after some bad matches), plays
``--history`` rounds (20 by default) with the matcher itself to produce history, then times
one more round and compares it with references:

- ``exact/full``: networkx's exact maximum-weight matching on the full constraint graph
  (every allowed pair), up to ``--exact-full`` members (default 1,000).
- ``exact/same``: the same on the matcher's own sparse pair graph, up to ``--exact-same``.
- ``bound``: a cheap upper bound for any size, half the sum over members of their best
  possible pair score (ignoring blocks, history and that partners are shared).

Left-out counts are compared with the maximum-cardinality matching where networkx ran,
otherwise with the parity lower bound (one member when the count is odd).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.pairing import (
    Candidate,
    Frequency,
    HistoryEntry,
    MatchingInput,
    MatchingResult,
    MemberId,
    WakingHours,
    candidate_pairs,
    history_entries,
    match_round,
    pair_score,
)

TOPICS: tuple[tuple[str, float], ...] = (
    ("anxiety", 30),
    ("low mood", 24),
    ("stress at work", 15),
    ("loneliness", 13),
    ("parenting", 10),
    ("studying", 9),
    ("grief", 8),
    ("recovery", 7),
    ("chronic illness", 6),
    ("lgbtq+", 6),
    ("caring for someone", 5),
    ("new in town", 4),
)

# UTC offsets in minutes, weighted roughly like an English-speaking community.
ZONES: tuple[tuple[int, float], ...] = (
    (-600, 1),
    (-540, 1),
    (-480, 9),
    (-420, 3),
    (-360, 7),
    (-300, 13),
    (-240, 2),
    (-180, 4),
    (0, 11),
    (60, 14),
    (120, 5),
    (180, 3),
    (210, 0.5),
    (300, 1),
    (330, 6),
    (345, 0.5),
    (420, 2),
    (480, 5),
    (540, 3),
    (570, 0.5),
    (600, 4),
    (720, 2),
)

# Local waking hours (start, end) in minutes, weighted.
HABITS: tuple[tuple[tuple[int, int], float], ...] = (
    ((8 * 60, 22 * 60), 60),
    ((7 * 60, 23 * 60), 20),
    ((6 * 60, 20 * 60), 10),
    ((12 * 60, 2 * 60), 10),
)

ROUNDS_BEFORE_REPEAT = 6
BLOCK_CHANCE_PER_GROUP = 0.001  # about 1% of members block someone over 20 rounds
PAUSE_CHANCE = 0.03
RESUME_CHANCE = 0.3
EVERY_OTHER_SHARE = 0.2


@dataclass
class Community:
    """A simulated community: members, blocks and history, updated round by round."""

    members: dict[MemberId, Candidate]
    blocked: set[frozenset[MemberId]]
    history: list[HistoryEntry]
    round_number: int
    rng: random.Random

    def matching_input(self, *, allow_trios: bool = False) -> MatchingInput:
        """Return the matcher's input for the next round."""
        horizon = self.round_number - ROUNDS_BEFORE_REPEAT
        return MatchingInput(
            candidates=tuple(self.members.values()),
            round_number=self.round_number,
            blocked=frozenset(self.blocked),
            history=tuple(h for h in self.history if h[2] >= horizon),
            rounds_before_repeat=ROUNDS_BEFORE_REPEAT,
            allow_trios=allow_trios,
            seed=self.round_number,
        )

    def record(self, result: MatchingResult) -> None:
        """Apply a round's result: history, last matched, priority, pauses and new blocks."""
        rng = self.rng
        this_round = self.round_number
        self.history.extend(history_entries(result, this_round))
        for group in result.groups:
            for member_id in group:
                self.members[member_id] = replace(
                    self.members[member_id], last_matched_round=this_round, priority=False
                )
            if rng.random() < BLOCK_CHANCE_PER_GROUP:
                self.blocked.add(frozenset(rng.sample(group, 2)))
        for member_id in result.left_out:
            self.members[member_id] = replace(self.members[member_id], priority=True)
        for member_id, member in self.members.items():
            if member.paused and rng.random() < RESUME_CHANCE:
                self.members[member_id] = replace(member, paused=False)
            elif not member.paused and rng.random() < PAUSE_CHANCE:
                self.members[member_id] = replace(member, paused=True)
        self.round_number += 1


def _weighted(rng: random.Random, table: Sequence[tuple[object, float]]) -> object:
    return rng.choices([value for value, _ in table], [weight for _, weight in table])[0]


def build_community(size: int, seed: int = 1) -> Community:
    """Create a community of ``size`` members with no history yet."""
    rng = random.Random(seed)
    names = [name for name, _ in TOPICS]
    weights = [weight for _, weight in TOPICS]
    members: dict[MemberId, Candidate] = {}
    for member_id in range(size):
        count = rng.choices((1, 2, 3), (40, 40, 20))[0]
        topics: set[str] = set()
        while len(topics) < count:
            topics.add(rng.choices(names, weights)[0])
        offset = _weighted(rng, ZONES)
        start, end = _weighted(rng, HABITS)
        members[member_id] = Candidate(
            id=member_id,
            topics=frozenset(topics),
            awake=WakingHours.from_local(offset, start, end),
            frequency=(
                Frequency.EVERY_OTHER_ROUND
                if rng.random() < EVERY_OTHER_SHARE
                else Frequency.EVERY_ROUND
            ),
            paused=rng.random() < PAUSE_CHANCE,
        )
    return Community(members, set(), [], 1, rng)


def play(community: Community, rounds: int) -> list[float]:
    """Play rounds with the matcher itself; return the seconds each took."""
    times = []
    for _ in range(rounds):
        matching = community.matching_input(allow_trios=True)
        started = time.perf_counter()
        result = match_round(matching)
        times.append(time.perf_counter() - started)
        community.record(result)
    return times


def full_graph(matching: MatchingInput) -> list[tuple[MemberId, MemberId, int]]:
    """Return every allowed pair among eligible members with its score (O(n²))."""
    eligible = [c for c in matching.candidates if c.is_eligible(matching.round_number)]
    recent = {
        frozenset((a, b))
        for a, b, r in matching.history
        if matching.round_number - r <= matching.rounds_before_repeat
    }
    forbidden = matching.blocked | recent
    edges = []
    for i, a in enumerate(eligible):
        for b in eligible[i + 1 :]:
            if frozenset((a.id, b.id)) not in forbidden:
                edges.append((a.id, b.id, pair_score(a, b)))
    return edges


def exact(edges: list[tuple[MemberId, MemberId, int]]) -> tuple[int, int, int]:
    """Return (max weight, max-cardinality size, its weight) with networkx on the edges."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_weighted_edges_from(edges)
    heaviest = nx.max_weight_matching(graph)
    largest = nx.max_weight_matching(graph, maxcardinality=True)

    def weight(matching: set[tuple[MemberId, MemberId]]) -> int:
        return sum(graph[a][b]["weight"] for a, b in matching)

    return weight(heaviest), len(largest), weight(largest)


def upper_bound(matching: MatchingInput) -> float:
    """Return half the sum of each eligible member's best pair score, ignoring constraints."""
    eligible = [c for c in matching.candidates if c.is_eligible(matching.round_number)]
    profiles: dict[tuple[frozenset[str], WakingHours], list[Candidate]] = {}
    for c in eligible:
        profiles.setdefault((c.topics, c.awake), []).append(c)
    groups = list(profiles.values())
    total = 0
    for i, group in enumerate(groups):
        best = 0
        for j, other in enumerate(groups):
            if i != j or len(group) > 1:
                best = max(best, pair_score(group[0], other[0]))
        total += best * len(group)
    return total / 2


def measure(size: int, history_rounds: int, exact_full: int, exact_same: int) -> None:
    """Build, play and measure one community size, printing a report."""
    print(f"\n== {size:,} members ==", flush=True)
    started = time.perf_counter()
    community = build_community(size)
    history_times = play(community, history_rounds)
    print(
        f"history: {history_rounds} rounds in {time.perf_counter() - started:.1f} s; "
        f"per round mean {statistics.mean(history_times or [0]):.3f} s, "
        f"max {max(history_times or [0]):.3f} s; "
        f"{len(community.blocked)} blocks",
        flush=True,
    )
    matching = community.matching_input()
    eligible = sum(c.is_eligible(matching.round_number) for c in matching.candidates)
    started = time.perf_counter()
    result = match_round(matching)
    elapsed = time.perf_counter() - started
    trio_result = match_round(replace(matching, allow_trios=True))
    placed = sum(len(g) for g in result.groups)
    print(
        f"round {matching.round_number}: {eligible:,} eligible, {elapsed:.3f} s, "
        f"{len(result.groups):,} pairs, left out {len(result.left_out)} "
        f"(parity bound {eligible % 2}); with trios: "
        f"{sum(len(g) == 3 for g in trio_result.groups)} trios, "
        f"left out {len(trio_result.left_out)}",
        flush=True,
    )
    assert placed + len(result.left_out) == eligible
    bound = upper_bound(matching)
    print(f"score {result.total_score:,}; ratio to bound {result.total_score / bound:.4f}")
    if size <= exact_same:
        started = time.perf_counter()
        heaviest, largest, _ = exact(candidate_pairs(matching))
        print(
            f"exact/same graph: ratio {result.total_score / heaviest:.4f}, max-cardinality "
            f"left out {eligible - 2 * largest} ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
    if size <= exact_full:
        started = time.perf_counter()
        heaviest, largest, _ = exact(full_graph(matching))
        print(
            f"exact/full graph: ratio {result.total_score / heaviest:.4f}, max-cardinality "
            f"left out {eligible - 2 * largest} ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--history", type=int, default=20, help="rounds of history to play")
    parser.add_argument("--exact-full", type=int, default=1_000, help="max size for exact/full")
    parser.add_argument("--exact-same", type=int, default=2_000, help="max size for exact/same")
    args = parser.parse_args(argv)
    for size in args.sizes:
        measure(size, args.history, args.exact_full, args.exact_same)


if __name__ == "__main__":
    main()

"""Benchmark peer pairing on realistic communities: time per round, quality, left-out counts.

Run ``python bench/pairing.py`` (default sizes 1,000, 10,000 and 50,000) or choose with
``--sizes 1000 2000``. For each size it builds a community (twelve topics with skewed
popularity, time zones weighted like an English-speaking server, a few waking-hour habits,
a fifth every other round, some members pausing, blocks after some bad matches), plays
``--history`` rounds (20 by default) with the matcher itself to produce history, then times
one more round and compares it with references:

- all pairs: networkx's exact maximum-weight matching on every allowed pair, up to
  ``--exact-full`` members (default 1,000, which alone takes about four minutes).
- 3 best + ours: the same on a sparse graph, each member's three best allowed pairs plus the
  matcher's own pairs, up to ``--exact-sparse`` members (default 2,000): no better matching
  hides among the pairs that matter most.
- upper bound, for any size: half the sum over members of their best possible pair score
  (ignoring blocks, history and that partners are shared), so a loose bound: the true ratio
  is higher than the one printed.

Left-out counts are compared with the maximum-cardinality matching where networkx ran on all
pairs, otherwise with the parity lower bound (one member when the count is odd). Round times
are wall clock, with CPU time beside the measured round (the machine may be shared). A
Markdown table of the figures ends the output.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.pairing import (
    BASE_POINTS,
    MAX_COUNTED_TOPICS,
    TOPIC_POINTS,
    Candidate,
    Frequency,
    HistoryEntry,
    MatchingInput,
    MatchingResult,
    MemberId,
    WakingHours,
    forbidden_pairs,
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


def allowed_pairs(matching: MatchingInput) -> list[tuple[MemberId, MemberId, int]]:
    """Return every allowed pair among eligible members with its score (O(n²))."""
    eligible = [c for c in matching.candidates if c.is_eligible(matching.round_number)]
    forbidden = forbidden_pairs(matching)
    return [
        (a.id, b.id, pair_score(a, b))
        for i, a in enumerate(eligible)
        for b in eligible[i + 1 :]
        if frozenset((a.id, b.id)) not in forbidden
    ]


def best_pairs(matching: MatchingInput, keep: int) -> list[tuple[MemberId, MemberId, int]]:
    """Return each eligible member's ``keep`` best allowed pairs (O(n²) time, O(n) memory)."""
    eligible = [c for c in matching.candidates if c.is_eligible(matching.round_number)]
    forbidden = forbidden_pairs(matching)
    pairs = []
    for a in eligible:
        options = (
            (pair_score(a, b), b.id)
            for b in eligible
            if b is not a and frozenset((a.id, b.id)) not in forbidden
        )
        pairs += [
            (a.id, b, score) for score, b in heapq.nlargest(keep, options, key=lambda o: o[0])
        ]
    return pairs


def exact(edges: list[tuple[MemberId, MemberId, int]], nodes: int) -> tuple[int, int]:
    """Return networkx's maximum matching weight and how many it must leave out at least."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_weighted_edges_from(edges)
    heaviest = nx.max_weight_matching(graph)
    weight = sum(graph[a][b]["weight"] for a, b in heaviest)
    if nodes - 2 * len(heaviest) <= 1:
        return weight, nodes - 2 * len(heaviest)
    largest = nx.max_weight_matching(graph, maxcardinality=True)
    return weight, nodes - 2 * len(largest)


def upper_bound(matching: MatchingInput) -> float:
    """Return half the sum of each eligible member's best possible pair score.

    Blocks, history and the fact that partners are shared are ignored, so no matching can
    score more. Computed per (topics, window) profile with a per-window index of topic sets.
    """
    eligible = [c for c in matching.candidates if c.is_eligible(matching.round_number)]
    profiles = Counter((c.topics, c.awake) for c in eligible)
    windows = sorted({awake for _, awake in profiles}, key=lambda w: (w.start, w.end))
    present: dict[WakingHours, Counter[frozenset[str]]] = {w: Counter() for w in windows}
    for (topics, awake), count in profiles.items():
        for size in range(MAX_COUNTED_TOPICS + 1):
            for subset in combinations(sorted(topics), size):
                present[awake][frozenset(subset)] += count
    total = 0
    for (topics, awake), count in profiles.items():
        best = 0
        for window in windows:
            myself = 1 if window == awake else 0
            hours = awake.overlap_minutes(window) // 60
            for level in range(min(len(topics), MAX_COUNTED_TOPICS), -1, -1):
                # Does someone else awake in this window share `level` of these topics?
                if any(
                    present[window][frozenset(subset)] > myself
                    for subset in combinations(sorted(topics), level)
                ):
                    best = max(best, BASE_POINTS + TOPIC_POINTS * level + hours)
                    break
        total += best * count
    return total / 2


@dataclass
class Figures:
    """What one size measured, for the summary table."""

    size: int
    eligible: int
    mean_round: float
    max_round: float
    round_time: float
    round_cpu: float
    left_out: int
    least_left_out: str
    exact_full: str
    exact_sparse: str
    bound: str


def measure(size: int, history_rounds: int, exact_full: int, exact_sparse: int) -> Figures:
    """Build, play and measure one community size, printing a report as it goes."""
    print(f"\n== {size:,} members ==", flush=True)
    started = time.perf_counter()
    community = build_community(size)
    history_times = play(community, history_rounds) or [0.0]
    print(
        f"history: {history_rounds} rounds in {time.perf_counter() - started:.1f} s; "
        f"per round mean {statistics.mean(history_times):.3f} s, "
        f"max {max(history_times):.3f} s; {len(community.blocked)} blocks",
        flush=True,
    )
    matching = community.matching_input()
    eligible = sum(c.is_eligible(matching.round_number) for c in matching.candidates)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = match_round(matching)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    with_trios = match_round(replace(matching, allow_trios=True))
    assert sum(len(g) for g in result.groups) + len(result.left_out) == eligible
    print(
        f"round {matching.round_number}: {eligible:,} eligible, {elapsed:.3f} s "
        f"({cpu:.3f} s CPU), "
        f"score {result.total_score:,}, left out {len(result.left_out)} "
        f"(parity {eligible % 2}); with trios {len(with_trios.left_out)} left out",
        flush=True,
    )
    figures = Figures(
        size,
        eligible,
        statistics.mean(history_times),
        max(history_times),
        elapsed,
        cpu,
        len(result.left_out),
        f"≥{eligible % 2}",
        "-",
        "-",
        "-",
    )
    started = time.perf_counter()
    bound = upper_bound(matching)
    figures.bound = f"{result.total_score / bound:.4f}"
    print(f"bound: ratio {figures.bound} ({time.perf_counter() - started:.1f} s)", flush=True)
    if size <= exact_sparse:
        started = time.perf_counter()
        sparse = best_pairs(matching, keep=3)
        sparse += [
            (*group, score) for group, score in zip(result.groups, result.scores, strict=True)
        ]
        weight, _ = exact(sparse, eligible)
        figures.exact_sparse = f"{result.total_score / weight:.4f}"
        print(
            f"exact on each member's 3 best pairs + ours: ratio {figures.exact_sparse} "
            f"({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
    if size <= exact_full:
        started = time.perf_counter()
        weight, least = exact(allowed_pairs(matching), eligible)
        figures.exact_full = f"{result.total_score / weight:.4f}"
        figures.least_left_out = str(least)
        print(
            f"exact on all allowed pairs: ratio {figures.exact_full}, maximum matching leaves "
            f"out {least} ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
    return figures


def summary(rows: list[Figures]) -> str:
    """Return the figures as a Markdown table."""
    lines = [
        "| members | eligible | s/round (history mean / max) | s (measured round, CPU) "
        "| left out (least possible) | vs exact, all pairs | vs exact, 3 best + ours "
        "| vs upper bound |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.size:,} | {r.eligible:,} | {r.mean_round:.2f} / {r.max_round:.2f} "
        f"| {r.round_time:.2f} ({r.round_cpu:.2f}) | {r.left_out} ({r.least_left_out}) "
        f"| {r.exact_full} "
        f"| {r.exact_sparse} | {r.bound} |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--history", type=int, default=20, help="rounds of history to play")
    parser.add_argument(
        "--exact-full",
        type=int,
        default=1_000,
        help="largest size compared with the exact optimum on all pairs (1,000 takes minutes)",
    )
    parser.add_argument(
        "--exact-sparse",
        type=int,
        default=2_000,
        help="largest size compared with the exact optimum on each member's 3 best pairs",
    )
    args = parser.parse_args(argv)
    rows = [measure(size, args.history, args.exact_full, args.exact_sparse) for size in args.sizes]
    print("\n" + summary(rows))


if __name__ == "__main__":
    main()

"""Peer pairing: split one round's opted-in members into safe pairs (and trios) that fit.

Pure logic, standard library only. The caller (a service) turns profiles, blocks and past
rounds into plain data — ids, topic names, a UTC waking window per member — and gets back
groups of ids, each with its score, plus the members to tell privately that they were left
out. Nothing here reads a clock, a time zone database or the network.

Hard constraints (never broken, whatever the preferences say):

- No group holds two members where either has blocked the other (for a trio: no blocked pair
  among the three).
- No two members meet again while ``round_number - r <= rounds_before_repeat``, where ``r`` is
  the last round they were grouped together (trios count as three pairs).
- Only eligible members are placed: not paused, and for "every other round" members not
  matched in the previous round.

Preferences, in order:

1. Place as many members as possible (a maximum-cardinality matching under the constraints).
2. Among those, place as many ``priority`` members (left out last time) as possible.
3. Among those, a high total `pair_score` (shared topics, overlapping waking hours).
4. With ``allow_trios``, a member still left over joins the pair where the three fit best.
   Whoever cannot be placed is in ``left_out``: told privately, and first in line next round.

Scoring (`pair_score`, an integer from 1 to 43)::

    1                                    any allowed pair beats leaving someone out
  + 6 * min(shared topics, 3)            a shared topic is worth six hours of overlap
  + full hours both are awake (UTC)      0..24

A group scores the sum over its pairs, so a trio scores its three pair scores.

How it works: members with the same topics and waking window form a profile, and the score
depends only on the two profiles. For each member a few of the best partners are listed — the
next members of the same profile (the best anyone can get) and members of the best-scoring
other profiles, found through per-window and per-topic-overlap buckets — so the pair graph
stays sparse (about ten edges a member) instead of n²/2. A greedy pass takes edges by
falling score; leftover members are paired with each other, then by augmenting paths
(Edmonds' blossom search over the full constraint graph, with a work budget); priority
members are swapped in along even alternating paths; a local search applies 2-opt swaps
between pairs and replaces a partner by a better unmatched one until nothing improves.
Finally, leftovers join trios if allowed. Ties are broken by a shuffle seeded with ``seed``,
so the same input and seed always give the same result.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations, islice
from typing import TypeAlias

__all__ = [
    "BASE_POINTS",
    "MAX_COUNTED_TOPICS",
    "MAX_SCORE",
    "TOPIC_POINTS",
    "Candidate",
    "Frequency",
    "HistoryEntry",
    "MatchingInput",
    "MatchingResult",
    "MemberId",
    "WakingHours",
    "group_score",
    "history_entries",
    "is_allowed",
    "match_round",
    "pair_score",
]

MemberId: TypeAlias = str | int
HistoryEntry: TypeAlias = tuple[MemberId, MemberId, int]

MINUTES_PER_DAY = 24 * 60
BASE_POINTS = 1
TOPIC_POINTS = 6
MAX_COUNTED_TOPICS = 3
MAX_SCORE = BASE_POINTS + TOPIC_POINTS * MAX_COUNTED_TOPICS + 24

# Tuned with bench/pairing.py.
# The greedy pass hands its last members to the exhaustive leftover pairing.
_GREEDY_TAIL = 64
# Partner profiles (best first) the local search looks at for each member.
_RANKED_PROFILES = 24
# Members per partner profile (the worst matched first) and candidates per step it considers.
_PER_PROFILE = 2
_SCAN_LIMIT = 12
# How many candidates the local search follows at each depth of an alternating chain.
_BREADTH = (5, 3, 3, 2, 2)
# Work budget (neighbour checks) for the blossom searches of one round.
_SEARCH_BUDGET = 3_000_000
# Local-search moves allowed per member in one round.
_MOVES_PER_MEMBER = 20


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

    @property
    def minutes(self) -> int:
        """Return the length of the window in minutes."""
        return (self.end - self.start) % MINUTES_PER_DAY or MINUTES_PER_DAY

    def overlap_minutes(self, other: WakingHours) -> int:
        """Return how many minutes a day both windows share."""
        return sum(
            max(0, min(end_a, end_b) - max(start_a, start_b))
            for start_a, end_a in self._segments()
            for start_b, end_b in other._segments()
        )

    def _segments(self) -> tuple[tuple[int, int], ...]:
        if self.start < self.end:
            return ((self.start, self.end),)
        if self.start > self.end:
            return ((self.start, MINUTES_PER_DAY), (0, self.end))
        return ((0, MINUTES_PER_DAY),)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A member who opted in, as the matcher sees them."""

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
    """Everything one round of matching depends on."""

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
    """The groups of one round, their scores, and who was left out or not eligible."""

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


def is_allowed(a: MemberId, b: MemberId, matching: MatchingInput) -> bool:
    """Return whether two members may be grouped this round (no block, no recent meeting)."""
    if a == b or frozenset((a, b)) in matching.blocked:
        return False
    pair = {a, b}
    return not any(
        {x, y} == pair and matching.round_number - r <= matching.rounds_before_repeat
        for x, y, r in matching.history
    )


def history_entries(result: MatchingResult, round_number: int) -> tuple[HistoryEntry, ...]:
    """Expand a result's groups into the history entries a later round needs."""
    return tuple((a, b, round_number) for group in result.groups for a, b in combinations(group, 2))


def match_round(matching: MatchingInput) -> MatchingResult:
    """Group the round's eligible members into pairs (and trios), never breaking a constraint."""
    return _Matcher(matching).run()


def _id_key(member_id: MemberId) -> tuple[int, str | int]:
    return (0, member_id) if isinstance(member_id, int) else (1, str(member_id))


class _Matcher:
    """One round's working state: members as indices 0..n-1, profiles, mates."""

    def __init__(self, matching: MatchingInput) -> None:
        self.matching = matching
        round_number = matching.round_number
        eligible = [c for c in matching.candidates if c.is_eligible(round_number)]
        self.not_eligible = tuple(
            sorted(
                (c.id for c in matching.candidates if not c.is_eligible(round_number)),
                key=_id_key,
            )
        )
        eligible.sort(key=lambda c: _id_key(c.id))
        random.Random(matching.seed).shuffle(eligible)  # noqa: S311 - tie-breaking, not secrets
        self.candidates = eligible
        self.ids = [c.id for c in eligible]
        self.n = n = len(eligible)
        index = {member_id: i for i, member_id in enumerate(self.ids)}
        self.priority = [c.priority for c in eligible]

        forbidden: dict[int, set[int]] = {}
        pairs = (tuple(pair) for pair in matching.blocked if len(pair) == 2)
        recent = (
            (a, b)
            for a, b, r in matching.history
            if round_number - r <= matching.rounds_before_repeat
        )
        for a, b in (*pairs, *recent):
            x, y = index.get(a), index.get(b)
            if x is not None and y is not None and x != y:
                forbidden.setdefault(x, set()).add(y)
                forbidden.setdefault(y, set()).add(x)
        self.forbidden = forbidden
        self._no_one: frozenset[int] = frozenset()

        self._build_profiles()
        self.mate = [-1] * n
        self.budget = _SEARCH_BUDGET

    # ----------------------------------------------------------------- profiles and scores

    def _build_profiles(self) -> None:
        topics = sorted({t for c in self.candidates for t in c.topics})
        bit = {t: 1 << i for i, t in enumerate(topics)}
        windows: dict[WakingHours, int] = {}
        profile_of: dict[tuple[int, int], int] = {}
        self.profile_mask: list[int] = []
        self.profile_window: list[int] = []
        self.profile_members: list[list[int]] = []
        self.profile = profile = [0] * self.n
        for i, c in enumerate(self.candidates):
            mask = 0
            for t in c.topics:
                mask |= bit[t]
            window = windows.setdefault(c.awake, len(windows))
            key = (mask, window)
            p = profile_of.get(key)
            if p is None:
                p = profile_of[key] = len(self.profile_mask)
                self.profile_mask.append(mask)
                self.profile_window.append(window)
                self.profile_members.append([])
            profile[i] = p
            self.profile_members[p].append(i)
        self.windows = list(windows)
        self.profile_index = profile_of
        self.profile_count = len(self.profile_mask)
        self._overlap_rows: dict[int, list[int]] = {}
        self._scores: dict[int, int] = {}
        self._masks = sorted(set(self.profile_mask))
        self._levels: dict[int, list[list[int]]] = {}
        self._cells: dict[int, list[tuple[int, int, int]]] = {}
        self._all_profiles: list[dict[int, int]] = [{} for _ in self.windows]
        for (mask, window), p in profile_of.items():
            self._all_profiles[window][mask] = p
        self._ranked_cache: dict[int, list[tuple[int, int]]] = {}

    def overlap_hours(self, window: int) -> list[int]:
        """Return full shared hours between a window and every window, by window index."""
        row = self._overlap_rows.get(window)
        if row is None:
            mine = self.windows[window]
            row = [mine.overlap_minutes(other) // 60 for other in self.windows]
            self._overlap_rows[window] = row
        return row

    def profile_score(self, p: int, q: int) -> int:
        """Return the pair score between members of profiles p and q."""
        key = p * self.profile_count + q
        score = self._scores.get(key)
        if score is None:
            shared = (self.profile_mask[p] & self.profile_mask[q]).bit_count()
            score = (
                BASE_POINTS
                + TOPIC_POINTS * min(shared, MAX_COUNTED_TOPICS)
                + self.overlap_hours(self.profile_window[p])[self.profile_window[q]]
            )
            self._scores[key] = self._scores[q * self.profile_count + p] = score
        return score

    def score(self, x: int, y: int) -> int:
        """Return the pair score of members x and y."""
        return self.profile_score(self.profile[x], self.profile[y])

    def allowed(self, x: int, y: int) -> bool:
        """Return whether members x and y may be grouped."""
        return x != y and y not in self.forbidden.get(x, self._no_one)

    # ----------------------------------------------------------------- partner profiles

    def _levels_for(self, mask: int) -> list[list[int]]:
        """Return the distinct topic masks grouped by how many topics they share with ``mask``."""
        levels = self._levels.get(mask)
        if levels is None:
            levels = [[] for _ in range(MAX_COUNTED_TOPICS + 1)]
            for other in self._masks:
                levels[min((mask & other).bit_count(), MAX_COUNTED_TOPICS)].append(other)
            self._levels[mask] = levels
        return levels

    def _cells_for(self, window: int) -> list[tuple[int, int, int]]:
        """Return (score, topic level, window) cells for a window, best score first."""
        cells = self._cells.get(window)
        if cells is None:
            row = self.overlap_hours(window)
            cells = sorted(
                (
                    (BASE_POINTS + TOPIC_POINTS * level + hours, level, w)
                    for level in range(MAX_COUNTED_TOPICS + 1)
                    for w, hours in enumerate(row)
                ),
                key=lambda cell: (-cell[0], -cell[1], cell[2]),
            )
            self._cells[window] = cells
        return cells

    def _walk(self, p: int, live: list[dict[int, int]]) -> Iterator[tuple[int, int]]:
        """Yield ``(score, q)`` for the profiles in ``live`` (p included) by falling score.

        ``live[w]`` maps a topic mask to the profile with that mask and window ``w``; the
        greedy pass removes profiles from it as they run out of unmatched members.
        """
        mask = self.profile_mask[p]
        levels = self._levels_for(mask)
        for score, level, w in self._cells_for(self.profile_window[p]):
            masks = levels[level]
            in_window = live[w]
            if not masks or not in_window:
                continue
            if len(masks) <= len(in_window):
                hits = [q for m in masks if (q := in_window.get(m)) is not None]
            else:
                hits = [
                    q
                    for m, q in in_window.items()
                    if min((mask & m).bit_count(), MAX_COUNTED_TOPICS) == level
                ]
            for q in hits:
                yield score, q

    def _ranked(self, p: int) -> list[tuple[int, int]]:
        """Return the best partner profiles of p (p included) as ``(score, q)``, best first."""
        ranked = self._ranked_cache.get(p)
        if ranked is None:
            ranked = list(islice(self._walk(p, self._all_profiles), _RANKED_PROFILES))
            self._ranked_cache[p] = ranked
        return ranked

    # ----------------------------------------------------------------- matching phases

    def run(self) -> MatchingResult:
        """Match, improve, form trios and package the result."""
        self._greedy()
        self._pair_leftovers()
        self._augment()
        self._place_priority()
        self._local_search()
        groups = [[x, y] for x, y in enumerate(self.mate) if x < y]
        left_out = [x for x in range(self.n) if self.mate[x] < 0]
        if self.matching.allow_trios and left_out:
            left_out = self._form_trios(groups, left_out)
        return self._result(groups, left_out)

    def _greedy(self) -> None:
        """Pair members by falling score over all allowed pairs, profile by profile.

        Every pair of members from profiles p and q scores the same, so taking profile pairs by
        falling score and pairing their unmatched members is the greedy pass over the full
        pair graph, without listing its edges. The last few members are left to
        `_pair_leftovers`.
        """
        count = self.profile_count
        live: list[dict[int, int]] = [{} for _ in self.windows]
        for p in range(count):
            live[self.profile_window[p]][self.profile_mask[p]] = p
        available = [list(reversed(members)) for members in self.profile_members]
        walkers = [self._walk(p, live) for p in range(count)]
        upcoming: list[tuple[int, int] | None] = [next(walker, None) for walker in walkers]
        buckets: list[list[int]] = [[] for _ in range(MAX_SCORE + 1)]
        for p, item in enumerate(upcoming):
            if item is not None:
                buckets[item[0]].append(p)
        remaining = self.n
        for level in range(MAX_SCORE, 0, -1):
            bucket = buckets[level]
            while bucket and remaining > _GREEDY_TAIL:
                p = bucket.pop()
                mine = available[p]
                item = upcoming[p]
                if not mine or item is None:
                    continue
                q = item[1]
                if available[q]:
                    remaining -= 2 * self._pair_profiles(mine, available[q], p == q)
                    for r in (p, q):
                        if not available[r]:
                            live[self.profile_window[r]].pop(self.profile_mask[r], None)
                if mine:
                    item = upcoming[p] = next(walkers[p], None)
                    if item is not None:
                        buckets[item[0]].append(p)

    def _pair_profiles(self, xs: list[int], ys: list[int], same: bool) -> int:
        """Pair unmatched members of two profiles (or within one); return how many pairs."""
        mate = self.mate
        forbidden = self.forbidden
        stuck = []
        made = 0
        while xs and (ys if not same else len(xs) >= 2):
            x = xs.pop()
            pool = xs if same else ys
            mine = forbidden.get(x)
            if mine is None:
                y = pool.pop()
            else:
                for j in range(len(pool) - 1, -1, -1):
                    if pool[j] not in mine:
                        y = pool[j]
                        pool[j] = pool[-1]
                        pool.pop()
                        break
                else:
                    stuck.append(x)
                    continue
            mate[x] = y
            mate[y] = x
            made += 1
        xs.extend(stuck)
        return made

    def _exposed(self) -> list[int]:
        """Return unmatched members, priority first."""
        exposed = [x for x in range(self.n) if self.mate[x] < 0]
        exposed.sort(key=lambda x: not self.priority[x])
        return exposed

    def _pair_leftovers(self) -> None:
        """Pair unmatched members with each other, best score first."""
        exposed = self._exposed()
        if len(exposed) < 2:
            return
        if len(exposed) > 2000:
            # Rare (heavy constraints): a greedy pass over each member's best-first options.
            candidates = [
                (-self.score(x, y), i, j)
                for i, x in enumerate(exposed)
                for j, y in enumerate(exposed[i + 1 : i + 200], start=i + 1)
                if self.allowed(x, y)
            ]
        else:
            candidates = [
                (-self.score(x, y), i, j)
                for i, x in enumerate(exposed)
                for j, y in enumerate(exposed[i + 1 :], start=i + 1)
                if self.allowed(x, y)
            ]
        candidates.sort()
        mate = self.mate
        for _, i, j in candidates:
            x, y = exposed[i], exposed[j]
            if mate[x] < 0 and mate[y] < 0:
                mate[x] = y
                mate[y] = x

    def _augment(self) -> None:
        """Grow the matching along augmenting paths until it has maximum cardinality."""
        hopeless: set[int] = set()
        while True:
            exposed = [x for x in self._exposed() if x not in hopeless]
            if len(exposed) < 2 or self.budget <= 0:
                return
            root = exposed[0]
            others = [x for x in exposed if x != root]
            if not self._search(root, others, None):
                hopeless.add(root)

    def _place_priority(self) -> None:
        """Swap unmatched priority members in for non-priority ones, keeping the count."""
        priority = self.priority
        mate = self.mate
        for root in self._exposed():
            if not priority[root] or self.budget <= 0:
                return
            if mate[root] >= 0:
                continue
            best, best_gain = -1, None
            for v in range(self.n):
                w = mate[v]
                if w >= 0 and not priority[w] and self.allowed(root, v):
                    gain = self.score(root, v) - self.score(v, w)
                    if best_gain is None or gain > best_gain:
                        best, best_gain = v, gain
            if best >= 0:
                w = mate[best]
                mate[w] = -1
                mate[best] = root
                mate[root] = best
                continue

            def is_target(v: int) -> bool:
                return mate[v] >= 0 and not priority[v]

            self._search(root, [], is_target)

    def _search(
        self, root: int, exposed: list[int], is_target: Callable[[int], bool] | None
    ) -> bool:
        """Find and apply an alternating path from ``root`` (Edmonds' blossom search).

        The path ends at an unmatched member of ``exposed`` (the matching grows by one) or, with
        ``is_target``, at a matched member for whom it holds, who is unmatched afterwards.
        Neighbours are every allowed member, so the graph searched is the full constraint graph.
        """
        n = self.n
        mate = self.mate
        forbidden = self.forbidden
        no_one = self._no_one
        parent = [-1] * n
        base = list(range(n))
        used = [False] * n
        used[root] = True
        tree = [root]
        queue = deque([root])
        exposed_set = set(exposed)

        def flip(end: int) -> None:
            while end >= 0:
                pv = parent[end]
                ppv = mate[pv]
                mate[end] = pv
                mate[pv] = end
                end = ppv

        def lca(a: int, b: int) -> int:
            path: set[int] = set()
            while True:
                a = base[a]
                path.add(a)
                if mate[a] < 0:
                    break
                a = parent[mate[a]]
            while True:
                b = base[b]
                if b in path:
                    return b
                b = parent[mate[b]]

        def mark_path(v: int, b: int, child: int, blossom: set[int]) -> None:
            while base[v] != b:
                blossom.add(base[v])
                blossom.add(base[mate[v]])
                parent[v] = child
                child = mate[v]
                v = parent[mate[v]]

        while queue:
            v = queue.popleft()
            if is_target is not None and v != root and is_target(v):
                end = mate[v]
                mate[v] = -1
                flip(end)
                return True
            mine = forbidden.get(v, no_one)
            for z in exposed:
                if z != root and parent[z] < 0 and z not in mine and base[v] != base[z]:
                    parent[z] = v
                    flip(z)
                    return True
            self.budget -= n
            if self.budget <= 0:
                return False
            for to in range(n):
                if to == v or to in mine or base[v] == base[to] or mate[v] == to:
                    continue
                if to == root or (mate[to] >= 0 and parent[mate[to]] >= 0):
                    current = lca(v, to)
                    blossom: set[int] = set()
                    mark_path(v, current, to, blossom)
                    mark_path(to, current, v, blossom)
                    for i in tree:
                        if base[i] in blossom:
                            base[i] = current
                            if not used[i]:
                                used[i] = True
                                queue.append(i)
                    self.budget -= len(tree)
                elif parent[to] < 0:
                    parent[to] = v
                    tree.append(to)
                    if mate[to] < 0:
                        if to in exposed_set:
                            flip(to)
                            return True
                        continue
                    w = mate[to]
                    used[w] = True
                    tree.append(w)
                    queue.append(w)
        return False

    def _local_search(self) -> None:
        """Apply improving alternating chains (2-opt, 3-opt, ...) until none is found.

        A chain from a member ``a`` with partner ``b`` frees ``b``, gives it a better partner
        ``c`` and frees ``c``'s partner ``d``, and so on; it closes when the last freed member
        pairs with ``a`` for a net gain (Lin-Kernighan style: each step must keep the running
        gain positive). From an unmatched member the chain closes by leaving the last freed
        member unmatched, never a priority member in place of a non-priority one.
        """
        n = self.n
        mate = self.mate
        self.mate_score = [self.score(x, mate[x]) if mate[x] >= 0 else 0 for x in range(n)]
        self._weak_cache: dict[int, list[int]] = {}
        self.moves_left = _MOVES_PER_MEMBER * n
        queue = deque(range(n))
        queued = [True] * n
        while queue and self.moves_left > 0:
            a = queue.popleft()
            queued[a] = False
            changed = self._improve(a)
            for m in changed:
                if not queued[m]:
                    queued[m] = True
                    queue.append(m)

    def _weak(self, q: int) -> list[int]:
        """Return members of profile q, least well matched first (a few for large profiles)."""
        weak = self._weak_cache.get(q)
        if weak is None:
            members = self.profile_members[q]
            score = self.mate_score.__getitem__
            if len(members) > 4 * _PER_PROFILE + 8:
                weak = heapq.nsmallest(2 * _PER_PROFILE + 4, members, key=score)
            else:
                weak = sorted(members, key=score)
            self._weak_cache[q] = weak
        return weak

    def _improve(self, a: int) -> list[int]:
        """Find and apply one improving chain starting at a; return the members it moved."""
        b = self.mate[a]
        if b >= 0:
            best = self._ranked(self.profile[b])
            if not best or best[0][0] <= self.mate_score[a]:
                return []
            chain = self._extend(a, b, -self.mate_score[a], {a, b}, 0)
        else:
            chain = self._extend(a, a, 0, {a}, 0)
        if chain is None:
            return []
        self.moves_left -= 1
        mate = self.mate
        moved = [a]
        if b >= 0:
            moved.append(b)
            mate[b] = -1
        mate[a] = -1
        for x, c, d in chain:
            if d >= 0:
                mate[d] = -1
            mate[x] = c
            mate[c] = x
            moved += (x, c, d)
        last = chain[-1][2]
        if last >= 0 and b >= 0:
            mate[last] = a
            mate[a] = last
        moved = [m for m in moved if m >= 0]
        for m in moved:
            self.mate_score[m] = self.score(m, mate[m]) if mate[m] >= 0 else 0
            self._weak_cache.pop(self.profile[m], None)
        return moved

    def _extend(
        self, a: int, x: int, gain: int, used: set[int], depth: int
    ) -> list[tuple[int, int, int]] | None:
        """Search chain steps ``(x, c, d)`` from the freed member x that close with a net gain."""
        mate = self.mate
        mate_score = self.mate_score
        priority = self.priority
        forbidden_x = self.forbidden.get(x, self._no_one)
        candidates: list[tuple[int, int]] = []
        for score, q in self._ranked(self.profile[x]):
            if gain + score <= 0:
                break
            taken = 0
            for c in self._weak(q):
                if c in used or c in forbidden_x:
                    continue
                candidates.append((gain + score - mate_score[c], c))
                taken += 1
                if taken == _PER_PROFILE:
                    break
            if len(candidates) >= _SCAN_LIMIT:
                break
        candidates.sort(key=lambda item: -item[0])
        start_unmatched = mate[a] < 0
        for after, c in candidates[: _BREADTH[depth]]:
            d = mate[c]
            if d < 0:
                # c was unmatched: the chain ends here and a loses their partner, if matched.
                if start_unmatched or (after > 0 and (priority[c] or not priority[a])):
                    return [(x, c, d)]
                continue
            if start_unmatched:
                # Started from an unmatched member: d is left out instead.
                if after > 0 and (priority[a] or not priority[d]):
                    return [(x, c, d)]
            elif self.allowed(d, a) and after + self.score(d, a) > 0:
                return [(x, c, d)]
            if depth + 1 < len(_BREADTH) and after + self._best_score(d) > 0:
                used.add(c)
                used.add(d)
                rest = self._extend(a, d, after, used, depth + 1)
                if rest is not None:
                    return [(x, c, d), *rest]
                used.discard(c)
                used.discard(d)
        return None

    def _best_score(self, x: int) -> int:
        """Return the best score any partner could give x."""
        ranked = self._ranked(self.profile[x])
        return ranked[0][0] if ranked else 0

    def _form_trios(self, groups: list[list[int]], left_out: list[int]) -> list[int]:
        """Add each leftover to the pair where the three fit best; return who is still left."""
        left_out.sort(key=lambda x: not self.priority[x])
        still_left = []
        for x in left_out:
            best, best_score = -1, -1
            for g, group in enumerate(groups):
                if len(group) != 2:
                    continue
                a, b = group
                if self.allowed(x, a) and self.allowed(x, b):
                    gain = self.score(x, a) + self.score(x, b)
                    if gain > best_score:
                        best, best_score = g, gain
            if best < 0:
                still_left.append(x)
            else:
                groups[best].append(x)
        return still_left

    def _result(self, groups: list[list[int]], left_out: list[int]) -> MatchingResult:
        ids = self.ids
        scored = []
        for group in groups:
            members = sorted((ids[x] for x in group), key=_id_key)
            total = sum(self.score(x, y) for x, y in combinations(group, 2))
            scored.append((tuple(members), total))
        scored.sort(key=lambda item: [_id_key(m) for m in item[0]])
        return MatchingResult(
            groups=tuple(members for members, _ in scored),
            scores=tuple(total for _, total in scored),
            left_out=tuple(sorted((ids[x] for x in left_out), key=_id_key)),
            not_eligible=self.not_eligible,
        )

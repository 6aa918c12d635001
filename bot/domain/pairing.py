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

import random
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations
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
    "candidate_pairs",
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

# Sparse pair graph: members linked forward within their own profile, and to the best members
# of other profiles. Tuned with bench/pairing.py.
_SAME_PROFILE_LINKS = 3
_OTHER_PROFILE_LINKS = 6
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


def candidate_pairs(matching: MatchingInput) -> list[tuple[MemberId, MemberId, int]]:
    """Return the sparse pair graph the matcher starts from, as ``(a, b, score)`` triples."""
    matcher = _Matcher(matching)
    ids = matcher.ids
    return [
        (ids[x], ids[y], score)
        for score, bucket in enumerate(matcher.edge_buckets)
        for edges in bucket
        for x, y in edges
    ]


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
        self._build_graph()

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

    # ----------------------------------------------------------------- sparse pair graph

    def _ranked_partner_profiles(self, p: int, wanted: int) -> list[tuple[int, int]]:
        """Return other profiles by falling score until they hold ``wanted`` members."""
        mask = self.profile_mask[p]
        window = self.profile_window[p]
        levels = self._levels.get(mask)
        if levels is None:
            levels = [[] for _ in range(MAX_COUNTED_TOPICS + 1)]
            for other in self._masks:
                levels[min((mask & other).bit_count(), MAX_COUNTED_TOPICS)].append(other)
            self._levels[mask] = levels
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
        ranked: list[tuple[int, int]] = []
        found = 0
        index = self.profile_index
        members = self.profile_members
        for score, level, w in cells:
            if found >= wanted:
                break
            masks = levels[level]
            if not masks:
                continue
            in_window = self._window_masks[w]
            if len(masks) <= len(in_window):
                hits = (index.get((m, w)) for m in masks)
            else:
                hits = (
                    index[(m, w)]
                    for m in in_window
                    if min((mask & m).bit_count(), MAX_COUNTED_TOPICS) == level
                )
            for q in hits:
                if q is not None and q != p:
                    ranked.append((score, q))
                    found += len(members[q])
        return ranked

    def _build_graph(self) -> None:
        """Link each member to a few of their best allowed partners, bucketed by score."""
        self._masks = sorted(set(self.profile_mask))
        self._levels: dict[int, list[list[int]]] = {}
        self._cells: dict[int, list[tuple[int, int, int]]] = {}
        self._window_masks: list[list[int]] = [[] for _ in self.windows]
        for mask, window in self.profile_index:
            self._window_masks[window].append(mask)

        n = self.n
        forbidden = self.forbidden
        no_one = self._no_one
        priority = self.priority
        # buckets[score] = (edges touching a priority member, other edges)
        buckets: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = [
            ([], []) for _ in range(MAX_SCORE + 1)
        ]
        adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        seen: set[int] = set()
        pointer = [0] * self.profile_count

        def link(x: int, y: int, score: int) -> None:
            key = x * n + y if x < y else y * n + x
            if key in seen or y in forbidden.get(x, no_one):
                return
            seen.add(key)
            buckets[score][0 if priority[x] or priority[y] else 1].append((x, y))
            adjacency[x].append((score, y))
            adjacency[y].append((score, x))

        for p, members in enumerate(self.profile_members):
            size = len(members)
            own = self.profile_score(p, p)
            if size - 1 <= 2 * _SAME_PROFILE_LINKS:
                for x, y in combinations(members, 2):
                    link(x, y, own)
            else:
                for j, x in enumerate(members):
                    for step in range(1, _SAME_PROFILE_LINKS + 1):
                        link(x, members[(j + step) % size], own)
            ranked = self._ranked_partner_profiles(p, _OTHER_PROFILE_LINKS + 2)
            for x in members:
                mine = forbidden.get(x, no_one)
                wanted = _OTHER_PROFILE_LINKS
                for score, q in ranked:
                    others = self.profile_members[q]
                    start = pointer[q]
                    taken = 0
                    for k in range(len(others)):
                        y = others[(start + k) % len(others)]
                        if y in mine:
                            continue
                        link(x, y, score)
                        taken += 1
                        if taken == wanted:
                            break
                    pointer[q] = (start + taken) % len(others)
                    wanted -= taken
                    if wanted == 0:
                        break
        for neighbours in adjacency:
            neighbours.sort(key=lambda edge: -edge[0])
        self.edge_buckets = buckets
        self.adjacency = adjacency

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
        """Take edges by falling score (priority members first among equals)."""
        mate = self.mate
        for bucket in reversed(self.edge_buckets):
            for edges in bucket:
                for x, y in edges:
                    if mate[x] < 0 and mate[y] < 0:
                        mate[x] = y
                        mate[y] = x

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
        """Apply improving 2-opt swaps and partner replacements until none is left."""
        mate = self.mate
        adjacency = self.adjacency
        priority = self.priority
        score = self.score
        allowed = self.allowed
        queue = deque(range(self.n))
        queued = [True] * self.n
        moves = _MOVES_PER_MEMBER * self.n

        def push(*members: int) -> None:
            for m in members:
                if m >= 0 and not queued[m]:
                    queued[m] = True
                    queue.append(m)

        while queue and moves > 0:
            a = queue.popleft()
            queued[a] = False
            b = mate[a]
            current = score(a, b) if b >= 0 else 0
            for s, y in adjacency[a]:
                if s <= current:
                    break
                d = mate[y]
                if d == a:
                    continue
                if b < 0 and d < 0:
                    # Both unmatched (only when the searches ran out of budget): pair them.
                    mate[a], mate[y] = y, a
                elif b < 0:
                    # a replaces d as y's partner, if that does not unseat a priority member.
                    if s <= score(y, d) or (priority[d] and not priority[a]):
                        continue
                    mate[d] = -1
                    mate[a], mate[y] = y, a
                elif d < 0:
                    # y replaces b as a's partner, if that does not unseat a priority member.
                    if priority[b] and not priority[y]:
                        continue
                    mate[b] = -1
                    mate[a], mate[y] = y, a
                else:
                    if not allowed(b, d):
                        continue
                    if s + score(b, d) <= current + score(y, d):
                        continue
                    mate[a], mate[y] = y, a
                    mate[b], mate[d] = d, b
                moves -= 1
                push(a, b, y, d)
                break

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

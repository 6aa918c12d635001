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

    1                                   any allowed pair beats leaving someone out
    + 6 * min(shared topics, 3)         one shared topic is worth six hours of overlap
    + full hours both are awake         0..24, from the two UTC waking windows

A group scores the sum over its pairs, so a trio scores its three pair scores.

How it works. Members with the same topics and waking window form a profile, and a pair's
score depends only on the two profiles. Profiles are indexed by window and by every set of one
to three of their topics, so a profile can list its partner profiles by falling score without
scoring all n²/2 pairs (50 million at 10,000 members).

1. Greedy: profile pairs are taken by falling score and their unmatched members paired, which
   is the classic greedy over the full pair graph without listing its edges.
2. Cardinality: the last unmatched members are paired best first among themselves, then
   augmenting paths (Edmonds' blossom search over the full constraint graph, within a work
   budget) make the matching maximum, and priority members are swapped in for non-priority
   ones along even alternating paths.
3. Local search: Lin-Kernighan-style alternating chains (2-opt, 3-opt, up to four swaps deep,
   following the few best candidates at each depth) give members better partners while the
   total rises, within a step budget, never unseating a priority member for someone else.
4. Trios: with ``allow_trios``, each member still left over joins the pair where the three fit
   best, if no pair among the three is forbidden.

Ties are broken by a shuffle seeded with ``seed``: the same input and seed give the same
result, whatever the order of ``candidates``. bench/pairing.py measures speed and quality.

Known limits: the local search stops after ``_MAX_STEPS`` chain steps, so very large rounds
keep more of the greedy result; the blossom search gives up after ``_SEARCH_BUDGET``
neighbour checks, which only a round where most pairs are forbidden can reach; distinct
waking windows cost W² overlap computations.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
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
    "forbidden_pairs",
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
_GREEDY_TAIL = 16
# Partner profiles (best first) the local search looks at for each member.
_RANKED_PROFILES = 24
# Members per partner profile (the least well matched first), and candidates per chain step,
# that the local search considers.
_PER_PROFILE = 2
_SCAN_LIMIT = 12
# How many candidates the local search follows at each depth of an alternating chain.
_BREADTH = (4, 3, 2, 2)
# Work budget (neighbour checks) for the blossom searches of one round.
_SEARCH_BUDGET = 3_000_000
# Local-search steps (chain extensions) allowed per member, and in all, in one round.
_STEPS_PER_MEMBER = 20
_MAX_STEPS = 20_000


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


def is_allowed(a: MemberId, b: MemberId, matching: MatchingInput) -> bool:
    """Return whether two members may be grouped this round (no block, no recent meeting)."""
    return a != b and frozenset((a, b)) not in forbidden_pairs(matching)


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
        self._cells: dict[int, list[tuple[int, int, int]]] = {}
        # Per window: the profiles in it, and for every set of one to three topics
        # (MAX_COUNTED_TOPICS) the profiles whose topics include that set.
        self._in_window: list[list[int]] = [[] for _ in self.windows]
        self._containing: list[dict[int, list[int]]] = [{} for _ in self.windows]
        self._subsets: list[list[list[int]]] = []
        self._window_topics = [0] * len(self.windows)
        for p, (mask, window) in enumerate(
            zip(self.profile_mask, self.profile_window, strict=True)
        ):
            self._in_window[window].append(p)
            self._window_topics[window] |= mask
            bits = [1 << i for i in range(mask.bit_length()) if mask >> i & 1]
            subsets = [[]] + [
                [sum(chosen) for chosen in combinations(bits, size)]
                for size in range(1, MAX_COUNTED_TOPICS + 1)
            ]
            self._subsets.append(subsets)
            containing = self._containing[window]
            for size in subsets[1:]:
                for sub in size:
                    containing.setdefault(sub, []).append(p)
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

    def _cells_for(self, window: int, top: int) -> list[tuple[int, int, int]]:
        """Return (score, topic level, window) cells up to level ``top``, best score first."""
        key = window * (MAX_COUNTED_TOPICS + 1) + top
        cells = self._cells.get(key)
        if cells is None:
            if top == MAX_COUNTED_TOPICS:
                row = self.overlap_hours(window)
                order = sorted(
                    (-(BASE_POINTS + TOPIC_POINTS * level + hours), -level, w)
                    for level in range(MAX_COUNTED_TOPICS + 1)
                    for w, hours in enumerate(row)
                    if self._in_window[w]
                )
                cells = [(-score, -level, w) for score, level, w in order]
            else:
                cells = [c for c in self._cells_for(window, MAX_COUNTED_TOPICS) if c[1] <= top]
            self._cells[key] = cells
        return cells

    def _walk(self, p: int, alive: list[int] | None = None) -> Iterator[tuple[int, int]]:
        """Yield ``(score, q)`` for profiles q (p included) by falling score.

        With ``alive``, profiles whose entry is 0 (no unmatched member left) are skipped.
        """
        mask = self.profile_mask[p]
        masks = self.profile_mask
        subsets = self._subsets[p]
        cap = MAX_COUNTED_TOPICS
        top = min(mask.bit_count(), cap)
        window_topics = self._window_topics
        for score, level, w in self._cells_for(self.profile_window[p], top):
            if level == 0:
                hits = [q for q in self._in_window[w] if not mask & masks[q]]
            else:
                if (mask & window_topics[w]).bit_count() < level:
                    continue
                containing = self._containing[w]
                hits = []
                for sub in subsets[level]:
                    hits.extend(containing.get(sub, ()))
                if level < cap:
                    hits = [q for q in hits if (mask & masks[q]).bit_count() == level]
                elif len(subsets[level]) > 1:
                    hits = list(dict.fromkeys(hits))
            if alive is not None:
                hits = [q for q in hits if alive[q]]
            for q in hits:
                yield score, q

    def _ranked(self, p: int) -> list[tuple[int, int]]:
        """Return the best partner profiles of p (p included) as ``(score, q)``, best first."""
        ranked = self._ranked_cache.get(p)
        if ranked is None:
            ranked = list(islice(self._walk(p), _RANKED_PROFILES))
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
        available = [list(reversed(members)) for members in self.profile_members]
        alive = [len(members) for members in available]
        walkers = [self._walk(p, alive) for p in range(count)]
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
                    alive[p] = len(mine)
                    alive[q] = len(available[q])
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

        def reached(w: int) -> bool:
            """Finish the search if the new outer vertex w ends an alternating path."""
            if is_target is not None and w != root and is_target(w):
                end = mate[w]
                mate[w] = -1
                flip(end)
                return True
            mine = forbidden.get(w, no_one)
            for z in exposed:
                if z != root and parent[z] < 0 and z not in mine:
                    parent[z] = w
                    flip(z)
                    return True
            return False

        if reached(root):
            return True
        while queue:
            v = queue.popleft()
            mine = forbidden.get(v, no_one)
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
                    self.budget -= len(tree)
                    if self.budget <= 0:
                        return False
                    for i in tree:
                        if base[i] in blossom:
                            base[i] = current
                            if not used[i]:
                                used[i] = True
                                queue.append(i)
                                if reached(i):
                                    return True
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
                    if reached(w):
                        return True
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
        profile = self.profile
        mate_score = self.mate_score = [
            self.score(x, mate[x]) if mate[x] >= 0 else 0 for x in range(n)
        ]
        self._best = [0] * self.profile_count
        self._weak_cache: dict[int, list[int]] = {}
        self.steps_left = min(_STEPS_PER_MEMBER * n, _MAX_STEPS)
        # Members whose partner could do better, largest shortfall first; then the unmatched.
        shortfall = [
            (mate_score[x] - self._best_score(profile[mate[x]]), x)
            for x in range(n)
            if mate[x] >= 0
        ]
        shortfall.sort()
        starts = [x for gap, x in shortfall if gap < 0]
        starts += [x for x in range(n) if mate[x] < 0]
        queue = deque(starts)
        queued = [False] * n
        for x in starts:
            queued[x] = True
        while queue and self.steps_left > 0:
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
            if len(members) > 2 * _PER_PROFILE + 4:
                weak = heapq.nsmallest(2 * _PER_PROFILE + 4, members, key=score)
            else:
                weak = sorted(members, key=score)
            self._weak_cache[q] = weak
        return weak

    def _improve(self, a: int) -> list[int]:
        """Find and apply one improving chain starting at a; return the members it moved."""
        b = self.mate[a]
        if b >= 0:
            if self._best_score(self.profile[b]) <= self.mate_score[a]:
                return []
            chain = self._extend(a, b, -self.mate_score[a], {a, b}, 0)
        else:
            chain = self._extend(a, a, 0, {a}, 0)
        if chain is None:
            return []
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
        self.steps_left -= 1
        mate = self.mate
        mate_score = self.mate_score
        weak_cache = self._weak_cache
        forbidden_x = self.forbidden.get(x, self._no_one)
        p = self.profile[x]
        ranked = self._ranked_cache.get(p)
        if ranked is None:
            ranked = self._ranked(p)
        candidates: list[tuple[int, int]] = []
        for score, q in ranked:
            if gain + score <= 0:
                break
            weak = weak_cache.get(q)
            if weak is None:
                weak = self._weak(q)
            taken = 0
            for c in weak:
                if c in used or c in forbidden_x:
                    continue
                candidates.append((mate_score[c] - gain - score, c))
                taken += 1
                if taken == _PER_PROFILE:
                    break
            if len(candidates) >= _SCAN_LIMIT:
                break
        if not candidates:
            return None
        candidates.sort()
        priority = self.priority
        profile = self.profile
        profile_score = self.profile_score
        best = self._best
        pa = profile[a]
        forbidden_a = self.forbidden.get(a, self._no_one)
        start_unmatched = mate[a] < 0
        deeper = depth + 1 < len(_BREADTH)
        for loss, c in candidates[: _BREADTH[depth]]:
            after = -loss
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
            elif after + profile_score(profile[d], pa) > 0 and d not in forbidden_a:
                return [(x, c, d)]
            if deeper and after + (best[profile[d]] or self._best_score(profile[d])) > 0:
                used.add(c)
                used.add(d)
                rest = self._extend(a, d, after, used, depth + 1)
                if rest is not None:
                    return [(x, c, d), *rest]
                used.discard(c)
                used.discard(d)
        return None

    def _best_score(self, p: int) -> int:
        """Return the best score a member of profile p can get with another member."""
        best = self._best[p]
        if not best:
            if len(self.profile_members[p]) > 1:
                best = self.profile_score(p, p)
            else:
                best = next((s for s, q in self._walk(p) if q != p), 0)
            self._best[p] = best
        return best

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
        score = self.score
        keyed = []
        for group in groups:
            members = sorted((ids[x] for x in group), key=_id_key)
            total = sum(score(x, y) for x, y in combinations(group, 2))
            keyed.append((tuple(_id_key(m) for m in members), tuple(members), total))
        keyed.sort(key=lambda item: item[0])
        return MatchingResult(
            groups=tuple(members for _, members, _ in keyed),
            scores=tuple(total for _, _, total in keyed),
            left_out=tuple(sorted((ids[x] for x in left_out), key=_id_key)),
            not_eligible=self.not_eligible,
        )

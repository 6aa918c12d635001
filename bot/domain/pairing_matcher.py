"""The phases of one round's matching: greedy, maximum cardinality, priority, local search, trios.

See `bot.domain.pairing` for what is promised and how it works; standard library only.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from itertools import combinations

from bot.domain.pairing_blossom import BlossomSearch
from bot.domain.pairing_profiles import ProfileIndex
from bot.domain.pairing_types import MAX_SCORE, MatchingInput, MatchingResult, id_key

# Tuned with bench/pairing.py.
# The greedy pass hands its last members to the exhaustive leftover pairing.
_GREEDY_TAIL = 16
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


class RoundMatcher(ProfileIndex):
    """Matches one round: `RoundMatcher(matching).run()`."""

    def __init__(self, matching: MatchingInput) -> None:
        super().__init__(matching)
        self.mate = [-1] * self.n
        self.budget = _SEARCH_BUDGET

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
        """Find and apply an alternating path from ``root`` (see `BlossomSearch`)."""
        search = BlossomSearch(self.mate, self.forbidden, root, exposed, is_target, self.budget)
        found = search.run()
        self.budget = search.budget
        return found

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
        candidates = self._chain_candidates(x, gain, used)
        mate = self.mate
        profile = self.profile
        best = self._best
        start_unmatched = mate[a] < 0
        deeper = depth + 1 < len(_BREADTH)
        for loss, c in candidates[: _BREADTH[depth]]:
            after = -loss
            d = mate[c]
            if self._closes(a, c, d, after, start_unmatched=start_unmatched):
                return [(x, c, d)]
            if d < 0 or not deeper:
                continue
            if after + (best[profile[d]] or self._best_score(profile[d])) > 0:
                used.add(c)
                used.add(d)
                rest = self._extend(a, d, after, used, depth + 1)
                if rest is not None:
                    return [(x, c, d), *rest]
                used.discard(c)
                used.discard(d)
        return None

    def _chain_candidates(self, x: int, gain: int, used: set[int]) -> list[tuple[int, int]]:
        """Return ``(loss, c)`` for the few members x could take next, smallest loss first."""
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
        candidates.sort()
        return candidates

    def _closes(self, a: int, c: int, d: int, after: int, *, start_unmatched: bool) -> bool:
        """Say whether the chain may end by giving x the member c (taken from d, if matched)."""
        priority = self.priority
        if d < 0:
            # c was unmatched: the chain ends here and a loses their partner, if matched.
            return start_unmatched or (after > 0 and (priority[c] or not priority[a]))
        if start_unmatched:
            # Started from an unmatched member: d is left out instead.
            return after > 0 and (priority[a] or not priority[d])
        closes = after + self.profile_score(self.profile[d], self.profile[a]) > 0
        return closes and d not in self.forbidden.get(a, self._no_one)

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
            members = sorted((ids[x] for x in group), key=id_key)
            total = sum(score(x, y) for x, y in combinations(group, 2))
            keyed.append((tuple(id_key(m) for m in members), tuple(members), total))
        keyed.sort(key=lambda item: item[0])
        return MatchingResult(
            groups=tuple(members for _, members, _ in keyed),
            scores=tuple(total for _, _, total in keyed),
            left_out=tuple(sorted((ids[x] for x in left_out), key=id_key)),
            not_eligible=self.not_eligible,
        )

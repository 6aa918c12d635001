"""One round's members grouped into profiles (same topics, same waking window), and their scores.

A pair's score depends only on the two profiles, so profiles are indexed by window and by every
set of one to three of their topics: a profile lists its partner profiles by falling score
without scoring all n²/2 pairs. `bot.domain.pairing_matcher` builds on this index.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import combinations, islice

from bot.domain.pairing_types import (
    BASE_POINTS,
    MAX_COUNTED_TOPICS,
    TOPIC_POINTS,
    MatchingInput,
    WakingHours,
    id_key,
)

# Partner profiles (best first) the local search looks at for each member (bench/pairing.py).
_RANKED_PROFILES = 24


class ProfileIndex:
    """One round's working state: members as indices 0..n-1, their profiles and constraints."""

    def __init__(self, matching: MatchingInput) -> None:
        self.matching = matching
        round_number = matching.round_number
        eligible = [c for c in matching.candidates if c.is_eligible(round_number)]
        self.not_eligible = tuple(
            sorted(
                (c.id for c in matching.candidates if not c.is_eligible(round_number)),
                key=id_key,
            )
        )
        eligible.sort(key=lambda c: id_key(c.id))
        random.Random(matching.seed).shuffle(eligible)  # noqa: S311 - tie-breaking, not secrets
        self.candidates = eligible
        self.ids = [c.id for c in eligible]
        self.n = len(eligible)
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
            subsets: list[list[int]] = [[]] + [
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

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

from bot.domain.pairing_matcher import RoundMatcher
from bot.domain.pairing_types import (
    BASE_POINTS,
    MAX_COUNTED_TOPICS,
    MAX_SCORE,
    TOPIC_POINTS,
    Candidate,
    Frequency,
    HistoryEntry,
    MatchingInput,
    MatchingResult,
    MemberId,
    WakingHours,
    forbidden_pairs,
    group_score,
    history_entries,
    pair_score,
)

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
    "match_round",
    "pair_score",
]


def match_round(matching: MatchingInput) -> MatchingResult:
    """Group the round's eligible members into pairs (and trios), never breaking a constraint."""
    return RoundMatcher(matching).run()

"""How much a pairing round stalls the event loop: inline, in a thread, in a worker process.

Run ``python bench/pairing_lag.py`` (sizes 10,000 and 50,000 by default, ``--sizes 10000`` to
choose). For each size it builds the community of bench/pairing.py, plays ``--history`` rounds
(6 by default, as many as a repeat is kept out for) so the round has history to respect, and
then runs the same round three ways while a probe task sleeps 1 ms again and again and records
how late it wakes:

- inline: `match_round` on the loop (what Hearth did before);
- thread: `asyncio.to_thread` (the GIL is held by pure Python, so the loop still waits);
- process: `ProcessMatcher`, one "spawn" worker; its first round ("cold") includes starting
  the worker, the later ones ("warm") only sending the input and reading the result back.

Each way runs ``--repeat`` rounds (3 by default) and the median round is printed, with the
probe's lag p50 / p99 / max over all of them. A Markdown table ends the output.

Figures on the shared 2-core machine are in the README (Pairing, Speed): at 10,000 members
inline 0.54 s with one 0.58 s stall, thread 0.52 s with the loop waiting 5 ms at a time (max
106 ms), process warm 0.67 s with p99 5 ms (its extra time is pickling the input across). Hearth
therefore matches in a process. The rare 0.1-0.3 s spikes left in the process rows are full
garbage collections in this process over the bench's own community (gc callbacks show gen-2
pauses of 0.24-0.26 s at 50,000), not the matcher.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pairing import build_community, play
from bot.domain.pairing import MatchingInput, MatchingResult
from bot.services.pairing.matcher import ProcessMatcher, inline_matcher, thread_matcher

PROBE_SECONDS = 0.001


@dataclass(frozen=True)
class Row:
    """One way of running a round, measured."""

    size: int
    way: str
    round_seconds: float
    lag_p50_ms: float
    lag_p99_ms: float
    lag_max_ms: float


class LagProbe:
    """A task that sleeps 1 ms at a time and records how late it wakes."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(PROBE_SECONDS)
            self.lags.append(max(0.0, time.perf_counter() - started - PROBE_SECONDS))

    async def __aenter__(self) -> LagProbe:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0)  # let the probe start before the round does
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


def percentile(values: Sequence[float], share: float) -> float:
    """Return the value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def measure(
    size: int,
    way: str,
    run: Callable[[MatchingInput], Awaitable[MatchingResult]],
    matching: MatchingInput,
    repeat: int,
) -> Row:
    """Run the round `repeat` times one way, with the probe watching the loop."""
    times = []
    lags: list[float] = []
    for _ in range(repeat):
        async with LagProbe() as probe:
            started = time.perf_counter()
            await run(matching)
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)  # the probe's last wake-up after the round
        lags += probe.lags
    return Row(
        size,
        way,
        statistics.median(times),
        percentile(lags, 0.5) * 1000,
        percentile(lags, 0.99) * 1000,
        max(lags, default=0.0) * 1000,
    )


async def bench(size: int, history: int, repeat: int) -> list[Row]:
    """Measure the three ways at one size."""
    community = build_community(size)
    play(community, history)
    matching = community.matching_input(allow_trios=True)
    rows = [
        await measure(size, "inline", inline_matcher, matching, repeat),
        await measure(size, "thread", thread_matcher, matching, repeat),
    ]
    pool = ProcessMatcher()
    try:
        rows.append(await measure(size, "process (cold)", pool, matching, 1))
        rows.append(await measure(size, "process (warm)", pool, matching, repeat))
    finally:
        await pool.close()
    return rows


def table(rows: list[Row]) -> str:
    """Return the figures as a Markdown table."""
    lines = [
        "| members | way | round (s) | loop lag p50 (ms) | p99 (ms) | max (ms) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.size:,} | {r.way} | {r.round_seconds:.2f} | {r.lag_p50_ms:.1f} | "
        f"{r.lag_p99_ms:.1f} | {r.lag_max_ms:.0f} |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--history", type=int, default=6, help="rounds played first")
    parser.add_argument("--repeat", type=int, default=3, help="rounds measured per way")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for size in args.sizes:
        measured = asyncio.run(bench(size, args.history, args.repeat))
        for row in measured:
            print(
                f"{row.size:>6} {row.way:<15} round {row.round_seconds:6.2f} s   lag p50 "
                f"{row.lag_p50_ms:6.1f} ms  p99 {row.lag_p99_ms:7.1f} ms  max "
                f"{row.lag_max_ms:6.0f} ms",
                flush=True,
            )
        rows += measured
    print()
    print(table(rows))


if __name__ == "__main__":
    main()

"""Benchmark expanding circle schedules: the calls Hearth makes, and what they do to the loop.

Run ``python bench/recurrence.py``. Add ``--baseline old.py`` (e.g. ``git show
<commit>:bot/domain/recurrence.py > old.py``, from before the expansion jumped ahead) to run
every figure on that implementation too, side by side.

1. Per call: the expansion calls the circle service makes (``next_occurrences(..., 1)`` when
   announcing, ``occurrence_at`` on every RSVP and reminder pass, ``find_occurrence`` on a
   skip, ``edit_from`` on an edit), on series that are hard for a walker: weekly to 9999,
   weekly from the year 1, monthly "fifth Tuesday" for 8,000 years, 200 edits. Median of
   repeated calls, in microseconds.
2. Many circles: one announce pass over ``--circles`` circles (10,000 by default), each an
   ``await`` (standing in for its database query) and a next meeting, run on the event loop
   while a lag probe (a task asking to wake every millisecond) records how late it wakes:
   lag p99 and max.
3. One long call three ways: the slowest call of the implementation (the walk to the next
   meeting of a weekly series from the year 1 on the baseline) inline, in
   ``asyncio.to_thread`` and in a process pool, with the same probe: what moving work off
   the loop buys, for pure Python that holds the GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from types import ModuleType
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain import recurrence as current

NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)
ZONE = "Europe/London"


def load(path: Path) -> ModuleType:
    """Import an implementation of bot.domain.recurrence from a file."""
    spec = importlib.util.spec_from_file_location("baseline_recurrence", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def series(module: ModuleType, rule: str, first: date, **options: Any) -> Any:
    """Build a validated 19:00 London schedule with one implementation."""
    return module.new_schedule(
        zone=ZONE,
        first_date=first,
        start_time=clock_time(19),
        duration=timedelta(minutes=90),
        rule=module.Rule(rule),
        **options,
    )


def edited_many_times(module: ModuleType, edits: int) -> Any:
    """Return a weekly series edited (start time moved) from every other meeting on."""
    schedule = series(module, "weekly", date(2026, 1, 6))
    for n in range(1, edits + 1):
        schedule = module.edit_from(schedule, 2 * n, start_time=clock_time(18 + n % 3))
    return schedule


def micros(call: Callable[[], object], budget: float = 0.2) -> float:
    """Return the median time of one call in microseconds (repeated within a time budget)."""
    times: list[float] = []
    deadline = time.perf_counter() + budget
    while len(times) < 3 or (time.perf_counter() < deadline and len(times) < 2000):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def per_call(module: ModuleType) -> dict[str, float]:
    """Time each expansion call the service makes on series that are hard for a walker."""
    to_9999 = series(module, "weekly", date(2026, 1, 6), until=date(9999, 12, 31))
    from_year_1 = series(module, "weekly", date(1, 1, 2))
    fifth = series(
        module,
        "monthly_by_weekday",
        date(2026, 3, 31),
        nth_weekday=module.NthWeekday(5, 1),
    )
    edited = edited_many_times(module, 200)
    next_of = module.next_occurrences(from_year_1, NOW, 1)[0].index
    last = (date(9999, 12, 28) - date(2026, 1, 6)).days // 7
    return {
        "announce: next meeting, weekly to 9999": micros(
            lambda: module.next_occurrences(to_9999, NOW, 1)
        ),
        "RSVP: occurrence_at, weekly from year 1": micros(
            lambda: module.occurrence_at(from_year_1, next_of)
        ),
        "occurrence_at: last meeting of a series to 9999": micros(
            lambda: module.occurrence_at(to_9999, last)
        ),
        "skip: find_occurrence in 9999, fifth Tuesday": micros(
            lambda: module.find_occurrence(fifth, date(9999, 11, 30))
        ),
        "next meeting, fifth Tuesday": micros(lambda: module.next_occurrences(fifth, NOW, 1)),
        "next meeting, 200 edits": micros(lambda: module.next_occurrences(edited, NOW, 1)),
        "edit: edit_from, 200 edits": micros(
            lambda: module.edit_from(edited, 402, start_time=clock_time(20))
        ),
    }


@dataclass(frozen=True)
class Lag:
    """How late the probe woke while some work ran, and how long the work took."""

    work_ms: float
    p99_ms: float
    max_ms: float


def percentile(values: Sequence[float], share: float) -> float:
    """Return the nearest-rank percentile (0 for no values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def probed(work: Callable[[], Any]) -> Lag:
    """Run async work while a task asks to wake every millisecond; return its lateness."""
    late: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        while not done.is_set():
            asked = time.perf_counter()
            await asyncio.sleep(0.001)
            late.append(max(0.0, (time.perf_counter() - asked - 0.001) * 1000))

    task = asyncio.create_task(probe())
    await asyncio.sleep(0.01)
    start = time.perf_counter()
    await work()
    took = (time.perf_counter() - start) * 1000
    done.set()
    await task
    return Lag(took, percentile(late, 0.99), max(late, default=0.0))


def announce_pass(module: ModuleType, circles: int) -> Callable[[], Any]:
    """Return an announce pass over many circles: an await and a next meeting for each."""
    rules = ("weekly", "biweekly", "monthly_by_weekday")
    schedules = [
        series(module, rules[n % 3], date(2026, 1, 6) + timedelta(days=n % 28))
        for n in range(circles)
    ]

    async def run() -> None:
        for schedule in schedules:
            await asyncio.sleep(0)  # the circle's database query
            module.next_occurrences(schedule, NOW, 1)

    return run


def slowest_call(module: ModuleType) -> tuple[Any, int]:
    """Return a schedule and index whose occurrence_at is the implementation's slowest."""
    schedule = series(module, "weekly", date(1, 1, 2))
    return schedule, module.next_occurrences(schedule, NOW, 1)[0].index


def occurrence_in_process(path: str | None, index: int) -> Any:
    """Compute a meeting of the year-1 series in a worker process (loading the same module)."""
    module = load(Path(path)) if path else current
    return module.occurrence_at(slowest_call(module)[0], index)


def off_loop(module: ModuleType, path: str | None) -> dict[str, Lag]:
    """Run the slowest call inline, in a thread and in a process pool, under the probe."""
    schedule, index = slowest_call(module)

    async def inline() -> None:
        module.occurrence_at(schedule, index)

    async def threaded() -> None:
        await asyncio.to_thread(module.occurrence_at, schedule, index)

    async def measure() -> dict[str, Lag]:
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(1) as pool:
            await loop.run_in_executor(pool, occurrence_in_process, path, index)  # warm it up

            async def in_process() -> None:
                await loop.run_in_executor(pool, occurrence_in_process, path, index)

            return {
                "inline": await probed(inline),
                "asyncio.to_thread": await probed(threaded),
                "process pool": await probed(in_process),
            }

    return asyncio.run(measure())


def main(argv: list[str] | None = None) -> None:
    """Print every figure for the current implementation (and the baseline, if given)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="an older bot/domain/recurrence.py")
    parser.add_argument("--circles", type=int, default=10_000)
    args = parser.parse_args(argv)
    implementations: list[tuple[str, ModuleType, str | None]] = [("now", current, None)]
    if args.baseline:
        implementations.append(("baseline", load(args.baseline), str(args.baseline)))
    rows: list[str] = []
    for name, module, path in implementations:
        print(f"\n== {name} ==")
        for label, value in per_call(module).items():
            print(f"{label:55} {value:12.1f} µs")
            rows.append(f"| {name} | {label} | {value:,.1f} µs |")
        lag = asyncio.run(probed(announce_pass(module, args.circles)))
        label = f"announce pass over {args.circles:,} circles"
        print(f"{label:55} {lag.work_ms:9.1f} ms, lag p99 {lag.p99_ms:.2f} max {lag.max_ms:.2f}")
        rows.append(
            f"| {name} | {label} | {lag.work_ms:,.1f} ms; lag p99 {lag.p99_ms:.2f} ms, "
            f"max {lag.max_ms:.2f} ms |"
        )
        for way, lag in off_loop(module, path).items():
            label = f"slowest occurrence_at (year-1 weekly), {way}"
            print(
                f"{label:55} {lag.work_ms:9.1f} ms, lag p99 {lag.p99_ms:.2f} max {lag.max_ms:.2f}"
            )
            rows.append(
                f"| {name} | {label} | {lag.work_ms:,.1f} ms; lag p99 {lag.p99_ms:.2f} ms, "
                f"max {lag.max_ms:.2f} ms |"
            )
    print("\n| code | figure | value |\n|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

"""Run Hearth as `python -m bot` builds it, plus a no-op command and an event-loop lag probe.

The benchmarks start this in a process of its own (`python -m hearth_runner`, with the source
tree to measure first on PYTHONPATH), so the emulator's work is not counted against Hearth's
event loop. Settings come from the environment as for `python -m bot`. On SIGTERM it stops
cleanly and writes what it measured to the JSON file named by HEARTH_BENCH_STATS:
`lag` (wall-clock time, how late a 5 ms sleep woke, in seconds), `gc` (wall-clock time, the
collected generation and how long the pause took, in seconds) and `rss_kb`.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import time
from pathlib import Path

from bot.app import build, load_data, migrate
from bot.client import EXTENSIONS
from bot.config import load_settings

PROBE_EVERY = 0.005


async def probe_lag(samples: list[tuple[float, float]]) -> None:
    """Record, forever, how much later than asked a short sleep wakes (the loop's lag)."""
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time()
        await asyncio.sleep(PROBE_EVERY)
        samples.append((time.time(), max(0.0, loop.time() - asked - PROBE_EVERY)))


def watch_collections(pauses: list[tuple[float, int, float]]) -> None:
    """Record every garbage collection: when, which generation, how long it stopped everything."""
    started: list[float] = []

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses.append((time.time(), info["generation"], time.perf_counter() - started[0]))

    gc.callbacks.append(timed)


def rss_kb() -> int:
    """Return this process's resident memory in kB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def main() -> None:
    """Start Hearth with the no-op extension; stop on SIGTERM and write the figures."""
    settings = load_settings()
    crisis_data = await asyncio.to_thread(load_data, settings)
    await migrate(settings)
    hearth = build(settings, crisis_data=crisis_data, extensions=(*EXTENSIONS, "hearth_noop"))
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    samples: list[tuple[float, float]] = []
    pauses: list[tuple[float, int, float]] = []
    watch_collections(pauses)
    probe = asyncio.create_task(probe_lag(samples))
    runner = asyncio.create_task(hearth.bot.start(settings.discord_token))
    await asyncio.wait(
        {runner, asyncio.create_task(stopping.wait())}, return_when="FIRST_COMPLETED"
    )
    probe.cancel()
    memory = rss_kb()
    await hearth.close()
    if runner.done() and runner.exception() is not None:
        raise runner.exception()  # type: ignore[misc]
    stats = {"lag": samples, "gc": pauses, "rss_kb": memory}
    Path(os.environ["HEARTH_BENCH_STATS"]).write_text(json.dumps(stats))


if __name__ == "__main__":
    asyncio.run(main())

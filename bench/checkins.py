"""Benchmark /crisis and a /checkin submit against a no-op command, through the emulator.

Run ``python bench/checkins.py`` (``--requests 400 --concurrency 16`` by default); add
``--before PATH`` (a checkout of another commit, e.g. ``git worktree add /tmp/before <commit>``;
it runs in that checkout's own ``.venv`` when it has one, for its library versions)
to measure that version in the same run, side by side. For each version it starts the local
Discord emulator here and the real Hearth in a process of its own (as ``python -m bot`` builds
it, on a fresh SQLite file, plus the benchmark-only ``/noop``: bench/hearth_runner.py), sets a
server up through slash commands as a moderator would, and drives:

- ``/noop``: answers "ok" privately and touches nothing (the floor: emulator, gateway,
  discord.py, the interaction callback);
- ``/crisis country:GB``: the private crisis card (dataset lookup, local resources query);
- a ``/checkin`` submit: the form's submission for a member who opened it beforehand
  (unmeasured); Hearth checks limits and pause, stores durably and answers with the private
  receipt. The posting delay is 0, so every submit also sets the delivery worker posting.

Latency is the time from the emulator sending the interaction until the member has their
answer (for a submit deferred first, until the receipt fills the deferred message; the first
acknowledgement is printed too), one request at a time with the kinds interleaved, each on a
quiet bot: the next request waits until every check-in so far is posted, then 10 ms. Throughput
is requests answered per second with ``--concurrency`` in flight, per kind. Ratios are against
``/noop`` of the same version.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (
    HearthProcess,
    Server,
    accept,
    answered,
    build_server,
    median,
    percentile,
    set_up,
    source_tree,
)
from emulator import Emulator

KINDS = ("noop", "crisis", "checkin")
QUIET_PAUSE = 0.01
HERE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Figures:
    """One kind of request in one version: latency and throughput."""

    version: str
    kind: str
    ack_ms: float
    median_ms: float
    p99_ms: float
    per_second: float


class Driver:
    """Sends one request of a kind and waits until it is answered."""

    def __init__(self, emu: Emulator, server: Server) -> None:
        self.emu, self.server = emu, server
        self.turn = 0
        self.submitted = 0

    async def quiet(self) -> None:
        """Wait until every check-in so far is posted, then a short pause."""
        deadline = time.perf_counter() + 30
        while len(self.emu.channel_messages(self.server.channels["check-ins"])) < self.submitted:
            if time.perf_counter() > deadline:
                raise RuntimeError("check-ins were not posted within 30 s")
            await asyncio.sleep(0.0005)
        await asyncio.sleep(QUIET_PAUSE)

    def member(self) -> int:
        """Return the next member, round robin (each stays under the daily limit)."""
        self.turn += 1
        return self.server.members[self.turn % len(self.server.members)]

    async def open_form(self) -> tuple[int, Any]:
        """Open the check-in form for a member (not measured)."""
        who = self.member()
        opened = await self.emu.slash(who, "checkin share", guild_id=self.server.guild_id)
        body = await opened.response()
        if body["type"] != 9:
            raise RuntimeError(f"the form did not open: {body}")
        return who, opened

    def request(
        self, kind: str, form: tuple[int, Any] | None = None
    ) -> Callable[[], Awaitable[float]]:
        """Return a coroutine function that sends one request and returns the ack time (s)."""
        guild = self.server.guild_id
        if kind == "noop":
            who = self.member()
            return lambda: self._answer(self.emu.slash(who, "noop", guild_id=guild))
        if kind == "crisis":
            who = self.member()
            return lambda: self._answer(self.emu.slash(who, "crisis", guild_id=guild, country="GB"))
        assert form is not None
        who, opened = form
        values = {"mood": ["3"], "note": "A steady day, thanks for asking."}
        self.submitted += 1
        return lambda: self._answer(self.emu.submit_modal(who, opened, values=values))

    @staticmethod
    async def _answer(sending: Awaitable[Any]) -> float:
        started = time.perf_counter()
        handle = await sending
        await handle.response(timeout=30)
        acked = time.perf_counter() - started
        await answered(handle)
        return acked


async def latencies(driver: Driver, rounds: int) -> dict[str, list[tuple[float, float]]]:
    """Time each kind one at a time, interleaved: (ack, answered) in seconds."""
    timings: dict[str, list[tuple[float, float]]] = {kind: [] for kind in KINDS}
    for _ in range(rounds):
        form = await driver.open_form()
        for kind in KINDS:
            await driver.quiet()
            send = driver.request(kind, form if kind == "checkin" else None)
            started = time.perf_counter()
            acked = await send()
            timings[kind].append((acked, time.perf_counter() - started))
    return timings


async def throughput(driver: Driver, kind: str, count: int, concurrency: int) -> float:
    """Return requests answered per second with `concurrency` in flight."""
    forms = [await driver.open_form() for _ in range(count)] if kind == "checkin" else []
    sends = [driver.request(kind, forms[i] if forms else None) for i in range(count)]
    gate = asyncio.Semaphore(concurrency)

    async def one(send: Callable[[], Awaitable[float]]) -> None:
        async with gate:
            await send()

    started = time.perf_counter()
    await asyncio.gather(*(one(send) for send in sends))
    await driver.quiet()
    return count / (time.perf_counter() - started)


async def measure(
    version: str, source: Path, requests: int, concurrency: int, warmup: int, members: int
) -> list[Figures]:
    """Measure one version of Hearth; return its figures per kind."""
    emu = Emulator(interaction_deadline=30.0)
    await emu.start()
    with tempfile.TemporaryDirectory() as folder:
        try:
            server = build_server(emu, members)
            hearth = await HearthProcess.start(emu, source, Path(folder))
            await emu.wait_until_guild_available(server.guild_id, timeout=30)
            await set_up(emu, server)
            for who in server.members:
                await accept(emu, server, who)
            driver = Driver(emu, server)
            await latencies(driver, warmup)
            timings = await latencies(driver, requests)
            # Unmeasured: the first burst opens the HTTP connections every later one reuses.
            await throughput(driver, "noop", concurrency * 8, concurrency)
            rates = {kind: await throughput(driver, kind, requests, concurrency) for kind in KINDS}
            await hearth.stop()
            if hearth.errors():
                print(f"{version}: Hearth logged errors:", *hearth.errors()[:5], sep="\n  ")
        finally:
            await emu.stop()
    return [
        Figures(
            version,
            kind,
            median([a for a, _ in timings[kind]]) * 1000,
            median([t for _, t in timings[kind]]) * 1000,
            percentile([t for _, t in timings[kind]], 0.99) * 1000,
            rates[kind],
        )
        for kind in KINDS
    ]


def table(rows: Sequence[Figures]) -> str:
    """Return the figures as a Markdown table with ratios to each version's /noop."""
    base = {row.version: row for row in rows if row.kind == "noop"}
    names = {"noop": "`/noop`", "crisis": "`/crisis country:GB`", "checkin": "`/checkin` submit"}
    lines = [
        "| version | request | first answer | answered (median) | p99 | throughput "
        "| median vs /noop | throughput vs /noop |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        noop = base[row.version]
        lines.append(
            f"| {row.version} | {names[row.kind]} | {row.ack_ms:.1f} ms | {row.median_ms:.1f} ms "
            f"| {row.p99_ms:.1f} ms | {row.per_second:.0f}/s "
            f"| {row.median_ms / noop.median_ms:.2f}× | {row.per_second / noop.per_second:.2f}× |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per kind and phase")
    parser.add_argument("--concurrency", type=int, default=16, help="in flight, for throughput")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured rounds first")
    parser.add_argument("--members", type=int, default=300, help="members taking turns")
    parser.add_argument("--before", type=source_tree, help="another checkout, measured first")
    args = parser.parse_args(argv)
    versions = ([("before", args.before)] if args.before else []) + [("this tree", HERE)]
    rows: list[Figures] = []
    for name, source in versions:
        rows += asyncio.run(
            measure(name, source, args.requests, args.concurrency, args.warmup, args.members)
        )
    print("\n" + table(rows))


if __name__ == "__main__":
    main()

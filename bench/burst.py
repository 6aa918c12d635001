"""A burst: 2,000 interactions in 10 s while a delivery run and a 10,000-member pairing round go on.

Run ``python bench/burst.py`` (``--before PATH`` measures another checkout too, side by side).
The emulator and the load run in this process; Hearth runs in a process of its own
(bench/hearth_runner.py: as ``python -m bot`` builds it, with an event-loop lag probe), so the
emulator's work is not counted against Hearth's loop. Set-up, unmeasured: a server with
``--pairing`` members who accepted the agreement and joined pairing, ``--members`` more who
accepted it, a circle with its announcement, check-ins posting at once.

Then, at once: the moderator saves a material change to the agreement (so every member is
asked again, by DM) and starts a pairing round now; and over 10 s, members each accept the new
version (read it, press Accept) and then do one more thing: submit a check-in (open the form,
submit it; each is posted to the channel right away), say they will come to the circle,
open ``/crisis`` or ``/pair status``. About 2,000 interactions in all.

Measured from outside Hearth: each interaction's first answer (the emulator marks any that
Discord's 3 s deadline would refuse); from inside: how late the loop's 5 ms sleeps wake (lag,
p99 and max during the burst) and resident memory before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
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
    percentile,
    set_up,
    source_tree,
    write_agreement,
)
from emulator import Emulator

HERE = Path(__file__).resolve().parents[1]
BURST_SECONDS = 10.0
DEADLINE = 3.0


@dataclass
class Tally:
    """Every interaction's first-answer time, and those Discord would have refused."""

    acks: list[float] = field(default_factory=list)
    late: int = 0
    failed: list[str] = field(default_factory=list)

    async def time(self, send: Awaitable[Any]) -> Any:
        """Send one interaction; record how long its first answer took."""
        started = time.perf_counter()
        handle = await send
        try:
            await handle.response(timeout=30)
        except AssertionError:  # expired: Discord's deadline passed with no answer
            self.late += 1
            return handle
        took = time.perf_counter() - started
        self.acks.append(took)
        if took > DEADLINE:
            self.late += 1
        return handle


async def gathered(jobs: Sequence[Callable[[], Awaitable[Any]]], concurrency: int) -> None:
    """Run set-up jobs with a bounded number in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: Callable[[], Awaitable[Any]]) -> None:
        async with gate:
            await job()

    await asyncio.gather(*(one(job) for job in jobs))


async def join_pairing(emu: Emulator, server: Server, who: int) -> None:
    """Accept the agreement and opt in to pairing, as a member."""
    await accept(emu, server, who)
    zone = random.choice(("Europe/London", "America/New_York", "Asia/Tokyo", "Europe/Berlin"))
    await answered(await emu.slash(who, "pair join", guild_id=server.guild_id, timezone=zone))


async def prepare(emu: Emulator, server: Server, pairing: int) -> dict[str, Any]:
    """Set Hearth up, fill pairing, schedule a circle; return its announcement."""
    await set_up(emu, server)
    g, mod = server.guild_id, server.moderator
    await answered(
        await emu.slash(
            mod,
            "pair settings",
            guild_id=g,
            channel=server.channels["pairing"],
            weekday=0,
            time="18:00",
            timezone="Europe/London",
        )
    )
    paired, others = server.members[:pairing], server.members[pairing:]
    await gathered([lambda who=who: join_pairing(emu, server, who) for who in paired], 16)
    await gathered([lambda who=who: accept(emu, server, who) for who in others], 16)
    created = await emu.slash(
        mod,
        "circle create",
        guild_id=g,
        title="Evening circle",
        timezone="Europe/London",
        first_date=time.strftime("%Y-%m-%d", time.gmtime(time.time() + 3 * 86400)),
        start_time="19:00",
        duration=60,
        repeats="weekly",
        voice=server.channels["voice"],
    )
    await answered(created)
    return await emu.wait_for_message(server.channels["circles"], timeout=30)


async def member_session(
    emu: Emulator, server: Server, tally: Tally, who: int, then: str, announcement: dict[str, Any]
) -> None:
    """Accept the new version, then do one more thing, timing every interaction."""
    g = server.guild_id
    card = await tally.time(emu.slash(who, "agreement read", guild_id=g))
    await card.wait_until_done(30)
    await tally.time(emu.click(who, card.message, label="Accept"))
    if then == "checkin":
        opened = await tally.time(emu.slash(who, "checkin share", guild_id=g))
        if opened.modal is not None:
            values = {"mood": ["3"], "note": "A busy evening, but I'm okay."}
            await tally.time(emu.submit_modal(who, opened, values=values))
    elif then == "rsvp":
        await tally.time(emu.click(who, announcement, label="I'll be there"))
    elif then == "crisis":
        await tally.time(emu.slash(who, "crisis", guild_id=g, country="GB"))
    else:
        await tally.time(emu.slash(who, "pair status", guild_id=g))


async def burst(
    emu: Emulator, server: Server, announcement: dict[str, Any], sessions: int
) -> tuple[Tally, float, float]:
    """Run the burst; return the tally and its start and end (wall clock)."""
    tally = Tally()
    g, mod = server.guild_id, server.moderator
    started_at = time.time()
    await write_agreement(
        emu, server, "We listen without judging.\nWe keep names private.", "material"
    )
    await tally.time(emu.slash(mod, "pair round now", guild_id=g))
    kinds = ["checkin", "rsvp", "crisis", "pair"]
    people = random.sample(server.members, sessions)
    loop = asyncio.get_running_loop()
    tasks = []
    begun = loop.time()
    for n, who in enumerate(people):
        await asyncio.sleep(max(0.0, begun + n * BURST_SECONDS / sessions - loop.time()))
        then = kinds[n % len(kinds)]
        tasks.append(
            asyncio.create_task(member_session(emu, server, tally, who, then, announcement))
        )
    results = await asyncio.gather(*tasks, return_exceptions=True)
    tally.failed += [repr(r)[:200] for r in results if isinstance(r, BaseException)]
    return tally, started_at, time.time()


@dataclass(frozen=True)
class Outcome:
    """What one version did under the burst."""

    version: str
    interactions: int
    late: int
    ack_p50_ms: float
    ack_p99_ms: float
    ack_max_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    gc_max_ms: float
    rss_before_mb: float
    rss_after_mb: float
    failures: int


async def measure(version: str, source: Path, members: int, pairing: int, sessions: int) -> Outcome:
    """Set one version up, run the burst, and return what was measured."""
    random.seed(7)
    emu = Emulator(interaction_deadline=DEADLINE)
    await emu.start()
    with tempfile.TemporaryDirectory() as folder:
        try:
            server = build_server(emu, members + pairing)
            hearth = await HearthProcess.start(emu, source, Path(folder))
            await emu.wait_until_guild_available(server.guild_id, timeout=120)
            announcement = await prepare(emu, server, pairing)
            await asyncio.sleep(2)  # let set-up's background work finish
            before = hearth.rss_kb()
            tally, start, end = await burst(emu, server, announcement, sessions)
            await asyncio.sleep(1)
            after = hearth.rss_kb()
            stats = await hearth.stop()
            errors = hearth.errors()
        finally:
            await emu.stop()
    lags = [lag for at, lag in stats["lag"] if start <= at <= end]
    collections = [pause for at, _, pause in stats.get("gc", []) if start <= at <= end]
    if errors:
        print(f"{version}: Hearth logged {len(errors)} errors, e.g. {errors[0][:200]}")
    if tally.failed:
        print(f"{version}: {len(tally.failed)} member sessions failed, e.g. {tally.failed[0]}")
    return Outcome(
        version,
        len(tally.acks) + tally.late,
        tally.late,
        percentile(tally.acks, 0.5) * 1000,
        percentile(tally.acks, 0.99) * 1000,
        max(tally.acks, default=0) * 1000,
        percentile(lags, 0.99) * 1000,
        max(lags, default=0) * 1000,
        max(collections, default=0) * 1000,
        before / 1024,
        after / 1024,
        len(tally.failed),
    )


def table(rows: Sequence[Outcome]) -> str:
    """Return the outcomes as a Markdown table."""
    lines = [
        "| version | interactions | over 3 s | first answer p50 / p99 / max | loop lag p99 / max "
        "| longest GC pause | memory before → after | failed sessions |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.version} | {r.interactions} | {r.late} | {r.ack_p50_ms:.0f} / "
            f"{r.ack_p99_ms:.0f} / {r.ack_max_ms:.0f} ms | {r.lag_p99_ms:.1f} / "
            f"{r.lag_max_ms:.1f} ms | {r.gc_max_ms:.0f} ms | {r.rss_before_mb:.0f} → {r.rss_after_mb:.0f} MB | "
            f"{r.failures} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run the burst for each version."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000, help="members who take part")
    parser.add_argument("--pairing", type=int, default=10000, help="members opted in to pairing")
    parser.add_argument("--sessions", type=int, default=600, help="members acting in the burst")
    parser.add_argument("--before", type=source_tree, help="another checkout, measured first")
    args = parser.parse_args(argv)
    versions = ([("before", args.before)] if args.before else []) + [("this tree", HERE)]
    rows = [
        asyncio.run(measure(name, source, args.members, args.pairing, args.sessions))
        for name, source in versions
    ]
    print("\n" + table(rows))


if __name__ == "__main__":
    main()

"""Benchmark /crisis and a /checkin submit against a no-op command, through the emulator.

Run ``python bench/checkins.py`` (``--requests 400 --concurrency 16`` by default). It starts
the local Discord emulator and the real Hearth (built exactly as ``python -m bot`` builds it,
on a fresh SQLite file in WAL mode, plus the test-only ``/noop`` command), sets a server up,
and then drives, side by side in one run:

- ``/noop``: answers "ok" privately and touches nothing (the floor: emulator, gateway,
  discord.py, the interaction callback);
- ``/crisis country:GB``: the private crisis card (dataset lookup, local resources query);
- a ``/checkin`` submit: the form's submission for a member who opened it beforehand (the
  agreement check, the window key, the HMAC token and the sealed author id are done when the
  form opens, unmeasured; the submit checks the limits and pause and stores durably, then
  answers with the private receipt), with the posting delay set to 0, so every submit also
  starts the delivery worker that posts it to the channel in the background.

Latency is the time from the emulator sending the interaction to the bot's first answer,
measured one request at a time with the three kinds interleaved, each on a quiet bot: after a
submit, the next request waits until the delivery worker has posted it, and every request
starts after a 10 ms pause (otherwise whichever request comes next pays for what the previous
one left running); median and p99 are printed.
Throughput is requests answered per second with ``--concurrency`` in flight, per kind. Ratios
are against ``/noop``. The emulator runs in the same process, so absolute numbers include it;
the ratios are what matter. A Markdown table of the figures ends the output.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import Hearth, build
from bot.client import EXTENSIONS
from bot.clock import FakeClock
from bot.config import Settings
from bot.db.migrate import upgrade
from emulator import Emulator, Permissions

PROBE = "tests.e2e.probe"
KINDS = ("noop", "crisis", "checkin")
# Before each timed request: long enough for what the previous one left running (discord.py's
# completion events, the emulator's bookkeeping) to finish, so no kind pays for another's.
QUIET_PAUSE = 0.01


@dataclass
class Server:
    """The benchmark's server: ids the drivers need."""

    guild_id: int
    checkins_id: int
    members: list[int]


@dataclass(frozen=True)
class Figures:
    """One kind of request: latency and throughput."""

    kind: str
    median_ms: float
    p99_ms: float
    per_second: float


def percentile(values: Sequence[float], share: float) -> float:
    """Return the nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


async def start(emu: Emulator, folder: Path, clock: FakeClock) -> Hearth:
    """Migrate a fresh database and start Hearth against the emulator."""
    url = f"sqlite+aiosqlite:///{folder / 'hearth.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        discord_token=emu.token,
        database_url=url,
        data_dir=folder,
        api_base=emu.rest_base,
        gateway_url=emu.gateway_url,
        guild_ready_timeout=0.05,
        dm_interval_seconds=0,
    )
    hearth = build(settings, clock=clock, autostart_jobs=False, extensions=(*EXTENSIONS, PROBE))
    asyncio.get_running_loop().create_task(hearth.bot.start(settings.discord_token))
    await asyncio.wait_for(hearth.bot.wait_until_ready(), 15)
    return hearth


async def set_up(emu: Emulator, hearth: Hearth, members: int) -> Server:
    """Build a server and set Hearth up in it (through the services, which is not measured)."""
    guild = emu.create_guild("Harbour", bot_permissions=Permissions.ALL)
    mods = emu.create_role(guild.id, "Moderators", permissions=1 << 5)
    member_role = emu.create_role(guild.id, "Member")
    channels = {
        name: emu.create_channel(guild.id, name) for name in ("general", "check-ins", "alerts")
    }
    moderator = emu.add_member(guild.id, emu.create_user("sam").id, roles=[mods.id]).id
    await emu.wait_until_guild_available(guild.id)
    services = hearth.services
    await services.settings.update(
        guild.id,
        moderator,
        "",
        member_role_id=member_role.id,
        moderator_role_id=mods.id,
        checkin_channel_id=channels["check-ins"].id,
        alerts_channel_id=channels["alerts"].id,
    )
    await services.agreement.save(guild.id, moderator, "Agreement", "We listen.", "minor")
    await services.checkins.update_settings(
        guild.id, moderator, max_delay_seconds=0, daily_limit=10, threads=False
    )
    people = []
    for number in range(members):
        user = emu.create_user(f"member{number}")
        emu.add_member(guild.id, user.id, roles=[member_role.id])
        await services.agreement.accept(guild.id, user.id, 1)
        people.append(user.id)
    return Server(guild.id, channels["check-ins"].id, people)


class Driver:
    """Sends one request of a kind and waits for the first answer."""

    def __init__(self, emu: Emulator, server: Server, hearth: Hearth) -> None:
        self.emu, self.server, self.hearth = emu, server, hearth
        self.turn = 0
        self.submitted = 0

    async def quiet(self) -> None:
        """Wait until every check-in so far is posted and the last request's tail work is done."""
        deadline = time.perf_counter() + 10
        delivery = self.hearth.bot.get_cog("CheckinsCog").delivery  # type: ignore[union-attr]
        while (
            len(self.emu.channel_messages(self.server.checkins_id)) < self.submitted
            or delivery.busy  # the worker still marks them posted after posting
        ):
            if time.perf_counter() > deadline:
                raise RuntimeError("check-ins were not posted within 10 s")
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
    ) -> Callable[[], Awaitable[Any]]:
        """Return a coroutine function that sends one request and awaits its first answer."""
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
    async def _answer(sending: Awaitable[Any]) -> Any:
        handle = await sending
        body = await handle.response(timeout=30)
        if body["type"] not in (4, 9) or "Sorry, something went wrong" in str(body):
            raise RuntimeError(f"unexpected answer: {body}")
        return body


async def latencies(driver: Driver, rounds: int) -> dict[str, list[float]]:
    """Time each kind one at a time, interleaved, so all see the same conditions."""
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for _ in range(rounds):
        form = await driver.open_form()
        for kind in KINDS:
            await driver.quiet()
            send = driver.request(kind, form if kind == "checkin" else None)
            started = time.perf_counter()
            await send()
            timings[kind].append((time.perf_counter() - started) * 1000)
    return timings


async def throughput(driver: Driver, kind: str, count: int, concurrency: int) -> float:
    """Return requests answered per second with `concurrency` in flight."""
    forms = [await driver.open_form() for _ in range(count)] if kind == "checkin" else []
    sends = [driver.request(kind, forms[i] if forms else None) for i in range(count)]
    gate = asyncio.Semaphore(concurrency)

    async def one(send: Callable[[], Awaitable[Any]]) -> None:
        async with gate:
            await send()

    started = time.perf_counter()
    await asyncio.gather(*(one(send) for send in sends))
    return count / (time.perf_counter() - started)


async def settle(hearth: Hearth, clock: FakeClock) -> None:
    """Let background posting finish and start a fresh day (daily limits reset)."""
    await hearth.scheduler.run_now("checkins.deliver")
    clock.advance(timedelta(days=1))


async def run(requests: int, concurrency: int, warmup: int, members: int) -> list[Figures]:
    """Run the whole benchmark and return the figures per kind."""
    logging.basicConfig(level=logging.WARNING)
    clock = FakeClock()
    emu = Emulator(interaction_deadline=30.0)
    await emu.start()
    with tempfile.TemporaryDirectory() as folder:
        hearth = await start(emu, Path(folder), clock)
        try:
            server = await set_up(emu, hearth, members)
            driver = Driver(emu, server, hearth)
            await latencies(driver, warmup)
            await settle(hearth, clock)
            timings = await latencies(driver, requests)
            await settle(hearth, clock)
            # Unmeasured: the first burst opens the HTTP connections every later one reuses.
            await throughput(driver, "noop", concurrency * 8, concurrency)
            rates = {}
            for kind in KINDS:
                rates[kind] = await throughput(driver, kind, requests, concurrency)
                await settle(hearth, clock)
            posted = len(emu.channel_messages(server.checkins_id))
            expected = warmup + requests * 2
            print(f"check-ins posted to the channel: {posted} of {expected}")
        finally:
            await hearth.close()
            await emu.stop()
    if emu.problems:
        print("emulator problems:", *emu.problems[:5], sep="\n  ")
    return [
        Figures(
            kind,
            statistics.median(timings[kind]),
            percentile(timings[kind], 0.99),
            rates[kind],
        )
        for kind in KINDS
    ]


def table(rows: list[Figures]) -> str:
    """Return the figures as a Markdown table with ratios to /noop."""
    base = rows[0]
    lines = [
        "| request | median | p99 | throughput | median vs /noop | throughput vs /noop |",
        "|---|---|---|---|---|---|",
    ]
    names = {"noop": "`/noop`", "crisis": "`/crisis country:GB`", "checkin": "`/checkin` submit"}
    for row in rows:
        lines.append(
            f"| {names[row.kind]} | {row.median_ms:.1f} ms | {row.p99_ms:.1f} ms "
            f"| {row.per_second:.0f}/s | {row.median_ms / base.median_ms:.2f}× "
            f"| {row.per_second / base.per_second:.2f}× |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per kind and phase")
    parser.add_argument("--concurrency", type=int, default=16, help="in flight, for throughput")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured rounds first")
    parser.add_argument("--members", type=int, default=300, help="members taking turns")
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args.requests, args.concurrency, args.warmup, args.members))
    for row in rows:
        print(
            f"{row.kind:>8}: median {row.median_ms:6.1f} ms  p99 {row.p99_ms:6.1f} ms  "
            f"{row.per_second:6.0f}/s"
        )
    print("\n" + table(rows))


if __name__ == "__main__":
    main()

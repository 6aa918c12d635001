"""End-to-end fixtures: the emulator, a small community in it, and the real bot against it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import Hearth, build
from bot.client import EXTENSIONS
from bot.clock import FakeClock
from bot.config import Settings
from bot.services.pairing import Matcher, inline_matcher
from emulator import Emulator

PROBE = "tests.e2e.probe"
MANAGE_GUILD = 1 << 5
MANAGE_ROLES = 1 << 28
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
BOT_PERMISSIONS = (
    MANAGE_ROLES
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | (1 << 16)  # read message history
    | (1 << 36)  # create private threads
    | (1 << 38)  # send messages in threads
    | (1 << 33)  # manage events
)


# Lines the hostile-input sweep reports (how many interactions it sent), printed at the end.
SWEEP_REPORT: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print what the hostile-input sweep sent, so CI logs show it."""
    for line in SWEEP_REPORT:
        terminalreporter.write_line(line)


class ErrorRecords(logging.Handler):
    """Collects ERROR records; the test fails on any it did not expect."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)

    def take(self) -> list[logging.LogRecord]:
        """Return and forget the records so far (for tests that expect an error)."""
        taken, self.records = self.records, []
        return taken


@pytest.fixture
def error_records() -> Iterator[ErrorRecords]:
    """Fail the test if anything logged at ERROR that the test did not take."""
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    unexpected = [f"{r.name}: {r.getMessage()}" for r in handler.records]
    assert not unexpected, f"ERROR records: {unexpected}"


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """Run a local Discord; fail on unknown routes and protocol problems."""
    emulator = Emulator(interaction_deadline=3.0)
    await emulator.start()
    yield emulator
    await emulator.stop()
    emulator.assert_no_problems()


@dataclass
class Community:
    """A peer-support server in the emulator, before Hearth is set up."""

    guild: object
    member_role: object
    facilitator_role: object
    mods_role: object
    welcome: object
    checkins: object
    circles: object
    alerts: object
    modlog: object
    general: object
    moderator: object
    alice: object
    bob: object


@pytest.fixture
def community(emu: Emulator) -> Community:
    """Build a server with roles, channels, a moderator and two members."""
    return build_community(emu)


def build_community(emu: Emulator) -> Community:
    """Build a server with roles, channels, a moderator and two members in the emulator."""
    guild = emu.create_guild("Harbour", bot_permissions=BOT_PERMISSIONS)
    member_role = emu.create_role(guild.id, "Member")
    facilitator_role = emu.create_role(guild.id, "Facilitator")
    mods_role = emu.create_role(guild.id, "Moderators", permissions=MANAGE_GUILD)
    channels = {
        name: emu.create_channel(guild.id, name)
        for name in ("general", "welcome", "check-ins", "circles", "mod-alerts", "mod-log")
    }
    moderator = emu.add_member(guild.id, emu.create_user("sam").id, roles=[mods_role.id])
    alice = emu.add_member(guild.id, emu.create_user("alice").id)
    bob = emu.add_member(guild.id, emu.create_user("bob").id)
    return Community(
        guild=guild,
        member_role=member_role,
        facilitator_role=facilitator_role,
        mods_role=mods_role,
        welcome=channels["welcome"],
        checkins=channels["check-ins"],
        circles=channels["circles"],
        alerts=channels["mod-alerts"],
        modlog=channels["mod-log"],
        general=channels["general"],
        moderator=moderator,
        alice=alice,
        bob=bob,
    )


StartHearth = Callable[..., Awaitable[Hearth]]


@pytest.fixture
async def start_hearth(
    emu: Emulator,
    database_url: str,
    clock: FakeClock,
    tmp_path: Path,
    error_records: ErrorRecords,
) -> AsyncIterator[StartHearth]:
    """Return a function that starts the real bot (as `python -m bot` builds it) on one database."""
    running: list[tuple[Hearth, asyncio.Task[None]]] = []

    async def start(*, matcher: Matcher | None = inline_matcher, **overrides: Any) -> Hearth:
        for hearth, task in running:
            await hearth.close()
            await task
        settings = Settings(  # type: ignore[misc]
            discord_token=emu.token,
            database_url=database_url,
            data_dir=tmp_path,
            api_base=emu.rest_base,
            gateway_url=emu.gateway_url,
            guild_ready_timeout=0.05,
            dm_interval_seconds=0,
            **overrides,
        )
        hearth = build(
            settings,
            clock=clock,
            autostart_jobs=False,
            extensions=(*EXTENSIONS, PROBE),
            matcher=matcher,
        )
        task = asyncio.create_task(hearth.bot.start(settings.discord_token))
        ready = asyncio.create_task(hearth.bot.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if task.done():
                task.result()
            raise TimeoutError("the bot did not become ready")
        running.append((hearth, task))
        return hearth

    yield start
    for hearth, task in running:
        await hearth.close()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def hearth(start_hearth: StartHearth, community: Community) -> Hearth:
    """Start Hearth against the community."""
    return await start_hearth()


@pytest.fixture
async def configured(hearth: Hearth, emu: Emulator, community: Community) -> Community:
    """Set Hearth up the way a moderator would, and write a first agreement."""
    await configure(emu, community)
    return community


async def configure(emu: Emulator, c: Community) -> None:
    """Run /setup roles, /setup channels and write a first agreement, as the moderator."""
    h = await emu.slash(
        c.moderator.id,
        "setup roles",
        guild_id=c.guild.id,
        member=c.member_role.id,
        facilitator=c.facilitator_role.id,
        moderator=c.mods_role.id,
    )
    await h.response()
    h = await emu.slash(
        c.moderator.id,
        "setup channels",
        guild_id=c.guild.id,
        welcome=c.welcome.id,
        checkin=c.checkins.id,
        circles=c.circles.id,
        alerts=c.alerts.id,
        modlog=c.modlog.id,
    )
    await h.response()
    await write_agreement(
        emu,
        c,
        "Our group agreement",
        "We listen without judging.\nWhat is shared here stays here.",
        "minor",
    )


async def write_agreement(
    emu: Emulator, c: Community, title: str, points: str, change: str
) -> dict:
    """Open the editor as the moderator and save; return the bot's answer."""
    h = await emu.slash(c.moderator.id, "agreement edit", guild_id=c.guild.id, change=change)
    await h.response()
    assert h.modal is not None
    saved = await emu.submit_modal(
        c.moderator.id, h.modal, values={"title": title, "points": points}, guild_id=c.guild.id
    )
    return await saved.response()

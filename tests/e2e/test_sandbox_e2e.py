"""The sandbox end to end: the practice world, Hearth in it, skipping ahead, restarts, saving."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox.community import PERSONAS
from bot.sandbox.run import Sandbox, SandboxError, open_sandbox
from emulator import Permissions
from tests.e2e.conftest import ErrorRecords

ROOT = Path(__file__).resolve().parents[2]
EPHEMERAL = 64


@pytest.fixture
async def sandbox(tmp_path: Path, error_records: ErrorRecords) -> AsyncIterator[Sandbox]:
    """Open a sandbox in its own folder, on a free port."""
    opened = await open_sandbox(root=tmp_path / "sandbox", port=0, values={})
    yield opened
    await opened.close()
    opened.emu.assert_no_problems()


def people(sandbox: Sandbox) -> dict[str, int]:
    """Return the personas' user ids by key."""
    return sandbox.practice.people


async def set_up(sandbox: Sandbox) -> None:
    """Choose the roles and channels, write an agreement and post the welcome, as Sam."""
    emu, p, sam = sandbox.emu, sandbox.practice, people(sandbox)["sam"]
    where = {"guild_id": p.guild, "channel_id": p.modlog}
    h = await emu.slash(
        sam,
        "setup roles",
        **where,
        member=p.member_role,
        facilitator=p.facilitator_role,
        moderator=p.moderator_role,
    )
    await h.response()
    h = await emu.slash(
        sam,
        "setup channels",
        **where,
        welcome=p.welcome,
        checkin=p.checkins,
        circles=p.circles,
        alerts=p.alerts,
        modlog=p.modlog,
    )
    await h.response()
    h = await emu.slash(sam, "agreement edit", **where, change="minor")
    await h.response()
    saved = await emu.submit_modal(sam, h, {"title": "Ours", "points": "We listen."})
    await saved.response()
    h = await emu.slash(sam, "setup welcome", **where)
    await h.original()


async def test_the_practice_server_is_seeded_as_described(sandbox: Sandbox) -> None:
    """Roles, channels (mod-alerts hidden from @everyone), personas, and Hearth connected."""
    emu, p = sandbox.emu, sandbox.practice
    guild = emu.world.guilds[p.guild]
    assert {r.name for r in guild.roles} >= {"Member", "Facilitator", "Moderator"}
    names = {c.name for c in guild.channels}
    assert {"welcome", "check-ins", "circles", "mod-alerts", "mod-log", "Circle room"} <= names
    alerts = emu.world.channels[p.alerts]
    everyone = next(o for o in alerts.permission_overwrites if o["id"] == str(p.guild))
    assert int(everyone["deny"]) & Permissions.VIEW_CHANNEL
    assert len(people(sandbox)) == len(PERSONAS) == 6
    assert emu.world.commands[None], "Hearth registered its commands"
    assert sandbox.runner.state == "ready"


async def test_it_listens_on_127_0_0_1_only(sandbox: Sandbox) -> None:
    """Both the page and the emulator are bound to 127.0.0.1."""
    assert sandbox.url.startswith("http://127.0.0.1:")
    assert sandbox.emu.host == "127.0.0.1"
    assert sandbox.runner.settings.api_base == sandbox.emu.rest_base


async def test_skipping_ahead_posts_a_waiting_check_in(sandbox: Sandbox) -> None:
    """A check-in waits for its delay; a 15-minute skip moves the clock exactly and posts it."""
    emu, p, alex = sandbox.emu, sandbox.practice, people(sandbox)["alex"]
    await set_up(sandbox)
    [welcome] = emu.channel_messages(p.welcome)
    h = await emu.click(alex, welcome, label="Read the agreement")
    await emu.click(alex, await h.original(), label="Accept")
    await emu.wait_until(lambda: emu.member_has_role(p.guild, alex, p.member_role), 5, "role")
    form = await emu.slash(alex, "checkin share", guild_id=p.guild, channel_id=p.checkins)
    await form.response()
    sent = await emu.submit_modal(alex, form, {"mood": ["3"], "note": "Slow day."})
    await sent.original()
    assert emu.channel_messages(p.checkins) == []
    before = sandbox.clock.offset
    report = await sandbox.runner.skip(timedelta(minutes=15))
    assert sandbox.clock.offset - before == timedelta(minutes=15)
    assert report.steps == 1
    [post] = await emu.wait_until(lambda: emu.channel_messages(p.checkins), 5, "the post")
    assert "Slow day." in str(post["embeds"]) and "alex" not in str(post).lower()


async def test_a_skip_runs_frequent_jobs_each_step_and_housekeeping_hourly(
    sandbox: Sandbox,
) -> None:
    """Jobs registered every minute run every 15 minutes of a skip; others hourly and at the end."""
    scheduler = sandbox.runner.hearth.scheduler
    ran: list[str] = []
    real = scheduler.run_now

    async def counting(job_id: str) -> None:
        ran.append(job_id)
        await real(job_id)

    scheduler.run_now = counting  # type: ignore[method-assign]
    report = await sandbox.runner.skip(timedelta(hours=2))
    assert report.steps == 8
    frequent = [j for j in scheduler.job_ids if scheduler.interval(j) <= 60]
    housekeeping = [j for j in scheduler.job_ids if scheduler.interval(j) >= 300]
    assert frequent and housekeeping
    assert all(ran.count(j) == 8 for j in frequent)
    assert all(ran.count(j) == 2 for j in housekeeping)


async def test_restart_keeps_the_world_and_old_buttons_work(sandbox: Sandbox) -> None:
    """After Restart Hearth the messages are the same and the welcome button still answers."""
    emu, p, mateo = sandbox.emu, sandbox.practice, people(sandbox)["mateo"]
    await set_up(sandbox)
    before = [m["id"] for m in emu.channel_messages(p.welcome)]
    await sandbox.runner.restart()
    assert sandbox.runner.restarts == 1 and sandbox.runner.state == "ready"
    [welcome] = emu.channel_messages(p.welcome)
    assert [welcome["id"]] == before
    h = await emu.click(mateo, welcome, label="Read the agreement")
    assert (await h.original())["flags"] & EPHEMERAL


async def test_a_second_start_resumes_the_same_world(tmp_path: Path) -> None:
    """Closing and opening the sandbox keeps the server, the messages, Hearth's data and the clock."""
    root = tmp_path / "sandbox"
    first = await open_sandbox(root=root, port=0, values={})
    await set_up(first)
    await first.runner.skip(timedelta(minutes=30))
    guild, offset = first.practice.guild, first.clock.offset
    welcome = first.emu.channel_messages(first.practice.welcome)
    await first.close()
    again = await open_sandbox(root=root, port=0, values={})
    try:
        assert again.practice.guild == guild
        assert again.emu.channel_messages(again.practice.welcome) == welcome
        assert again.clock.offset == offset
        sam = people(again)["sam"]
        h = await again.emu.slash(
            sam, "setup show", guild_id=guild, channel_id=again.practice.modlog
        )
        assert str(again.practice.welcome) in str((await h.original())["embeds"])
    finally:
        await again.close()
    fresh = await open_sandbox(root=root, port=0, fresh=True, values={})
    try:
        assert fresh.practice.guild != guild and fresh.clock.offset == timedelta(0)
    finally:
        await fresh.close()


async def test_a_second_sandbox_on_the_same_folder_is_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Two sandboxes never share one database and world: the second says so and stops."""
    with pytest.raises(SandboxError, match="already running"):
        await open_sandbox(root=tmp_path / "sandbox", port=0, values={})


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "HEARTH_"))}
    env.update(HEARTH_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
    return env


async def test_python_m_bot_without_a_token_starts_the_sandbox(tmp_path: Path) -> None:
    """With no token, `python -m bot` prints one line with the address, serves the page, stops on Ctrl+C."""
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert line.startswith("Hearth sandbox: open http://127.0.0.1:"), line
        address = line.split("open ", 1)[1].split(" ", 1)[0]
        async with aiohttp.ClientSession() as session, session.get(address) as response:
            assert response.status == 200 and "Practice server" in await response.text()
        print(f"command to address: {time.monotonic() - started:.2f} s")
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == "", "the address is the only line on stdout"
    assert err.decode().strip() == "", "nothing else in the terminal"
    assert (tmp_path / "data" / "sandbox" / "hearth.db").exists()
    assert not (tmp_path / "data" / "hearth.db").exists()


@pytest.fixture
def hearth_info_logs() -> Iterator[None]:
    """Let Hearth's INFO lines through, as `python -m bot sandbox` does."""
    loggers = [logging.getLogger(name) for name in ("bot", "cogs")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


async def test_skipping_past_the_grace_period_destroys_the_key_and_the_log_says_so(
    sandbox: Sandbox, hearth_info_logs: None
) -> None:
    """With a one-day rotation and two days' grace, skipping four days destroys the week's key."""
    emu, p, p_ids = sandbox.emu, sandbox.practice, people(sandbox)
    await set_up(sandbox)
    h = await emu.slash(
        p_ids["sam"],
        "checkin settings set",
        guild_id=p.guild,
        channel_id=p.modlog,
        rotation_days=1,
        grace_days=2,
        delay_minutes=0,
    )
    await h.original()
    [welcome] = emu.channel_messages(p.welcome)
    h = await emu.click(p_ids["alex"], welcome, label="Read the agreement")
    await emu.click(p_ids["alex"], await h.original(), label="Accept")
    await emu.wait_until(
        lambda: emu.member_has_role(p.guild, p_ids["alex"], p.member_role), 5, "role"
    )
    form = await emu.slash(p_ids["alex"], "checkin share", guild_id=p.guild, channel_id=p.checkins)
    await form.response()
    await (await emu.submit_modal(p_ids["alex"], form, {"mood": ["2"]})).original()
    await sandbox.runner.skip(timedelta(days=4))
    lines = [line["text"] for line in sandbox.feed.lines]
    assert any("Posted check-in" in text for text in lines)
    assert any("1 window keys destroyed" in text for text in lines), lines

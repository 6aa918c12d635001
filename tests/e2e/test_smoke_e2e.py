"""`python -m bot` as a real process: configuration errors, start-up against the emulator, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from emulator import Emulator
from tests.e2e.conftest import BOT_PERMISSIONS

ROOT = Path(__file__).resolve().parents[2]
SECRET = "not-a-real-token-but-secret"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DISCORD_", "HEARTH_", "DATABASE_"))
    }
    env.update({"HEARTH_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1"}, **extra)
    return env


async def _run(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, (out + err).decode()


async def test_missing_token_stops_with_one_line_and_status_2(tmp_path: Path) -> None:
    """`python -m bot run` without DISCORD_TOKEN says so in one line and exits with status 2."""
    code, output = await _run(_env(tmp_path), tmp_path)
    assert code == 2
    assert output.strip().splitlines() == [
        "hearth: configuration error: DISCORD_TOKEN is not set: put the bot token in the environment or .env"
    ]


async def test_malformed_value_stops_without_printing_the_token(tmp_path: Path) -> None:
    """A malformed setting stops start-up with one line that never contains the token."""
    code, output = await _run(
        _env(tmp_path, DISCORD_TOKEN=SECRET, DEV_GUILD_ID="harbour"), tmp_path
    )
    assert code == 2
    assert len(output.strip().splitlines()) == 1 and "DEV_GUILD_ID" in output
    assert SECRET not in output


async def test_python_m_bot_runs_against_the_emulator_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The real entry point migrates, logs in, registers commands, answers, and exits cleanly."""
    emu = Emulator()
    await emu.start()
    guild = emu.create_guild("Harbour", bot_permissions=BOT_PERMISSIONS)
    member = emu.add_member(guild.id, emu.create_user("alice").id)
    env = _env(
        tmp_path,
        DISCORD_TOKEN=emu.token,
        HEARTH_DISCORD_API_BASE=emu.rest_base,
        HEARTH_DISCORD_GATEWAY_URL=emu.gateway_url,
        HEARTH_GUILD_READY_TIMEOUT="0.1",
        DEV_GUILD_ID=str(guild.id),
        LOG_LEVEL="INFO",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await emu.wait_for_request(
            lambda r: r.method == "PUT" and r.path.endswith("/commands"), timeout=30
        )
        await emu.wait_until_connected(timeout=10)
        h = await emu.slash(member.id, "privacy", guild_id=guild.id)
        assert (await h.response(timeout=10))["data"]["flags"] & 64
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await emu.stop()
    log = out.decode()
    assert process.returncode == 0, log
    assert emu.token not in log
    assert " ERROR " not in log and "Traceback" not in log, log
    assert (tmp_path / "data" / "hearth.db").exists()
    emu.assert_no_problems()

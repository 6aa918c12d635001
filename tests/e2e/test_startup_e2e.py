"""`python -m bot` at start-up: bad configuration in one line, an unreachable Discord retried."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sys
from pathlib import Path

import pytest

from emulator import Emulator
from tests.e2e.conftest import BOT_PERMISSIONS
from tests.e2e.test_smoke_e2e import ROOT, SECRET, _env, _run


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"DATABASE_URL": "mysql://hearth:pw@db/hearth"},
            "hearth: configuration error: DATABASE_URL must be SQLite or PostgreSQL",
        ),
        (
            {"DATABASE_URL": "postgresql+psycopg2://hearth@db/hearth"},
            "hearth: configuration error: DATABASE_URL names a driver Hearth doesn't use",
        ),
    ],
)
async def test_an_unsupported_database_stops_with_one_line(
    tmp_path: Path, extra: dict[str, str], expected: str
) -> None:
    """MySQL or another driver: one line, status 2, no traceback, no password or token."""
    code, output = await _run(_env(tmp_path, DISCORD_TOKEN=SECRET, **extra), tmp_path)
    assert code == 2
    [line] = output.strip().splitlines()
    assert line.startswith(expected)
    assert SECRET not in output and ":pw@" not in output


async def test_a_data_folder_that_cannot_be_written_stops_with_one_line(tmp_path: Path) -> None:
    """HEARTH_DATA_DIR inside a file (so it can never be made): one line and status 2."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    env = _env(tmp_path, DISCORD_TOKEN=SECRET, HEARTH_DATA_DIR=str(blocker / "data"))
    code, output = await _run(env, tmp_path)
    assert code == 2
    [line] = output.strip().splitlines()
    assert line.startswith("hearth: configuration error: Hearth can't write to the folder")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _lines_until(stream: asyncio.StreamReader, pattern: str, within: float) -> list[str]:
    """Read lines until one matches the pattern; return all of them."""
    lines: list[str] = []
    async with asyncio.timeout(within):
        while not lines or not re.search(pattern, lines[-1]):
            lines.append((await stream.readline()).decode())
    return lines


async def test_an_unreachable_discord_is_retried_until_it_answers(tmp_path: Path) -> None:
    """Nothing listening: one line per attempt with a growing wait; once Discord answers, it runs."""
    port = _free_port()
    emu = Emulator(port=port)
    env = _env(
        tmp_path,
        DISCORD_TOKEN=emu.token,
        HEARTH_DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
        HEARTH_DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/gateway",
        HEARTH_GUILD_READY_TIMEOUT="0.1",
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
    assert process.stdout is not None
    try:
        lines = await _lines_until(process.stdout, r"trying again in 2 s", within=30)
        retries = [line for line in lines if "Can't reach Discord" in line]
        assert [re.search(r"in (\d+) s", line)[1] for line in retries] == ["1", "2"]  # type: ignore[index]
        assert all(f"127.0.0.1:{port}" in line for line in retries)
        await emu.start()
        guild = emu.create_guild("Harbour", bot_permissions=BOT_PERMISSIONS)
        member = emu.add_member(guild.id, emu.create_user("alice").id)
        await emu.wait_until_connected(timeout=20)
        await emu.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"), 20)
        h = await emu.slash(member.id, "privacy", guild_id=guild.id)
        assert (await h.response(timeout=10))["data"]["flags"] & 64
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await emu.stop()
    log = "".join(lines) + out.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log and " ERROR " not in log, log
    assert emu.token not in log


async def test_stopping_while_discord_is_unreachable_exits_cleanly(tmp_path: Path) -> None:
    """SIGTERM during the wait between attempts ends Hearth at once with status 0."""
    port = _free_port()
    env = _env(
        tmp_path,
        DISCORD_TOKEN=SECRET,
        HEARTH_DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
        HEARTH_DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/gateway",
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
    assert process.stdout is not None
    try:
        lines = await _lines_until(process.stdout, r"Can't reach Discord", within=30)
        process.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(process.communicate(), 10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = "".join(lines) + out.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log and SECRET not in log, log


async def test_check_validates_configuration_and_data_without_a_token(tmp_path: Path) -> None:
    """`python -m bot check` says in one line that all is fine (0) or what is wrong (2)."""
    code, output = await _run_args(["check"], _env(tmp_path), tmp_path)
    assert code == 0, output
    assert output.startswith("hearth: configuration and data are fine")
    code, output = await _run_args(["check"], _env(tmp_path, LOG_LEVEL="loud"), tmp_path)
    assert code == 2
    [line] = output.strip().splitlines()
    assert line.startswith("hearth: configuration error: LOG_LEVEL")


async def test_version_and_help_answer(tmp_path: Path) -> None:
    """`--version` prints the version; `--help` lists the commands."""
    code, output = await _run_args(["--version"], _env(tmp_path), tmp_path)
    assert code == 0 and output.strip().startswith("python -m bot 0.")
    code, output = await _run_args(["--help"], _env(tmp_path), tmp_path)
    assert code == 0
    for command in ("run", "sandbox", "check", "backup"):
        assert command in output


async def _run_args(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()

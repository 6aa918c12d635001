"""`python -m emulator`: the standalone local Discord with its page, for a bot in another process."""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import sys
from pathlib import Path

import aiohttp

from bot.config import load_settings

ROOT = Path(__file__).resolve().parents[2]


async def test_it_serves_the_page_and_prints_what_a_bot_needs(tmp_path: Path) -> None:
    """It prints the page's address and the settings Hearth reads; the page answers; Ctrl+C stops it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "emulator", cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        page_line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        env_line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
        address = page_line.split("open ", 1)[1].split(" ", 1)[0]
        assert address.startswith("http://127.0.0.1:")
        values = dict(item.split("=", 1) for item in shlex.split(env_line.split(": ", 1)[1]))
        settings = load_settings(env=values, dotenv_path=tmp_path / "none")
        assert settings.api_base is not None and settings.api_base.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session, session.get(address) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0

"""`python -m bot backup` while Hearth runs: a consistent copy that cannot link a check-in."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.app import Hearth
from bot.ops.backup import BackupError, sqlite_path
from emulator import Emulator
from tests.e2e.checkin_helpers import database_path, make_ready, share
from tests.e2e.conftest import Community
from tests.e2e.test_smoke_e2e import ROOT, _env

NOTE = "still here after the backup 5521"


async def backup_command(hearth: Hearth, target: Path, tmp_path: Path) -> tuple[int, str]:
    """Run `python -m bot backup target` against Hearth's database, as an operator would."""
    env = _env(tmp_path, DATABASE_URL=hearth.settings.database_url, PYTHONPATH=str(ROOT))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "backup",
        str(target),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode()


async def test_a_backup_taken_while_running_leaves_the_window_keys_out(
    emu: Emulator, configured: Community, hearth: Hearth, tmp_path: Path
) -> None:
    """The copy has the check-in, but no key, token or seal: nothing in it links the author."""
    path = database_path(hearth)
    if path is None:
        pytest.skip("backs up SQLite's file")
    c = await make_ready(emu, configured)
    await share(emu, c, c.alice.id, note=NOTE)
    live = sqlite3.connect(path)
    [(key,)] = live.execute("SELECT secret FROM checkin_windows").fetchall()
    [(token, sealed)] = live.execute("SELECT author_token, sealed_author FROM checkins").fetchall()
    live.close()
    folder = tmp_path / "backups"
    folder.mkdir()
    code, output = await backup_command(hearth, folder, tmp_path)
    assert code == 0, output
    assert "1 check-in window keys left out" in output
    [copy] = folder.glob("hearth-backup-*.db")
    raw = copy.read_bytes()
    for secret in (key, token, sealed):
        assert secret not in raw
    restored = sqlite3.connect(copy)
    assert restored.execute("SELECT note, window_id, author_token FROM checkins").fetchall() == [
        (NOTE, None, None)
    ]
    assert restored.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    restored.close()
    # Hearth went on working while it was copied.
    assert (await share(emu, c, c.bob.id)).ephemeral


def test_postgresql_gets_the_pg_dump_line_instead() -> None:
    """A PostgreSQL URL is answered with how to back it up with pg_dump."""
    with pytest.raises(BackupError, match="pg_dump"):
        sqlite_path("postgresql+asyncpg://hearth@db/hearth")

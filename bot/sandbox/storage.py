"""Where the sandbox keeps its data: Hearth's database and the practice world, side by side."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from bot.sandbox.clock import SandboxClock
from bot.sandbox.community import Practice
from emulator import Emulator
from emulator.snapshot import dump_world

log = logging.getLogger(__name__)

FORMAT = 1

try:  # POSIX: a second sandbox on the same folder is refused
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None  # type: ignore[assignment]


class FolderInUse(Exception):
    """Another sandbox is running on this folder."""


@dataclass(frozen=True)
class SandboxFiles:
    """The sandbox's folder and the files in it."""

    root: Path

    @property
    def database(self) -> Path:
        """Return Hearth's SQLite database."""
        return self.root / "hearth.db"

    @property
    def world(self) -> Path:
        """Return the saved practice world (the emulator's state and the clock)."""
        return self.root / "world.json"

    @property
    def log(self) -> Path:
        """Return the sandbox's log file."""
        return self.root / "sandbox.log"

    @property
    def lock(self) -> Path:
        """Return the file a running sandbox holds locked."""
        return self.root / ".lock"

    @property
    def database_url(self) -> str:
        """Return the SQLAlchemy URL of Hearth's database."""
        return f"sqlite+aiosqlite:///{self.database}"


@dataclass(frozen=True)
class Saved:
    """A practice world read back from disk."""

    emulator: dict[str, Any]
    practice: Practice
    offset: timedelta


def sandbox_root(values: Mapping[str, str]) -> Path:
    """Return data/sandbox under HEARTH_DATA_DIR (default ./data): apart from a real hearth.db."""
    return Path(values.get("HEARTH_DATA_DIR", "").strip() or "./data") / "sandbox"


def start_over(files: SandboxFiles) -> None:
    """Delete the sandbox's database and world (--fresh); the log file stays."""
    for path in (
        files.database,
        files.database.with_name(files.database.name + "-wal"),
        files.database.with_name(files.database.name + "-shm"),
        files.world,
        files.world.with_suffix(".json.partial"),
    ):
        path.unlink(missing_ok=True)


def load(files: SandboxFiles) -> Saved | None:
    """Return the saved world, or None (and start over) if there is none or it does not fit."""
    if not files.world.exists():
        if files.database.exists():
            log.warning("The sandbox's database had no saved world with it: starting over")
            start_over(files)
        return None
    try:
        data = json.loads(files.world.read_text())
        if data.get("format") != FORMAT or not files.database.exists():
            raise ValueError("another format, or the database is missing")
        return Saved(
            emulator=data["emulator"],
            practice=Practice.from_json(data["practice"]),
            offset=timedelta(seconds=float(data["clock_offset_seconds"])),
        )
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("The saved practice world could not be read: starting over")
        start_over(files)
        return None


def save(files: SandboxFiles, emu: Emulator, practice: Practice, clock: SandboxClock) -> None:
    """Write the world and the clock atomically (a crash leaves the previous save whole)."""
    data = {
        "format": FORMAT,
        "clock_offset_seconds": clock.offset.total_seconds(),
        "practice": practice.to_json(),
        "emulator": dump_world(emu),
    }
    files.root.mkdir(parents=True, exist_ok=True)
    partial = files.world.with_suffix(".json.partial")
    partial.write_text(json.dumps(data, separators=(",", ":")))
    os.replace(partial, files.world)


def hold(files: SandboxFiles) -> IO[str]:
    """Lock the sandbox's folder for this process; raise FolderInUse if another holds it."""
    files.root.mkdir(parents=True, exist_ok=True)
    handle = files.lock.open("w")
    if fcntl is not None:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise FolderInUse(str(files.root)) from None
    return handle


def release(handle: IO[str]) -> None:
    """Give the folder's lock back."""
    with suppress(OSError):
        handle.close()

"""`python -m bot backup PATH`: a consistent copy of the SQLite database, without window keys.

SQLite's online backup API copies the database page by page while Hearth keeps running, so the
copy is consistent. A backup must not outlive the privacy promise ("after the window plus its
grace period nobody can link a check-in to its author"), and a copy holding a window key would
let whoever has it link that window's check-ins to their authors for as long as the copy
exists. So the copy is then scrubbed exactly as if every window's time were up: the keys and
everything made with them (author tokens, sealed ids, pseudonyms of the window, pauses and
private notices) are removed, reveals still pending expire, and the file is vacuumed so no freed
page keeps them. What that costs when a backup is restored: check-ins already made start fresh
windows (daily limits and pauses count from the restore, pseudonyms change, a check-in still
waiting can no longer be undone, and its author cannot be told if it fails).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

PG_DUMP_HINT = (
    'For PostgreSQL use pg_dump, e.g. pg_dump --format=custom --file hearth.dump "$DATABASE_URL" '
    "(see the README: window keys must then be left out the same way)"
)
# The same as destroying every window (see the check-in service's tidy), in the copy only.
SCRUB = (
    "UPDATE checkins SET window_id = NULL, author_token = NULL, sealed_author = NULL, "
    "reveal_sealed = NULL",
    "UPDATE checkin_reveals SET status = 'expired' WHERE status = 'pending'",
    "DELETE FROM checkin_aliases",
    "DELETE FROM checkin_blocks",
    "DELETE FROM checkin_notices",
    "DELETE FROM checkin_windows",
)


class BackupError(Exception):
    """The backup could not be made; the message is one line for the operator."""


@dataclass(frozen=True)
class Backup:
    """A backup that was written."""

    path: Path
    size: int
    windows_left_out: int


def sqlite_path(database_url: str) -> Path:
    """Return the SQLite file behind the URL, or explain why there is none."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(PG_DUMP_HINT)
    if not url.database or url.database == ":memory:":
        raise BackupError("the database is in memory: there is nothing on disk to back up")
    return Path(url.database)


def target_for(destination: Path, now: datetime) -> Path:
    """Return the file to write: `destination`, or a dated file inside it if it is a folder."""
    if destination.is_dir():
        return destination / f"hearth-backup-{now.astimezone(UTC):%Y%m%d-%H%M%S}.db"
    return destination


def back_up(database_url: str, destination: Path, now: datetime | None = None) -> Backup:
    """Copy the database to `destination` while Hearth runs, then leave the window keys out."""
    source_path = sqlite_path(database_url)
    if not source_path.is_file():
        raise BackupError(f"there is no database at {source_path}")
    target = target_for(destination, now or datetime.now(UTC))
    partial = target.with_name(target.name + ".partial")
    try:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(copy)
            windows = copy.execute("SELECT count(*) FROM checkin_windows").fetchone()[0]
            copy.execute("PRAGMA secure_delete = ON")
            copy.execute("PRAGMA journal_mode = DELETE")
            copy.execute("BEGIN")
            for statement in SCRUB:
                copy.execute(statement)
            copy.execute("COMMIT")
            copy.execute("VACUUM")  # no freed page keeps a key
        finally:
            copy.close()
            source.close()
        partial.replace(target)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup could not be written to {target} ({error})") from None
    return Backup(target, target.stat().st_size, windows)

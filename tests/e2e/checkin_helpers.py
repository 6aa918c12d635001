"""Helpers for the check-in end-to-end tests: a ready server, sharing, scanning for identity."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.conftest import BOT_PERMISSIONS, Community
from tests.e2e.test_agreement_e2e import accept
from tests.e2e.test_crisis_e2e import make_alerts_private

EPHEMERAL = 64
CREATE_PUBLIC_THREADS = 1 << 35
MANAGE_THREADS = 1 << 34
CHECKIN_TABLES = (
    "checkins",
    "checkin_windows",
    "checkin_aliases",
    "checkin_blocks",
    "checkin_notices",
    "checkin_reveals",
    "checkin_settings",
)


def labels(message: dict) -> list[str]:
    """Return the labels of every button on a message."""
    return [
        c.get("label") for row in message.get("components", []) for c in row.get("components", [])
    ]


async def make_ready(emu: Emulator, c: Community, *members: Any) -> Community:
    """Let Hearth open reply threads, keep the alerts channel private, and have members accept."""
    emu.set_role_permissions(
        c.guild.id, c.guild.bot_role.id, BOT_PERMISSIONS | CREATE_PUBLIC_THREADS | MANAGE_THREADS
    )
    make_alerts_private(emu, c)
    for member in members or (c.alice, c.bob):
        await accept(emu, c, member.id)
    return c


async def set_checkins(emu: Emulator, c: Community, **options: Any) -> dict:
    """Change check-in settings as the moderator; return the answer."""
    h = await emu.slash(c.moderator.id, "checkin settings set", guild_id=c.guild.id, **options)
    return await h.response()


async def share(
    emu: Emulator,
    c: Community,
    who: int,
    mood: int = 3,
    note: str | None = None,
    reach: bool = False,
    guild_id: int | None = None,
) -> Any:
    """Open /checkin share and submit the form; return the submit's handle (answered)."""
    opened = await emu.slash(who, "checkin share", guild_id=guild_id or c.guild.id)
    body = await opened.response()
    assert body["type"] == 9, body
    values: dict[str, Any] = {"mood": [str(mood)]}
    if note is not None:
        values["note"] = note
    if reach:
        values["reach"] = ["yes"]
    submitted = await emu.submit_modal(who, opened, values=values)
    await submitted.original()  # the receipt (or a refusal): first answer, or after a deferral
    return submitted


def posts(emu: Emulator, channel_id: int) -> list[dict]:
    """Return the check-in posts in a channel."""
    return [
        m
        for m in emu.channel_messages(channel_id)
        if m.get("embeds")
        and "Anonymous check-in" in (m["embeds"][0].get("footer") or {}).get("text", "")
    ]


def database_path(hearth: Hearth) -> Path | None:
    """Return the SQLite file behind this Hearth (None on PostgreSQL)."""
    url = make_url(hearth.settings.database_url)
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


def file_bytes(path: Path) -> bytes:
    """Return the database file and its write-ahead log, as they are on disk."""
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def identity_needles(user_id: int, name: str) -> list[bytes]:
    """Every way an id or a name could appear in bytes."""
    return [
        str(user_id).encode(),
        user_id.to_bytes(8, "big"),
        user_id.to_bytes(8, "little"),
        name.encode(),
    ]


def checkin_rows(path: Path) -> list[tuple[str, tuple[Any, ...]]]:
    """Read every row of every check-in table straight from the file."""
    connection = sqlite3.connect(path)
    try:
        rows = []
        for table in CHECKIN_TABLES:
            for row in connection.execute(f"SELECT * FROM {table}"):  # noqa: S608 - fixed names
                rows.append((table, row))
        return rows
    finally:
        connection.close()


def row_mentions(row: tuple[Any, ...], user_id: int, name: str) -> bool:
    """Say whether any column of a row holds the id or the name, in any form."""
    for value in row:
        if value == user_id:
            return True
        if isinstance(value, bytes | str):
            raw = value.encode() if isinstance(value, str) else value
            if any(needle in raw for needle in identity_needles(user_id, name)):
                return True
    return False


def recorded_payloads(emu: Emulator, since: int = 0) -> str:
    """Return every request the bot sent to the emulator (path and body), as one string."""
    return "\n".join(
        f"{r.method} {r.path} {json.dumps(r.json, default=str, ensure_ascii=False)}"
        for r in emu.requests[since:]
    )


class AllRecords(logging.Handler):
    """Keeps every log record, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted record."""
        self.lines.append(self.format(record))

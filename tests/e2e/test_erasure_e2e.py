"""Erased words leave the disk at once: database file and write-ahead log (issue 11, finding 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from emulator import Emulator
from tests.e2e.checkin_helpers import database_path, make_ready, posts, set_checkins, share
from tests.e2e.conftest import Community

DELIVER = "checkins.deliver"
TIDY = "checkins.tidy"
NOTE = "zebra crossing lullaby 4821"


def on_disk(hearth: Hearth) -> bytes:
    """Return the bytes of the SQLite file and its write-ahead log, as they are now."""
    path = database_path(hearth)
    if path is None:
        pytest.skip("scans SQLite's files")
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def assert_gone(hearth: Hearth) -> None:
    """The note is on no page of the database or its log."""
    raw = on_disk(hearth)
    assert NOTE.encode() not in raw
    assert NOTE.encode("utf-16-le") not in raw


async def test_undo_erases_the_words_from_the_database_and_its_log(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Right after Undo answers, the note is in neither hearth.db nor hearth.db-wal."""
    c = await make_ready(emu, configured)
    submitted = await share(emu, c, c.alice.id, note=NOTE)
    assert NOTE.encode() in on_disk(hearth)  # the scan would see it
    undone = await emu.click(c.alice.id, submitted.message, label="Undo")
    assert "erased" in (await undone.original())["content"]
    assert_gone(hearth)


async def test_moderator_removal_erases_the_words(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Right after a moderator removes a posted check-in, its note is off the disk."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    await share(emu, c, c.alice.id, note=NOTE)
    await hearth.scheduler.run_now(DELIVER)
    [post] = posts(emu, c.checkins.id)
    card = await emu.message_command(c.moderator.id, "Report check-in", target=post)
    await card.response()
    opened = await emu.click(c.moderator.id, card.message, label="Remove check-in")
    await opened.response()
    removed = await emu.submit_modal(c.moderator.id, opened, values={"reason": ""})
    assert "Removed" in (await removed.original())["content"]
    assert_gone(hearth)


async def test_note_retention_erases_the_words(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """When the server's note retention is up, the tidy job leaves no copy on disk."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0, note_days=1)
    await share(emu, c, c.alice.id, note=NOTE)
    await hearth.scheduler.run_now(DELIVER)
    assert NOTE.encode() in on_disk(hearth)
    clock.advance(days=1, hours=1)
    await hearth.scheduler.run_now(TIDY)
    assert_gone(hearth)


async def test_mydata_delete_erases_a_waiting_check_in(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """/mydata delete cancels a queued check-in, and its words are off the disk at once."""
    c = await make_ready(emu, configured)
    await share(emu, c, c.alice.id, note=NOTE)
    ask = await emu.slash(c.alice.id, "mydata delete", guild_id=c.guild.id)
    await ask.response()
    confirm = await emu.click(c.alice.id, ask.message, label="Yes, erase my data")
    assert "has been erased" in (await confirm.original())["content"]
    assert_gone(hearth)

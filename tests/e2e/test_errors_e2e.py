"""The one error pipeline: kind private replies, and an error id for the unexpected."""

from __future__ import annotations

import re

from emulator import Emulator
from tests.e2e.conftest import Community, ErrorRecords

EPHEMERAL = 64


async def test_unexpected_error_gets_an_apology_with_an_id_that_is_logged(
    emu: Emulator, configured: Community, error_records: ErrorRecords
) -> None:
    """An unexpected failure is logged with an error id and the member sees that id privately."""
    h = await emu.slash(configured.alice.id, "boom", guild_id=configured.guild.id)
    data = (await h.response())["data"]
    assert data["flags"] & EPHEMERAL
    match = re.search(r"`([0-9a-f]{8})`", data["content"])
    assert match and "something went wrong" in data["content"]
    records = error_records.take()
    assert len(records) == 1 and match.group(1) in records[0].getMessage()
    assert "something internal broke" not in data["content"]


async def test_noop_answers_privately(emu: Emulator, configured: Community) -> None:
    """The probe's no-op command answers at once and privately."""
    h = await emu.slash(configured.alice.id, "noop", guild_id=configured.guild.id)
    assert (await h.response())["data"]["flags"] & EPHEMERAL

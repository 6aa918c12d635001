"""Every interaction is acknowledged within Discord's 3 s, however long its work takes."""

from __future__ import annotations

import asyncio

from bot.app import Hearth
from bot.ui.replies import ANSWER_WITHIN
from emulator import Emulator
from tests.e2e.conftest import Community

DEFERRED_WITH_THINKING = 5


async def test_a_slow_answer_is_deferred_in_time_and_then_delivered(
    emu: Emulator, community: Community, hearth: Hearth
) -> None:
    """Work that takes 2.5 s: Discord gets "thinking…" in time, then the answer fills it in."""
    c = community
    h = await emu.slash(c.alice.id, "slow", guild_id=c.guild.id, seconds=2.5)
    body = await h.response(timeout=3)
    assert body["type"] == DEFERRED_WITH_THINKING and h.ephemeral
    answer = await h.original(timeout=5)
    assert answer["content"] == "done at last"


async def test_a_quick_answer_is_not_deferred(
    emu: Emulator, community: Community, hearth: Hearth
) -> None:
    """An answer ready in time goes out as the first answer, in one round trip."""
    c = community
    h = await emu.slash(c.alice.id, "slow", guild_id=c.guild.id, seconds=0)
    assert (await h.response())["type"] == 4
    await asyncio.sleep(ANSWER_WITHIN + 0.2)  # past the watchdog's time: nothing more is sent
    assert h.followups == [] and len(emu.interactions) == 1


async def test_a_form_that_could_not_open_in_time_says_so_kindly(
    emu: Emulator, community: Community, hearth: Hearth
) -> None:
    """A form Hearth was too slow to open: deferred in time, then a kind private word."""
    c = community
    h = await emu.slash(c.alice.id, "slowform", guild_id=c.guild.id, seconds=2.0)
    assert (await h.response(timeout=3))["type"] == DEFERRED_WITH_THINKING
    answer = await h.original(timeout=5)
    assert "very busy" in answer["content"] and h.ephemeral


async def test_a_slow_form_submission_is_deferred_in_time_and_then_answered(
    emu: Emulator, community: Community, hearth: Hearth
) -> None:
    """A form opened by a slash command whose saving waits 2.5 s: "thinking…" in time, then
    the answer (Discord has no message to update, so a deferred update would be refused)."""
    c = community
    opened = await emu.slash(c.alice.id, "slowsubmit", guild_id=c.guild.id, seconds=2.5)
    assert (await opened.response())["type"] == 9
    modal = opened.modal
    assert modal is not None
    field = modal["components"][0]["component"]["custom_id"]
    submitted = await emu.submit_modal(c.alice.id, opened, values={field: "hello"})
    assert (await submitted.response(timeout=3))["type"] == DEFERRED_WITH_THINKING
    answer = await submitted.original(timeout=5)
    assert answer["content"] == "saved at last" and submitted.ephemeral

"""Odd values Discord lets through get kind private answers, never "something went wrong".

Each of these was found by the hostile-input sweep (test_hostile_input_e2e.py).
"""

from __future__ import annotations

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from emulator import Emulator
from tests.e2e.checkin_helpers import EPHEMERAL, make_ready, posts, set_checkins, share
from tests.e2e.conftest import Community
from tests.e2e.test_circles_e2e import NOW, VOICE, create_circle, the_circle

SORRY = "something went wrong"


@pytest.fixture
def clock() -> FakeClock:
    """Run ahead of the real clock: the emulator refuses scheduled events in the real past."""
    return FakeClock(NOW)


async def test_picking_someone_who_left_gets_a_kind_answer(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """A user option naming someone who left the server is answered kindly, not as a crash."""
    c = configured
    leaver = emu.create_user("leaver")
    emu.add_member(c.guild.id, leaver.id)
    emu.remove_member(c.guild.id, leaver.id)  # Discord still resolves them in the picker
    for command in ("pair block", "pair report"):
        h = await emu.slash(c.alice.id, command, guild_id=c.guild.id, member=leaver.id)
        await h.response()
        assert h.ephemeral
        assert "couldn't find that person in this server" in h.content


async def test_a_member_option_in_dms_says_it_needs_a_server(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """In a DM a member option cannot be a member; the answer says the command needs a server."""
    c = configured
    h = await emu.slash(c.alice.id, "pair block", member=c.bob.id)
    await h.response()
    assert h.ephemeral and "only works inside a server" in h.content


async def test_removing_a_resource_by_an_odd_number_is_a_kind_answer(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """A resource typed as a superscript digit or a 20-digit number is "pick from the list"."""
    c = configured
    for typed in ("²", "①٣", "99999999999999999999", "2147483648"):
        h = await emu.slash(
            c.moderator.id, "crisis-setup resources remove", guild_id=c.guild.id, resource=typed
        )
        await h.response()
        assert h.ephemeral and "pick the resource from the list" in h.content


async def test_circle_numbers_stay_within_what_the_database_stores(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Every circle option is bounded to a 32-bit id, and the largest one is a kind "not found"."""
    c = configured
    synced = [
        option
        for command in emu.world.commands[None]
        if command["name"] == "circle"
        for sub in command["options"]
        for option in sub.get("options") or []
        if option["name"] == "circle"
    ]
    assert synced and all((o["min_value"], o["max_value"]) == (1, 2**31 - 1) for o in synced)
    h = await emu.slash(c.moderator.id, "circle who", guild_id=c.guild.id, circle=2**31 - 1)
    await h.response()
    assert h.ephemeral and SORRY not in (await h.original())["content"]


async def test_a_meeting_at_the_end_of_time_is_a_kind_answer(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Moving a New York circle's next meeting to 9999-12-31 (year 10000 in UTC) answers kindly."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id, timezone="America/New_York")
    circle = await the_circle(hearth, c)
    h = await emu.slash(
        c.moderator.id, "circle edit", guild_id=c.guild.id, circle=circle, next_date="9999-12-31"
    )
    await h.response()
    answer = await h.original()
    assert h.ephemeral and SORRY not in answer["content"]


async def test_pause_days_as_a_superscript_digit_is_a_kind_answer(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """ "Pause author" with days "²" asks for a number of days instead of failing."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    await share(emu, c, c.alice.id, note="a hard week")
    await hearth.scheduler.run_now("checkins.deliver")
    post = posts(emu, c.checkins.id)[-1]
    reported = await emu.message_command(c.bob.id, "Report check-in", target=post)
    assert (await reported.response())["type"] == 9
    await (
        await emu.submit_modal(c.bob.id, reported, values={"reason": "worried"})
    ).wait_until_done()
    [card] = emu.channel_messages(c.alerts.id)
    opened = await emu.click(c.moderator.id, card, label="Pause author")
    assert (await opened.response())["type"] == 9
    sent = await emu.submit_modal(
        c.moderator.id, opened, values={"days": "²", "reason": "a breather"}
    )
    answer = await sent.response()
    assert answer["data"]["flags"] & EPHEMERAL
    assert "number of days" in answer["data"]["content"] and SORRY not in answer["data"]["content"]

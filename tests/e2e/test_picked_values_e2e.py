"""Odd values Discord lets through get kind private answers, never "something went wrong".

Each of these was found by the hostile-input sweep (test_hostile_input_e2e.py).
"""

from __future__ import annotations

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.checkin_helpers import EPHEMERAL, make_ready, posts, set_checkins, share
from tests.e2e.conftest import Community

SORRY = "something went wrong"


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
    for typed in ("²", "①٣", "99999999999999999999"):
        h = await emu.slash(
            c.moderator.id, "crisis-setup resources remove", guild_id=c.guild.id, resource=typed
        )
        await h.response()
        assert h.ephemeral and "pick the resource from the list" in h.content


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

"""Reporting and removing check-ins end to end: moderators act without learning who wrote it."""

from __future__ import annotations

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.checkin_helpers import EPHEMERAL, labels, make_ready, posts, set_checkins, share
from tests.e2e.conftest import Community

DELIVER = "checkins.deliver"


async def _posted(emu: Emulator, c: Community, hearth: Hearth, note: str) -> dict:
    await share(emu, c, c.alice.id, note=note)
    await hearth.scheduler.run_now(DELIVER)
    return posts(emu, c.checkins.id)[-1]


async def _report(emu: Emulator, who: int, post: dict, reason: str) -> dict:
    opened = await emu.message_command(who, "Report check-in", target=post)
    assert (await opened.response())["type"] == 9
    sent = await emu.submit_modal(who, opened, values={"reason": reason})
    return await sent.response()


async def test_report_posts_one_card_to_the_moderators_and_updates_it(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """A report reaches the alerts channel with a link; later reports update the same card."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    post = await _posted(emu, c, hearth, "a post someone worries about")
    answer = await _report(emu, c.bob.id, post, "This sounds <@123> serious")
    assert (
        answer["data"]["flags"] & EPHEMERAL
        and "Your name wasn't shared" in answer["data"]["content"]
    )
    [card] = emu.channel_messages(c.alerts.id)
    embed = card["embeds"][0]
    assert embed["title"] == "Check-in reported"
    link = f"https://discord.com/channels/{c.guild.id}/{c.checkins.id}/{post['id']}"
    assert link in embed["description"] and "Reports so far: **1**" in embed["description"]
    assert "<\u200b@123>" in embed["description"]
    assert labels(card) == ["Remove check-in", "Pause author"]
    assert card["allowed_mentions"] == {"parse": []}
    for who in (c.bob.id, c.alice.id):
        assert str(who) not in str(card)  # neither the reporter nor the author
    await _report(emu, c.alice.id, post, "")
    [card] = emu.channel_messages(c.alerts.id)
    assert "Reports so far: **2**" in card["embeds"][0]["description"]


async def test_reports_never_go_to_an_alerts_channel_everyone_can_read(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """With a public alerts channel the report is refused kindly and nothing is posted."""
    c = await make_ready(emu, configured)
    emu.set_channel_overwrites(c.alerts.id, [])
    await set_checkins(emu, c, delay_minutes=0)
    post = await _posted(emu, c, hearth, "please don't broadcast reports")
    answer = await _report(emu, c.bob.id, post, "worried")
    assert "private moderator-alerts channel" in answer["data"]["content"]
    assert emu.channel_messages(c.alerts.id) == []


async def test_only_check_ins_can_be_reported(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Reporting an ordinary message says kindly that it isn't a check-in."""
    c = await make_ready(emu, configured)
    message = emu.post_message(c.bob.id, c.general.id, "hello")
    h = await emu.message_command(c.alice.id, "Report check-in", target=message)
    body = await h.response()
    assert (
        body["data"]["flags"] & EPHEMERAL
        and "isn't an anonymous check-in" in body["data"]["content"]
    )


async def test_remove_deletes_the_post_and_thread_and_tells_the_author_privately(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Remove from the alert card: post and thread go, the log says so, the author is told."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    post = await _posted(emu, c, hearth, "to be removed")
    await _report(emu, c.bob.id, post, "unkind")
    card = emu.channel_messages(c.alerts.id)[-1]

    opened = await emu.click(c.moderator.id, card, label="Remove check-in")
    await opened.response()
    removed = await emu.submit_modal(c.moderator.id, opened, values={"reason": "Please be gentle."})
    assert "Removed check-in" in (await removed.original())["content"]
    assert posts(emu, c.checkins.id) == []
    assert int(post["id"]) not in emu.world.threads
    assert "removed check-in" in emu.channel_messages(c.modlog.id)[-1]["content"]

    looking_for_help = await emu.slash(c.alice.id, "crisis", guild_id=c.guild.id, country="GB")
    await looking_for_help.response()
    h = await emu.slash(c.alice.id, "checkin summary", guild_id=c.guild.id)
    await h.response()
    notice = await h.followup(0)
    assert looking_for_help.followups == []  # never tacked onto /crisis
    assert notice["flags"] & EPHEMERAL
    assert (
        "removed your anonymous check-in" in notice["content"]
        and "Please be gentle." in notice["content"]
    )
    again = await emu.slash(c.alice.id, "checkin summary", guild_id=c.guild.id)
    await again.response()
    assert again.followups == []  # told once

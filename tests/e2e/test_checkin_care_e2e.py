"""Care around check-ins end to end: the crisis card, the moderators' note, someone reaching out."""

from __future__ import annotations

from bot.app import Hearth
from emulator import Emulator
from tests.e2e.checkin_helpers import EPHEMERAL, labels, make_ready, posts, set_checkins, share
from tests.e2e.conftest import Community

DELIVER = "checkins.deliver"
WORRYING = "Honestly I just want to die tonight."


async def _detection(emu: Emulator, c: Community, **options: bool) -> None:
    h = await emu.slash(c.moderator.id, "crisis-setup settings", guild_id=c.guild.id, **options)
    await h.response()


async def test_a_note_that_may_signal_crisis_shows_the_author_the_card_privately(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """With detection on, the author gets the crisis card at once; the post is unchanged."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    await _detection(emu, c, detection=True, alert_on_detection=True)
    submitted = await share(emu, c, c.alice.id, mood=1, note=WORRYING)
    card = await submitted.followup(0)  # the receipt was the first answer
    assert card["flags"] & EPHEMERAL
    assert "Thank you for sharing how you are" in card["embeds"][0]["description"]
    assert labels(card)  # the crisis card's own controls (choose a country, ask someone)
    await hearth.scheduler.run_now(DELIVER)
    [post] = posts(emu, c.checkins.id)
    assert post["embeds"][0]["description"] == WORRYING  # the public post is unchanged
    [note] = emu.channel_messages(c.alerts.id)
    text = str(note)
    assert f"/{c.checkins.id}/{post['id']}" in note["embeds"][0]["description"]
    assert "want to die" not in text and str(c.alice.id) not in text and "alice" not in text


async def test_without_detection_the_note_is_not_read_for_crisis(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Detection is off by default: no card, no note to the moderators."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    submitted = await share(emu, c, c.alice.id, mood=1, note=WORRYING)
    await hearth.scheduler.run_now(DELIVER)
    assert submitted.followups[1:] == []
    assert emu.channel_messages(c.alerts.id) == []
    assert len(posts(emu, c.checkins.id)) == 1


async def test_asking_for_someone_posts_the_named_card_without_the_check_in(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """ "Reach out" posts the crisis feature's named card (it can be claimed); it never links the post."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    submitted = await share(emu, c, c.alice.id, mood=2, note="could use a friend", reach=True)
    told = await submitted.followup(0)
    assert told["flags"] & EPHEMERAL
    assert "would like someone to reach out" in told["content"] and "peers" in told["content"]
    [card] = emu.channel_messages(c.alerts.id)
    assert card["embeds"][0]["title"] == "💛 Someone would like a check-in"
    assert f"<@{c.alice.id}>" in card["embeds"][0]["description"]
    assert labels(card) == ["I'll reach out", "Need backup"]
    assert (
        "could use a friend" not in str(card)
        and "check-in " not in card["embeds"][0]["description"]
    )
    await hearth.scheduler.run_now(DELIVER)
    [post] = posts(emu, c.checkins.id)
    ref = post["embeds"][0]["footer"]["text"].split(" · ")[0].split()[-1]
    assert ref not in str(card)  # nothing points from the card to the post
    claimed = await emu.click(c.moderator.id, card, label="I'll reach out")
    await claimed.response()
    updated = emu.channel_messages(c.alerts.id)[0]
    assert f"<@{c.moderator.id}> is reaching out" in str(updated["embeds"][0]["fields"])

"""Sharing support resources with a member (the message command), and detection's opt-in."""

from __future__ import annotations

import json

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from emulator import Emulator
from tests.e2e.conftest import Community
from tests.e2e.test_crisis_e2e import EPHEMERAL, card_text, labels, share


@pytest.fixture
def server(hearth: Hearth, community: Community) -> Community:
    """The community with Hearth running: sharing needs no setup at all."""
    return community


async def test_share_sends_the_author_a_card_without_naming_the_sender(
    emu: Emulator, server: Community
) -> None:
    """The author gets a gentle private card; it names neither the sender nor quotes them."""
    c = server
    message = emu.post_message(c.bob.id, c.general.id, "rough week, honestly")
    answer = await share(emu, c.alice.id, message)
    assert "Thank you for looking out for them" in answer
    [dm] = emu.dm_messages(c.bob.id)
    text = card_text(dm)
    assert "Someone in **Harbour**" in dm["content"]
    assert "alice" not in text and str(c.alice.id) not in json.dumps(dm)
    assert "rough week" not in text
    assert dm["embeds"][0]["title"] == "Let's find support near you"
    assert "Don't send me these again" in labels(dm)
    assert dm["allowed_mentions"]["parse"] == []


async def test_share_at_most_once_per_recipient_per_day(
    emu: Emulator, server: Community, clock: FakeClock
) -> None:
    """A second share within 24 hours sends nothing (same answer to the sender); after, it does."""
    c = server
    message = emu.post_message(c.bob.id, c.general.id, "hi")
    first = await share(emu, c.alice.id, message)
    second = await share(emu, c.moderator.id, message)
    assert second == first
    assert len(emu.dm_messages(c.bob.id)) == 1
    clock.advance(hours=23, minutes=59)
    await share(emu, c.moderator.id, message)
    assert len(emu.dm_messages(c.bob.id)) == 1
    clock.advance(minutes=2)
    await share(emu, c.alice.id, message)
    assert len(emu.dm_messages(c.bob.id)) == 2


async def test_sender_has_a_cooldown(emu: Emulator, server: Community, clock: FakeClock) -> None:
    """A sender must pause between shares; the pause says nothing about the recipient."""
    c = server
    await share(emu, c.alice.id, emu.post_message(c.bob.id, c.general.id, "a"))
    to_mod = emu.post_message(c.moderator.id, c.general.id, "b")
    answer = await share(emu, c.alice.id, to_mod)
    assert "Please wait a little" in answer
    assert emu.dm_messages(c.moderator.id) == []
    clock.advance(minutes=11)
    await share(emu, c.alice.id, to_mod)
    assert len(emu.dm_messages(c.moderator.id)) == 1


async def test_recipient_can_opt_out_and_the_sender_cannot_tell(
    emu: Emulator, server: Community, clock: FakeClock
) -> None:
    """The DM's opt-out stops further shares; the sender's answer is unchanged; /crisis-shares undoes it."""
    c = server
    message = emu.post_message(c.bob.id, c.general.id, "hey")
    delivered = await share(emu, c.alice.id, message)
    [dm] = emu.dm_messages(c.bob.id)
    stop = await emu.click(c.bob.id, dm, label="Don't send me these again")
    assert "won't pass these on" in (await stop.response())["data"]["content"]
    clock.advance(hours=25)
    assert await share(emu, c.alice.id, message) == delivered
    assert len(emu.dm_messages(c.bob.id)) == 1
    allow = await emu.slash(c.bob.id, "crisis-shares", choice="allow")
    await allow.response()
    clock.advance(minutes=11)
    await share(emu, c.alice.id, message)
    assert len(emu.dm_messages(c.bob.id)) == 2


async def test_share_refuses_bots_and_yourself(emu: Emulator, server: Community) -> None:
    """Bots and your own messages are refused, privately, without using up your turn."""
    c = server
    robot = emu.add_member(c.guild.id, emu.create_user("helper-bot", bot=True).id)
    for author, expected in ((robot.id, "not to bots"), (c.alice.id, "to yourself")):
        message = emu.post_message(author, c.general.id, "hello")
        h = await emu.message_command(c.alice.id, "Share support resources", target=message)
        data = (await h.response())["data"]
        assert data["flags"] & EPHEMERAL and expected in data["content"]
    assert emu.dm_messages(robot.id) == [] and emu.dm_messages(c.alice.id) == []
    await share(emu, c.alice.id, emu.post_message(c.bob.id, c.general.id, "hi"))
    assert len(emu.dm_messages(c.bob.id)) == 1


# ----- detection, for later features ------------------------------------------------------------


async def test_detection_is_off_until_moderators_opt_in(
    emu: Emulator, server: Community, hearth: Hearth
) -> None:
    """The service says to show the card only after the server opts in, and only for crisis text."""
    c = server
    crisis_service = hearth.services.crisis

    async def shows_card(text: str) -> bool:
        return (await crisis_service.detection(c.guild.id, text)).show_card

    assert not await shows_card("I want to die")
    h = await emu.slash(
        c.moderator.id, "crisis-setup settings", guild_id=c.guild.id, detection=True
    )
    assert "signal crisis**: on" in card_text((await h.response())["data"])
    assert await shows_card("I want to die")
    assert not await shows_card("this homework is killing me")

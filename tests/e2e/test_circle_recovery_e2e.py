"""Circles after a crash: what a stopped process already posted is found, not made twice, and
whatever the usual path records or edits afterwards still happens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import discord
import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from bot.i18n import ENGLISH, language
from bot.services.circles import ANNOUNCE_JOB
from cogs.circles._render import announcement_embed, order_text
from cogs.circles._views import queue_view, rsvp_view
from emulator import Emulator
from tests.e2e.conftest import BOT_PERMISSIONS, Community, StartHearth
from tests.e2e.test_circle_room_e2e import open_circle, queue_message, settled, slash
from tests.e2e.test_circles_e2e import (
    CONNECT,
    FIRST,
    NOW,
    SECOND,
    VOICE,
    create_circle,
    the_circle,
)

ENGLISH_WORDS = language(ENGLISH)


@pytest.fixture
def clock() -> FakeClock:
    """Start the clock a week before the first meeting."""
    return FakeClock(NOW)


@pytest.fixture(autouse=True)
async def settle_talking_order(emu: Emulator, hearth: Hearth) -> AsyncIterator[None]:
    """After each test, let talking-order edits finish before Hearth stops (if it still runs)."""
    yield
    if hearth.bot.get_cog("CirclesCog") is not None:
        await settled(emu, hearth)


def announcements_of(emu: Emulator, c: Community, start: datetime) -> list[dict]:
    """Return the circles-channel announcements of the meeting starting then."""
    stamp = f"<t:{int(start.timestamp())}:F>"
    return [
        m
        for m in emu.channel_messages(c.circles.id)
        if m.get("embeds") and stamp in (m["embeds"][0].get("description") or "")
    ]


def events_of(emu: Emulator, start: datetime) -> list[dict]:
    """Return the Discord events of the meeting starting then."""
    return [
        e
        for e in emu.world.scheduled_events.values()
        if datetime.fromisoformat(e["scheduled_start_time"]) == start
    ]


async def after_the_first_meeting(emu: Emulator, c: Community, hearth: Hearth, clock: FakeClock):
    """Create a weekly circle and move past its first meeting; return the second, unannounced."""
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    await emu.wait_for_message(c.circles.id)
    clock.set(FIRST + timedelta(hours=2))
    [second] = await hearth.services.circles.announcements.next_meetings_to_announce()
    assert second.start_utc == SECOND
    return second


async def test_an_announcement_posted_before_a_crash_is_found_and_followed(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """Posted but not recorded: the restart records it (so a skip edits it) and makes its event."""
    c = configured
    second = await after_the_first_meeting(emu, c, hearth, clock)
    assert await hearth.services.circles.announcements.claim_announcement(
        second.circle_id, second.index
    )
    channel = hearth.bot.get_channel(c.circles.id)
    posted = await channel.send(
        embed=announcement_embed(ENGLISH_WORDS, second), view=rsvp_view(ENGLISH_WORDS, second)
    )
    restarted = await start_hearth()  # the process stopped before recording it
    await restarted.scheduler.run_now(ANNOUNCE_JOB)
    await restarted.scheduler.run_now(ANNOUNCE_JOB)
    assert [m["id"] for m in announcements_of(emu, c, SECOND)] == [str(posted.id)]
    assert len(events_of(emu, SECOND)) == 1
    circle = await the_circle(restarted, c)
    skipped = await slash(
        emu, c.moderator.id, "circle skip", c, circle=circle, date=SECOND.date().isoformat()
    )
    assert "Skipped" in skipped["content"]
    edited = next(m for m in emu.channel_messages(c.circles.id) if m["id"] == str(posted.id))
    assert "skipped" in edited["embeds"][0]["title"]
    assert [e["status"] for e in events_of(emu, SECOND)] == [4]


async def test_an_announcement_claimed_but_never_posted_still_goes_out(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """A stop right after the claim used to leave the meeting unannounced for good."""
    c = configured
    second = await after_the_first_meeting(emu, c, hearth, clock)
    assert await hearth.services.circles.announcements.claim_announcement(
        second.circle_id, second.index
    )
    restarted = await start_hearth()
    await restarted.scheduler.run_now(ANNOUNCE_JOB)
    await restarted.scheduler.run_now(ANNOUNCE_JOB)
    [post] = announcements_of(emu, c, SECOND)
    assert [
        label for row in post["components"] for label in [b["label"] for b in row["components"]]
    ] == [
        "I'll be there",
        "Can't make it",
    ]
    assert len(events_of(emu, SECOND)) == 1


async def test_an_event_made_before_a_crash_is_found_not_doubled(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """Announced and recorded, event made but not recorded: the restart records that event."""
    c = configured
    second = await after_the_first_meeting(emu, c, hearth, clock)
    circles = hearth.services.circles
    assert await circles.announcements.claim_announcement(second.circle_id, second.index)
    channel = hearth.bot.get_channel(c.circles.id)
    posted = await channel.send(
        embed=announcement_embed(ENGLISH_WORDS, second), view=rsvp_view(ENGLISH_WORDS, second)
    )
    await circles.announcements.record_announcement(
        second.circle_id, second.index, message_id=posted.id
    )
    assert await circles.announcements.claim_event(second.circle_id, second.index)
    guild = hearth.bot.get_guild(c.guild.id)
    made = await guild.create_scheduled_event(
        name=second.title,
        start_time=second.start_utc,
        end_time=second.end_utc,
        entity_type=discord.EntityType.voice,
        channel=discord.Object(id=second.voice_channel_id),
        privacy_level=discord.PrivacyLevel.guild_only,
    )
    restarted = await start_hearth()
    await restarted.scheduler.run_now(ANNOUNCE_JOB)
    assert [e["id"] for e in events_of(emu, SECOND)] == [str(made.id)]
    meeting = await restarted.services.circles.meeting(c.guild.id, second.circle_id, 1)
    assert meeting is not None and meeting.scheduled_event_id == made.id
    assert len(announcements_of(emu, c, SECOND)) == 1


async def test_a_talking_order_posted_before_a_crash_is_found_on_reopening(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """Opening again after a crash brings the one talking order up to date instead of a second."""
    c = configured
    emu.set_role_permissions(c.guild.id, c.guild.bot_role.id, BOT_PERMISSIONS | CONNECT)
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    circle = await the_circle(hearth, c)
    await hearth.services.agreement.accept(c.guild.id, c.alice.id, 1)
    clock.advance(FIRST - clock.now() - timedelta(minutes=10))
    held = await hearth.services.circles.room.hold(c.guild.id, c.moderator.id, circle, opening=True)
    guild = hearth.bot.get_guild(c.guild.id)
    await hearth.bot.get_channel(voice.id).send(
        order_text(ENGLISH_WORDS, held.order, guild), view=queue_view(ENGLISH_WORDS, held.order)
    )
    restarted = await start_hearth()  # stopped before recording the talking order
    opened = await slash(emu, c.moderator.id, "circle open", c, circle=circle)
    assert "is open" in opened["content"]
    board = queue_message(emu, voice.id)  # exactly one
    await slash(emu, c.alice.id, "circle hand", c, channel_id=voice.id)
    await settled(emu, restarted)
    assert f"1. <@{c.alice.id}>" in queue_message(emu, voice.id)["content"]
    assert queue_message(emu, voice.id)["id"] == board["id"]


async def test_stopping_right_after_a_hand_goes_up_still_shows_it(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """A stop just after the private answer lets the talking-order edit finish first."""
    c = configured
    voice, _circle = await open_circle(emu, c, hearth, clock)
    h = await emu.slash(c.alice.id, "circle hand", guild_id=c.guild.id, channel_id=voice.id)
    await h.original()  # the private answer is out; the talking order is edited after it
    await hearth.close()
    assert f"1. <@{c.alice.id}>" in queue_message(emu, voice.id)["content"]

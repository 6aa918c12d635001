"""Scheduled circles, end to end through the emulator."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from emulator import Emulator
from tests.e2e.conftest import Community

EPHEMERAL = 64
VOICE = 2
# The emulator refuses scheduled events in the real past, so the fake clock runs ahead.
NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)  # a Monday
FIRST = datetime(2030, 1, 15, 19, 0, tzinfo=UTC)  # Tuesday 19:00 in London (winter, UTC+0)
SECOND = datetime(2030, 1, 22, 19, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    """Start the clock a week before the first meeting."""
    return FakeClock(NOW)


async def create_circle(emu: Emulator, c: Community, voice_id: int, **changes: object) -> dict:
    """Run /circle create as the moderator and return the private answer."""
    options: dict = {
        "title": "Tuesday evening circle",
        "timezone": "Europe/London",
        "first_date": "2030-01-15",
        "start_time": "19:00",
        "duration": 90,
        "repeats": "weekly",
        "voice": voice_id,
        "meetings": 6,
    }
    options.update(changes)
    h = await emu.slash(c.moderator.id, "circle create", guild_id=c.guild.id, **options)
    await h.response()
    return await h.original()


def labels(message: dict) -> list[str]:
    """Return the labels of every button on a message."""
    return [
        comp.get("label")
        for row in message.get("components", [])
        for comp in row.get("components", [])
    ]


async def test_create_announces_with_timestamps_and_mirrors_an_event(
    emu: Emulator, configured: Community
) -> None:
    """Creating a circle posts the first meeting with Discord timestamps and makes a voice event."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    answer = await create_circle(emu, c, voice.id)
    assert answer["flags"] & EPHEMERAL
    assert "Created **Tuesday evening circle**" in answer["content"]
    post = await emu.wait_for_message(c.circles.id)
    description = post["embeds"][0]["description"]
    assert f"<t:{int(FIRST.timestamp())}:F>" in description
    assert f"<t:{int(FIRST.timestamp())}:R>" in description
    assert "0 going" in description
    assert labels(post) == ["I'll be there", "Can't make it"]
    events = list(emu.world.scheduled_events.values())
    assert len(events) == 1
    assert events[0]["channel_id"] == str(voice.id)
    assert events[0]["entity_type"] == 2
    assert datetime.fromisoformat(events[0]["scheduled_start_time"]) == FIRST


async def test_bad_input_gets_a_kind_private_answer(emu: Emulator, configured: Community) -> None:
    """An unknown zone and a text channel instead of a voice one are explained privately."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    unknown = await create_circle(emu, c, voice.id, timezone="Europe/Londn")
    assert unknown["flags"] & EPHEMERAL
    assert "Unknown time zone" in unknown["content"]
    not_voice = await create_circle(emu, c, c.general.id)
    assert "not a voice channel" in not_voice["content"]
    assert emu.world.scheduled_events == {}


async def test_members_without_the_role_cannot_create(emu: Emulator, configured: Community) -> None:
    """Only facilitators (or Manage Server) may create circles."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    h = await emu.slash(
        c.alice.id,
        "circle create",
        guild_id=c.guild.id,
        title="Mine",
        timezone="Europe/London",
        first_date="2030-01-15",
        start_time="19:00",
        duration=60,
        repeats="one_off",
        voice=voice.id,
    )
    body = await h.response()
    assert "for facilitators" in body["data"]["content"]


async def test_timezone_autocomplete_suggests_iana_zones(
    emu: Emulator, configured: Community
) -> None:
    """Typing part of a city suggests matching IANA zones."""
    c = configured
    choices = await emu.autocomplete(
        c.moderator.id, "circle create", guild_id=c.guild.id, focused="timezone", timezone="londo"
    )
    assert "Europe/London" in [choice["value"] for choice in choices]


async def test_skip_and_end_keep_announcements_and_events_in_sync(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Skipping cancels that meeting's event and announces the next; ending cancels the rest."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    first_post = await emu.wait_for_message(c.circles.id)
    [circle] = {m.circle_id for m in await hearth.services.circles.upcoming(c.guild.id)}
    h = await emu.slash(
        c.moderator.id, "circle skip", guild_id=c.guild.id, circle=circle, date="2030-01-15"
    )
    await h.response()
    assert "Skipped" in (await h.original())["content"]
    second_post = await emu.wait_for_message(c.circles.id)
    assert f"<t:{int(SECOND.timestamp())}:F>" in second_post["embeds"][0]["description"]
    edited = emu.channel_messages(c.circles.id)[0]
    assert edited["id"] == first_post["id"] and "skipped" in edited["embeds"][0]["title"]
    statuses = sorted(
        (e["scheduled_start_time"], e["status"]) for e in emu.world.scheduled_events.values()
    )
    assert [s for _, s in statuses] == [4, 1]
    listed = await emu.slash(c.alice.id, "circle list", guild_id=c.guild.id)
    assert f"<t:{int(SECOND.timestamp())}:F>" in (await listed.response())["data"]["content"]
    h = await emu.slash(c.moderator.id, "circle end", guild_id=c.guild.id, circle=circle)
    await h.response()
    assert "has ended" in (await h.original())["content"]
    assert {e["status"] for e in emu.world.scheduled_events.values()} == {4}
    assert all(not m.get("components") for m in emu.channel_messages(c.circles.id))
    listed = await emu.slash(c.alice.id, "circle list", guild_id=c.guild.id)
    assert "No circles" in (await listed.response())["data"]["content"]


async def test_fifty_concurrent_rsvps_fill_ten_places_and_promote_in_order(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """50 clicks at once vs capacity 10: 10 going, 40 waitlisted in order; a drop-out promotes one."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id, capacity=10)
    post = await emu.wait_for_message(c.circles.id)
    members = [emu.add_member(c.guild.id, emu.create_user(f"m{i}").id) for i in range(50)]
    for member in members:
        await hearth.services.agreement.accept(c.guild.id, member.id, 1)
    clicks = await asyncio.gather(*(emu.click(m.id, post, label="I'll be there") for m in members))
    answers = [(await click.original())["content"] for click in clicks]
    assert sum("You're in" in a for a in answers) == 10
    assert sum("on the waitlist" in a for a in answers) == 40
    [circle] = {m.circle_id for m in await hearth.services.circles.upcoming(c.guild.id)}
    attendance = await hearth.services.circles.attendance(c.guild.id, circle, 0)
    assert len(attendance.going) == 10 and len(attendance.waitlist) == 40
    await emu.wait_until(
        lambda: (
            "10 going of 10 places, 40 on the waitlist"
            in emu.channel_messages(c.circles.id)[0]["embeds"][0]["description"]
        ),
        5,
        "the headcount to settle",
    )
    leaving = attendance.going[0]
    click = await emu.click(leaving, post, label="Can't make it")
    assert "not down for" in (await click.original())["content"]
    dm = await emu.wait_for_dm(attendance.waitlist[0])
    assert "a place opened up" in dm["content"]
    after = await hearth.services.circles.attendance(c.guild.id, circle, 0)
    assert attendance.waitlist[0] in after.going and after.waitlist == attendance.waitlist[1:]
    assert emu.dm_messages(attendance.waitlist[1]) == []

"""Scheduled circles, end to end through the emulator."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from bot.services.circles import ANNOUNCE_JOB, REMIND_JOB
from emulator import Emulator
from tests.e2e.conftest import BOT_PERMISSIONS, Community, StartHearth

EPHEMERAL = 64
VOICE = 2
CONNECT = 1 << 20
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


async def the_circle(hearth: Hearth, c: Community) -> int:
    """Return the id of the server's one scheduled circle (failing if there are several)."""
    [circle] = {m.circle_id for m in await hearth.services.circles.upcoming(c.guild.id)}
    return circle


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
    assert "know the time zone" in unknown["content"]
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
    circle = await the_circle(hearth, c)
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
    circle = await the_circle(hearth, c)
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


async def test_reminders_go_out_once_at_the_right_time_also_across_a_restart(
    emu: Emulator, configured: Community, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """A yes gets one DM 24 h before and one 15 min before, never twice, even after a restart."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    hearth = await start_hearth()  # a restart: the RSVP buttons and the job come back
    await hearth.services.agreement.accept(c.guild.id, c.alice.id, 1)
    click = await emu.click(c.alice.id, post, label="I'll be there")
    assert "You're in" in (await click.original())["content"]
    await hearth.scheduler.run_now(REMIND_JOB)
    assert emu.dm_messages(c.alice.id) == []
    clock.advance(FIRST - clock.now() - timedelta(hours=24) + timedelta(minutes=1))
    await hearth.scheduler.run_now(REMIND_JOB)
    day_before = await emu.wait_for_dm(c.alice.id)
    assert f"<t:{int(FIRST.timestamp())}:R>" in day_before["content"]
    hearth = await start_hearth()
    await hearth.scheduler.run_now(REMIND_JOB)
    assert len(emu.dm_messages(c.alice.id)) == 1
    clock.advance(FIRST - clock.now() - timedelta(minutes=10))
    await hearth.scheduler.run_now(REMIND_JOB)
    await hearth.scheduler.run_now(REMIND_JOB)
    await emu.wait_for_dm(c.alice.id)
    assert len(emu.dm_messages(c.alice.id)) == 2


async def test_a_closed_dm_is_recorded_and_not_retried(
    emu: Emulator, configured: Community, clock: FakeClock, hearth: Hearth
) -> None:
    """When a member's DMs are closed the reminder fails once, quietly, and is not retried."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    await hearth.services.agreement.accept(c.guild.id, c.bob.id, 1)
    click = await emu.click(c.bob.id, post, label="I'll be there")
    await click.original()
    emu.close_dms(c.bob.id)
    clock.advance(FIRST - clock.now() - timedelta(hours=24) + timedelta(seconds=30))
    before = len(emu.requests)
    await hearth.scheduler.run_now(REMIND_JOB)
    await hearth.scheduler.run_now(REMIND_JOB)
    sends = [
        r for r in emu.requests[before:] if r.method == "POST" and r.path.endswith("/messages")
    ]
    assert len(sends) == 1
    export = await hearth.services.data_rights.export(c.bob.id)
    assert "'sent_at': None" in str(export)


async def test_the_next_meeting_is_announced_once_after_the_last_one(
    emu: Emulator, configured: Community, clock: FakeClock, hearth: Hearth
) -> None:
    """When a meeting is over, the job announces the next one with its own event, only once."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    await emu.wait_for_message(c.circles.id)
    await hearth.scheduler.run_now(ANNOUNCE_JOB)
    assert len(emu.channel_messages(c.circles.id)) == 1
    clock.advance(FIRST - clock.now() + timedelta(hours=2))
    await asyncio.gather(*(hearth.scheduler.run_now(ANNOUNCE_JOB) for _ in range(3)))
    second = await emu.wait_for_message(c.circles.id)
    assert f"<t:{int(SECOND.timestamp())}:F>" in second["embeds"][0]["description"]
    assert len(emu.channel_messages(c.circles.id)) == 2
    assert len(emu.world.scheduled_events) == 2


def member_overwrite(emu: Emulator, channel_id: int, role_id: int) -> dict:
    """Return the voice channel's permission overwrite for a role."""
    channel = emu.world.channels[channel_id]
    return next(o for o in channel.permission_overwrites if o["id"] == str(role_id))


async def test_open_and_close_change_the_voice_channel_overwrites(
    emu: Emulator, configured: Community, clock: FakeClock, hearth: Hearth
) -> None:
    """/circle open lets the member role connect and posts the agreement; /circle close locks it."""
    c = configured
    emu.set_role_permissions(c.guild.id, c.guild.bot_role, BOT_PERMISSIONS | CONNECT)
    locked = [{"id": str(c.member_role.id), "type": 0, "allow": "0", "deny": str(CONNECT)}]
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE, overwrites=locked)
    await create_circle(emu, c, voice.id)
    await emu.wait_for_message(c.circles.id)
    circle = await the_circle(hearth, c)
    early = await emu.slash(c.moderator.id, "circle open", guild_id=c.guild.id, circle=circle)
    assert "from 30 minutes before" in (await early.response())["data"]["content"]
    clock.advance(FIRST - clock.now() - timedelta(minutes=10))
    h = await emu.slash(c.moderator.id, "circle open", guild_id=c.guild.id, circle=circle)
    await h.response()
    assert "is open" in (await h.original())["content"]
    assert int(member_overwrite(emu, voice.id, c.member_role.id)["allow"]) & CONNECT
    opening = await emu.wait_for_message(c.circles.id)
    text = opening["embeds"][0]["description"]
    assert "We listen without judging." in text and "/crisis" in text
    clock.advance(hours=2)
    h = await emu.slash(c.moderator.id, "circle close", guild_id=c.guild.id, circle=circle)
    await h.response()
    assert "closed again" in (await h.original())["content"]
    assert emu.world.channels[voice.id].permission_overwrites == locked
    closing = await emu.wait_for_message(c.circles.id)
    assert "has closed" in closing["embeds"][0]["title"]


async def test_need_backup_tells_the_moderators_quietly(
    emu: Emulator, configured: Community, clock: FakeClock, hearth: Hearth
) -> None:
    """The facilitator's Need backup button posts a request in moderator alerts, pinging nobody."""
    c = configured
    emu.set_role_permissions(c.guild.id, c.guild.bot_role, BOT_PERMISSIONS | CONNECT)
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    circle = await the_circle(hearth, c)
    clock.advance(FIRST - clock.now() - timedelta(minutes=5))
    h = await emu.slash(c.moderator.id, "circle open", guild_id=c.guild.id, circle=circle)
    await h.response()
    opened = await h.original()
    click = await emu.click(c.moderator.id, opened, label="Need backup")
    assert "let the moderators know" in (await click.response())["data"]["content"]
    alert = await emu.wait_for_message(c.alerts.id)
    assert "would like a moderator's backup" in alert["content"]
    assert alert["allowed_mentions"]["parse"] == []


async def test_edit_moves_future_meetings_with_their_announcement_and_event(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """/circle edit to 20:00 updates the announced meeting's timestamps and its Discord event."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    circle = await the_circle(hearth, c)
    h = await emu.slash(
        c.moderator.id, "circle edit", guild_id=c.guild.id, circle=circle, start_time="20:00"
    )
    await h.response()
    assert "Changed" in (await h.original())["content"]
    later = FIRST + timedelta(hours=1)
    edited = emu.channel_messages(c.circles.id)[0]
    assert edited["id"] == post["id"]
    assert f"<t:{int(later.timestamp())}:F>" in edited["embeds"][0]["description"]
    [event] = emu.world.scheduled_events.values()
    assert datetime.fromisoformat(event["scheduled_start_time"]) == later
    bad = await emu.slash(
        c.moderator.id, "circle edit", guild_id=c.guild.id, circle=circle, start_time="8pm"
    )
    assert "Write it like 19:00" in (await bad.response())["data"]["content"]


async def test_only_facilitators_see_who_is_coming(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """/circle who lists the yeses privately for a facilitator and is refused to members."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id, capacity=1)
    post = await emu.wait_for_message(c.circles.id)
    for member in (c.alice, c.bob):
        await hearth.services.agreement.accept(c.guild.id, member.id, 1)
        await (await emu.click(member.id, post, label="I'll be there")).original()
    circle = await the_circle(hearth, c)
    h = await emu.slash(c.moderator.id, "circle who", guild_id=c.guild.id, circle=circle)
    body = await h.response()
    assert body["data"]["flags"] & EPHEMERAL
    assert f"Going: <@{c.alice.id}>" in body["data"]["content"]
    assert f"Waitlist: 1. <@{c.bob.id}>" in body["data"]["content"]
    assert body["data"]["allowed_mentions"]["parse"] == []
    refused = await emu.slash(c.alice.id, "circle who", guild_id=c.guild.id, circle=circle)
    assert "for facilitators" in (await refused.response())["data"]["content"]
    await emu.wait_until(
        lambda: (
            "1 going of 1 place, 1 on the waitlist"
            in emu.channel_messages(c.circles.id)[0]["embeds"][0]["description"]
        ),
        5,
        "the headcount to settle",
    )
    public = emu.channel_messages(c.circles.id)[0]["embeds"][0]["description"]
    assert str(c.alice.id) not in public


async def test_the_facilitator_role_may_create_without_manage_server(
    emu: Emulator, configured: Community
) -> None:
    """A member with the facilitator role from /setup roles can schedule a circle."""
    c = configured
    emu.set_member_roles(c.guild.id, c.alice.id, [c.facilitator_role.id])
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    h = await emu.slash(
        c.alice.id,
        "circle create",
        guild_id=c.guild.id,
        title="Alice's circle",
        timezone="Europe/London",
        first_date="2030-01-15",
        start_time="19:00",
        duration=60,
        repeats="one_off",
        voice=voice.id,
    )
    await h.response()
    assert "Created **Alice's circle**" in (await h.original())["content"]


async def test_a_crash_between_claim_and_send_still_sends_each_reminder_exactly_once(
    emu: Emulator, configured: Community, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """Claimed but unsent reminders go out after a restart; one that did get out isn't doubled."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    hearth = await start_hearth()
    await hearth.services.agreement.accept(c.guild.id, c.alice.id, 1)
    await (await emu.click(c.alice.id, post, label="I'll be there")).original()

    # Crash 1: the day-before reminder is claimed, then Hearth stops before sending it.
    clock.advance(FIRST - clock.now() - timedelta(hours=24) + timedelta(seconds=30))
    [claimed] = await hearth.services.circles.reminders.claim_due_reminders()
    hearth = await start_hearth()
    await hearth.scheduler.run_now(REMIND_JOB)
    day_before = await emu.wait_for_dm(c.alice.id)
    assert f"<t:{int(FIRST.timestamp())}:R>" in day_before["content"]
    await hearth.scheduler.run_now(REMIND_JOB)
    assert len(emu.dm_messages(c.alice.id)) == 1

    # Crash 2: the 15-minute reminder is claimed and sent, then Hearth stops before noting it.
    clock.advance(FIRST - clock.now() - timedelta(minutes=15) + timedelta(seconds=30))
    [claimed] = await hearth.services.circles.reminders.claim_due_reminders()
    await hearth.services.circles.reminders.begin_reminder(claimed.delivery_id)
    user = await hearth.bot.fetch_user(c.alice.id)
    await user.send("A gentle reminder (sent just before the crash)", nonce=claimed.nonce)
    await emu.wait_for_dm(c.alice.id)
    hearth = await start_hearth()
    await hearth.scheduler.run_now(REMIND_JOB)
    await hearth.scheduler.run_now(REMIND_JOB)
    assert len(emu.dm_messages(c.alice.id)) == 2
    resent = [
        r
        for r in emu.requests
        if r.method == "POST" and r.json and r.json.get("nonce") == claimed.nonce
    ]
    assert len(resent) == 2  # sent again after the restart, and Discord kept just one
    export = await hearth.services.data_rights.export(c.alice.id)
    assert "'sent_at': None" not in str(export)


async def test_erasing_my_data_gives_my_place_to_the_waitlist(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """/mydata delete frees a held place: the first on the waitlist moves up and is told privately."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id, capacity=1)
    post = await emu.wait_for_message(c.circles.id)
    for member in (c.alice, c.bob):
        await hearth.services.agreement.accept(c.guild.id, member.id, 1)
        await (await emu.click(member.id, post, label="I'll be there")).original()
    h = await emu.slash(c.alice.id, "mydata delete", guild_id=c.guild.id)
    await h.response()
    confirm = await emu.click(c.alice.id, h.message, label="Yes, erase my data")
    assert "has been erased" in (await confirm.original())["content"]
    circle = await the_circle(hearth, c)
    attendance = await hearth.services.circles.attendance(c.guild.id, circle, 0)
    assert attendance.going == (c.bob.id,) and attendance.waitlist == ()
    await hearth.scheduler.run_now(REMIND_JOB)
    await hearth.scheduler.run_now(REMIND_JOB)
    dm = await emu.wait_for_dm(c.bob.id)
    assert "a place opened up" in dm["content"]
    assert len(emu.dm_messages(c.bob.id)) == 1


async def test_edit_moves_the_weekday_and_cadence_from_the_next_meeting_on(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """/circle edit next_date:Thursday repeats:every two weeks moves the announced meeting and after."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    circle = await the_circle(hearth, c)
    h = await emu.slash(
        c.moderator.id,
        "circle edit",
        guild_id=c.guild.id,
        circle=circle,
        next_date="2030-01-17",
        repeats="biweekly",
    )
    await h.response()
    answer = (await h.original())["content"]
    assert "Every other Thursday at 19:00" in answer
    thursday = FIRST + timedelta(days=2)
    edited = emu.channel_messages(c.circles.id)[0]
    assert edited["id"] == post["id"]
    assert f"<t:{int(thursday.timestamp())}:F>" in edited["embeds"][0]["description"]
    [event] = emu.world.scheduled_events.values()
    assert datetime.fromisoformat(event["scheduled_start_time"]) == thursday
    coming = await hearth.services.circles.upcoming(c.guild.id, limit=2)
    assert [m.start_utc for m in coming] == [thursday, thursday + timedelta(days=14)]
    past = await emu.slash(
        c.moderator.id, "circle edit", guild_id=c.guild.id, circle=circle, next_date="2029-12-01"
    )
    assert "past" in (await past.response())["data"]["content"]

"""Circle reminders that would come late: only the nearest one is sent, never two in a row."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from bot.services.circles import REMIND_JOB
from emulator import Emulator
from tests.e2e.conftest import Community, StartHearth
from tests.e2e.test_circles_e2e import FIRST, NOW, VOICE, create_circle

REMINDER = "A gentle reminder"


@pytest.fixture
def clock() -> FakeClock:
    """Start the clock a week before the first meeting."""
    return FakeClock(NOW)


def reminders(emu: Emulator, user_id: int) -> list[dict]:
    """Return the circle reminders a member was sent privately."""
    return [m for m in emu.dm_messages(user_id) if REMINDER in (m.get("content") or "")]


async def say_yes(emu: Emulator, hearth: Hearth, c: Community, post: dict, member_id: int) -> None:
    """Accept the agreement as the member, then press I'll be there."""
    await hearth.services.agreement.accept(c.guild.id, member_id, 1)
    click = await emu.click(member_id, post, label="I'll be there")
    assert "You're in" in (await click.original())["content"]


async def test_a_late_yes_gets_one_reminder_not_the_day_before_one_as_well(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Five yeses to a circle 17 minutes away: each gets the 15-minute reminder, and only that."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    start = NOW + timedelta(minutes=17)
    await create_circle(
        emu, c, voice.id, first_date="2030-01-07", start_time="12:17", repeats="one_off"
    )
    post = await emu.wait_for_message(c.circles.id)
    members = [c.alice.id, c.bob.id]
    members += [emu.add_member(c.guild.id, emu.create_user(f"m{i}").id).id for i in range(3)]
    for member_id in members:
        await say_yes(emu, hearth, c, post, member_id)
    for _ in range(4):  # every minute, as the job runs, until the meeting starts
        await hearth.scheduler.run_now(REMIND_JOB)
        clock.advance(minutes=1)
    clock.advance(start - clock.now() - timedelta(minutes=15) + timedelta(seconds=5))
    await hearth.scheduler.run_now(REMIND_JOB)
    clock.advance(minutes=20)
    await hearth.scheduler.run_now(REMIND_JOB)
    for member_id in members:
        [reminder] = reminders(emu, member_id)
        assert f"<t:{int(start.timestamp())}:R>" in reminder["content"]


async def test_after_hearth_was_down_a_late_reminder_waits_for_the_nearer_one(
    emu: Emulator, configured: Community, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """Down through the day-before time until just before the 15-minute one: one reminder."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    hearth = await start_hearth()
    await say_yes(emu, hearth, c, post, c.alice.id)
    clock.advance(FIRST - clock.now() - timedelta(minutes=16))  # Hearth was down until now
    hearth = await start_hearth()
    await hearth.scheduler.run_now(REMIND_JOB)
    assert reminders(emu, c.alice.id) == []
    clock.advance(minutes=1, seconds=5)
    await hearth.scheduler.run_now(REMIND_JOB)
    await hearth.scheduler.run_now(REMIND_JOB)
    assert len(reminders(emu, c.alice.id)) == 1


async def test_a_day_before_reminder_claimed_before_a_long_stop_is_not_sent_late(
    emu: Emulator, configured: Community, clock: FakeClock, start_hearth: StartHearth
) -> None:
    """Claimed on time, then Hearth stopped until 16 minutes before: only the nearer one goes."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    hearth = await start_hearth()
    await say_yes(emu, hearth, c, post, c.alice.id)
    clock.advance(FIRST - clock.now() - timedelta(hours=24) + timedelta(seconds=30))
    [claimed] = await hearth.services.circles.reminders.claim_due_reminders()
    assert claimed.lead_minutes == 24 * 60
    clock.advance(FIRST - clock.now() - timedelta(minutes=16))
    hearth = await start_hearth()
    await hearth.scheduler.run_now(REMIND_JOB)
    assert reminders(emu, c.alice.id) == []
    clock.advance(minutes=1, seconds=5)
    await hearth.scheduler.run_now(REMIND_JOB)
    assert len(reminders(emu, c.alice.id)) == 1


async def test_a_yes_well_before_gets_both_reminders_on_time(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Someone who said yes days ahead is reminded the day before and 15 minutes before."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    post = await emu.wait_for_message(c.circles.id)
    await say_yes(emu, hearth, c, post, c.alice.id)
    clock.advance(FIRST - clock.now() - timedelta(hours=24) + timedelta(seconds=40))
    await hearth.scheduler.run_now(REMIND_JOB)
    assert len(reminders(emu, c.alice.id)) == 1
    clock.advance(FIRST - clock.now() - timedelta(minutes=15) + timedelta(seconds=40))
    await hearth.scheduler.run_now(REMIND_JOB)
    assert len(reminders(emu, c.alice.id)) == 2

"""Check-ins a crashed process left half-done: whatever was already on Discord is found, and
whatever the usual path does after posting (the reply thread, the recorded ids, the moderators'
note) still happens, exactly once."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Hearth
from bot.clock import FakeClock
from bot.db.models import Checkin
from bot.i18n import language
from bot.services.checkins import Delivery
from cogs.checkins import _render as render
from cogs.checkins._port import DiscordCheckinPort
from emulator import Emulator
from tests.e2e.checkin_helpers import make_ready, posts, set_checkins, share
from tests.e2e.conftest import Community, StartHearth

DELIVER = "checkins.deliver"
WORRYING = "Honestly I just want to die tonight."


async def crash_after_posting(
    emu: Emulator, hearth: Hearth, c: Community, clock: FakeClock, *, with_thread: bool = False
) -> tuple[dict, Delivery]:
    """Claim the due check-in and post it as the process does, then stop before marking it."""
    clock.advance(minutes=1, seconds=1)  # past the posting delay
    [claimed] = await hearth.services.checkin_queue.claim_due()
    port = DiscordCheckinPort(hearth.bot, hearth.services.settings)
    message_id = await port.post(claimed)
    if with_thread:
        assert await port.open_thread(claimed, message_id) == message_id
    [message] = [m for m in posts(emu, c.checkins.id) if int(m["id"]) == message_id]
    return message, claimed


async def recorded_thread(hearth: Hearth) -> list[tuple[str, int | None, int | None]]:
    """Return each check-in's status, message id and thread id as the database has them."""
    async with hearth.engine.connect() as connection:
        rows = await connection.execute(
            select(Checkin.status, Checkin.message_id, Checkin.thread_id).order_by(Checkin.id)
        )
        return [tuple(row) for row in rows]


async def test_a_post_found_after_a_crash_gets_its_reply_thread(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """A post Discord made before the crash is not posted again, and still gets its thread."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=1)
    await share(emu, c, c.alice.id, note="made it to Discord")
    message, claimed = await crash_after_posting(emu, hearth, c, clock)
    restarted = await start_hearth()
    await restarted.scheduler.run_now(DELIVER)
    [post] = posts(emu, c.checkins.id)
    assert post["id"] == message["id"]
    thread = emu.world.threads.get(int(post["id"]))
    assert thread is not None and thread.name == render.thread_name(claimed, language("en"))
    assert await recorded_thread(restarted) == [("posted", int(post["id"]), int(post["id"]))]


async def test_a_thread_made_before_the_crash_is_found_not_doubled(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """When the crash came after the thread, the thread is recorded and no second one is tried."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=1)
    await share(emu, c, c.alice.id, note="thread and all")
    message, _ = await crash_after_posting(emu, hearth, c, clock, with_thread=True)
    before = len(emu.requests)
    restarted = await start_hearth()
    await restarted.scheduler.run_now(DELIVER)
    assert [p["id"] for p in posts(emu, c.checkins.id)] == [message["id"]]
    tried = [r for r in emu.requests[before:] if r.method == "POST" and "/threads" in r.path]
    assert tried == []
    assert [t for t in emu.world.threads.values() if t.parent_id == c.checkins.id] == [
        emu.world.threads[int(message["id"])]
    ]
    assert await recorded_thread(restarted) == [("posted", int(message["id"]), int(message["id"]))]


async def test_with_threads_off_a_recovered_post_gets_no_thread(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """Recovery follows the server's settings: threads off means no thread, as on the usual path."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=1, threads=False)
    await share(emu, c, c.alice.id, note="no thread wanted")
    message, _ = await crash_after_posting(emu, hearth, c, clock)
    restarted = await start_hearth()
    await restarted.scheduler.run_now(DELIVER)
    assert emu.world.threads == {}
    assert await recorded_thread(restarted) == [("posted", int(message["id"]), None)]


async def test_the_moderators_note_still_goes_out_once_for_a_recovered_post(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """A post that may signal crisis and was found after a crash still gets its one alerts note."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=1)
    h = await emu.slash(
        c.moderator.id,
        "crisis-setup settings",
        guild_id=c.guild.id,
        detection=True,
        alert_on_detection=True,
    )
    await h.response()
    submitted = await share(emu, c, c.alice.id, mood=1, note=WORRYING)
    await submitted.followup(0)  # the crisis card, privately (the receipt was the answer)
    message, _ = await crash_after_posting(emu, hearth, c, clock)
    restarted = await start_hearth()
    await restarted.scheduler.run_now(DELIVER)
    await restarted.scheduler.run_now(DELIVER)
    [note] = emu.channel_messages(c.alerts.id)
    assert f"/{c.checkins.id}/{message['id']}" in note["embeds"][0]["description"]
    assert "want to die" not in str(note)
    again = await start_hearth()
    await again.scheduler.run_now(DELIVER)
    assert len(emu.channel_messages(c.alerts.id)) == 1

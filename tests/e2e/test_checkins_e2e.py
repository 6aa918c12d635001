"""Anonymous check-ins end to end: posting, undo, limits, delivery through failures, care."""

from __future__ import annotations

import random

import discord

from bot.app import Hearth
from bot.clock import FakeClock
from cogs.checkins._port import DiscordCheckinPort
from emulator import Emulator
from tests.e2e.checkin_helpers import (
    EPHEMERAL,
    checkin_rows,
    database_path,
    labels,
    make_ready,
    posts,
    set_checkins,
    share,
)
from tests.e2e.conftest import Community

DELIVER = "checkins.deliver"
SEND_MESSAGES = discord.Permissions(send_messages=True).value


async def test_posting_waits_a_random_delay_then_posts_under_a_pseudonym(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """The member is told privately at once; the post appears after the delay, pseudonymous."""
    c = await make_ready(emu, configured)
    hearth.services.checkins.rng = random.Random(4)
    submitted = await share(
        emu, c, c.alice.id, mood=2, note="Rough day, but I'm here. @everyone <@1>"
    )
    receipt = submitted.message
    assert submitted.ephemeral
    assert labels(receipt) == ["Undo"]
    embed = receipt["embeds"][0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "Reveal: off" in fields
    assert "Nobody, moderators included" in fields["Reveal: off"]
    assert "erased from Hearth after 30 days" in fields["For how long"]
    pseudonym = embed["description"].split("**")[1]

    await hearth.scheduler.run_now(DELIVER)
    assert posts(emu, c.checkins.id) == []  # not yet: the random delay has not passed
    clock.advance(minutes=3, seconds=1)
    await hearth.scheduler.run_now(DELIVER)
    [post] = posts(emu, c.checkins.id)
    shown = post["embeds"][0]
    assert shown["author"]["name"] == f"{pseudonym} checked in"
    assert shown["title"].endswith("Low")
    assert "@\u200beveryone" in shown["description"] and "<\u200b@1>" in shown["description"]
    assert post["allowed_mentions"] == {"parse": []}
    assert post["mention_everyone"] is False and post["mentions"] == []
    assert int(post["id"]) in emu.world.threads  # a reply thread, on by default


async def test_pseudonym_stays_within_a_window_and_changes_after_it(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """One member keeps one pseudonym for the week; the next week brings another."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    await share(emu, c, c.alice.id, mood=3)
    await share(emu, c, c.bob.id, mood=4)
    await share(emu, c, c.alice.id, mood=4)
    await hearth.scheduler.run_now(DELIVER)
    first, bob, second = (p["embeds"][0]["author"]["name"] for p in posts(emu, c.checkins.id))
    assert first == second != bob
    clock.advance(days=7)
    await share(emu, c, c.alice.id, mood=5)
    await hearth.scheduler.run_now(DELIVER)
    later = posts(emu, c.checkins.id)[-1]["embeds"][0]["author"]["name"]
    assert later != first


async def test_two_members_filling_in_the_form_at_once_both_get_through(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Open forms are told apart, so simultaneous check-ins are never dropped."""
    c = await make_ready(emu, configured)
    first = await emu.slash(c.alice.id, "checkin share", guild_id=c.guild.id)
    second = await emu.slash(c.bob.id, "checkin share", guild_id=c.guild.id)
    await first.response()
    await second.response()
    assert first.modal["custom_id"] != second.modal["custom_id"]
    for who, opened in ((c.alice.id, first), (c.bob.id, second)):
        submitted = await emu.submit_modal(who, opened, values={"mood": ["3"]})
        assert (await submitted.original())["embeds"][0]["title"] == "Queued, anonymously"


async def test_undo_before_posting_erases_it_and_nothing_is_posted(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Undo takes a queued check-in back entirely; after posting it can no longer be undone."""
    c = await make_ready(emu, configured)
    submitted = await share(emu, c, c.alice.id, note="never mind")
    undone = await emu.click(c.alice.id, submitted.message, label="Undo")
    assert (await undone.response())["type"] == 6  # deferred: erasing waits for the database
    assert "Undone" in (await undone.original())["content"]
    clock.advance(minutes=4)
    await hearth.scheduler.run_now(DELIVER)
    assert posts(emu, c.checkins.id) == []
    path = database_path(hearth)
    if path is not None:
        assert [row for table, row in checkin_rows(path) if table == "checkins"] == []

    await set_checkins(emu, c, delay_minutes=0)
    posted = await share(emu, c, c.alice.id)
    await emu.wait_for_message(c.checkins.id)
    late = await emu.click(c.alice.id, posted.message, label="Undo")
    await late.response()
    refusal = await late.followup(0)
    assert "already been posted" in refusal["content"] and refusal["flags"] & 64


async def test_rate_limit_refuses_kindly_and_lifts_after_a_day(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """The fourth check-in in 24 hours is refused before the form opens, with a kind message."""
    c = await make_ready(emu, configured)
    for _ in range(3):
        await share(emu, c, c.alice.id)
    refused = await emu.slash(c.alice.id, "checkin share", guild_id=c.guild.id)
    body = await refused.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "3 check-ins in the last day" in body["data"]["content"]
    assert "Take care of yourself" in body["data"]["content"]
    assert (await share(emu, c, c.bob.id)).ephemeral  # others are not affected
    clock.advance(hours=24, seconds=1)
    assert (await share(emu, c, c.alice.id)).ephemeral


async def test_delivery_gets_through_429_and_5xx_in_order(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Rate limits and server errors are retried with backoff; posts keep their order."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0, threads=False)
    route = "/channels/{channel_id}/messages"
    emu.inject_fault(method="POST", route=route, status=429, times=2, retry_after=0.01)
    emu.inject_fault(method="POST", route=route, status=503, times=1)
    await share(emu, c, c.alice.id, mood=1, note="first")
    await hearth.scheduler.run_now(DELIVER)
    await share(emu, c, c.bob.id, mood=5, note="second")
    await hearth.scheduler.run_now(DELIVER)
    assert posts(emu, c.checkins.id) == []  # the 503 put the first in backoff; the second waits
    clock.advance(seconds=11)
    await hearth.scheduler.run_now(DELIVER)
    notes = [p["embeds"][0]["description"] for p in posts(emu, c.checkins.id)]
    assert notes == ["first", "second"]


async def test_queued_check_in_survives_a_restart(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock, start_hearth: object
) -> None:
    """A check-in queued before a restart is posted once by the new process."""
    c = await make_ready(emu, configured)
    await share(emu, c, c.alice.id, note="still here")
    restarted = await start_hearth()  # type: ignore[operator]
    clock.advance(minutes=3, seconds=1)
    await restarted.scheduler.run_now(DELIVER)
    await restarted.scheduler.run_now(DELIVER)
    assert [p["embeds"][0]["description"] for p in posts(emu, c.checkins.id)] == ["still here"]


async def test_a_post_interrupted_by_a_crash_is_not_posted_twice(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock, start_hearth: object
) -> None:
    """A claim a crashed process left is checked against the channel before posting again."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=1, threads=False)
    await share(emu, c, c.alice.id, note="one")
    await share(emu, c, c.bob.id, note="two")
    clock.advance(minutes=1, seconds=1)
    [claimed] = await hearth.services.checkin_queue.claim_due(per_channel=1)  # due first
    # It reached Discord, then the process died.
    await DiscordCheckinPort(hearth.bot, hearth.services.settings).post(claimed)
    restarted = await start_hearth()  # type: ignore[operator]
    await restarted.scheduler.run_now(DELIVER)
    other = "two" if claimed.note == "one" else "one"
    await share(emu, c, c.alice.id, note="claimed, never posted")
    clock.advance(minutes=1, seconds=1)
    assert len(await restarted.services.checkin_queue.claim_due()) == 1
    again = await start_hearth()  # type: ignore[operator]
    await again.scheduler.run_now(DELIVER)
    notes = [p["embeds"][0]["description"] for p in posts(emu, c.checkins.id)]
    assert notes == [claimed.note, other, "claimed, never posted"]


async def test_undeliverable_for_a_day_tells_the_author_privately(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """When the channel refuses posts for a day, the author is told by DM; nothing vanishes silently."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    emu.set_channel_overwrites(
        c.checkins.id,
        [{"id": str(c.guild.bot_role.id), "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}],
    )
    await share(emu, c, c.alice.id, note="into the void?")
    await hearth.scheduler.run_now(DELIVER)
    for _ in range(8):
        clock.advance(hours=4)
        await hearth.scheduler.run_now(DELIVER)
    dm = await emu.wait_for_dm(c.alice.id)
    assert "couldn't be posted" in dm["content"]
    assert dm["allowed_mentions"] == {"parse": []}
    assert posts(emu, c.checkins.id) == []
    clock.advance(hours=4)
    await hearth.scheduler.run_now(DELIVER)
    assert len(emu.dm_messages(c.alice.id)) == 1


async def test_the_form_opens_only_for_members_who_accepted_the_agreement(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Someone who has not accepted the agreement is pointed to it, privately, instead."""
    c = await make_ready(emu, configured, configured.alice)
    h = await emu.slash(c.bob.id, "checkin share", guild_id=c.guild.id)
    body = await h.response()
    assert body["type"] == 4 and body["data"]["flags"] & EPHEMERAL
    assert "/agreement read" in body["data"]["content"]
    assert labels(body["data"]) == ["Read the agreement"]

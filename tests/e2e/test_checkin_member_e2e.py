"""For the member, end to end: history with a chart, the week's summary, reminders, retention."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import UTC, datetime

from PIL import Image

from bot.app import Hearth
from bot.clock import FakeClock
from emulator import Emulator
from tests.e2e.checkin_helpers import (
    EPHEMERAL,
    database_path,
    labels,
    make_ready,
    posts,
    set_checkins,
    share,
)
from tests.e2e.conftest import Community, StartHearth

DELIVER, TIDY, REMIND = "checkins.deliver", "checkins.tidy", "checkins.remind"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def test_history_is_opt_in_and_shows_a_png_chart_with_simple_words(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """History is kept only after opting in; it shows a valid PNG chart, is exported and erasable."""
    c = await make_ready(emu, configured)
    offer = await emu.slash(c.alice.id, "checkin history", guild_id=c.guild.id)
    body = await offer.response()
    assert body["data"]["flags"] & EPHEMERAL and "unless you ask" in body["data"]["content"]
    assert labels(offer.message) == ["Keep my history"]
    await share(emu, c, c.alice.id, mood=1)  # before opting in: not kept
    kept = await emu.click(c.alice.id, offer.message, label="Keep my history")
    assert "from now on" in (await kept.response())["data"]["content"]
    for mood in (2, 3, 3):
        clock.advance(days=1)
        await share(emu, c, c.alice.id, mood=mood)

    shown = await emu.slash(c.alice.id, "checkin history", guild_id=c.guild.id, days=30)
    await shown.response()
    answer = await shown.followup(0)
    assert answer["flags"] & EPHEMERAL
    assert (
        answer["embeds"][0]["description"]
        == "Most days this month: Okay (you checked in on 3 days)."
    )
    name, png = shown.followup_files(0)[0]
    assert name == "mood-history.png" and png.startswith(PNG_SIGNATURE)
    Image.open(io.BytesIO(png)).verify()
    assert Image.open(io.BytesIO(png)).size == (720, 300)

    export = await emu.slash(c.alice.id, "mydata export", guild_id=c.guild.id)
    await export.response()
    await export.followup(0)
    data = json.loads(export.followup_files(0)[0][1])["data"]["checkins"]
    assert [h["mood"] for h in data["history"]] == ["low", "okay", "okay"]
    # still linkable to her this fortnight: it's hers (counted per day; words only if asked)
    assert sum(day["count"] for day in data["recent_checkins_per_day"]) == 4

    stop = await emu.click(c.alice.id, answer, label="Stop and erase my history")
    assert "3 entries were erased" in (await stop.response())["data"]["content"]


async def test_summary_is_shown_only_from_k_different_members(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """The week's mood distribution needs at least k (default 5) different members."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    people = [c.alice, c.bob]
    for name in ("cai", "dee", "eli"):
        member = emu.add_member(c.guild.id, emu.create_user(name).id)
        await hearth.services.agreement.accept(c.guild.id, member.id, 1)
        people.append(member)
    for person, mood in zip(people[:4], (1, 3, 3, 5), strict=True):
        await share(emu, c, person.id, mood=mood)
    await share(emu, c, c.alice.id, mood=2)  # the same person twice counts once
    await hearth.scheduler.run_now(DELIVER)
    hidden = await emu.slash(c.bob.id, "checkin summary", guild_id=c.guild.id)
    text = (await hidden.response())["data"]["embeds"][0]["description"]
    assert "Not enough different people" in text and "at least 5" in text

    await share(emu, c, people[4].id, mood=4)
    await hearth.scheduler.run_now(DELIVER)
    shown = await emu.slash(c.bob.id, "checkin summary", guild_id=c.guild.id)
    body = await shown.response()
    text = body["data"]["embeds"][0]["description"]
    assert body["data"]["flags"] & EPHEMERAL
    assert "6 check-ins" in text and "at least 5 different people" in text
    assert "Struggling" in text and "Doing well" in text


async def test_reminders_arrive_once_per_slot_at_local_time_even_across_a_restart(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    start_hearth: StartHearth,
) -> None:
    """A daily 09:00 London reminder comes once per day, survives a restart, and opens the form."""
    c = await make_ready(emu, configured)
    choices = await emu.autocomplete(
        c.alice.id,
        "checkin reminder set",
        focused="timezone",
        guild_id=c.guild.id,
        timezone="london",
    )
    assert "Europe/London" in [choice["value"] for choice in choices]
    saved = await emu.slash(
        c.alice.id,
        "checkin reminder set",
        guild_id=c.guild.id,
        time="09:00",
        timezone="Europe/London",
        days="daily",
    )
    assert "<t:1767690000:f>" in (await saved.response())["data"]["content"]  # 6 Jan, 09:00 UTC
    await hearth.scheduler.run_now(REMIND)
    assert emu.dm_messages(c.alice.id) == []
    clock.set(datetime(2026, 1, 6, 9, 0, 30, tzinfo=UTC))
    await hearth.scheduler.run_now(REMIND)
    await hearth.scheduler.run_now(REMIND)
    restarted = await start_hearth()
    await restarted.scheduler.run_now(REMIND)
    [nudge] = emu.dm_messages(c.alice.id)
    assert labels(nudge) == ["Check in", "Stop these reminders"]
    clock.advance(days=1)
    await restarted.scheduler.run_now(REMIND)
    assert len(emu.dm_messages(c.alice.id)) == 2

    opened = await emu.click(c.alice.id, nudge, label="Check in")
    assert (await opened.response())["type"] == 9
    queued = await emu.submit_modal(c.alice.id, opened, values={"mood": ["4"]})
    assert "queued" in (await queued.original())["embeds"][0]["title"].lower()
    clock.advance(minutes=4)
    await restarted.scheduler.run_now(DELIVER)
    assert len(posts(emu, c.checkins.id)) == 1


async def test_notes_are_erased_and_posts_deleted_after_the_retention_times(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Notes leave the database after the note retention; posts leave the channel if chosen."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0, note_days=1, post_days=2)
    await share(emu, c, c.alice.id, note="a note with a shelf life")
    await hearth.scheduler.run_now(DELIVER)
    [post] = posts(emu, c.checkins.id)
    path = database_path(hearth)

    clock.advance(days=1, minutes=1)
    await hearth.scheduler.run_now(TIDY)
    if path is not None:
        db = sqlite3.connect(path)
        assert db.execute("SELECT note, note_erased_at IS NOT NULL FROM checkins").fetchall() == [
            (None, 1)
        ]
        db.close()
        raw = path.read_bytes() + path.with_name(path.name + "-wal").read_bytes()
        assert b"a note with a shelf life" not in raw
    assert len(posts(emu, c.checkins.id)) == 1  # the post stays until its own time

    clock.advance(days=1)
    await hearth.scheduler.run_now(TIDY)
    assert posts(emu, c.checkins.id) == []
    assert int(post["id"]) not in emu.world.threads
    clock.advance(days=1)
    await hearth.scheduler.run_now(TIDY)  # nothing left to do; nothing fails

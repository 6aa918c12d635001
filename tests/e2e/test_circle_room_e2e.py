"""Holding a circle end to end: talking order, text lane, feedback, yes-only rooms, settings."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from emulator import Emulator
from tests.e2e.checkin_helpers import AllRecords, database_path, recorded_payloads
from tests.e2e.conftest import BOT_PERMISSIONS, Community
from tests.e2e.test_circles_e2e import (
    CONNECT,
    EPHEMERAL,
    FIRST,
    NOW,
    VOICE,
    create_circle,
    labels,
    the_circle,
)

VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11


@pytest.fixture
def clock() -> FakeClock:
    """Start the clock a week before the first meeting."""
    return FakeClock(NOW)


@pytest.fixture
def all_logs() -> Iterator[AllRecords]:
    """Capture Hearth's log lines at every level."""
    handler = AllRecords()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("bot", "cogs")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
async def settle_talking_order(emu: Emulator, hearth: Hearth) -> AsyncIterator[None]:
    """After each test, let talking-order edits finish before Hearth stops."""
    yield
    await settled(emu, hearth)


async def open_circle(
    emu: Emulator, c: Community, hearth: Hearth, clock: FakeClock, **changes: object
) -> tuple[object, int]:
    """Create a circle, let everyone accept the agreement, and open its first meeting."""
    emu.set_role_permissions(c.guild.id, c.guild.bot_role.id, BOT_PERMISSIONS | CONNECT)
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id, **changes)
    circle = await the_circle(hearth, c)
    for member in (c.alice, c.bob):
        await hearth.services.agreement.accept(c.guild.id, member.id, 1)
    clock.advance(FIRST - clock.now() - timedelta(minutes=10))
    h = await emu.slash(c.moderator.id, "circle open", guild_id=c.guild.id, circle=circle)
    await h.response()
    assert "is open" in (await h.original())["content"]
    return voice, circle


def queue_message(emu: Emulator, voice_id: int) -> dict:
    """Return the one talking-order message in the voice channel's chat."""
    [message] = [
        m for m in emu.channel_messages(voice_id) if "Talking order" in (m.get("content") or "")
    ]
    return message


async def settled(emu: Emulator, hearth: Hearth) -> None:
    """Wait until no edit of a talking-order message is under way."""
    cog = hearth.bot.get_cog("CirclesCog")
    await emu.wait_until(lambda: cog.board.settled(), 5, "the talking order to settle")


async def slash(emu: Emulator, who: int, command: str, c: Community, **options: object) -> dict:
    """Run a slash command and return the bot's final private answer."""
    h = await emu.slash(who, command, guild_id=c.guild.id, **options)
    first = await h.response()
    if first["type"] == 5:
        return await h.original()
    return first["data"]


async def test_the_talking_order_is_one_message_that_follows_hands_and_next(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Hands go up and down in one edited message in the voice chat; next passes; close clears."""
    c = configured
    voice, circle = await open_circle(emu, c, hearth, clock)
    board = queue_message(emu, voice.id)
    assert board["allowed_mentions"]["parse"] == []
    assert labels(board) == ["Raise my hand", "Lower my hand", "Write instead"]

    up = await slash(emu, c.alice.id, "circle hand", c, channel_id=voice.id)
    assert up["flags"] & EPHEMERAL and "number 1" in up["content"]
    click = await emu.click(c.bob.id, board, label="Raise my hand")
    assert "number 2" in (await click.original())["content"]
    await emu.wait_until(
        lambda: f"1. <@{c.alice.id}>\n2. <@{c.bob.id}>" in queue_message(emu, voice.id)["content"],
        5,
        "both hands in the talking order",
    )
    down = await slash(emu, c.alice.id, "circle hand", c, channel_id=voice.id)
    assert "hand is down" in down["content"]
    await emu.wait_until(
        lambda: (
            f"1. <@{c.bob.id}>" in queue_message(emu, voice.id)["content"]
            and f"<@{c.alice.id}>" not in queue_message(emu, voice.id)["content"]
        ),
        5,
        "alice's hand to go down",
    )
    refused = await slash(emu, c.alice.id, "circle next", c, channel_id=voice.id)
    assert "for facilitators" in refused["content"]
    passed = await slash(emu, c.moderator.id, "circle next", c, channel_id=voice.id)
    assert passed["flags"] & EPHEMERAL and f"Passing to **<@{c.bob.id}>**" in passed["content"]
    await emu.wait_until(
        lambda: f"Speaking now: <@{c.bob.id}>" in queue_message(emu, voice.id)["content"],
        5,
        "bob to be speaking",
    )
    assert len([m for m in emu.channel_messages(voice.id) if "Talking order" in m["content"]]) == 1
    for message in [queue_message(emu, voice.id)]:
        assert message["allowed_mentions"]["parse"] == [] and message["mentions"] == []

    await slash(emu, c.bob.id, "circle hand", c, channel_id=voice.id)
    clock.advance(hours=2)
    closed = await slash(emu, c.moderator.id, "circle close", c, circle=circle)
    assert "closed again" in closed["content"]
    board = queue_message(emu, voice.id)
    assert "has closed" in board["content"] and not board.get("components")
    order = await hearth.services.circles.room.meeting_order(c.guild.id, circle, 0)
    assert order.waiting == () and order.speaker_id is None and not order.is_open
    late = await slash(emu, c.alice.id, "circle hand", c, channel_id=voice.id)
    assert "No circle is open" in late["content"]


async def test_quick_hands_keep_one_consistent_order(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Many hands raised at once each get a distinct place; the message ends in the stored order."""
    c = configured
    voice, circle = await open_circle(emu, c, hearth, clock)
    members = [emu.add_member(c.guild.id, emu.create_user(f"h{i}").id) for i in range(8)]
    for member in members:
        await hearth.services.agreement.accept(c.guild.id, member.id, 1)
    handles = await asyncio.gather(
        *(emu.slash(m.id, "circle hand", guild_id=c.guild.id, channel_id=voice.id) for m in members)
    )
    answers = [(await h.original())["content"] for h in handles]
    places = sorted(int(a.split("number ")[1].split(",")[0]) for a in answers)
    assert places == list(range(1, 9))
    order = await hearth.services.circles.room.meeting_order(c.guild.id, circle, 0)
    expected = "\n".join(f"{n}. <@{uid}>" for n, uid in enumerate(order.waiting, 1))
    await settled(emu, hearth)
    assert expected in queue_message(emu, voice.id)["content"]
    edits = f"/channels/{voice.id}/messages/{queue_message(emu, voice.id)['id']}"
    assert 1 <= sum(r.method == "PATCH" and r.path.endswith(edits) for r in emu.requests) <= 8


async def test_written_notes_reach_the_facilitator_privately_named_or_not(
    emu: Emulator,
    configured: Community,
    hearth: Hearth,
    clock: FakeClock,
    all_logs: AllRecords,
) -> None:
    """A note is stored, acknowledged privately and read by the facilitator; anonymous ones are nameless."""
    c = configured
    voice, _circle = await open_circle(emu, c, hearth, clock)
    first_request = len(emu.requests)
    all_logs.lines.clear()
    board = queue_message(emu, voice.id)

    opened = await emu.click(c.alice.id, board, label="Write instead")
    assert (await opened.response())["type"] == 9
    sent = await emu.submit_modal(
        c.alice.id, opened, values={"words": "I find Sundays the hardest."}
    )
    await sent.response()
    receipt = await sent.original()
    assert receipt["flags"] & EPHEMERAL
    assert (
        "reached the facilitators" in receipt["content"]
        and "without your name" in receipt["content"]
    )

    opened = await emu.click(c.bob.id, board, label="Write instead")
    await opened.response()
    sent = await emu.submit_modal(
        c.bob.id, opened, values={"words": "Thank you all for tonight.", "who": ["named"]}
    )
    await sent.response()
    assert "with your name" in (await sent.original())["content"]
    await emu.wait_until(
        lambda: "2 written notes waiting" in queue_message(emu, voice.id)["content"],
        5,
        "the notes count",
    )

    passed = await slash(emu, c.moderator.id, "circle next", c, channel_id=voice.id)
    assert "2 written notes waiting" in passed["content"]
    refused = await slash(emu, c.alice.id, "circle note", c, channel_id=voice.id)
    assert "for facilitators" in refused["content"]
    first = await slash(emu, c.moderator.id, "circle note", c, channel_id=voice.id)
    assert first["flags"] & EPHEMERAL
    assert "**Anonymous**" in first["content"] and "Sundays the hardest" in first["content"]
    assert "1 more waiting" in first["content"]
    second = await slash(emu, c.moderator.id, "circle note", c, channel_id=voice.id)
    assert f"From <@{c.bob.id}>" in second["content"] and "Thank you all" in second["content"]
    assert second["allowed_mentions"]["parse"] == []
    none_left = await slash(emu, c.moderator.id, "circle note", c, channel_id=voice.id)
    assert "No written notes" in none_left["content"]

    # Anonymous: no note row, log line or payload the bot sent holds alice's id or name.
    alice, name = c.alice.id, emu.world.users[c.alice.id].username
    path = database_path(hearth)
    if path is not None:
        connection = sqlite3.connect(path)
        try:
            rows = list(connection.execute("SELECT * FROM circle_notes"))
        finally:
            connection.close()
        anonymous = [r for r in rows if "Sundays" in str(r)]
        assert anonymous and all(str(alice) not in str(r) and name not in str(r) for r in rows)
    logs = "\n".join(all_logs.lines)
    assert str(alice) not in logs and "Sundays" not in logs
    payloads = recorded_payloads(emu, since=first_request)
    assert str(alice) not in payloads and name not in payloads
    assert "Sundays the hardest" in payloads  # it did go out, to the facilitator


async def test_unread_notes_go_to_the_closing_facilitator_and_late_ones_come_back(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Closing hands unread notes to the facilitator; a note sent after close is handed back."""
    c = configured
    voice, circle = await open_circle(emu, c, hearth, clock)
    board = queue_message(emu, voice.id)
    opened = await emu.click(c.alice.id, board, label="Write instead")
    await opened.response()
    await (await emu.submit_modal(c.alice.id, opened, values={"words": "Still here."})).original()
    late_form = await emu.click(c.bob.id, board, label="Write instead")
    await late_form.response()

    clock.advance(hours=2)
    h = await emu.slash(c.moderator.id, "circle close", guild_id=c.guild.id, circle=circle)
    await h.response()
    handed = await h.followup(1)
    assert handed["flags"] & EPHEMERAL and "Still here." in handed["content"]

    sent = await emu.submit_modal(c.bob.id, late_form, values={"words": "Too late, sorry."})
    await sent.response()
    answer = (await sent.original())["content"]
    assert "No circle is open" in answer and "Too late, sorry." in answer
    path = database_path(hearth)
    if path is not None:
        connection = sqlite3.connect(path)
        try:
            assert list(connection.execute("SELECT * FROM circle_notes")) == []
        finally:
            connection.close()


def closing_message(emu: Emulator, c: Community) -> dict:
    """Return the closing message in the circles channel."""
    return next(
        m
        for m in reversed(emu.channel_messages(c.circles.id))
        if m.get("embeds") and "has closed" in m["embeds"][0]["title"]
    )


async def give_feedback(
    emu: Emulator, who: int, closing: dict, rating: int, words: str | None = None
) -> str:
    """Press the feedback button, fill in the form and return the private answer."""
    opened = await emu.click(who, closing, label="Share feedback (anonymous)")
    first = await opened.response()
    if first["type"] != 9:
        return first["data"]["content"]
    values: dict[str, object] = {"rating": [str(rating)]}
    if words:
        values["words"] = words
    sent = await emu.submit_modal(who, opened, values=values)
    await sent.response()
    return (await sent.original())["content"]


async def test_feedback_is_shown_only_in_aggregate_from_k_answers(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Below k a facilitator hears how many more are needed; from k, after it closes, only totals."""
    c = configured
    changed = await slash(emu, c.moderator.id, "circle settings", c, feedback_min=3)
    assert "from **3** answers" in changed["content"]
    refused = await slash(emu, c.alice.id, "circle settings", c, feedback_min=2)
    assert "for moderators" in refused["content"]
    _voice, circle = await open_circle(emu, c, hearth, clock)
    clock.advance(hours=2)
    await slash(emu, c.moderator.id, "circle close", c, circle=circle)
    closing = closing_message(emu, c)
    assert "anonymously" in closing["embeds"][0]["description"]
    carol = emu.add_member(c.guild.id, emu.create_user("carol").id)

    thanks = await give_feedback(emu, c.alice.id, closing, 5, "It helped to be heard.")
    assert "Your answer is anonymous" in thanks
    again = await give_feedback(emu, c.alice.id, closing, 1)
    assert "already shared feedback" in again
    await give_feedback(emu, c.bob.id, closing, 4)
    early = await slash(emu, c.moderator.id, "circle feedback", c, circle=circle)
    assert early["flags"] & EPHEMERAL
    assert "2 answered so far" in early["content"] and "1 more needed" in early["content"]
    assert "average" not in early["content"]
    await give_feedback(emu, carol.id, closing, 3, "A bit rushed at the end.")
    waiting = await slash(emu, c.moderator.id, "circle feedback", c, circle=circle)
    assert "3 answered" in waiting["content"] and "once feedback closes" in waiting["content"]
    member = await slash(emu, c.alice.id, "circle feedback", c, circle=circle)
    assert "for facilitators" in member["content"]

    clock.advance(hours=25)
    late = await give_feedback(emu, c.moderator.id, closing, 5)
    assert "has closed" in late
    results = await slash(emu, c.moderator.id, "circle feedback", c, circle=circle)
    text = results["content"]
    assert "3 answers · average **4.0** / 5" in text
    assert "It helped to be heard." in text and "A bit rushed at the end." in text
    for member_id in (c.alice.id, c.bob.id, carol.id):
        assert str(member_id) not in text
    assert results["allowed_mentions"]["parse"] == []

    await hearth.scheduler.run_now("circles.announce")  # erases who answered, now it's closed
    path = database_path(hearth)
    if path is not None:
        connection = sqlite3.connect(path)
        try:
            assert list(connection.execute("SELECT * FROM circle_feedback_voters")) == []
            [row] = list(connection.execute("SELECT * FROM circle_feedback"))
        finally:
            connection.close()
        assert all(str(m) not in str(row) for m in (c.alice.id, c.bob.id, carol.id))


async def test_a_yes_only_room_opens_to_each_yes_and_not_the_member_role(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """With "only those who said yes", open gives each yes a member overwrite; close takes it
    back, and the member role's too (the room had none)."""
    c = configured
    emu.set_role_permissions(c.guild.id, c.guild.bot_role.id, BOT_PERMISSIONS | CONNECT)
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id, yes_only=True)
    post = await emu.wait_for_message(c.circles.id)
    circle = await the_circle(hearth, c)
    await hearth.services.agreement.accept(c.guild.id, c.alice.id, 1)
    await (await emu.click(c.alice.id, post, label="I'll be there")).original()
    clock.advance(FIRST - clock.now() - timedelta(minutes=10))
    opened = await slash(emu, c.moderator.id, "circle open", c, circle=circle)
    assert "open to those who said yes" in opened["content"]

    def overwrite(target: int) -> dict | None:
        channel = emu.world.channels[voice.id]
        return next((o for o in channel.permission_overwrites if o["id"] == str(target)), None)

    role = overwrite(c.member_role.id)
    assert role is not None and int(role["deny"]) & CONNECT and int(role["allow"]) & VIEW_CHANNEL
    alice = overwrite(c.alice.id)
    assert alice is not None and int(alice["type"]) == 1 and int(alice["allow"]) & CONNECT
    assert overwrite(c.bob.id) is None
    await hearth.services.agreement.accept(c.guild.id, c.bob.id, 1)
    not_yet = await slash(emu, c.bob.id, "circle hand", c, channel_id=voice.id)
    assert "open to those who said yes" in not_yet["content"]
    await (await emu.click(c.bob.id, post, label="I'll be there")).original()
    await emu.wait_until(lambda: overwrite(c.bob.id) is not None, 5, "bob, a late yes, let in")
    assert int(overwrite(c.bob.id)["allow"]) & CONNECT

    clock.advance(hours=2)
    await slash(emu, c.moderator.id, "circle close", c, circle=circle)
    assert overwrite(c.alice.id) is None and overwrite(c.bob.id) is None
    assert overwrite(c.member_role.id) is None  # there was none before it opened


async def test_turning_events_off_removes_the_mirrored_ones_and_on_brings_them_back(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """/circle settings events:False deletes the coming meetings' events; new ones get none."""
    c = configured
    voice = emu.create_channel(c.guild.id, "Circle room", type=VOICE)
    await create_circle(emu, c, voice.id)
    assert len(emu.world.scheduled_events) == 1
    off = await slash(emu, c.moderator.id, "circle settings", c, events=False)
    assert "events **off**" in off["content"] and "Removed 1" in off["content"]
    assert emu.world.scheduled_events == {}
    await create_circle(emu, c, voice.id, title="Another circle")
    assert emu.world.scheduled_events == {}
    on = await slash(emu, c.moderator.id, "circle settings", c, events=True)
    assert "events **on**" in on["content"] and "Added 2" in on["content"]
    assert len(emu.world.scheduled_events) == 2


async def test_the_talking_order_falls_back_to_the_circles_channel(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """If Hearth can't post in the voice channel's chat, the talking order goes to #circles."""
    c = configured
    emu.set_role_permissions(c.guild.id, c.guild.bot_role.id, BOT_PERMISSIONS | CONNECT)
    voice = emu.create_channel(
        c.guild.id,
        "Circle room",
        type=VOICE,
        overwrites=[
            {"id": c.guild.bot_role.id, "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}
        ],
    )
    await create_circle(emu, c, voice.id)
    circle = await the_circle(hearth, c)
    await hearth.services.agreement.accept(c.guild.id, c.alice.id, 1)
    clock.advance(FIRST - clock.now() - timedelta(minutes=10))
    await slash(emu, c.moderator.id, "circle open", c, circle=circle)
    assert emu.channel_messages(voice.id) == []
    board = queue_message(emu, c.circles.id)
    await slash(emu, c.alice.id, "circle hand", c)
    await settled(emu, hearth)
    assert f"1. <@{c.alice.id}>" in queue_message(emu, c.circles.id)["content"]
    assert queue_message(emu, c.circles.id)["id"] == board["id"]

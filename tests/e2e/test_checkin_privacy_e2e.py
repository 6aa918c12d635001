"""The four privacy promises of anonymous check-ins, each shown end to end."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator

import pytest

from bot.app import Hearth
from bot.clock import FakeClock
from bot.domain.pseudonyms import author_token
from bot.errors import NotAllowed
from emulator import Emulator
from tests.e2e.checkin_helpers import (
    EPHEMERAL,
    AllRecords,
    checkin_rows,
    database_path,
    file_bytes,
    labels,
    make_ready,
    posts,
    recorded_payloads,
    row_mentions,
    set_checkins,
    share,
)
from tests.e2e.conftest import Community

DELIVER, TIDY = "checkins.deliver", "checkins.tidy"


@pytest.fixture
def all_logs() -> Iterator[AllRecords]:
    """Capture Hearth's log lines at every level (and the libraries' at INFO and above)."""
    handler = AllRecords()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("bot", "cogs", "")}
    root.addHandler(handler)
    logging.getLogger("bot").setLevel(logging.DEBUG)
    logging.getLogger("cogs").setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _name(emu: Emulator, user_id: int) -> str:
    return emu.world.users[user_id].username


def _sqlite(hearth: Hearth) -> sqlite3.Connection:
    path = database_path(hearth)
    if path is None:
        pytest.skip("reads the SQLite file directly")
    return sqlite3.connect(path)


async def _moderation_card(emu: Emulator, c: Community, moderator: int, post: dict) -> object:
    h = await emu.message_command(moderator, "Report check-in", target=post)
    await h.response()
    return h


async def test_no_row_log_line_or_payload_holds_the_author(
    emu: Emulator, configured: Community, hearth: Hearth, all_logs: AllRecords
) -> None:
    """Promise 1: no check-in row, log line or posted payload contains the author's id or name."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    alice, name = c.alice.id, _name(emu, c.alice.id)
    all_logs.lines.clear()
    first_request = len(emu.requests)

    await share(emu, c, alice, mood=2, note="A heavy week, honestly.")
    await share(emu, c, c.bob.id, mood=4)
    await hearth.scheduler.run_now(DELIVER)  # waits for the delivery already under way
    [alice_post, _bob_post] = posts(emu, c.checkins.id)
    card = await _moderation_card(emu, c, c.moderator.id, alice_post)
    assert labels(card.message) == ["Remove check-in", "Pause author"]  # no reveal: it's off
    await (await emu.slash(alice, "checkin summary", guild_id=c.guild.id)).response()

    path = database_path(hearth)
    if path is not None:
        for table, row in checkin_rows(path):
            assert not row_mentions(row, alice, name), f"{table} row mentions the author: {row}"
        raw = file_bytes(path)
        assert str(alice).encode() not in raw and name.encode() not in raw
        assert b"A heavy week" in raw  # the note itself is there (until retention), nameless
    logs = "\n".join(all_logs.lines)
    assert str(alice) not in logs and name not in logs
    assert "heavy week" not in logs  # nor what they wrote
    payloads = recorded_payloads(emu, since=first_request)
    assert str(alice) not in payloads and name not in payloads
    assert "A heavy week" in payloads  # the post itself was among them


async def test_limits_and_pauses_work_without_anyone_learning_who_posted(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Promise 2: a moderator pauses an author by their post alone; nobody learns who it was."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0)
    alice, name = c.alice.id, _name(emu, c.alice.id)
    await share(emu, c, alice, note="something the moderators don't like")
    await hearth.scheduler.run_now(DELIVER)  # waits for the delivery already under way
    first_request = len(emu.requests)

    card = await _moderation_card(emu, c, c.moderator.id, posts(emu, c.checkins.id)[0])
    assert card.ephemeral and labels(card.message) == ["Remove check-in", "Pause author"]
    opened = await emu.click(c.moderator.id, card.message, label="Pause author")
    form = await opened.response()
    assert form["type"] == 9
    paused = await emu.submit_modal(
        c.moderator.id, opened, values={"days": "2", "reason": "Please keep it kind."}
    )
    reply = (await paused.response())["data"]["content"]
    assert "Paused the author" in reply and "nobody learned who they are" in reply
    assert "paused the author of check-in" in emu.channel_messages(c.modlog.id)[-1]["content"]
    moderator_saw = recorded_payloads(emu, since=first_request)
    assert str(alice) not in moderator_saw and name not in moderator_saw

    told = await emu.slash(alice, "checkin summary", guild_id=c.guild.id)
    await told.response()
    notice = await told.followup(0)
    assert notice["flags"] & EPHEMERAL and "paused check-ins from you" in notice["content"]
    assert "Please keep it kind." in notice["content"]
    refused = await emu.slash(alice, "checkin share", guild_id=c.guild.id)
    body = await refused.response()
    assert body["type"] == 4 and "paused check-ins from you" in body["data"]["content"]
    assert (await share(emu, c, c.bob.id)).ephemeral  # someone else is not paused

    path = database_path(hearth)
    if path is not None:
        for table, row in checkin_rows(path):
            assert not row_mentions(row, alice, name), f"{table} row mentions the author: {row}"


async def test_after_window_and_grace_nothing_can_link_a_check_in_to_its_author(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Promise 3: once window + grace pass, the key and everything made with it are gone."""
    c = await make_ready(emu, configured)
    await set_checkins(emu, c, delay_minutes=0, reveal=True)
    await share(emu, c, c.alice.id, note="linkable for now")
    await hearth.scheduler.run_now(DELIVER)  # waits for the delivery already under way
    db = _sqlite(hearth)
    [(key,)] = db.execute("SELECT secret FROM checkin_windows").fetchall()
    [(token, sealed)] = db.execute("SELECT author_token, reveal_sealed FROM checkins").fetchall()
    db.close()
    path = database_path(hearth)
    assert path is not None
    raw = file_bytes(path)
    assert key in raw and token in raw and sealed in raw  # the scan would see them
    assert author_token(key, c.guild.id, c.alice.id) == token  # linkable during the window

    clock.advance(days=14, hours=12)  # the week ends on the 12th; the grace period on the 19th
    await hearth.scheduler.run_now(TIDY)

    raw = file_bytes(path)
    for secret in (key, token, sealed):
        assert secret not in raw
    assert path.with_name(path.name + "-wal").stat().st_size == 0
    db = _sqlite(hearth)
    assert db.execute("SELECT count(*) FROM checkin_windows").fetchone() == (0,)
    assert db.execute(
        "SELECT author_token, sealed_author, reveal_sealed, window_id FROM checkins"
    ).fetchall() == [(None, None, None, None)]
    db.close()
    card = await _moderation_card(emu, c, c.moderator.id, posts(emu, c.checkins.id)[0])
    assert "Ask to reveal" not in labels(card.message)
    opened = await emu.click(c.moderator.id, card.message, label="Pause author")
    await opened.response()
    paused = await emu.submit_modal(c.moderator.id, opened, values={"days": "1", "reason": ""})
    assert "nothing links it to its author" in (await paused.response())["data"]["content"]


async def test_reveal_is_off_by_default_and_the_author_was_told(
    emu: Emulator, configured: Community, hearth: Hearth
) -> None:
    """Promise 4a: by default the form and receipt say nobody can find out; no reveal exists."""
    c = await make_ready(emu, configured)
    opened = await emu.slash(c.alice.id, "checkin share", guild_id=c.guild.id)
    form = (await opened.response())["data"]
    texts = [item.get("content", "") for item in form["components"] if item["type"] == 10]
    assert any("Reveal is off here" in t for t in texts)
    submitted = await emu.submit_modal(c.alice.id, opened, values={"mood": ["3"]})
    fields = [f["name"] for f in (await submitted.original())["embeds"][0]["fields"]]
    assert "Reveal: off" in fields
    [row] = await _checkin_ids(hearth)
    with pytest.raises(NotAllowed, match="didn't allow reveals"):
        await hearth.services.checkin_moderation.request_reveal(
            c.guild.id, row, c.moderator.id, "please"
        )


async def test_reveal_when_on_needs_two_moderators_is_logged_and_the_author_is_told(
    emu: Emulator, configured: Community, hearth: Hearth, clock: FakeClock
) -> None:
    """Promise 4b: with reveal on, two different moderators, in the grace period, logged, told."""
    c = await make_ready(emu, configured)
    second = emu.add_member(c.guild.id, emu.create_user("jo").id, roles=[c.mods_role.id])
    await set_checkins(emu, c, delay_minutes=0, reveal=True)
    submitted = await share(emu, c, c.alice.id, note="please don't worry")
    assert "Reveal: on in this server" in [
        f["name"] for f in submitted.message["embeds"][0]["fields"]
    ]
    await hearth.scheduler.run_now(DELIVER)  # waits for the delivery already under way
    post = posts(emu, c.checkins.id)[0]

    card = await _moderation_card(emu, c, c.moderator.id, post)
    asked = await emu.click(c.moderator.id, card.message, label="Ask to reveal")
    await asked.response()
    request = await emu.submit_modal(
        c.moderator.id, asked, values={"reason": "Worried for their safety tonight."}
    )
    assert "waiting for a second moderator" in (await request.response())["data"]["content"]
    pending = emu.channel_messages(c.alerts.id)[-1]
    assert labels(pending) == ["Approve reveal", "Decline"]

    same = await emu.click(c.moderator.id, pending, label="Approve reveal")
    assert "second moderator" in (await same.response())["data"]["content"]
    approved = await emu.click(second.id, pending, label="Approve reveal")
    await approved.response()
    told_jo = await approved.followup(0)
    assert told_jo["flags"] & EPHEMERAL and f"<@{c.alice.id}>" in told_jo["content"]
    assert "Reveal approved" in emu.channel_messages(c.alerts.id)[-1]["embeds"][0]["title"]
    assert str(c.alice.id) not in str(emu.channel_messages(c.alerts.id)[-1])
    log_lines = [m["content"] for m in emu.channel_messages(c.modlog.id)]
    assert any("approved revealing who wrote check-in" in line for line in log_lines)
    assert not any(str(c.alice.id) in line for line in log_lines)  # the log never names them
    to_author = await emu.wait_for_dm(c.alice.id)
    assert (
        "two moderators" in to_author["content"]
        and "Worried for their safety" in to_author["content"]
    )
    to_requester = await emu.wait_for_dm(c.moderator.id)
    assert f"<@{c.alice.id}>" in to_requester["content"]

    clock.advance(days=15)  # past the grace period: no reveal is possible any more
    await hearth.scheduler.run_now(TIDY)
    [row] = await _checkin_ids(hearth)
    with pytest.raises(NotAllowed, match="nothing can link"):
        await hearth.services.checkin_moderation.request_reveal(
            c.guild.id, row, c.moderator.id, "again please"
        )


async def _checkin_ids(hearth: Hearth) -> list[int]:
    db = _sqlite(hearth)
    try:
        return [row for (row,) in db.execute("SELECT id FROM checkins ORDER BY id")]
    finally:
        db.close()

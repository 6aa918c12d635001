"""The usual check-in: one statement, prepared while the form is open, exactly as checked.

A check-in from a member who already has a name in the current window is stored by one
INSERT ... SELECT (at once, in a short transaction of its own on SQLite). These tests show it
stores what the full path stores, and that it refuses to insert whenever something it relies
on changed, so the full path decides (and explains) instead.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.db.models import Checkin, CheckinHistory, CheckinWindow
from bot.errors import NotAllowed, NotConfigured, RateLimited
from bot.services import Services
from bot.services.checkin_keys import open_author
from bot.services.checkins import SEAL_PENDING, SEAL_REVEAL, CheckinService

GUILD, CHANNEL, MOD = 10, 20, 30
ALICE, BOB = 41, 42


@pytest.fixture
async def ready(services: Services) -> Services:
    """A server with a check-in channel and two members who accepted the agreement."""
    await services.settings.update(GUILD, MOD, "", checkin_channel_id=CHANNEL)
    await services.agreement.save(GUILD, MOD, "Agreement", "Be kind.", "minor")
    for user in (ALICE, BOB):
        await services.agreement.accept(GUILD, user, 1)
    services.checkins.rng = random.Random(1)
    return services


class Paths:
    """Counts the submits that needed the full path (reading everything first)."""

    def __init__(self, service: CheckinService, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = 0
        real = service._store

        async def counting(*args: Any) -> Any:
            self.full += 1
            return await real(*args)

        monkeypatch.setattr(service, "_store", counting)


async def _rows(services: Services) -> list[Checkin]:
    async with services.checkins._sessions() as session:
        return list(await session.scalars(select(Checkin).order_by(Checkin.id)))


async def _window(services: Services, window_id: int) -> CheckinWindow:
    async with services.checkins._sessions() as session:
        window = await session.get(CheckinWindow, window_id)
        assert window is not None
        return window


async def test_the_usual_check_in_skips_the_full_path_and_stores_the_same_row(
    ready: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Second check-in: one statement; the row is what the full path would have written."""
    paths = Paths(ready.checkins, monkeypatch)
    first = await ready.checkins.submit(GUILD, ALICE, 2, "first")
    assert paths.full == 1  # nothing was known yet
    second = await ready.checkins.submit(GUILD, ALICE, 4, "second")
    assert paths.full == 1  # the usual way
    assert second.pseudonym == first.pseudonym and second.channel_id == CHANNEL
    assert not second.history_kept and not second.reveal_enabled

    one, two = await _rows(ready)
    assert (two.mood, two.note, two.status) == (4, "second", "pending")
    assert two.window_id == one.window_id and two.author_token == one.author_token
    assert two.created_at == ready.clock.now() and two.due_at >= two.created_at
    assert two.next_attempt_at == two.due_at and two.attempts == 0 and two.report_count == 0
    assert two.reveal_sealed is None and not two.alert_moderators and two.ref != one.ref
    window = await _window(ready, two.window_id)
    assert two.sealed_author is not None
    assert open_author(window.secret, SEAL_PENDING, GUILD, window.id, two.sealed_author) == ALICE

    if ready.checkins._sessions.kw["bind"].dialect.name == "sqlite":
        # Stored in the very same form as every other row (text dates, 0/1 booleans).
        async with ready.checkins._sessions() as session:
            raw = (
                await session.execute(
                    text("SELECT created_at, due_at, next_attempt_at, alert_moderators FROM checkins")
                )
            ).all()
        stamp = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
        for row in raw:
            assert all(stamp.match(value) for value in row[:3]), row
            assert row[3] == 0


async def test_a_first_check_in_in_the_window_gets_a_name_the_usual_way(
    ready: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the window is known, another member's first check-in is stored with their name."""
    paths = Paths(ready.checkins, monkeypatch)
    alice = await ready.checkins.submit(GUILD, ALICE, 3, None)
    bob = await ready.checkins.submit(GUILD, BOB, 3, None)
    bob_again = await ready.checkins.submit(GUILD, BOB, 5, None)
    assert paths.full == 1
    assert bob.pseudonym == bob_again.pseudonym != alice.pseudonym


async def test_history_is_kept_in_the_same_transaction(
    ready: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member who keeps a history gets their day recorded by the usual way too."""
    await ready.checkins.set_keep_history(GUILD, ALICE, True)
    paths = Paths(ready.checkins, monkeypatch)
    await ready.checkins.submit(GUILD, ALICE, 2, None)
    receipt = await ready.checkins.submit(GUILD, ALICE, 5, None)
    assert paths.full == 1 and receipt.history_kept
    async with ready.checkins._sessions() as session:
        moods = list(await session.scalars(select(CheckinHistory.mood).order_by(CheckinHistory.id)))
    assert moods == [2, 5]


async def test_a_pause_and_the_limit_are_checked_by_the_statement_itself(
    ready: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing held in memory knows of the pause or the count: the database does."""
    first = await ready.checkins.submit(GUILD, ALICE, 3, None)
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    with pytest.raises(RateLimited):  # the fourth in 24 hours
        await ready.checkins.submit(GUILD, ALICE, 3, None)
    await ready.checkins.submit(GUILD, BOB, 3, None)
    bob = await ready.checkins.submit(GUILD, BOB, 3, None)
    await ready.checkins.pause(GUILD, bob.checkin_id, MOD, 2, "a breather")
    with pytest.raises(NotAllowed, match="paused"):
        await ready.checkins.submit(GUILD, BOB, 3, None)
    assert len(await _rows(ready)) == 5
    assert first.pseudonym != bob.pseudonym


@pytest.mark.parametrize("change", ["reveal", "limit", "channel"])
async def test_settings_changed_by_another_process_are_not_missed(
    ready: Services, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """Settings held here but changed elsewhere make the statement insert nothing: re-read."""
    here = ready.checkins
    await here.submit(GUILD, ALICE, 3, None)  # here now holds the settings
    elsewhere = CheckinService(here._sessions, here._clock, here._audit, here._agreement)
    try:
        paths = Paths(here, monkeypatch)
        if change == "reveal":
            await elsewhere.update_settings(GUILD, MOD, reveal_enabled=True)
            receipt = await here.submit(GUILD, ALICE, 4, None)
            assert receipt.reveal_enabled
            row = (await _rows(ready))[-1]
            window = await _window(ready, row.window_id or 0)
            assert row.reveal_sealed is not None
            sealed = row.reveal_sealed
            assert open_author(window.secret, SEAL_REVEAL, GUILD, window.id, sealed) == ALICE
        elif change == "limit":
            await elsewhere.update_settings(GUILD, MOD, daily_limit=1)
            with pytest.raises(RateLimited, match="1 check-ins"):
                await here.submit(GUILD, ALICE, 4, None)
        else:
            await ready.settings.update(GUILD, MOD, "", checkin_channel_id=None)
            with pytest.raises(NotConfigured):
                await here.submit(GUILD, ALICE, 4, None)
        assert paths.full == 1  # the full path read everything again
    finally:
        await elsewhere.close()


async def test_the_form_ticket_is_used_only_while_it_still_fits(ready: Services) -> None:
    """What the open form prepared is used; after a window change or new settings, it is not."""
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    opening = await ready.checkins.open(GUILD, ALICE)
    assert opening.ticket is not None and "secret" not in repr(opening)
    receipt = await ready.checkins.submit(GUILD, ALICE, 3, None, opening.ticket)
    assert receipt.ref == opening.ticket.ref  # prepared while the member wrote
    assert receipt.due_at - ready.clock.now() == opening.ticket.delay

    stale = await ready.checkins.open(GUILD, BOB)
    assert stale.ticket is not None
    await ready.checkins.update_settings(GUILD, MOD, max_delay_seconds=0)
    later = await ready.checkins.submit(GUILD, BOB, 3, None, stale.ticket)
    assert later.ref != stale.ticket.ref and later.due_at == ready.clock.now()

    old = await ready.checkins.open(GUILD, BOB)
    ready.clock.advance(days=8)  # the window the ticket was made in has ended
    moved = await ready.checkins.submit(GUILD, BOB, 3, None, old.ticket)
    assert old.ticket is not None and moved.ref != old.ticket.ref
    rows = await _rows(ready)
    assert rows[-1].window_id != rows[-2].window_id


async def test_a_ticket_is_never_used_for_someone_else(ready: Services) -> None:
    """A ticket names the member it was made for; anyone else's submit ignores it."""
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    opening = await ready.checkins.open(GUILD, ALICE)
    assert opening.ticket is not None
    receipt = await ready.checkins.submit(GUILD, BOB, 3, None, opening.ticket)
    [*_, row] = await _rows(ready)
    window = await _window(ready, row.window_id or 0)
    assert receipt.ref != opening.ticket.ref
    assert open_author(window.secret, SEAL_PENDING, GUILD, window.id, row.sealed_author) == BOB

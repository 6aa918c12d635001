"""Check-in services on a migrated database: windows, limits, pauses, reveal, forgetting."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot.clock import FakeClock
from bot.db.models import Checkin, CheckinHistory, CheckinWindow
from bot.errors import InvalidInput, NotAllowed, RateLimited
from bot.services import Services
from bot.services.checkins import CheckinService, CheckinStoreError, Posted
from bot.services.checkins import _store as checkins_store
from bot.services.data_rights import ExportChoice

GUILD, CHANNEL, MOD, MOD2 = 10, 20, 30, 31
ALICE, BOB, CAROL = 41, 42, 43


@pytest.fixture
async def ready(services: Services) -> Services:
    """A server with a check-in channel, an agreement, and two members who accepted it."""
    await services.settings.update(GUILD, MOD, "", checkin_channel_id=CHANNEL)
    await services.agreement.save(GUILD, MOD, "Agreement", "Be kind.", "minor")
    for user in (ALICE, BOB, CAROL):
        await services.agreement.accept(GUILD, user, 1)
    services.checkins.rng = random.Random(1)
    return services


async def _rows(services: Services) -> list[Checkin]:
    async with services.checkins._sessions() as session:  # read-only peek for the test
        return list(await session.scalars(select(Checkin).order_by(Checkin.id)))


async def test_members_never_share_a_pseudonym_within_a_window(
    ready: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If two tokens derive the same name, the second member gets the next alternative."""
    real = checkins_store.pseudonym
    monkeypatch.setattr(
        checkins_store, "pseudonym", lambda token, n=0: "Quiet Heron" if n == 0 else real(token, n)
    )
    first = await ready.checkins.submit(GUILD, ALICE, 3, None)
    second = await ready.checkins.submit(GUILD, BOB, 3, None)
    again = await ready.checkins.submit(GUILD, ALICE, 4, None)
    assert first.pseudonym == again.pseudonym == "Quiet Heron"
    assert second.pseudonym != "Quiet Heron"


async def test_rate_limit_follows_the_member_across_a_window_change(
    ready: Services, clock: FakeClock
) -> None:
    """Check-ins just before the rotation still count just after it (the old key is alive)."""
    clock.set(clock.now().replace(day=11, hour=22))  # Sunday night; the window ends at midnight
    for _ in range(3):
        await ready.checkins.submit(GUILD, ALICE, 3, None)
    clock.advance(hours=3)
    with pytest.raises(RateLimited):
        await ready.checkins.submit(GUILD, ALICE, 3, None)
    rows = await _rows(ready)
    assert len({row.window_id for row in rows}) == 1
    await ready.checkins.submit(GUILD, BOB, 3, None)
    assert len({row.window_id for row in await _rows(ready)}) == 2  # a new window began


async def test_concurrent_submits_keep_limits_and_pseudonyms_exact(ready: Services) -> None:
    """Submits that arrive together are stored one at a time: limits and names stay exact."""
    submits = [
        *(ready.checkins.submit(GUILD, ALICE, 3, f"note {n}") for n in range(5)),
        ready.checkins.submit(GUILD, BOB, 4, None),
    ]
    results = await asyncio.gather(*submits, return_exceptions=True)
    stored = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(stored) == 4 and len(refused) == 2  # Alice's daily limit is 3, exactly
    assert all(isinstance(r, RateLimited) for r in refused)
    rows = await _rows(ready)
    assert [row.id for row in rows] == sorted(r.checkin_id for r in stored)
    assert len({row.pseudonym for row in rows}) == 2  # one name each
    with pytest.raises(RateLimited):
        await ready.checkins.submit(GUILD, ALICE, 3, None)


def _elsewhere(services: Services) -> CheckinService:
    """Return a second check-in service on the same database, as another process would have."""
    mine = services.checkins
    return CheckinService(
        mine._sessions, mine._clock, mine._audit, mine._agreement, mine.crisis, rng=mine.rng
    )


async def test_names_and_windows_made_by_another_process_are_respected(
    ready: Services, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys and names held in memory never beat the database: a clash is read again."""
    monkeypatch.setattr(
        checkins_store,
        "pseudonym",
        lambda token, n=0: {0: "Quiet Heron", 1: "Calm Otter"}.get(n, f"Name {n}"),
    )
    here, elsewhere = ready.checkins, _elsewhere(ready)
    alice = await here.submit(GUILD, ALICE, 3, None)
    bob = await elsewhere.submit(GUILD, BOB, 3, None)
    carol = await here.submit(GUILD, CAROL, 3, None)  # Bob's name was taken elsewhere
    bob_again = await here.submit(GUILD, BOB, 4, None)  # Bob's name, made elsewhere, is kept
    assert (alice.pseudonym, bob.pseudonym) == ("Quiet Heron", "Calm Otter")
    assert carol.pseudonym == "Name 2" and bob_again.pseudonym == "Calm Otter"
    clock.advance(days=7)  # a new window begins; the other process makes its key first
    await elsewhere.submit(GUILD, BOB, 3, None)
    await here.submit(GUILD, ALICE, 3, None)
    rows = await _rows(ready)
    assert len({row.window_id for row in rows}) == 2
    assert rows[-1].window_id == rows[-2].window_id


async def test_a_change_made_by_another_process_counts_on_the_very_next_check_in(
    ready: Services, clock: FakeClock
) -> None:
    """Nothing is held in memory: a limit, a pause or a destroyed key elsewhere holds at once."""
    here, elsewhere = ready.checkins, _elsewhere(ready)
    first = await here.submit(GUILD, ALICE, 3, None)
    await elsewhere.update_settings(GUILD, MOD, daily_limit=1)
    with pytest.raises(RateLimited):
        await here.submit(GUILD, ALICE, 3, None)
    clock.set(first.unlinkable_at)  # window + grace over; the key is destroyed elsewhere
    await ready.checkin_queue.tidy()
    second = await here.submit(GUILD, BOB, 3, None)
    assert second.unlinkable_at > first.unlinkable_at  # a new window, with a new key


async def test_undo_only_by_the_author_and_only_while_pending(ready: Services) -> None:
    """Someone else's undo is refused; the author's erases the row and its history entry."""
    await ready.checkins.set_keep_history(GUILD, ALICE, True)
    receipt = await ready.checkins.submit(GUILD, ALICE, 2, "note")
    with pytest.raises(NotAllowed):
        await ready.checkins.undo(GUILD, receipt.checkin_id, BOB)
    await ready.checkins.undo(GUILD, receipt.checkin_id, ALICE)
    assert await _rows(ready) == []
    assert (await ready.checkins.history(GUILD, ALICE, 30)).entries == ()


async def test_a_database_error_never_carries_the_note(
    ready: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed insert raises an error without the statement parameters (which hold the note)."""

    async def broken(*args: object, **kwargs: object) -> None:
        raise IntegrityError("INSERT INTO checkins", {"note": "secret words"}, Exception("boom"))

    monkeypatch.setattr(ready.checkins, "_store", broken)
    with pytest.raises(CheckinStoreError) as caught:
        await ready.checkins.submit(GUILD, ALICE, 2, "secret words")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert "secret words" not in str(caught.value)


async def test_pause_cannot_outlive_the_key_that_recognises_the_author(
    ready: Services, clock: FakeClock
) -> None:
    """A pause ends at the latest when the window key is destroyed."""
    receipt = await ready.checkins.submit(GUILD, ALICE, 3, None)
    clock.advance(days=12)  # the key lives until the 19th
    paused = await ready.checkin_moderation.pause(GUILD, receipt.checkin_id, MOD, 7, "calm down")
    assert paused.shortened and paused.until == receipt.unlinkable_at
    with pytest.raises(NotAllowed, match="paused"):
        await ready.checkins.open(GUILD, ALICE)
    await ready.checkins.open(GUILD, BOB)
    with pytest.raises(InvalidInput):
        await ready.checkin_moderation.pause(GUILD, receipt.checkin_id, MOD, 8, "")


async def test_turning_reveal_off_erases_every_sealed_id_at_once(ready: Services) -> None:
    """Seals kept for a reveal are erased when the server turns reveal off."""
    await ready.checkins.update_settings(GUILD, MOD, reveal_enabled=True)
    receipt = await ready.checkins.submit(GUILD, ALICE, 3, None)
    request = await ready.checkin_moderation.request_reveal(
        GUILD, receipt.checkin_id, MOD, "worried sick"
    )
    await ready.checkins.update_settings(GUILD, MOD, reveal_enabled=False)
    [row] = await _rows(ready)
    assert row.reveal_sealed is None
    with pytest.raises(InvalidInput, match="expired"):
        await ready.checkin_moderation.approve_reveal(GUILD, request.id, MOD2)


async def test_reveal_opens_the_right_member(ready: Services) -> None:
    """The second moderator's approval decrypts the author's id; the first cannot approve."""
    await ready.checkins.update_settings(GUILD, MOD, reveal_enabled=True)
    receipt = await ready.checkins.submit(GUILD, BOB, 3, None)
    request = await ready.checkin_moderation.request_reveal(
        GUILD, receipt.checkin_id, MOD, "worried sick"
    )
    with pytest.raises(NotAllowed):
        await ready.checkin_moderation.approve_reveal(GUILD, request.id, MOD)
    revealed = await ready.checkin_moderation.approve_reveal(GUILD, request.id, MOD2)
    assert revealed.author_id == BOB and revealed.request.requested_by == MOD


async def test_a_shorter_grace_period_applies_to_existing_windows(
    ready: Services, clock: FakeClock
) -> None:
    """Shrinking the grace period brings key destruction forward; growing it never delays it."""
    receipt = await ready.checkins.submit(GUILD, ALICE, 3, None)
    await ready.checkins.update_settings(GUILD, MOD, grace_days=2)
    await ready.checkins.update_settings(GUILD, MOD, grace_days=30)
    async with ready.checkins._sessions() as session:
        [window] = list(await session.scalars(select(CheckinWindow)))
    assert window.destroy_at == receipt.unlinkable_at - timedelta(days=5)


async def test_settings_are_validated(ready: Services) -> None:
    """Out-of-range settings are refused kindly."""
    for bad in ({"grace_days": 1}, {"daily_limit": 0}, {"summary_min_members": 2}):
        with pytest.raises(InvalidInput):
            await ready.checkins.update_settings(GUILD, MOD, **bad)


async def test_giving_up_after_a_day_opens_the_author_id_once(
    ready: Services, clock: FakeClock
) -> None:
    """Failures retry with backoff; after a day the author id is opened to tell them, then erased."""
    await ready.checkins.update_settings(GUILD, MOD, max_delay_seconds=0)
    await ready.checkins.submit(GUILD, ALICE, 3, "lost?")
    [claimed] = await ready.checkin_queue.claim_due()
    retry = await ready.checkin_queue.failed(claimed.checkin_id)
    assert not retry.gave_up and retry.retry_at == clock.now() + timedelta(seconds=10)
    assert await ready.checkin_queue.claim_due() == []  # backing off
    clock.advance(days=1)
    [claimed] = await ready.checkin_queue.claim_due()
    gave_up = await ready.checkin_queue.failed(claimed.checkin_id)
    assert gave_up.gave_up and gave_up.author_id == ALICE
    [row] = await _rows(ready)
    assert row.status == "failed" and row.sealed_author is None and row.note is None


async def test_the_next_claim_marks_the_last_run_posted_and_erases_the_sealed_ids(
    ready: Services,
) -> None:
    """Posts of one run are marked in the next claim's unit of work; until then they stay claimed."""
    await ready.checkins.update_settings(GUILD, MOD, max_delay_seconds=0)
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    await ready.checkins.submit(GUILD, BOB, 4, None)
    first, second = await ready.checkin_queue.claim_due()
    posted = [Posted(first.checkin_id, 501, None), Posted(second.checkin_id, 502, 502)]
    assert [d.checkin_id for d in await ready.checkin_queue.interrupted()] == [
        first.checkin_id,
        second.checkin_id,
    ]  # a crash now: recovery looks for them in the channel before posting again
    assert await ready.checkin_queue.claim_due(posted=posted) == []
    rows = await _rows(ready)
    assert [(r.status, r.message_id, r.thread_id) for r in rows] == [
        ("posted", 501, None),
        ("posted", 502, 502),
    ]
    assert all(r.sealed_author is None and r.claim is None for r in rows)


async def test_reminder_slots_are_claimed_once_even_concurrently(
    ready: Services, clock: FakeClock
) -> None:
    """Two workers claiming at once send a slot once; a slot missed by hours is skipped."""
    await ready.checkin_reminders.set(GUILD, ALICE, "Asia/Kolkata", "18:30", "daily")
    clock.set(clock.now().replace(hour=13, minute=0, second=5))  # 18:30 in India
    first, second = await asyncio.gather(
        ready.checkin_reminders.claim_due(), ready.checkin_reminders.claim_due()
    )
    assert len(first) + len(second) == 1
    clock.advance(days=1, hours=5)  # the bot was down at the next slot
    assert await ready.checkin_reminders.claim_due() == []


async def test_mydata_delete_cancels_waiting_check_ins_and_erases_history(
    ready: Services,
) -> None:
    """Deleting one's data cancels queued check-ins and erases history, reminders and seals."""
    await ready.checkins.update_settings(GUILD, MOD, reveal_enabled=True)
    await ready.checkins.set_keep_history(GUILD, ALICE, True)
    await ready.checkin_reminders.set(GUILD, ALICE, "Europe/Paris", "8am", "weekdays")
    await ready.checkins.submit(GUILD, ALICE, 3, "mine")
    await ready.checkins.submit(GUILD, BOB, 4, "theirs")
    words = ExportChoice(checkin_words=True)
    exported = (await ready.data_rights.export(ALICE, words))["data"]["checkins"]
    assert [c["note"] for c in exported["recent_checkins"]] == ["mine"]
    await ready.data_rights.delete(ALICE)
    assert [row.note for row in await _rows(ready)] == ["theirs"]
    async with ready.checkins._sessions() as session:
        assert list(await session.scalars(select(CheckinHistory))) == []
    after = (await ready.data_rights.export(ALICE, words))["data"]["checkins"]
    assert after == {
        "history": [],
        "preferences": [],
        "recent_checkins_per_day": [],
        "recent_checkins": [],
    }


async def test_summary_counts_members_per_window_so_it_never_overcounts(
    ready: Services, clock: FakeClock
) -> None:
    """One member on both sides of a rotation counts once, so k is never reached falsely."""
    await ready.checkins.update_settings(GUILD, MOD, max_delay_seconds=0, summary_min_members=3)
    clock.set(clock.now().replace(day=11, hour=20))
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    await ready.checkins.submit(GUILD, BOB, 3, None)
    clock.advance(hours=6)  # a new window: new tokens for the same two people
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    await ready.checkins.submit(GUILD, BOB, 3, None)
    while batch := await ready.checkin_queue.claim_due():
        for item in batch:
            await ready.checkin_queue.posted(item.checkin_id, 1000 + item.checkin_id, None)
    result = await ready.checkins.summary(GUILD)
    assert result.summary is None  # four tokens, but at most two in any window


async def test_tidy_destroys_keys_and_forgets_old_history(
    ready: Services, clock: FakeClock
) -> None:
    """After window + grace the key row is gone; history older than 90 days is purged."""
    await ready.checkins.set_keep_history(GUILD, ALICE, True)
    await ready.checkins.submit(GUILD, ALICE, 3, None)
    clock.advance(days=91)
    report = await ready.checkin_queue.tidy()
    assert report.windows_destroyed == 1 and report.history_purged == 1
    async with ready.checkins._sessions() as session:
        assert (await session.execute(text("SELECT count(*) FROM checkin_windows"))).scalar() == 0

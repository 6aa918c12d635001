"""CrisisService on a real migrated database: countries, resources, requests, shares, detection."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db.models import AuditEntry, CrisisAlert, CrisisCooldown, CrisisShareOptOut
from bot.errors import InvalidInput, NotAllowed, RateLimited
from bot.services import Services
from bot.services.audit import AuditService
from bot.services.crisis import (
    ASK_SERVER_CAP,
    MAX_RESOURCES,
    CrisisService,
    ForgetfulLimiter,
)

GUILD = 1001
ALICE, BOB, SAM, KIT = 11, 12, 13, 14


async def test_answer_prefers_asked_then_saved_then_server_default(services: Services) -> None:
    """The country asked for wins, then the member's saved one, then the server's default."""
    crisis = services.crisis
    assert (await crisis.answer(ALICE, GUILD)).source == "none"
    await crisis.update_settings(GUILD, SAM, default_country="AU")
    answer = await crisis.answer(ALICE, GUILD)
    assert (answer.source, answer.card.country_code) == ("server", "AU")
    await crisis.save_country(ALICE, "gb")
    answer = await crisis.answer(ALICE, GUILD)
    assert (answer.source, answer.card.country_code) == ("saved", "GB")
    answer = await crisis.answer(ALICE, GUILD, query="Singapore")
    assert (answer.source, answer.card.country_code) == ("chosen", "SG")
    answer = await crisis.answer(ALICE, None)
    assert answer.card.country_code == "GB", "DMs use the saved country, without server settings"


async def test_unknown_country_is_reported_not_guessed(services: Services) -> None:
    """A query that names no country gives no card and says what was not found."""
    answer = await services.crisis.answer(ALICE, GUILD, query="Atlantis")
    assert answer.card is None and answer.not_found == "Atlantis" and answer.source == "none"
    with pytest.raises(InvalidInput):
        await services.crisis.save_country(ALICE, "Atlantis")


async def test_saved_country_is_exported_and_erased(services: Services) -> None:
    """The saved country is the member's data: /mydata exports and erases it."""
    await services.crisis.save_country(ALICE, "IN")
    exported = await services.data_rights.export(ALICE)
    assert exported["data"]["crisis"]["country"]["code"] == "IN"
    report = await services.data_rights.delete(ALICE)
    assert report.per_section["crisis"] >= 1
    assert await services.crisis.saved_country(ALICE) is None
    assert (await services.data_rights.export(ALICE))["data"]["crisis"]["country"] is None


async def test_privacy_notice_describes_the_crisis_data(services: Services) -> None:
    """The privacy notice says what the crisis signpost keeps, and about anonymous requests."""
    text = " ".join(services.data_rights.describe())
    assert "Crisis signpost" in text and "/crisis-country" in text and "Anonymous requests" in text


async def test_local_resources_are_filtered_by_country_limited_and_audited(
    services: Services,
) -> None:
    """Resources for everyone or the card's country show; at most ten; changes are audited."""
    crisis = services.crisis
    everyone = await crisis.add_resource(
        GUILD, SAM, name=" Peer  line ", reach="DM us", description="We listen."
    )
    assert everyone.name == "Peer line"
    await crisis.add_resource(GUILD, SAM, name="UK", reach="x", description="y", country="GB")
    await crisis.add_resource(GUILD, SAM, name="US", reach="x", description="y", country="US")
    answer = await crisis.answer(ALICE, GUILD, code="GB")
    assert [r.name for r in answer.resources] == ["Peer line", "UK"]
    assert [r.name for r in (await crisis.answer(ALICE, GUILD)).resources] == ["Peer line"]
    for i in range(MAX_RESOURCES - 3):
        await crisis.add_resource(GUILD, SAM, name=f"r{i}", reach="x", description="y")
    with pytest.raises(InvalidInput) as refused:
        await crisis.add_resource(GUILD, SAM, name="one more", reach="x", description="y")
    assert "up to 10 local resources" in refused.value.message
    removed = await crisis.remove_resource(GUILD, SAM, everyone.id)
    assert removed.name == "Peer line"
    with pytest.raises(InvalidInput):
        await crisis.add_resource(GUILD, SAM, name="", reach="x", description="y")
    async with services.crisis._sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("crisis.resource") == MAX_RESOURCES + 1


async def test_settings_default_off_and_are_audited(services: Services) -> None:
    """Detection and alerts on detection start off; changing them is audited."""
    crisis = services.crisis
    settings = await crisis.settings(GUILD)
    assert not settings.detection_enabled and not settings.alert_on_detection
    settings = await crisis.update_settings(GUILD, SAM, detection_enabled=True)
    assert settings.detection_enabled and settings.default_country is None
    settings = await crisis.update_settings(GUILD, SAM, default_country="NZ")
    assert settings.default_country == "NZ" and settings.detection_enabled
    settings = await crisis.update_settings(GUILD, SAM, clear_default_country=True)
    assert settings.default_country is None
    async with crisis._sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions == ["crisis.settings"] * 3


async def test_changes_made_by_another_process_show_at_once(
    services: Services, clock: FakeClock
) -> None:
    """Nothing is held in memory: settings and resources changed elsewhere count at once."""
    crisis = services.crisis
    elsewhere = CrisisService(
        crisis._sessions, clock, AuditService(clock), crisis._data, crisis._reads
    )
    assert (await crisis.answer(ALICE, GUILD, code="GB")).resources == ()
    assert not (await crisis.settings(GUILD)).detection_enabled
    await elsewhere.add_resource(GUILD, SAM, name="Peer line", reach="DM us", description="Hi")
    await elsewhere.update_settings(GUILD, SAM, detection_enabled=True)
    assert [r.name for r in (await crisis.answer(ALICE, GUILD, code="GB")).resources] == [
        "Peer line"
    ]
    assert (await crisis.settings(GUILD)).detection_enabled


# ----- detection -------------------------------------------------------------------------------


async def test_detection_needs_the_server_to_opt_in(services: Services) -> None:
    """The card is offered only once the server opts in, and then only for crisis text."""
    crisis = services.crisis

    async def shows_card(guild_id: int, text: str) -> bool:
        return (await crisis.detection(guild_id, text)).show_card

    assert not await shows_card(GUILD, "I want to kill myself")
    await crisis.update_settings(GUILD, SAM, detection_enabled=True)
    assert await shows_card(GUILD, "I want to kill myself")
    assert not await shows_card(GUILD, "this homework is killing me")
    assert not await shows_card(GUILD + 1, "I want to kill myself")
    detection = await crisis.detection(GUILD, "I want to kill myself")
    assert detection.show_card and not detection.alert_moderators
    await crisis.update_settings(GUILD, SAM, alert_on_detection=True)
    assert (await crisis.detection(GUILD, "I want to kill myself")).alert_moderators
    assert not (await crisis.detection(GUILD, "what a lovely day")).alert_moderators


# ----- check-in requests -----------------------------------------------------------------------


async def test_anonymous_request_stores_no_identity(services: Services) -> None:
    """An anonymous request's row has no user and no channel; a named one has both."""
    crisis = services.crisis
    anonymous = await crisis.open_alert(GUILD, ALICE, named=False, origin_channel_id=77)
    named = await crisis.open_alert(GUILD, BOB, named=True, origin_channel_id=77)
    async with crisis._sessions() as session:
        rows = {row.id: row for row in await session.scalars(select(CrisisAlert))}
    assert (rows[anonymous.id].user_id, rows[anonymous.id].origin_channel_id) == (None, None)
    assert (rows[named.id].user_id, rows[named.id].origin_channel_id) == (BOB, 77)
    exported = await services.data_rights.export(ALICE)
    assert exported["data"]["crisis"]["check_in_requests"] == []


async def test_one_request_per_person_per_half_hour_named_or_not(
    services: Services, clock: FakeClock
) -> None:
    """A second request within 30 minutes is refused, whichever way either was sent."""
    crisis = services.crisis
    await crisis.open_alert(GUILD, ALICE, named=False, origin_channel_id=None)
    with pytest.raises(RateLimited):
        await crisis.open_alert(GUILD, ALICE, named=True, origin_channel_id=None)
    with pytest.raises(RateLimited):
        await crisis.open_alert(GUILD, ALICE, named=False, origin_channel_id=None)
    await crisis.open_alert(GUILD + 1, ALICE, named=False, origin_channel_id=None)
    clock.advance(minutes=31)
    await crisis.open_alert(GUILD, ALICE, named=False, origin_channel_id=None)


async def test_named_limit_survives_a_restart_anonymous_limit_does_not(
    services: Services, clock: FakeClock
) -> None:
    """After a restart, the named limit holds (it is stored); the anonymous one is forgotten."""
    crisis = services.crisis
    await crisis.open_alert(GUILD, ALICE, named=True, origin_channel_id=None)
    await crisis.open_alert(GUILD, BOB, named=False, origin_channel_id=None)
    restarted = CrisisService(crisis._sessions, clock, services.audit, crisis._data)
    with pytest.raises(RateLimited):
        await restarted.open_alert(GUILD, ALICE, named=True, origin_channel_id=None)
    await restarted.open_alert(GUILD, BOB, named=False, origin_channel_id=None)


async def test_server_cap_bounds_the_alerts_channel(services: Services, clock: FakeClock) -> None:
    """However many people ask, a server gets at most the cap per hour."""
    crisis = services.crisis
    for person in range(ASK_SERVER_CAP):
        await crisis.open_alert(GUILD, 100 + person, named=person % 2 == 0, origin_channel_id=None)
    with pytest.raises(RateLimited, match="Several people"):
        await crisis.open_alert(GUILD, 999, named=False, origin_channel_id=None)
    clock.advance(minutes=61)
    await crisis.open_alert(GUILD, 999, named=False, origin_channel_id=None)


async def test_withdrawn_request_gives_the_attempt_back(services: Services) -> None:
    """A request whose card could not be posted is erased and may be sent again."""
    crisis = services.crisis
    alert = await crisis.open_alert(GUILD, ALICE, named=False, origin_channel_id=None)
    await crisis.withdraw_alert(alert, ALICE)
    again = await crisis.open_alert(GUILD, ALICE, named=False, origin_channel_id=None)
    assert again.id != alert.id


async def test_concurrent_claims_give_one_claimer(services: Services) -> None:
    """Two moderators claiming at once: one claims, the other is told who did."""
    crisis = services.crisis
    alert = await crisis.open_alert(GUILD, ALICE, named=True, origin_channel_id=None)
    results = await asyncio.gather(
        crisis.claim_alert(alert.id, GUILD, SAM),
        crisis.claim_alert(alert.id, GUILD, KIT),
        return_exceptions=True,
    )
    claimed = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(claimed) == 1 and len(refused) == 1
    winner = claimed[0][0].claimed_by
    assert f"<@{winner}> is already reaching out" in refused[0].message
    again, newly = await crisis.claim_alert(alert.id, GUILD, winner)
    assert not newly and again.claimed_by == winner
    with pytest.raises(Exception, match="no longer kept"):
        await crisis.claim_alert(alert.id, GUILD + 1, SAM)


async def test_backup_is_asked_once_and_threads_are_for_named_claimed_requests(
    services: Services,
) -> None:
    """Backup is recorded once; only the claimer of a named request may open a thread."""
    crisis = services.crisis
    named = await crisis.open_alert(GUILD, ALICE, named=True, origin_channel_id=5)
    anonymous = await crisis.open_alert(GUILD, BOB, named=False, origin_channel_id=5)
    first, newly = await crisis.request_backup(named.id, GUILD, KIT)
    assert newly and first.backup_by == KIT
    second, newly = await crisis.request_backup(named.id, GUILD, SAM)
    assert not newly and second.backup_by == KIT
    with pytest.raises(NotAllowed):
        await crisis.thread_target(named.id, GUILD, SAM)
    await crisis.claim_alert(named.id, GUILD, SAM)
    target = await crisis.thread_target(named.id, GUILD, SAM)
    assert (target.user_id, target.origin_channel_id) == (ALICE, 5)
    await crisis.claim_alert(anonymous.id, GUILD, SAM)
    with pytest.raises(InvalidInput, match="anonymous"):
        await crisis.thread_target(anonymous.id, GUILD, SAM)


async def test_requests_are_in_the_asker_and_helper_data(services: Services) -> None:
    """Named requests are the asker's data; claims are the moderator's; erasure unnames both."""
    crisis = services.crisis
    alert = await crisis.open_alert(GUILD, ALICE, named=True, origin_channel_id=None)
    await crisis.claim_alert(alert.id, GUILD, SAM)
    asked = (await services.data_rights.export(ALICE))["data"]["crisis"]["check_in_requests"]
    assert asked == [
        {"server_id": str(GUILD), "at": alert.created_at.isoformat(), "status": "claimed"}
    ]
    helped = (await services.data_rights.export(SAM))["data"]["crisis"]["requests_you_helped_with"]
    assert helped[0]["reached_out"] is True
    await services.data_rights.delete(SAM)
    assert (await crisis.alert(alert.id, GUILD)).claimed_by is None
    await services.data_rights.delete(ALICE)
    with pytest.raises(Exception, match="no longer kept"):
        await crisis.alert(alert.id, GUILD)


async def test_tidy_erases_old_requests_and_spent_limits(
    services: Services, clock: FakeClock
) -> None:
    """Requests older than 30 days and limits that ran out are erased."""
    crisis = services.crisis
    await crisis.open_alert(GUILD, ALICE, named=True, origin_channel_id=None)
    await crisis.share(ALICE, BOB)
    clock.advance(days=2)
    fresh = await crisis.open_alert(GUILD, KIT, named=True, origin_channel_id=None)
    assert await crisis.tidy() == 2  # the two share limits
    clock.advance(days=29)
    assert await crisis.tidy() == 1
    assert (await crisis.alert(fresh.id, GUILD)).id == fresh.id


def test_forgetful_limiter_keeps_no_ids_and_forgets(clock: FakeClock) -> None:
    """The in-memory limiter holds keyed hashes only and drops them after the window."""
    member = 1574152316221652993
    limiter = ForgetfulLimiter(clock, timedelta(minutes=30))
    assert limiter.take(GUILD, member)
    assert not limiter.take(GUILD, member)
    [tag] = limiter._seen
    assert len(tag) == 32 and str(member).encode() not in tag
    assert member.to_bytes(8, "big") not in tag
    other = ForgetfulLimiter(clock, timedelta(minutes=30))
    assert other._tag(GUILD, member) != limiter._tag(GUILD, member), "each process has its own key"
    clock.advance(minutes=30)
    assert limiter.take(GUILD, BOB)
    assert len(limiter) == 1, "the expired entry is gone"


# ----- sharing resources -----------------------------------------------------------------------


async def opted_out(services: Services, user_id: int) -> bool:
    """Return whether the member's share opt-out is stored."""
    async with services.crisis._sessions() as session:
        return await session.get(CrisisShareOptOut, user_id) is not None


async def test_share_limits(services: Services, clock: FakeClock) -> None:
    """Once per recipient per 24 h, a pause per sender, opt-outs respected, never to oneself."""
    crisis = services.crisis
    with pytest.raises(InvalidInput):
        await crisis.share(ALICE, ALICE)
    assert (await crisis.share(ALICE, BOB)).send
    with pytest.raises(RateLimited):
        await crisis.share(ALICE, KIT)
    assert not (await crisis.share(SAM, BOB)).send
    clock.advance(hours=24)
    await crisis.set_share_opt_out(BOB, True)
    assert not (await crisis.share(ALICE, BOB)).send
    assert await opted_out(services, BOB)
    clock.advance(minutes=10)
    await crisis.set_share_opt_out(BOB, False)
    assert (await crisis.share(ALICE, BOB)).send


async def test_share_records_are_each_persons_own_data(services: Services) -> None:
    """The opt-out and limits are exported and erased; nothing links sender and recipient."""
    crisis = services.crisis
    await crisis.share(ALICE, BOB)
    await crisis.set_share_opt_out(BOB, True)
    bob = (await services.data_rights.export(BOB))["data"]["crisis"]
    assert bob["share_opt_out"] and set(bob["limits"]) == {"share_received"}
    assert str(ALICE) not in str(bob)
    async with crisis._sessions() as session:
        rows = list(await session.scalars(select(CrisisCooldown)))
    assert {(row.user_id, row.kind) for row in rows} == {
        (ALICE, "share_sent"),
        (BOB, "share_received"),
    }
    await services.data_rights.delete(BOB)
    assert not await opted_out(services, BOB)

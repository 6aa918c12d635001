"""The agreement service on a real, migrated SQLite file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.db.models import AgreementAcceptance
from bot.errors import AgreementRequired, InvalidInput
from bot.services import Services

GUILD, MOD, ALICE, BOB = 100, 1, 2, 3
ROLE = 500


async def _setup(services: Services) -> None:
    await services.settings.update(GUILD, MOD, "set member role", member_role_id=ROLE)
    await services.agreement.save(
        GUILD, MOD, "Our agreement", "We listen.\nWe keep confidences.", "minor"
    )


async def test_first_save_is_initial_and_numbered(services: Services) -> None:
    """The first save becomes version 1 of kind 'initial', whatever the editor chose."""
    await _setup(services)
    current = await services.agreement.current(GUILD)
    assert current is not None
    assert (current.number, current.change_kind) == (1, "initial")
    assert current.points == ("We listen.", "We keep confidences.")


async def test_twenty_concurrent_accepts_give_one_row_and_one_grant(services: Services) -> None:
    """Twenty accepts at once record one ledger row and claim the role grant once."""
    await _setup(services)
    outcomes = await asyncio.gather(
        *(services.agreement.accept(GUILD, ALICE, 1) for _ in range(20))
    )
    assert sum(o.grant_role for o in outcomes) == 1
    assert sum(o.newly_accepted for o in outcomes) == 1
    sessions = services.agreement._sessions
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(AgreementAcceptance))
    assert count == 1


async def test_accepting_a_stale_version_is_refused_kindly(services: Services) -> None:
    """Accepting a version that is no longer current asks the member to look again."""
    await _setup(services)
    await services.agreement.save(
        GUILD, MOD, "Our agreement", "We listen.\nNo advice unless asked.", "material"
    )
    with pytest.raises(InvalidInput, match="updated while you were reading"):
        await services.agreement.accept(GUILD, ALICE, 1)


async def test_minor_change_needs_no_reacceptance(services: Services) -> None:
    """After a minor fix, people who accepted the earlier version are still current."""
    await _setup(services)
    await services.agreement.accept(GUILD, ALICE, 1)
    outcome = await services.agreement.save(
        GUILD, MOD, "Our agreement", "We listen.\nWe keep confidences!", "minor"
    )
    assert not outcome.needs_reacceptance
    await services.agreement.require_agreement(GUILD, ALICE)
    assert await services.agreement.claim_reacceptance_asks() == []


async def test_material_change_asks_each_member_once_with_a_diff(services: Services) -> None:
    """A material change asks earlier acceptors once per version, showing what changed."""
    await _setup(services)
    await services.agreement.accept(GUILD, ALICE, 1)
    await services.agreement.accept(GUILD, BOB, 1)
    outcome = await services.agreement.save(
        GUILD, MOD, "Our agreement", "We listen.\nNo advice unless asked.", "material"
    )
    assert outcome.needs_reacceptance and outcome.members_to_ask == 2
    asks = await services.agreement.claim_reacceptance_asks()
    assert sorted(a.user_id for a in asks) == [ALICE, BOB]
    assert "- We keep confidences." in asks[0].diff and "+ No advice unless asked." in asks[0].diff
    assert await services.agreement.claim_reacceptance_asks() == []
    with pytest.raises(AgreementRequired):
        await services.agreement.require_agreement(GUILD, ALICE)


async def test_grace_period_takes_the_role_back_once(services: Services, clock: FakeClock) -> None:
    """When the grace period ends, the role is taken back once, and given again on acceptance."""
    await _setup(services)
    first = await services.agreement.accept(GUILD, ALICE, 1)
    assert first.grant_role
    await services.agreement.save(
        GUILD, MOD, "Our agreement", "We listen.\nNo advice unless asked.", "material"
    )
    clock.advance(days=6)
    assert await services.agreement.claim_role_removals() == []
    clock.advance(days=1, seconds=1)
    removals = await services.agreement.claim_role_removals()
    assert [(r.user_id, r.role_id) for r in removals] == [(ALICE, ROLE)]
    assert await services.agreement.claim_role_removals() == []
    again = await services.agreement.accept(GUILD, ALICE, 2)
    assert again.grant_role


async def test_grace_off_never_takes_the_role_back(services: Services, clock: FakeClock) -> None:
    """With the grace period off, a material change never removes the role."""
    await _setup(services)
    await services.settings.update(GUILD, MOD, "grace off", reaccept_grace_days=0)
    await services.agreement.accept(GUILD, ALICE, 1)
    await services.agreement.save(GUILD, MOD, "Our agreement", "We listen.\nNew point.", "material")
    clock.advance(days=365)
    assert await services.agreement.claim_role_removals() == []


async def test_timestamps_are_aware_utc(services: Services, clock: FakeClock) -> None:
    """Datetimes read back from the database are aware and in UTC."""
    clock.set(datetime(2026, 3, 29, 1, 30, tzinfo=UTC) + timedelta(minutes=5))
    await _setup(services)
    current = await services.agreement.current(GUILD)
    assert current is not None and current.created_at == clock.now()
    assert current.created_at.tzinfo is not None


def test_naive_datetimes_are_refused() -> None:
    """The UTC column type refuses naive datetimes instead of storing local time."""
    from sqlalchemy.dialects import sqlite

    from bot.db.types import UTCDateTime

    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), sqlite.dialect())  # noqa: DTZ001


async def test_a_server_language_is_kept_and_only_a_shipped_one(services: Services) -> None:
    """`/setup language` keeps a language Hearth ships (or none: follow Discord's locale)."""
    from bot.errors import InvalidInput

    chosen = await services.settings.set_language(GUILD, MOD, "fr")
    assert chosen.language == "fr" == (await services.settings.get_or_default(GUILD)).language
    with pytest.raises(InvalidInput):
        await services.settings.set_language(GUILD, MOD, "xx")
    assert (await services.settings.set_language(GUILD, MOD, None)).language is None

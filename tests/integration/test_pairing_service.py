"""The pairing service on a real, migrated SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.db.models import (
    PairingBlock,
    PairingGroupMember,
    PairingHistory,
    PairingNotice,
    PairingProfile,
    PairingSettings,
)
from bot.errors import AgreementRequired, InvalidInput, NotConfigured
from bot.services import Services
from bot.services.pairing import (
    ACCEPTED,
    AWAITING,
    FELL_THROUGH,
    LEFT_OUT,
    READY,
    SKIPPED,
    member_token,
)

GUILD, MOD, CHANNEL = 100, 1, 900
MEMBERS = [1001, 1002, 1003, 1004]


async def _setup(services: Services, members: list[int] = MEMBERS, **settings: object) -> None:
    await services.agreement.save(GUILD, MOD, "Our agreement", "We listen.", "minor")
    options: dict = {"channel_id": CHANNEL, "topics": "grief, sleep, music", "allow_trios": False}
    options.update(settings)
    await services.pairing.update_settings(GUILD, MOD, **options)
    for user_id in members:
        await services.agreement.accept(GUILD, user_id, 1)
        await services.pairing.join(GUILD, user_id, zone="Europe/London")


async def _groups(services: Services, round_id: int) -> set[frozenset[int]]:
    plan = await services.pairing.round_plan(round_id)
    return {frozenset(g.user_ids) for g in plan.groups}


async def _introduce_all(services: Services, round_id: int) -> None:
    plan = await services.pairing.round_plan(round_id)
    for n, group in enumerate(plan.groups):
        await services.pairing.record_thread(group.id, 5000 + round_id * 100 + n)
        await services.pairing.mark_introduced(group.id)
    await services.pairing.claim_notices(round_id)
    assert await services.pairing.finish_round(round_id)


async def test_join_needs_setup_the_agreement_and_a_known_zone(services: Services) -> None:
    """Joining before pairing is set up, before the agreement, or with a bad zone is refused."""
    with pytest.raises(NotConfigured):
        await services.pairing.join(GUILD, 1001, zone="Europe/London")
    await services.pairing.update_settings(GUILD, MOD, channel_id=CHANNEL)
    await services.agreement.save(GUILD, MOD, "Our agreement", "We listen.", "minor")
    with pytest.raises(AgreementRequired):
        await services.pairing.join(GUILD, 1001, zone="Europe/London")
    await services.agreement.accept(GUILD, 1001, 1)
    with pytest.raises(InvalidInput, match="know the time zone"):
        await services.pairing.join(GUILD, 1001, zone="Mars/Olympus")
    profile = await services.pairing.join(GUILD, 1001, zone="Asia/Tokyo", line="Hi!")
    assert profile.zone == "Asia/Tokyo" and profile.line == "Hi!"


async def test_a_round_runs_once_per_slot_and_pairs_everyone(services: Services) -> None:
    """Four members make two pairs; the same slot never makes a second round."""
    await _setup(services)
    slot = services.clock.now()
    round_id = await services.pairing.start_round(GUILD, slot)
    assert round_id is not None
    groups = await _groups(services, round_id)
    assert len(groups) == 2 and set().union(*groups) == set(MEMBERS)
    assert await services.pairing.start_round(GUILD, slot) is None


async def test_no_repeat_blocks_and_pauses_hold_over_rounds(
    services: Services, clock: FakeClock
) -> None:
    """Over three rounds nobody meets twice, a block is never matched, a paused member sits out."""
    await _setup(services)
    assert await services.pairing.block(GUILD, 1001, 1002)
    seen: set[frozenset[int]] = set()
    for _ in range(3):
        round_id = await services.pairing.start_round(GUILD)
        assert round_id is not None
        groups = await _groups(services, round_id)
        assert frozenset((1001, 1002)) not in groups
        assert not groups & seen
        seen |= groups
        await _introduce_all(services, round_id)
        clock.advance(days=7)
    await services.pairing.pause(GUILD, 1003)
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    assert all(1003 not in g for g in await _groups(services, round_id))


async def test_odd_count_without_trios_leaves_one_out_with_priority(services: Services) -> None:
    """Three members and no trios: one pair, and the third gets a notice and priority."""
    await _setup(services, MEMBERS[:3])
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    [group] = await _groups(services, round_id)
    [left] = set(MEMBERS[:3]) - group
    notices = await services.pairing.claim_notices(round_id)
    assert [(n.user_id, n.kind) for n in notices] == [(left, LEFT_OUT)]
    profile = await services.pairing.profile(GUILD, left)
    assert profile is not None and profile.priority


async def test_odd_count_with_trios_makes_a_trio(services: Services) -> None:
    """Three members with trios allowed: one trio, nobody left out."""
    await _setup(services, MEMBERS[:3], allow_trios=True)
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    assert await _groups(services, round_id) == {frozenset(MEMBERS[:3])}


async def test_leave_keeps_only_tokens_and_a_rejoin_still_honours_blocks(
    services: Services, clock: FakeClock
) -> None:
    """After leaving, no row holds the id; on rejoin the old block still applies."""
    await _setup(services, MEMBERS[:2])
    await services.pairing.block(GUILD, 1002, 1001)
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    assert await _groups(services, round_id) == set()
    assert await services.pairing.leave(GUILD, 1001)
    async with services.pairing._sessions() as session:
        assert await session.get(PairingProfile, (GUILD, 1001)) is None
        held = await session.scalars(
            select(PairingGroupMember).where(PairingGroupMember.user_id == 1001)
        )
        assert list(held) == []
        notices = await session.scalars(select(PairingNotice).where(PairingNotice.user_id == 1001))
        assert list(notices) == []
        assert len(list(await session.scalars(select(PairingBlock)))) == 1
    await services.pairing.join(GUILD, 1001, zone="Europe/London")
    clock.advance(days=7)
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    assert await _groups(services, round_id) == set()


async def test_history_is_stored_under_tokens(services: Services) -> None:
    """The history of who met is two tokens and a round number, never an id."""
    await _setup(services, MEMBERS[:2])
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    async with services.pairing._sessions() as session:
        [entry] = list(await session.scalars(select(PairingHistory)))
        secret = (await session.get(PairingSettings, GUILD)).secret
    tokens = {member_token(secret, GUILD, 1001), member_token(secret, GUILD, 1002)}
    assert {entry.token_a, entry.token_b} == tokens
    assert b"1001" not in entry.token_a + entry.token_b


async def test_double_opt_in_all_accept_makes_ready_a_skip_cancels_kindly(
    services: Services,
) -> None:
    """Invitations are claimed once (a stop's unconfirmed claims come back marked resumed);
    both accepting readies the thread; a skip cancels, tells the other and gives priority."""
    await _setup(services, double_opt_in=True)
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    invitations = await services.pairing.claim_invitations(round_id)
    assert len(invitations) == 4 and not any(i.resumed for i in invitations)
    again = await services.pairing.claim_invitations(round_id)  # as after a stop
    assert [(i.row_id, i.resumed) for i in again] == [(i.row_id, True) for i in invitations]
    for invitation in invitations:
        await services.pairing.confirm_invitation(invitation.row_id)
    assert await services.pairing.claim_invitations(round_id) == []
    by_group: dict[int, list] = {}
    for inv in invitations:
        by_group.setdefault(inv.group_id, []).append(inv)
    (first_a, first_b), (second_a, second_b) = by_group.values()
    out = await services.pairing.respond(first_a.row_id, first_a.user_id, ACCEPTED)
    assert out.status == AWAITING
    out = await services.pairing.respond(first_b.row_id, first_b.user_id, ACCEPTED)
    assert out.status == READY
    out = await services.pairing.respond(second_a.row_id, second_a.user_id, SKIPPED)
    assert out.status == "cancelled"
    notices = await services.pairing.claim_notices(round_id)
    assert [(n.user_id, n.kind) for n in notices] == [(second_b.user_id, FELL_THROUGH)]
    profile = await services.pairing.profile(GUILD, second_b.user_id)
    skipper = await services.pairing.profile(GUILD, second_a.user_id)
    assert profile is not None and profile.priority
    assert skipper is not None and not skipper.priority
    late = await services.pairing.respond(second_b.row_id, second_b.user_id, ACCEPTED)
    assert not late.changed


async def test_weekly_cadence_is_due_once_per_slot(services: Services, clock: FakeClock) -> None:
    """A Monday 18:00 London round is due after that time, once, and not for slots before set-up."""
    clock.set(datetime(2026, 1, 5, 17, 0, tzinfo=UTC))  # Monday
    await _setup(services, weekday=0, local_time="18:00", zone="Europe/London")
    assert await services.pairing.due_rounds() == []
    clock.set(datetime(2026, 1, 5, 18, 1, tzinfo=UTC))
    [(guild, slot)] = await services.pairing.due_rounds()
    assert guild == GUILD and slot == datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
    assert await services.pairing.start_round(GUILD, slot) is not None
    assert await services.pairing.due_rounds() == []
    status = await services.pairing.status(GUILD, 1001)
    assert status.next_round == datetime(2026, 1, 12, 18, 0, tzinfo=UTC)


async def test_pause_until_a_past_date_is_refused(services: Services) -> None:
    """A pause date that has come already gets a kind explanation."""
    await _setup(services, MEMBERS[:1])
    with pytest.raises(InvalidInput, match="already come"):
        await services.pairing.pause(GUILD, 1001, "2020-01-01")
    with pytest.raises(InvalidInput, match="could not read"):
        await services.pairing.pause(GUILD, 1001, "next week")
    profile = await services.pairing.pause(GUILD, 1001, "2099-01-01")
    assert profile.paused_until is not None and not profile.paused_indefinitely


async def test_followups_are_claimed_once_and_counted(services: Services, clock: FakeClock) -> None:
    """After the follow-up delay each member is asked once (an unconfirmed claim comes back
    marked resumed); stats show counts only."""
    await _setup(services, MEMBERS[:2], followup_days=2)
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    await _introduce_all(services, round_id)
    assert await services.pairing.claim_due_followups() == []
    clock.advance(days=2, minutes=1)
    followups = await services.pairing.claim_due_followups()
    assert sorted(f.user_id for f in followups) == MEMBERS[:2]
    again = await services.pairing.claim_due_followups()  # unconfirmed, as after a stop
    assert sorted((f.user_id, f.resumed) for f in again) == [(m, True) for m in MEMBERS[:2]]
    for followup in followups:
        await services.pairing.confirm_followup(followup.row_id)
    assert await services.pairing.claim_due_followups() == []
    await services.pairing.answer_followup(followups[0].row_id, followups[0].user_id, "yes")
    stats = await services.pairing.stats(GUILD)
    assert stats.asked == 2 and stats.answers == {"yes": 1, "not_yet": 0, "no": 0}
    assert stats.groups_introduced == 1 and stats.rounds == 1


async def test_preview_counts_without_saving(services: Services) -> None:
    """The preview says how many would be paired and left out, and saves no round."""
    await _setup(services, MEMBERS[:3])
    await services.pairing.pause(GUILD, 1003)
    preview = await services.pairing.preview(GUILD)
    assert (preview.opted_in, preview.eligible, preview.paused) == (3, 2, 1)
    assert (preview.pairs, preview.left_out) == (1, 0)
    assert await services.pairing.unfinished_rounds() == []


async def test_mydata_export_and_delete(services: Services) -> None:
    """Export shows the profile and groups; delete erases the id, tokens stay."""
    await _setup(services, MEMBERS[:2])
    await services.pairing.block(GUILD, 1001, 1002)
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    exported = await services.data_rights.export(1001)
    pairing = exported["data"]["pairing"]
    assert pairing["profiles"][0]["time_zone"] == "Europe/London"
    assert pairing["blocks_you_made"] == [{"server_id": str(GUILD), "people_blocked": 1}]
    report = await services.data_rights.delete(1001)
    assert report.per_section["pairing"] >= 1
    assert await services.pairing.profile(GUILD, 1001) is None
    again = await services.data_rights.export(1001)
    assert again["data"]["pairing"]["profiles"] == []


async def test_suggested_times_fall_in_everyones_day(services: Services) -> None:
    """Meeting times suggested to a London-New York pair are daytime for both."""
    await _setup(services, MEMBERS[:1])
    await services.agreement.accept(GUILD, 1002, 1)
    await services.pairing.join(GUILD, 1002, zone="America/New_York")
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    [group] = (await services.pairing.round_plan(round_id)).groups
    assert 2 <= len(group.meeting_times) <= 3
    for moment in group.meeting_times:
        assert 15 <= moment.hour <= 20  # 10:00-20:00 London and 10:00-20:00 New York (winter)
        assert moment > services.clock.now() + timedelta(hours=1)
    assert len(set(group.starters)) == 2


async def test_unanswered_invitations_expire_at_the_next_round(
    services: Services, clock: FakeClock
) -> None:
    """Whoever said yes to a match nobody finished answering goes first in the next round."""
    await _setup(services, MEMBERS[:2], double_opt_in=True)
    round_id = await services.pairing.start_round(GUILD)
    assert round_id is not None
    first, second = await services.pairing.claim_invitations(round_id)
    await services.pairing.respond(first.row_id, first.user_id, ACCEPTED)
    clock.advance(days=7)
    assert await services.pairing.start_round(GUILD) is not None
    notices = await services.pairing.claim_notices(round_id)
    assert [(n.user_id, n.kind) for n in notices] == [(first.user_id, FELL_THROUGH)]
    late = await services.pairing.respond(second.row_id, second.user_id, ACCEPTED)
    assert not late.changed and late.status == "expired"
    assert await services.pairing.finish_round(round_id)


async def test_every_other_round_members_rest_after_a_match(
    services: Services, clock: FakeClock
) -> None:
    """A member on every other round sits out the round after they were matched."""
    await _setup(services, MEMBERS[:3], allow_trios=True, rounds_before_repeat=0)
    await services.pairing.join(GUILD, 1003, zone="Europe/London", frequency="every_other_round")
    first = await services.pairing.start_round(GUILD)
    assert first is not None
    assert 1003 in set().union(*await _groups(services, first))
    clock.advance(days=7)
    second = await services.pairing.start_round(GUILD)
    assert second is not None
    assert await _groups(services, second) == {frozenset({1001, 1002})}
    clock.advance(days=7)
    third = await services.pairing.start_round(GUILD)
    assert third is not None
    assert 1003 in set().union(*await _groups(services, third))

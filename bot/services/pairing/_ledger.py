"""Rounds in the database: matched and saved at once, then each step claimed and recorded.

The workflows in `rounds.py` and `followups.py` call these between the steps they take on
Discord, so a restart picks up where a round stopped without doubling or dropping anything.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import (
    PairingGroup,
    PairingGroupMember,
    PairingNotice,
    PairingProfile,
    PairingRound,
    PairingSettings,
)
from bot.domain.pairing_times import latest_slot, suggest_meeting_times
from bot.errors import NotConfigured, NotFound
from bot.i18n import N_
from bot.services.pairing import _store as store
from bot.services.pairing.matcher import Matcher
from bot.services.pairing.values import (
    ACCEPTED,
    AWAITING,
    DONE,
    FOLLOWUP_ANSWERS,
    INTRODUCED,
    LEFT_OUT,
    OPEN,
    READY,
    SKIPPED,
    UNREACHABLE,
    Followup,
    Group,
    GroupMember,
    Invitation,
    Notice,
    ResponseOutcome,
    RoundPlan,
)

log = logging.getLogger(__name__)


class RoundLedger:
    """The rounds part of PairingService (which provides the attributes below)."""

    _sessions: SessionFactory
    _reads: SessionFactory
    _clock: Clock
    _matcher: Matcher
    _starters: Sequence[str]

    async def due_rounds(self) -> list[tuple[int, datetime]]:
        """Return (server, slot) for every server whose weekly round is due and not yet run."""
        now = self._clock.now()
        due = []
        async with self._reads() as session:
            rows = await session.scalars(
                select(PairingSettings).where(
                    PairingSettings.channel_id.is_not(None),
                    PairingSettings.weekday.is_not(None),
                    PairingSettings.local_time.is_not(None),
                    PairingSettings.zone.is_not(None),
                )
            )
            for row in rows:
                slot = latest_slot(
                    row.weekday or 0,
                    time.fromisoformat(row.local_time or "00:00"),
                    row.zone or "",
                    now,
                )
                if row.cadence_since is not None and slot < row.cadence_since:
                    continue
                ran = await session.scalar(
                    select(PairingRound.id).where(
                        PairingRound.guild_id == row.guild_id, PairingRound.slot == slot
                    )
                )
                if ran is None:
                    due.append((row.guild_id, slot))
        return due

    async def start_round(self, guild_id: int, slot: datetime | None = None) -> int | None:
        """Match a round and save its groups, history and notices in one unit of work.

        Returns the round's id, or None if a round for this slot already exists. Members left
        out get priority next round; groups of earlier rounds still waiting for answers expire.
        """
        now = self._clock.now()
        slot = slot or now
        async with self._sessions() as session:
            settings = await session.get(PairingSettings, guild_id)
            if settings is None or settings.channel_id is None:
                raise NotConfigured(
                    N_(
                        "Pairing isn't set up in this server yet: choose a channel with "
                        "`/pair settings channel:`."
                    )
                )
            exists = await session.scalar(
                select(PairingRound.id).where(
                    PairingRound.guild_id == guild_id, PairingRound.slot == slot
                )
            )
            if exists is not None:
                return None
            await store.expire_waiting(session, guild_id)
            number = (await store.last_number(session, guild_id)) + 1
            matching, profiles = await store.matching_input(session, settings, number, slot)
            result = await self._matcher(matching)
            round_ = PairingRound(
                guild_id=guild_id,
                number=number,
                slot=slot,
                seed=matching.seed,
                status=OPEN,
                eligible=len(profiles) - len(result.not_eligible),
                left_out=len(result.left_out),
                created_at=now,
            )
            session.add(round_)
            await session.flush()
            await store.save_groups(session, settings, round_, result, profiles)
            left_out = [int(user_id) for user_id in result.left_out]
            for chunk in store.chunks(left_out):
                await session.execute(
                    update(PairingProfile)
                    .where(PairingProfile.guild_id == guild_id, PairingProfile.user_id.in_(chunk))
                    .values(priority=True)
                )
            if left_out:
                await session.execute(
                    insert(PairingNotice),
                    [{"round_id": round_.id, "user_id": u, "kind": LEFT_OUT} for u in left_out],
                )
            await session.commit()
            log.info(
                "Pairing round %d in guild %s: %d groups, %d left out",
                number,
                guild_id,
                len(result.groups),
                len(result.left_out),
            )
            return round_.id

    async def unfinished_rounds(self) -> list[int]:
        """Return the ids of rounds with work left (threads, invitations or notices)."""
        async with self._reads() as session:
            return list(
                await session.scalars(
                    select(PairingRound.id)
                    .where(PairingRound.status == OPEN)
                    .order_by(PairingRound.id)
                )
            )

    async def round_plan(self, round_id: int) -> RoundPlan:
        """Return a round's groups still to ask or introduce, with what the intro needs."""
        async with self._reads() as session:
            round_ = await session.get(PairingRound, round_id)
            if round_ is None:
                raise NotFound(N_("That round doesn't exist."))
            settings = await session.get(PairingSettings, round_.guild_id)
            groups = list(
                await session.scalars(
                    select(PairingGroup)
                    .where(
                        PairingGroup.round_id == round_id,
                        PairingGroup.status.in_((AWAITING, READY)),
                    )
                    .order_by(PairingGroup.position)
                )
            )
            open_groups = (
                PairingGroup.round_id == round_id,
                PairingGroup.status.in_((AWAITING, READY)),
            )
            members = list(
                await session.scalars(
                    select(PairingGroupMember)
                    .join(PairingGroup, PairingGroup.id == PairingGroupMember.group_id)
                    .where(*open_groups)
                    .order_by(PairingGroupMember.id)
                )
            )
            profiles = {
                p.user_id: p
                for p in await session.scalars(
                    select(PairingProfile)
                    .join(PairingGroupMember, PairingGroupMember.user_id == PairingProfile.user_id)
                    .join(PairingGroup, PairingGroup.id == PairingGroupMember.group_id)
                    .where(PairingProfile.guild_id == round_.guild_id, *open_groups)
                )
            }
        by_group: dict[int, list[PairingGroupMember]] = {}
        for member in members:
            by_group.setdefault(member.group_id, []).append(member)
        suggested: dict[tuple[str, ...], tuple[datetime, ...]] = {}

        def times_for(zones: list[str]) -> tuple[datetime, ...]:
            key = tuple(sorted(set(zones)))
            if key not in suggested:
                suggested[key] = suggest_meeting_times(key, round_.slot) if key else ()
            return suggested[key]

        plan_groups = []
        for group in groups:
            group_members = []
            for m in by_group.get(group.id, []):
                profile = profiles.get(m.user_id or 0)
                group_members.append(
                    GroupMember(
                        row_id=m.id,
                        user_id=m.user_id,
                        zone=profile.zone if profile else None,
                        line=profile.line if profile else None,
                        topics=tuple(profile.topics or ()) if profile else (),
                        response=m.response,
                        invite_sent=m.invite_sent_at is not None,
                    )
                )
            zones = [m.zone for m in group_members if m.zone]
            rng = random.Random(round_.seed * 100 + group.position)  # noqa: S311 - not secret
            plan_groups.append(
                Group(
                    id=group.id,
                    round_id=round_.id,
                    round_number=round_.number,
                    guild_id=round_.guild_id,
                    position=group.position,
                    name=group.name,
                    status=group.status,
                    thread_id=group.thread_id,
                    thread_requested=group.thread_requested_at is not None,
                    introduced=group.introduced_at is not None,
                    members=tuple(group_members),
                    starters=tuple(rng.sample(self._starters, 2)),
                    meeting_times=times_for(zones),
                )
            )
        return RoundPlan(
            id=round_.id,
            guild_id=round_.guild_id,
            number=round_.number,
            channel_id=settings.channel_id if settings else None,
            double_opt_in=bool(settings and settings.double_opt_in),
            groups=tuple(plan_groups),
            eligible=round_.eligible,
            left_out=round_.left_out,
        )

    async def request_thread(self, group_id: int) -> None:
        """Note that a thread is about to be created (a resume then looks for it by name)."""
        async with self._sessions() as session:
            await session.execute(
                update(PairingGroup)
                .where(PairingGroup.id == group_id, PairingGroup.thread_requested_at.is_(None))
                .values(thread_requested_at=self._clock.now())
            )
            await session.commit()

    async def record_thread(self, group_id: int, thread_id: int) -> None:
        """Record a group's thread as soon as it exists."""
        async with self._sessions() as session:
            await session.execute(
                update(PairingGroup).where(PairingGroup.id == group_id).values(thread_id=thread_id)
            )
            await session.commit()

    async def mark_introduced(self, group_id: int) -> None:
        """Record that the group's thread holds its members and the introduction."""
        now = self._clock.now()
        async with self._sessions() as session:
            group = await session.get(PairingGroup, group_id)
            if group is None or group.status == INTRODUCED:
                return
            round_ = await session.get(PairingRound, group.round_id)
            settings = await session.get(PairingSettings, round_.guild_id) if round_ else None
            days = settings.followup_days if settings else 3
            group.status = INTRODUCED
            group.introduced_at = now
            group.followup_due_at = now + timedelta(days=days)
            await session.commit()

    async def claim_invitations(self, round_id: int) -> list[Invitation]:
        """Claim the double opt-in invitations of a round not sent yet.

        Call it while nothing else sends this round's invitations (the cog's round lock): then
        claims still unconfirmed were left by a process that stopped, and come back first,
        marked `resumed` (look for them before sending again).
        """
        now = self._clock.now()
        async with self._sessions() as session:
            round_ = await session.get(PairingRound, round_id)
            if round_ is None:
                return []
            rows = (
                await session.execute(
                    select(PairingGroupMember, PairingGroup)
                    .join(PairingGroup, PairingGroup.id == PairingGroupMember.group_id)
                    .where(
                        PairingGroup.round_id == round_id,
                        PairingGroup.status == AWAITING,
                        PairingGroupMember.invite_confirmed_at.is_(None),
                        PairingGroupMember.response.is_(None),
                        PairingGroupMember.user_id.is_not(None),
                    )
                    .order_by(PairingGroupMember.invite_sent_at.is_(None), PairingGroupMember.id)
                )
            ).all()
            sizes = Counter(
                await session.scalars(
                    select(PairingGroupMember.group_id)
                    .join(PairingGroup, PairingGroup.id == PairingGroupMember.group_id)
                    .where(PairingGroup.round_id == round_id)
                )
            )
            claimed = []
            for member, group in rows:
                resumed = member.invite_sent_at is not None
                member.invite_sent_at = member.invite_sent_at or now
                claimed.append(
                    Invitation(
                        row_id=member.id,
                        user_id=member.user_id or 0,
                        group_id=group.id,
                        guild_id=round_.guild_id,
                        round_number=round_.number,
                        trio=sizes[group.id] > 2,
                        resumed=resumed,
                        locale=await store.member_locale(
                            session, round_.guild_id, member.user_id or 0
                        ),
                    )
                )
            await session.commit()
        return claimed

    async def confirm_invitation(self, row_id: int) -> None:
        """Note that an invitation went out (or could not), so it is never sent again."""
        await self._confirm(PairingGroupMember.invite_confirmed_at, row_id)

    async def respond(self, row_id: int, user_id: int, response: str) -> ResponseOutcome:
        """Record Accept, Skip (or that the member could not be asked) for an invitation."""
        if response not in (ACCEPTED, SKIPPED, UNREACHABLE):
            raise ValueError(response)
        async with self._sessions() as session:
            member = await session.get(PairingGroupMember, row_id)
            if member is None or member.user_id != user_id:
                raise NotFound(N_("This invitation isn't yours, or it's no longer open."))
            group = await session.get(PairingGroup, member.group_id)
            if group is None:
                raise NotFound(N_("This match is no longer open."))
            if group.status != AWAITING or member.response is not None:
                return ResponseOutcome(group.id, group.round_id, group.status, changed=False)
            member.response = SKIPPED if response == UNREACHABLE else response
            if member.response == SKIPPED:
                await store.cancel_group(session, group)
            else:
                responses = list(
                    await session.scalars(
                        select(PairingGroupMember.response).where(
                            PairingGroupMember.group_id == group.id,
                            PairingGroupMember.user_id.is_not(None),
                        )
                    )
                )
                if all(r == ACCEPTED for r in responses):
                    group.status = READY
            await session.commit()
            return ResponseOutcome(group.id, group.round_id, group.status, changed=True)

    async def claim_notices(self, round_id: int | None = None) -> list[Notice]:
        """Claim private notices not sent yet (for one round, or all)."""
        now = self._clock.now()
        async with self._sessions() as session:
            query = (
                select(PairingNotice, PairingRound)
                .join(PairingRound, PairingRound.id == PairingNotice.round_id)
                .where(PairingNotice.sent_at.is_(None), PairingNotice.user_id.is_not(None))
                .order_by(PairingNotice.id)
            )
            if round_id is not None:
                query = query.where(PairingNotice.round_id == round_id)
            claimed = []
            for notice, round_ in (await session.execute(query)).all():
                notice.sent_at = now
                claimed.append(
                    Notice(
                        notice.id,
                        round_.guild_id,
                        notice.user_id or 0,
                        notice.kind,
                        round_.number,
                        await store.member_locale(session, round_.guild_id, notice.user_id or 0),
                    )
                )
            await session.commit()
        return claimed

    async def record_notice(self, notice_id: int, failure: str | None) -> None:
        """Record that a notice could not be delivered (a closed DM), so it is not retried."""
        if failure is None:
            return
        async with self._sessions() as session:
            await session.execute(
                update(PairingNotice).where(PairingNotice.id == notice_id).values(failure=failure)
            )
            await session.commit()

    async def finish_round(self, round_id: int) -> bool:
        """Close the round if nothing is left to do; return whether it is done."""
        async with self._sessions() as session:
            round_ = await session.get(PairingRound, round_id)
            if round_ is None or round_.status == DONE:
                return True
            open_groups = await session.scalar(
                select(func.count())
                .select_from(PairingGroup)
                .where(
                    PairingGroup.round_id == round_id,
                    PairingGroup.status.in_((AWAITING, READY)),
                )
            )
            unsent = await session.scalar(
                select(func.count())
                .select_from(PairingNotice)
                .where(
                    PairingNotice.round_id == round_id,
                    PairingNotice.sent_at.is_(None),
                    PairingNotice.user_id.is_not(None),
                )
            )
            if open_groups or unsent:
                return False
            round_.status = DONE
            round_.finished_at = self._clock.now()
            await session.commit()
            return True

    async def claim_due_followups(self) -> list[Followup]:
        """Claim the "Did you connect?" messages that are due.

        As with invitations, call it while nothing else sends follow-ups: claims still
        unconfirmed were left by a stop and come back marked `resumed`.
        """
        now = self._clock.now()
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    select(PairingGroupMember, PairingGroup, PairingRound)
                    .join(PairingGroup, PairingGroup.id == PairingGroupMember.group_id)
                    .join(PairingRound, PairingRound.id == PairingGroup.round_id)
                    .where(
                        PairingGroup.status == INTRODUCED,
                        PairingGroup.followup_due_at <= now,
                        PairingGroupMember.followup_confirmed_at.is_(None),
                        PairingGroupMember.user_id.is_not(None),
                    )
                    .order_by(PairingGroupMember.followup_sent_at.is_(None), PairingGroupMember.id)
                )
            ).all()
            claimed = []
            for member, group, round_ in rows:
                resumed = member.followup_sent_at is not None
                member.followup_sent_at = member.followup_sent_at or now
                claimed.append(
                    Followup(
                        member.id,
                        member.user_id or 0,
                        round_.guild_id,
                        group.thread_id,
                        resumed,
                        await store.member_locale(session, round_.guild_id, member.user_id or 0),
                    )
                )
            await session.commit()
        return claimed

    async def confirm_followup(self, row_id: int) -> None:
        """Note that a "Did you connect?" went out (or could not), so it is never sent again."""
        await self._confirm(PairingGroupMember.followup_confirmed_at, row_id)

    async def _confirm(self, column: Any, row_id: int) -> None:
        async with self._sessions() as session:
            await session.execute(
                update(PairingGroupMember)
                .where(PairingGroupMember.id == row_id)
                .values({column: self._clock.now()})
            )
            await session.commit()

    async def answer_followup(self, row_id: int, user_id: int, answer: str) -> None:
        """Record the member's answer to "Did you connect?" (they may change it)."""
        if answer not in FOLLOWUP_ANSWERS:
            raise ValueError(answer)
        async with self._sessions() as session:
            member = await session.get(PairingGroupMember, row_id)
            if member is None or member.user_id != user_id:
                raise NotFound(N_("This question isn't yours, or it's no longer open."))
            member.followup_answer = answer
            await session.commit()

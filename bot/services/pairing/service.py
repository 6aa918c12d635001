"""Peer pairing: profiles, settings, blocks, and rounds that match once and introduce safely.

What stays after a member leaves. `/pair leave` (and `/mydata delete`) erase the member's
profile — zone, topics, line, pause — and clear their member id from every group and notice.
What must still hold if they ever rejoin is kept under a *token*: HMAC-SHA256 of
`guild_id|user_id` under a random 32-byte key that belongs to the server (`pairing_settings.
secret`). Tokens are kept for: who met whom in which round (so no repeat), blocks either way
(so a block still holds), and the groups they were in with their anonymous follow-up answers
(counts for moderators). A token cannot be turned back into a member id; the only way to link
one is to compute the token of a given id with the server's key — which is what Hearth does
when the member rejoins, and what someone holding both the database and that key could do to
test a guess. Nothing else about a departed member is kept.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import SHIPPED_DATA_DIR
from bot.db.engine import SessionFactory
from bot.db.models import (
    PairingBlock,
    PairingGroup,
    PairingGroupMember,
    PairingProfile,
    PairingRound,
    PairingSettings,
)
from bot.domain.pairing import Frequency
from bot.domain.pairing_times import pause_start
from bot.domain.text import excerpt
from bot.errors import InvalidInput, NotConfigured
from bot.i18n import N_
from bot.services.agreement import AgreementService
from bot.services.audit import AuditRecord, AuditService
from bot.services.data_rights import ExportChoice
from bot.services.pairing import _store as store
from bot.services.pairing._ledger import RoundLedger
from bot.services.pairing.matcher import Matcher, ProcessMatcher
from bot.services.pairing.values import (
    CANCELLED,
    EXPIRED,
    FOLLOWUP_ANSWERS,
    INTRODUCED,
    MAX_FOLLOWUP_DAYS,
    MAX_LINE,
    MAX_REPEAT_ROUNDS,
    MAX_TOPIC_LENGTH,
    MAX_TOPICS,
    MemberStatus,
    PairingConfig,
    Preview,
    Profile,
    Stats,
)
from bot.services.zones import require_zone

log = logging.getLogger(__name__)


def load_starters(path: Path | None = None) -> tuple[str, ...]:
    """Load the conversation starters from the shipped YAML file."""
    path = path or SHIPPED_DATA_DIR / "conversation_starters.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    starters = tuple(str(s).strip() for s in (data or {}).get("starters", []) if str(s).strip())
    if len(starters) < 2:
        raise ValueError(f"{path} needs at least two conversation starters")
    return starters


def parse_local_time(text: str) -> str:
    """Read a time like 18:30 (24-hour) or explain kindly."""
    try:
        parsed = datetime.strptime(text.strip(), "%H:%M")  # noqa: DTZ007 - a wall-clock time
    except ValueError:
        raise InvalidInput(
            N_("I could not read the time “%(typed)s”. Write it like 18:30 (24-hour)."),
            typed=excerpt(text),
        ) from None
    return parsed.strftime("%H:%M")


class PairingService(RoundLedger):
    """Decides everything about peer pairing; cogs only show and ask."""

    section = "pairing"

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        agreement: AgreementService,
        reads: SessionFactory | None = None,
        starters: Sequence[str] | None = None,
        matcher: Matcher | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit
        self._agreement = agreement
        self._starters = tuple(starters) if starters else load_starters()
        self._matcher = matcher or ProcessMatcher()

    async def close(self) -> None:
        """Stop the matcher's worker process, if it has one (Hearth calls this as it closes)."""
        if isinstance(self._matcher, ProcessMatcher):
            await self._matcher.close()

    # ----- settings -----------------------------------------------------------------------------

    async def settings(self, guild_id: int) -> PairingConfig:
        """Return the server's pairing settings (defaults if never set)."""
        async with self._reads() as session:
            return store.config_value(await session.get(PairingSettings, guild_id), guild_id)

    async def update_settings(
        self,
        guild_id: int,
        actor_id: int,
        *,
        channel_id: int | None = None,
        weekday: int | None = None,
        local_time: str | None = None,
        zone: str | None = None,
        rounds_before_repeat: int | None = None,
        allow_trios: bool | None = None,
        double_opt_in: bool | None = None,
        topics: str | None = None,
        followup_days: int | None = None,
    ) -> PairingConfig:
        """Change some settings (validated), audit it, and return the new settings."""
        changes = setting_changes(
            channel_id=channel_id,
            weekday=weekday,
            local_time=local_time,
            zone=zone,
            rounds_before_repeat=rounds_before_repeat,
            allow_trios=allow_trios,
            double_opt_in=double_opt_in,
            topics=topics,
            followup_days=followup_days,
        )
        now = self._clock.now()
        async with self._sessions() as session:
            row = await store.settings_row(session, guild_id, now)
            for name, value in changes.items():
                setattr(row, name, value)
            if {"weekday", "local_time", "zone"} & set(changes):
                row.cadence_since = now
            row.updated_at = now
            record: AuditRecord | None = None
            if changes:
                summary = "changed pairing settings: " + ", ".join(sorted(changes))
                record = self._audit.add(session, guild_id, actor_id, "pairing.settings", summary)
            await session.commit()
            config = store.config_value(row, guild_id)
        if record is not None:
            await self._audit.publish(record)
        return config

    # ----- profiles -----------------------------------------------------------------------------

    async def profile(self, guild_id: int, user_id: int) -> Profile | None:
        """Return the member's profile, if they joined."""
        async with self._reads() as session:
            row = await session.get(PairingProfile, (guild_id, user_id))
            return store.profile_value(row) if row else None

    async def join(
        self,
        guild_id: int,
        user_id: int,
        *,
        zone: str,
        frequency: str = Frequency.EVERY_ROUND.value,
        line: str | None = None,
        locale: str | None = None,
    ) -> Profile:
        """Opt the member in (or update their choices); needs the agreement and a set-up server.

        `locale` is the Discord locale they joined in: their invitations and follow-ups use it.
        """
        zone = require_zone(zone).key
        try:
            how_often = Frequency(frequency)
        except ValueError:
            raise InvalidInput(N_("Pick how often: every round or every other round.")) from None
        line = (line or "").strip() or None
        if line is not None and len(line) > MAX_LINE:
            raise InvalidInput(N_("Your line can be up to %(count)s characters."), count=MAX_LINE)
        config = await self.settings(guild_id)
        if not config.ready:
            raise NotConfigured(
                N_(
                    "Pairing isn't set up in this server yet. A moderator can start it with "
                    "`/pair settings`."
                )
            )
        await self._agreement.require_agreement(guild_id, user_id)
        now = self._clock.now()
        async with self._sessions() as session:
            settings = await store.settings_row(session, guild_id, self._clock.now())
            row = await session.get(PairingProfile, (guild_id, user_id))
            if row is None:
                row = PairingProfile(
                    guild_id=guild_id,
                    user_id=user_id,
                    token=store.member_token(settings.secret, guild_id, user_id),
                    topics=[],
                    paused_indefinitely=False,
                    priority=False,
                    joined_at=now,
                )
                session.add(row)
            row.zone = zone
            row.frequency = how_often.value
            row.line = line
            row.locale = locale or row.locale
            row.updated_at = now
            await session.commit()
            return store.profile_value(row)

    async def set_topics(self, guild_id: int, user_id: int, topics: Iterable[str]) -> Profile:
        """Save the topics the member picked from the server's list."""
        config = await self.settings(guild_id)
        chosen = list(dict.fromkeys(topics))
        unknown = [t for t in chosen if t not in config.topics]
        if unknown:
            raise InvalidInput(
                N_(
                    "Some of those topics are no longer on the server's list. Run `/pair topics` "
                    "to pick again."
                )
            )
        async with self._sessions() as session:
            row = await store.require_profile(session, guild_id, user_id)
            row.topics = chosen
            row.updated_at = self._clock.now()
            await session.commit()
            return store.profile_value(row)

    async def pause(self, guild_id: int, user_id: int, until: str | None = None) -> Profile:
        """Pause until a date (YYYY-MM-DD, in the member's zone) or until they resume."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await store.require_profile(session, guild_id, user_id)
            if until is None or not until.strip():
                row.paused_indefinitely = True
                row.paused_until = None
            else:
                try:
                    day = date.fromisoformat(until.strip())
                except ValueError:
                    raise InvalidInput(
                        N_("I could not read the date “%(typed)s”. Write it like 2026-03-17."),
                        typed=excerpt(until),
                    ) from None
                resume_at = pause_start(day, row.zone)
                if resume_at <= now:
                    raise InvalidInput(
                        N_(
                            "That date has already come. Pick a date in the future, or leave it "
                            "out to pause until you resume."
                        )
                    )
                row.paused_until = resume_at
                row.paused_indefinitely = False
            row.updated_at = now
            await session.commit()
            return store.profile_value(row)

    async def resume(self, guild_id: int, user_id: int) -> Profile:
        """End a pause."""
        async with self._sessions() as session:
            row = await store.require_profile(session, guild_id, user_id)
            row.paused_until = None
            row.paused_indefinitely = False
            row.updated_at = self._clock.now()
            await session.commit()
            return store.profile_value(row)

    async def leave(self, guild_id: int, user_id: int) -> bool:
        """Remove the member's profile; keep only token-keyed history, blocks and answers."""
        async with self._sessions() as session:
            row = await session.get(PairingProfile, (guild_id, user_id))
            if row is None:
                return False
            await store.forget(session, user_id, guild_id)
            await session.commit()
        return True

    async def status(self, guild_id: int, user_id: int) -> MemberStatus:
        """Return the member's settings, the next round and how many rounds they took part in."""
        now = self._clock.now()
        async with self._reads() as session:
            config = store.config_value(await session.get(PairingSettings, guild_id), guild_id)
            row = await session.get(PairingProfile, (guild_id, user_id))
            taken = 0
            if row is not None:
                taken = (
                    await session.scalar(
                        select(func.count())
                        .select_from(PairingGroupMember)
                        .join(PairingGroup, PairingGroup.id == PairingGroupMember.group_id)
                        .join(PairingRound, PairingRound.id == PairingGroup.round_id)
                        .where(
                            PairingRound.guild_id == guild_id,
                            PairingGroupMember.user_id == user_id,
                            PairingGroup.status == INTRODUCED,
                        )
                    )
                    or 0
                )
        return MemberStatus(
            profile=store.profile_value(row) if row else None,
            config=config,
            next_round=config.next_round(now),
            rounds_taken_part=taken,
        )

    # ----- blocks -------------------------------------------------------------------------------

    async def block(self, guild_id: int, user_id: int, other_id: int) -> bool:
        """Never match the member with another again (the other is not told)."""
        if other_id == user_id:
            raise InvalidInput(N_("You can't block yourself. 💛"))
        async with self._sessions() as session:
            settings = await store.settings_row(session, guild_id, self._clock.now())
            added = await store.add_blocks(
                session,
                guild_id,
                store.member_token(settings.secret, guild_id, user_id),
                [store.member_token(settings.secret, guild_id, other_id)],
                self._clock.now(),
            )
            await session.commit()
        return added > 0

    async def block_thread(self, guild_id: int, user_id: int, thread_id: int) -> int:
        """Block everyone else in the member's pairing thread; return how many were added."""
        async with self._sessions() as session:
            settings = await store.settings_row(session, guild_id, self._clock.now())
            mine = store.member_token(settings.secret, guild_id, user_id)
            group = await store.group_in_thread(session, guild_id, thread_id)
            tokens = (
                list(
                    await session.scalars(
                        select(PairingGroupMember.token).where(
                            PairingGroupMember.group_id == group.id
                        )
                    )
                )
                if group is not None
                else []
            )
            if mine not in tokens:
                raise InvalidInput(
                    N_(
                        "This isn't one of your pairing threads. Use `/pair block member:` and "
                        "pick the person instead."
                    )
                )
            others = [t for t in tokens if t != mine]
            added = await store.add_blocks(session, guild_id, mine, others, self._clock.now())
            await session.commit()
        return added

    async def thread_members(self, guild_id: int, thread_id: int) -> tuple[int, ...] | None:
        """Return who (still taking part) is in a pairing thread, or None if it is not one."""
        async with self._reads() as session:
            group = await store.group_in_thread(session, guild_id, thread_id)
            if group is None:
                return None
            ids = await session.scalars(
                select(PairingGroupMember.user_id).where(
                    PairingGroupMember.group_id == group.id,
                    PairingGroupMember.user_id.is_not(None),
                )
            )
            return tuple(i for i in ids if i is not None)

    # ----- matching -----------------------------------------------------------------------------

    async def preview(self, guild_id: int) -> Preview:
        """Say how a round would go now: counts only, nothing saved."""
        now = self._clock.now()
        async with self._reads() as session:
            settings = await session.get(PairingSettings, guild_id)
            if settings is None:
                return Preview(0, 0, 0, 0, 0, 0, 0)
            number = (await store.last_number(session, guild_id)) + 1
            matching, profiles = await store.matching_input(session, settings, number, now)
        result = await self._matcher(matching)
        paused = sum(1 for c in matching.candidates if c.paused)
        return Preview(
            opted_in=len(profiles),
            eligible=len(profiles) - len(result.not_eligible),
            paused=paused,
            resting=len(result.not_eligible) - paused,
            pairs=sum(1 for g in result.groups if len(g) == 2),
            trios=sum(1 for g in result.groups if len(g) == 3),
            left_out=len(result.left_out),
        )

    # ----- counts -------------------------------------------------------------------------------

    async def stats(self, guild_id: int) -> Stats:
        """Return counts for moderators: rounds, groups, follow-up answers. Never names."""
        now = self._clock.now()
        async with self._reads() as session:
            rounds = list(
                await session.scalars(select(PairingRound).where(PairingRound.guild_id == guild_id))
            )
            profiles = list(
                await session.scalars(
                    select(PairingProfile).where(PairingProfile.guild_id == guild_id)
                )
            )
            statuses = Counter(
                await session.scalars(
                    select(PairingGroup.status)
                    .join(PairingRound, PairingRound.id == PairingGroup.round_id)
                    .where(PairingRound.guild_id == guild_id)
                )
            )
            answers = (
                await session.execute(
                    select(PairingGroupMember.followup_sent_at, PairingGroupMember.followup_answer)
                    .join(PairingGroup, PairingGroup.id == PairingGroupMember.group_id)
                    .join(PairingRound, PairingRound.id == PairingGroup.round_id)
                    .where(PairingRound.guild_id == guild_id)
                )
            ).all()
        counted = Counter(answer for sent, answer in answers if sent is not None and answer)
        return Stats(
            rounds=len(rounds),
            members=len(profiles),
            paused=sum(1 for p in profiles if store.profile_value(p).paused_at(now)),
            groups_introduced=statuses[INTRODUCED],
            groups_fell_through=statuses[CANCELLED] + statuses[EXPIRED],
            left_out=sum(r.left_out for r in rounds),
            asked=sum(1 for sent, _ in answers if sent is not None),
            answers={a: counted[a] for a in FOLLOWUP_ANSWERS},
        )

    # ----- data rights --------------------------------------------------------------------------

    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return N_(
            "**Pairing**: if you join, your time zone, topics, how often, your optional line and "
            "any pause; the groups you were in and your answers to invitations and to "
            '"Did you connect?". Leaving (or deleting your data) erases all of that; only '
            "keyed tokens that can't be turned back into your id remain, so blocks and "
            '"no repeat" still hold if you rejoin. Moderators see counts only.'
        )

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> dict[str, Any]:
        """Return everything about this member in the pairing tables."""
        profiles = await session.scalars(
            select(PairingProfile).where(PairingProfile.user_id == user_id)
        )
        groups = await session.execute(
            select(PairingRound.guild_id, PairingRound.number, PairingGroup, PairingGroupMember)
            .join(PairingGroup, PairingGroup.round_id == PairingRound.id)
            .join(PairingGroupMember, PairingGroupMember.group_id == PairingGroup.id)
            .where(PairingGroupMember.user_id == user_id)
            .order_by(PairingRound.id)
        )
        blocks = []
        for settings in await session.scalars(select(PairingSettings)):
            token = store.member_token(settings.secret, settings.guild_id, user_id)
            count = await session.scalar(
                select(func.count())
                .select_from(PairingBlock)
                .where(
                    PairingBlock.guild_id == settings.guild_id, PairingBlock.blocker_token == token
                )
            )
            if count:
                blocks.append({"server_id": str(settings.guild_id), "people_blocked": count})
        return {
            "profiles": [
                {
                    "server_id": str(p.guild_id),
                    "time_zone": p.zone,
                    "how_often": p.frequency,
                    "topics": list(p.topics or ()),
                    "line": p.line,
                    "paused_until": p.paused_until.isoformat() if p.paused_until else None,
                    "paused_until_you_resume": p.paused_indefinitely,
                    "joined_at": p.joined_at.isoformat(),
                }
                for p in profiles
            ],
            "groups": [
                {
                    "server_id": str(guild_id),
                    "round": number,
                    "status": group.status,
                    "thread_id": str(group.thread_id) if group.thread_id else None,
                    "your_answer_to_the_invitation": member.response,
                    "did_you_connect": member.followup_answer,
                }
                for guild_id, number, group, member in groups
            ],
            "blocks_you_made": blocks,
        }

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase the member's profiles and id everywhere; token-keyed records stay unnamed."""
        return await store.forget(session, user_id, None)


def parse_topics(text: str) -> list[str]:
    """Read a comma-separated topic list, or explain kindly."""
    topics = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if len(topics) > MAX_TOPICS:
        raise InvalidInput(
            N_("Up to %(count)s topics, please (Discord shows 25 choices)."), count=MAX_TOPICS
        )
    long = [t for t in topics if len(t) > MAX_TOPIC_LENGTH]
    if long:
        raise InvalidInput(
            N_("Each topic can be up to %(count)s characters."), count=MAX_TOPIC_LENGTH
        )
    return topics


def _weekday(day: int) -> int:
    if not 0 <= day <= 6:
        raise InvalidInput(N_("Pick a day of the week."))
    return day


def _repeat_rounds(rounds: int) -> int:
    if not 0 <= rounds <= MAX_REPEAT_ROUNDS:
        raise InvalidInput(
            N_("Rounds before a repeat can be 0 to %(count)s."), count=MAX_REPEAT_ROUNDS
        )
    return rounds


def _followup_days(days: int) -> int:
    if not 1 <= days <= MAX_FOLLOWUP_DAYS:
        raise InvalidInput(
            N_("The follow-up can come after 1 to %(count)s days."), count=MAX_FOLLOWUP_DAYS
        )
    return days


def _zone_key(zone: str) -> str:
    return require_zone(zone).key


SETTING_CHECKS: dict[str, Callable[[Any], Any]] = {
    "weekday": _weekday,
    "local_time": parse_local_time,
    "zone": _zone_key,
    "rounds_before_repeat": _repeat_rounds,
    "topics": parse_topics,
    "followup_days": _followup_days,
}


def setting_changes(**options: Any) -> dict[str, Any]:
    """Return the settings given (not None), each checked and normalised, or explain kindly."""
    return {
        name: SETTING_CHECKS.get(name, lambda value: value)(value)
        for name, value in options.items()
        if value is not None
    }

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

import hashlib
import hmac
import logging
import random
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import SHIPPED_DATA_DIR
from bot.db.engine import SessionFactory
from bot.db.models import (
    PairingBlock,
    PairingGroup,
    PairingGroupMember,
    PairingHistory,
    PairingNotice,
    PairingProfile,
    PairingRound,
    PairingSettings,
)
from bot.domain.pairing import (
    Candidate,
    Frequency,
    MatchingInput,
    MatchingResult,
    WakingHours,
    match_round,
)
from bot.domain.pairing_times import (
    latest_slot,
    next_slot,
    pause_start,
    suggest_meeting_times,
    waking_hours,
)
from bot.domain.text import excerpt
from bot.errors import InvalidInput, NotConfigured, NotFound
from bot.services.agreement import AgreementService
from bot.services.audit import AuditRecord, AuditService
from bot.services.data_rights import ExportChoice
from bot.services.zones import require_zone

log = logging.getLogger(__name__)

MAX_TOPICS = 25
MAX_TOPIC_LENGTH = 60
MAX_LINE = 200
MAX_REPEAT_ROUNDS = 52
MAX_FOLLOWUP_DAYS = 30
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Round and group states.
OPEN = "open"
DONE = "done"
AWAITING = "awaiting"  # double opt-in: waiting for every member to accept
READY = "ready"  # the thread is to be made
INTRODUCED = "introduced"
CANCELLED = "cancelled"  # someone skipped, left, or could not be asked
EXPIRED = "expired"  # not everyone answered before the next round

ACCEPTED = "accepted"
SKIPPED = "skipped"
UNREACHABLE = "unreachable"

LEFT_OUT = "left_out"
FELL_THROUGH = "fell_through"

FOLLOWUP_ANSWERS = ("yes", "not_yet", "no")


def member_token(secret: bytes, guild_id: int, user_id: int) -> bytes:
    """Return the member's pairing token in one server (HMAC-SHA256 under the server's key)."""
    message = f"hearth/pairing|{guild_id}|{user_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).digest()


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
            f"I could not read the time “{excerpt(text)}”. Write it like 18:30 (24-hour)."
        ) from None
    return parsed.strftime("%H:%M")


@dataclass(frozen=True)
class PairingConfig:
    """A server's pairing settings, detached from the database."""

    guild_id: int
    channel_id: int | None
    weekday: int | None
    local_time: str | None
    zone: str | None
    rounds_before_repeat: int
    allow_trios: bool
    double_opt_in: bool
    topics: tuple[str, ...]
    followup_days: int

    @property
    def scheduled(self) -> bool:
        """Return whether rounds have a weekly time."""
        return self.weekday is not None and self.local_time is not None and self.zone is not None

    @property
    def ready(self) -> bool:
        """Return whether pairing is set up enough to run rounds."""
        return self.channel_id is not None

    def cadence(self) -> str:
        """Describe when rounds run, in plain words."""
        if not self.scheduled:
            return "no weekly time set (rounds run only when a moderator starts one)"
        return f"every {WEEKDAYS[self.weekday or 0]} at {self.local_time} ({self.zone})"

    def next_round(self, now: datetime) -> datetime | None:
        """Return when the next scheduled round runs, if there is a schedule."""
        if not self.scheduled:
            return None
        return next_slot(
            self.weekday or 0, time.fromisoformat(self.local_time or "00:00"), self.zone or "", now
        )


@dataclass(frozen=True)
class Profile:
    """A member's pairing choices in one server."""

    guild_id: int
    user_id: int
    zone: str
    frequency: Frequency
    topics: tuple[str, ...]
    line: str | None
    paused_until: datetime | None
    paused_indefinitely: bool
    priority: bool
    last_matched_round: int | None

    def paused_at(self, moment: datetime) -> bool:
        """Return whether the member is paused at a moment."""
        return self.paused_indefinitely or (
            self.paused_until is not None and self.paused_until > moment
        )


@dataclass(frozen=True)
class MemberStatus:
    """What `/pair status` shows."""

    profile: Profile | None
    config: PairingConfig
    next_round: datetime | None
    rounds_taken_part: int


@dataclass(frozen=True)
class Preview:
    """How a round would go right now: counts only."""

    opted_in: int
    eligible: int
    paused: int
    resting: int
    pairs: int
    trios: int
    left_out: int


@dataclass(frozen=True)
class GroupMember:
    """One member of a group as the introduction needs them."""

    row_id: int
    user_id: int | None
    zone: str | None
    line: str | None
    topics: tuple[str, ...]
    response: str | None
    invite_sent: bool


@dataclass(frozen=True)
class Group:
    """A pair or trio to introduce (or to ask first)."""

    id: int
    round_id: int
    round_number: int
    guild_id: int
    position: int
    name: str
    status: str
    thread_id: int | None
    thread_requested: bool
    introduced: bool
    members: tuple[GroupMember, ...]
    starters: tuple[str, ...]
    meeting_times: tuple[datetime, ...]

    @property
    def user_ids(self) -> tuple[int, ...]:
        """Return the ids of members still taking part."""
        return tuple(m.user_id for m in self.members if m.user_id is not None)

    @property
    def shared_topics(self) -> tuple[str, ...]:
        """Return the topics every member picked."""
        sets = [set(m.topics) for m in self.members if m.user_id is not None]
        return tuple(sorted(set.intersection(*sets))) if sets else ()


@dataclass(frozen=True)
class RoundPlan:
    """One round's state: the channel, groups still to ask or introduce, and its numbers."""

    id: int
    guild_id: int
    number: int
    channel_id: int | None
    double_opt_in: bool
    groups: tuple[Group, ...]
    eligible: int
    left_out: int


@dataclass(frozen=True)
class Notice:
    """A claimed private message to one member."""

    id: int
    guild_id: int
    user_id: int
    kind: str
    round_number: int


@dataclass(frozen=True)
class Invitation:
    """A claimed double opt-in invitation to send."""

    row_id: int
    user_id: int
    group_id: int
    guild_id: int
    round_number: int
    trio: bool
    resumed: bool = False  # claimed by a process that stopped: it may have gone out already


@dataclass(frozen=True)
class ResponseOutcome:
    """What an Accept or Skip changed."""

    group_id: int
    round_id: int
    status: str
    changed: bool


@dataclass(frozen=True)
class Followup:
    """A claimed "Did you connect?" to send."""

    row_id: int
    user_id: int
    guild_id: int
    thread_id: int | None
    resumed: bool = False  # claimed by a process that stopped: it may have gone out already


@dataclass(frozen=True)
class Stats:
    """Counts for moderators: never names."""

    rounds: int
    members: int
    paused: int
    groups_introduced: int
    groups_fell_through: int
    left_out: int
    asked: int
    answers: dict[str, int]


class PairingService:
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
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit
        self._agreement = agreement
        self._starters = tuple(starters) if starters else load_starters()

    # ----- settings ------------------------------------------------------------------------
    @staticmethod
    def _config(row: PairingSettings | None, guild_id: int) -> PairingConfig:
        if row is None:
            return PairingConfig(guild_id, None, None, None, None, 4, True, False, (), 3)
        return PairingConfig(
            guild_id=row.guild_id,
            channel_id=row.channel_id,
            weekday=row.weekday,
            local_time=row.local_time,
            zone=row.zone,
            rounds_before_repeat=row.rounds_before_repeat,
            allow_trios=row.allow_trios,
            double_opt_in=row.double_opt_in,
            topics=tuple(row.topics or ()),
            followup_days=row.followup_days,
        )

    async def _settings_row(self, session: AsyncSession, guild_id: int) -> PairingSettings:
        row = await session.get(PairingSettings, guild_id)
        if row is None:
            row = PairingSettings(
                guild_id=guild_id,
                secret=secrets.token_bytes(32),
                rounds_before_repeat=4,
                allow_trios=True,
                double_opt_in=False,
                topics=[],
                followup_days=3,
                updated_at=self._clock.now(),
            )
            session.add(row)
            await session.flush()
        return row

    async def settings(self, guild_id: int) -> PairingConfig:
        """Return the server's pairing settings (defaults if never set)."""
        async with self._reads() as session:
            return self._config(await session.get(PairingSettings, guild_id), guild_id)

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
        changes: dict[str, Any] = {}
        if channel_id is not None:
            changes["channel_id"] = channel_id
        if weekday is not None:
            if not 0 <= weekday <= 6:
                raise InvalidInput("Pick a day of the week.")
            changes["weekday"] = weekday
        if local_time is not None:
            changes["local_time"] = parse_local_time(local_time)
        if zone is not None:
            changes["zone"] = require_zone(zone).key
        if rounds_before_repeat is not None:
            if not 0 <= rounds_before_repeat <= MAX_REPEAT_ROUNDS:
                raise InvalidInput(f"Rounds before a repeat can be 0 to {MAX_REPEAT_ROUNDS}.")
            changes["rounds_before_repeat"] = rounds_before_repeat
        if allow_trios is not None:
            changes["allow_trios"] = allow_trios
        if double_opt_in is not None:
            changes["double_opt_in"] = double_opt_in
        if topics is not None:
            changes["topics"] = parse_topics(topics)
        if followup_days is not None:
            if not 1 <= followup_days <= MAX_FOLLOWUP_DAYS:
                raise InvalidInput(f"The follow-up can come after 1 to {MAX_FOLLOWUP_DAYS} days.")
            changes["followup_days"] = followup_days
        now = self._clock.now()
        async with self._sessions() as session:
            row = await self._settings_row(session, guild_id)
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
            config = self._config(row, guild_id)
        if record is not None:
            await self._audit.publish(record)
        return config

    # ----- profiles ------------------------------------------------------------------------
    @staticmethod
    def _profile(row: PairingProfile) -> Profile:
        return Profile(
            guild_id=row.guild_id,
            user_id=row.user_id,
            zone=row.zone,
            frequency=Frequency(row.frequency),
            topics=tuple(row.topics or ()),
            line=row.line,
            paused_until=row.paused_until,
            paused_indefinitely=row.paused_indefinitely,
            priority=row.priority,
            last_matched_round=row.last_matched_round,
        )

    async def profile(self, guild_id: int, user_id: int) -> Profile | None:
        """Return the member's profile, if they joined."""
        async with self._reads() as session:
            row = await session.get(PairingProfile, (guild_id, user_id))
            return self._profile(row) if row else None

    async def join(
        self,
        guild_id: int,
        user_id: int,
        *,
        zone: str,
        frequency: str = Frequency.EVERY_ROUND.value,
        line: str | None = None,
    ) -> Profile:
        """Opt the member in (or update their choices); needs the agreement and a set-up server."""
        zone = require_zone(zone).key
        try:
            how_often = Frequency(frequency)
        except ValueError:
            raise InvalidInput("Pick how often: every round or every other round.") from None
        line = (line or "").strip() or None
        if line is not None and len(line) > MAX_LINE:
            raise InvalidInput(f"Your line can be up to {MAX_LINE} characters.")
        config = await self.settings(guild_id)
        if not config.ready:
            raise NotConfigured(
                "Pairing isn't set up in this server yet. A moderator can start it with "
                "`/pair settings`."
            )
        await self._agreement.require_agreement(guild_id, user_id)
        now = self._clock.now()
        async with self._sessions() as session:
            settings = await self._settings_row(session, guild_id)
            row = await session.get(PairingProfile, (guild_id, user_id))
            if row is None:
                row = PairingProfile(
                    guild_id=guild_id,
                    user_id=user_id,
                    token=member_token(settings.secret, guild_id, user_id),
                    topics=[],
                    paused_indefinitely=False,
                    priority=False,
                    joined_at=now,
                )
                session.add(row)
            row.zone = zone
            row.frequency = how_often.value
            row.line = line
            row.updated_at = now
            await session.commit()
            return self._profile(row)

    async def set_topics(self, guild_id: int, user_id: int, topics: Iterable[str]) -> Profile:
        """Save the topics the member picked from the server's list."""
        config = await self.settings(guild_id)
        chosen = list(dict.fromkeys(topics))
        unknown = [t for t in chosen if t not in config.topics]
        if unknown:
            raise InvalidInput(
                "Some of those topics are no longer on the server's list. Run `/pair topics` to "
                "pick again."
            )
        async with self._sessions() as session:
            row = await self._require_profile(session, guild_id, user_id)
            row.topics = chosen
            row.updated_at = self._clock.now()
            await session.commit()
            return self._profile(row)

    async def _require_profile(
        self, session: AsyncSession, guild_id: int, user_id: int
    ) -> PairingProfile:
        row = await session.get(PairingProfile, (guild_id, user_id))
        if row is None:
            raise NotFound("You haven't joined pairing here. `/pair join` opts you in.")
        return row

    async def pause(self, guild_id: int, user_id: int, until: str | None = None) -> Profile:
        """Pause until a date (YYYY-MM-DD, in the member's zone) or until they resume."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await self._require_profile(session, guild_id, user_id)
            if until is None or not until.strip():
                row.paused_indefinitely = True
                row.paused_until = None
            else:
                try:
                    day = date.fromisoformat(until.strip())
                except ValueError:
                    raise InvalidInput(
                        f"I could not read the date “{excerpt(until)}”. Write it like 2026-03-17."
                    ) from None
                resume_at = pause_start(day, row.zone)
                if resume_at <= now:
                    raise InvalidInput(
                        "That date has already come. Pick a date in the future, or leave it out "
                        "to pause until you resume."
                    )
                row.paused_until = resume_at
                row.paused_indefinitely = False
            row.updated_at = now
            await session.commit()
            return self._profile(row)

    async def resume(self, guild_id: int, user_id: int) -> Profile:
        """End a pause."""
        async with self._sessions() as session:
            row = await self._require_profile(session, guild_id, user_id)
            row.paused_until = None
            row.paused_indefinitely = False
            row.updated_at = self._clock.now()
            await session.commit()
            return self._profile(row)

    async def leave(self, guild_id: int, user_id: int) -> bool:
        """Remove the member's profile; keep only token-keyed history, blocks and answers."""
        async with self._sessions() as session:
            row = await session.get(PairingProfile, (guild_id, user_id))
            if row is None:
                return False
            await self._forget(session, user_id, guild_id)
            await session.commit()
        return True

    async def _forget(self, session: AsyncSession, user_id: int, guild_id: int | None) -> int:
        """Erase a member's profile and id from pairing (one server, or all); return rows touched."""
        touched = 0
        profiles = delete(PairingProfile).where(PairingProfile.user_id == user_id)
        if guild_id is not None:
            profiles = profiles.where(PairingProfile.guild_id == guild_id)
        touched += (await session.execute(profiles)).rowcount or 0
        query = (
            select(PairingGroupMember, PairingGroup, PairingRound)
            .join(PairingGroup, PairingGroup.id == PairingGroupMember.group_id)
            .join(PairingRound, PairingRound.id == PairingGroup.round_id)
            .where(PairingGroupMember.user_id == user_id)
        )
        if guild_id is not None:
            query = query.where(PairingRound.guild_id == guild_id)
        for member, group, _round in (await session.execute(query)).all():
            if group.status in (AWAITING, READY):
                await self._cancel_group(session, group, exclude=member.id)
            member.user_id = None
            touched += 1
        notices = select(PairingNotice.id).join(
            PairingRound, PairingRound.id == PairingNotice.round_id
        )
        notices = notices.where(PairingNotice.user_id == user_id)
        if guild_id is not None:
            notices = notices.where(PairingRound.guild_id == guild_id)
        ids = list(await session.scalars(notices))
        if ids:
            await session.execute(delete(PairingNotice).where(PairingNotice.id.in_(ids)))
            touched += len(ids)
        return touched

    async def status(self, guild_id: int, user_id: int) -> MemberStatus:
        """Return the member's settings, the next round and how many rounds they took part in."""
        now = self._clock.now()
        async with self._reads() as session:
            config = self._config(await session.get(PairingSettings, guild_id), guild_id)
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
            profile=self._profile(row) if row else None,
            config=config,
            next_round=config.next_round(now),
            rounds_taken_part=taken,
        )

    # ----- blocks --------------------------------------------------------------------------
    async def block(self, guild_id: int, user_id: int, other_id: int) -> bool:
        """Never match the member with another again (the other is not told)."""
        if other_id == user_id:
            raise InvalidInput("You can't block yourself. 💛")
        async with self._sessions() as session:
            settings = await self._settings_row(session, guild_id)
            added = await self._add_blocks(
                session,
                guild_id,
                member_token(settings.secret, guild_id, user_id),
                [member_token(settings.secret, guild_id, other_id)],
            )
            await session.commit()
        return added > 0

    async def block_thread(self, guild_id: int, user_id: int, thread_id: int) -> int:
        """Block everyone else in the member's pairing thread; return how many were added."""
        async with self._sessions() as session:
            settings = await self._settings_row(session, guild_id)
            mine = member_token(settings.secret, guild_id, user_id)
            group = await session.scalar(
                select(PairingGroup)
                .join(PairingRound, PairingRound.id == PairingGroup.round_id)
                .where(PairingGroup.thread_id == thread_id, PairingRound.guild_id == guild_id)
            )
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
                    "This isn't one of your pairing threads. Use `/pair block member:` and pick "
                    "the person instead."
                )
            added = await self._add_blocks(
                session, guild_id, mine, [t for t in tokens if t != mine]
            )
            await session.commit()
        return added

    async def _add_blocks(
        self, session: AsyncSession, guild_id: int, blocker: bytes, blocked: Sequence[bytes]
    ) -> int:
        added = 0
        for token in blocked:
            exists = await session.scalar(
                select(PairingBlock.id).where(
                    PairingBlock.guild_id == guild_id,
                    PairingBlock.blocker_token == blocker,
                    PairingBlock.blocked_token == token,
                )
            )
            if exists is None:
                session.add(
                    PairingBlock(
                        guild_id=guild_id,
                        blocker_token=blocker,
                        blocked_token=token,
                        created_at=self._clock.now(),
                    )
                )
                added += 1
        return added

    async def thread_members(self, guild_id: int, thread_id: int) -> tuple[int, ...] | None:
        """Return who (still taking part) is in a pairing thread, or None if it is not one."""
        async with self._reads() as session:
            group = await session.scalar(
                select(PairingGroup)
                .join(PairingRound, PairingRound.id == PairingGroup.round_id)
                .where(PairingGroup.thread_id == thread_id, PairingRound.guild_id == guild_id)
            )
            if group is None:
                return None
            ids = await session.scalars(
                select(PairingGroupMember.user_id).where(
                    PairingGroupMember.group_id == group.id,
                    PairingGroupMember.user_id.is_not(None),
                )
            )
            return tuple(i for i in ids if i is not None)

    # ----- matching ------------------------------------------------------------------------
    async def _matching_input(
        self, session: AsyncSession, settings: PairingSettings, number: int, when: datetime
    ) -> tuple[MatchingInput, dict[int, bytes]]:
        """Build the matcher's input; return it with each member's token (read as plain rows)."""
        guild_id = settings.guild_id
        rows = (
            await session.execute(
                select(
                    PairingProfile.user_id,
                    PairingProfile.token,
                    PairingProfile.zone,
                    PairingProfile.frequency,
                    PairingProfile.topics,
                    PairingProfile.paused_until,
                    PairingProfile.paused_indefinitely,
                    PairingProfile.last_matched_round,
                    PairingProfile.priority,
                ).where(PairingProfile.guild_id == guild_id)
            )
        ).all()
        tokens = {row.user_id: row.token for row in rows}
        by_token = {row.token: row.user_id for row in rows}
        blocked = set()
        for a, b in (
            await session.execute(
                select(PairingBlock.blocker_token, PairingBlock.blocked_token).where(
                    PairingBlock.guild_id == guild_id
                )
            )
        ).all():
            if a in by_token and b in by_token:
                blocked.add(frozenset((by_token[a], by_token[b])))
        since = number - settings.rounds_before_repeat - 1
        history = []
        for a, b, r in (
            await session.execute(
                select(
                    PairingHistory.token_a, PairingHistory.token_b, PairingHistory.round_number
                ).where(PairingHistory.guild_id == guild_id, PairingHistory.round_number >= since)
            )
        ).all():
            if a in by_token and b in by_token:
                history.append((by_token[a], by_token[b], r))
        awake: dict[str, WakingHours] = {}
        candidates = tuple(
            Candidate(
                id=row.user_id,
                topics=frozenset(row.topics or ()),
                awake=awake.get(row.zone)
                or awake.setdefault(row.zone, waking_hours(row.zone, when)),
                frequency=Frequency(row.frequency),
                last_matched_round=row.last_matched_round,
                priority=row.priority,
                paused=row.paused_indefinitely
                or (row.paused_until is not None and row.paused_until > when),
            )
            for row in rows
        )
        seed = int.from_bytes(
            hmac.new(settings.secret, f"seed|{number}".encode(), hashlib.sha256).digest()[:3], "big"
        )
        matching = MatchingInput(
            candidates=candidates,
            round_number=number,
            blocked=frozenset(blocked),
            history=tuple(history),
            rounds_before_repeat=settings.rounds_before_repeat,
            allow_trios=settings.allow_trios,
            seed=seed,
        )
        return matching, tokens

    async def preview(self, guild_id: int) -> Preview:
        """Say how a round would go now: counts only, nothing saved."""
        now = self._clock.now()
        async with self._reads() as session:
            settings = await session.get(PairingSettings, guild_id)
            if settings is None:
                return Preview(0, 0, 0, 0, 0, 0, 0)
            number = (await self._last_number(session, guild_id)) + 1
            matching, profiles = await self._matching_input(session, settings, number, now)
        result = match_round(matching)
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

    @staticmethod
    async def _last_number(session: AsyncSession, guild_id: int) -> int:
        return (
            await session.scalar(
                select(func.max(PairingRound.number)).where(PairingRound.guild_id == guild_id)
            )
        ) or 0

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
                    "Pairing isn't set up in this server yet: choose a channel with "
                    "`/pair settings channel:`."
                )
            exists = await session.scalar(
                select(PairingRound.id).where(
                    PairingRound.guild_id == guild_id, PairingRound.slot == slot
                )
            )
            if exists is not None:
                return None
            await self._expire_waiting(session, guild_id)
            number = (await self._last_number(session, guild_id)) + 1
            matching, profiles = await self._matching_input(session, settings, number, slot)
            result = match_round(matching)
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
            await self._save_groups(session, settings, round_, result, profiles)
            left_out = [int(user_id) for user_id in result.left_out]
            for chunk in _chunks(left_out):
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

    async def _save_groups(
        self,
        session: AsyncSession,
        settings: PairingSettings,
        round_: PairingRound,
        result: MatchingResult,
        tokens: dict[int, bytes],
    ) -> None:
        """Insert the round's groups, members and history with a few bulk statements."""
        if not result.groups:
            return
        status = AWAITING if settings.double_opt_in else READY
        ids = dict(
            (
                await session.execute(
                    insert(PairingGroup).returning(PairingGroup.position, PairingGroup.id),
                    [
                        {
                            "round_id": round_.id,
                            "position": position,
                            "name": thread_name(round_.number, position),
                            "status": status,
                            "score": score,
                        }
                        for position, score in enumerate(result.scores, start=1)
                    ],
                )
            ).all()
        )
        members, history, matched = [], [], []
        for position, group in enumerate(result.groups, start=1):
            for user_id in group:
                uid = int(user_id)
                matched.append(uid)
                members.append({"group_id": ids[position], "user_id": uid, "token": tokens[uid]})
            for a, b in combinations(group, 2):
                ta, tb = sorted((tokens[int(a)], tokens[int(b)]))
                history.append(
                    {
                        "guild_id": settings.guild_id,
                        "token_a": ta,
                        "token_b": tb,
                        "round_number": round_.number,
                    }
                )
        await session.execute(insert(PairingGroupMember), members)
        await session.execute(insert(PairingHistory), history)
        for chunk in _chunks(matched):
            await session.execute(
                update(PairingProfile)
                .where(
                    PairingProfile.guild_id == settings.guild_id, PairingProfile.user_id.in_(chunk)
                )
                .values(last_matched_round=round_.number, priority=False)
            )

    async def _expire_waiting(self, session: AsyncSession, guild_id: int) -> None:
        groups = await session.scalars(
            select(PairingGroup)
            .join(PairingRound, PairingRound.id == PairingGroup.round_id)
            .where(PairingRound.guild_id == guild_id, PairingGroup.status == AWAITING)
        )
        for group in groups:
            await self._cancel_group(session, group, status=EXPIRED)

    async def _cancel_group(
        self,
        session: AsyncSession,
        group: PairingGroup,
        *,
        status: str = CANCELLED,
        exclude: int | None = None,
        tell: Iterable[int] = (),
    ) -> None:
        """Call a group off: everyone else in it is told kindly and goes first next round."""
        group.status = status
        round_ = await session.get(PairingRound, group.round_id)
        members = await session.scalars(
            select(PairingGroupMember).where(PairingGroupMember.group_id == group.id)
        )
        for member in members:
            if member.id == exclude or member.user_id is None or member.response == SKIPPED:
                continue
            if status == EXPIRED and member.response != ACCEPTED and member.id not in tell:
                continue
            await session.execute(
                update(PairingProfile)
                .where(
                    PairingProfile.guild_id == (round_.guild_id if round_ else 0),
                    PairingProfile.user_id == member.user_id,
                )
                .values(priority=True, last_matched_round=None)
            )
            exists = await session.scalar(
                select(PairingNotice.id).where(
                    PairingNotice.round_id == group.round_id,
                    PairingNotice.user_id == member.user_id,
                    PairingNotice.kind == FELL_THROUGH,
                )
            )
            if exists is None:
                session.add(
                    PairingNotice(
                        round_id=group.round_id, user_id=member.user_id, kind=FELL_THROUGH
                    )
                )

    # ----- introducing ---------------------------------------------------------------------
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
                raise NotFound("That round doesn't exist.")
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
                    )
                )
            await session.commit()
        return claimed

    async def confirm_invitation(self, row_id: int) -> None:
        """Note that an invitation went out (or could not), so it is never sent again."""
        await self._confirm(PairingGroupMember.invite_confirmed_at, row_id)

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

    async def respond(self, row_id: int, user_id: int, response: str) -> ResponseOutcome:
        """Record Accept, Skip (or that the member could not be asked) for an invitation."""
        if response not in (ACCEPTED, SKIPPED, UNREACHABLE):
            raise ValueError(response)
        async with self._sessions() as session:
            member = await session.get(PairingGroupMember, row_id)
            if member is None or member.user_id != user_id:
                raise NotFound("This invitation isn't yours, or it's no longer open.")
            group = await session.get(PairingGroup, member.group_id)
            if group is None:
                raise NotFound("This match is no longer open.")
            if group.status != AWAITING or member.response is not None:
                return ResponseOutcome(group.id, group.round_id, group.status, changed=False)
            member.response = SKIPPED if response == UNREACHABLE else response
            if member.response == SKIPPED:
                await self._cancel_group(session, group)
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
                        notice.id, round_.guild_id, notice.user_id or 0, notice.kind, round_.number
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

    # ----- follow-up -----------------------------------------------------------------------
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
                        member.id, member.user_id or 0, round_.guild_id, group.thread_id, resumed
                    )
                )
            await session.commit()
        return claimed

    async def answer_followup(self, row_id: int, user_id: int, answer: str) -> None:
        """Record the member's answer to "Did you connect?" (they may change it)."""
        if answer not in FOLLOWUP_ANSWERS:
            raise ValueError(answer)
        async with self._sessions() as session:
            member = await session.get(PairingGroupMember, row_id)
            if member is None or member.user_id != user_id:
                raise NotFound("This question isn't yours, or it's no longer open.")
            member.followup_answer = answer
            await session.commit()

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
            paused=sum(1 for p in profiles if self._profile(p).paused_at(now)),
            groups_introduced=statuses[INTRODUCED],
            groups_fell_through=statuses[CANCELLED] + statuses[EXPIRED],
            left_out=sum(r.left_out for r in rounds),
            asked=sum(1 for sent, _ in answers if sent is not None),
            answers={a: counted[a] for a in FOLLOWUP_ANSWERS},
        )

    # ----- data rights ---------------------------------------------------------------------
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return (
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
            token = member_token(settings.secret, settings.guild_id, user_id)
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
        return await self._forget(session, user_id, None)


def _chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def thread_name(round_number: int, position: int) -> str:
    """Return a group's thread name: deterministic, so a resume can find it."""
    return f"Peer pair · round {round_number} · #{position}"


def parse_topics(text: str) -> list[str]:
    """Read a comma-separated topic list, or explain kindly."""
    topics = list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if len(topics) > MAX_TOPICS:
        raise InvalidInput(f"Up to {MAX_TOPICS} topics, please (Discord shows 25 choices).")
    long = [t for t in topics if len(t) > MAX_TOPIC_LENGTH]
    if long:
        raise InvalidInput(f"Each topic can be up to {MAX_TOPIC_LENGTH} characters.")
    return topics

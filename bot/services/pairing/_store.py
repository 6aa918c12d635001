"""The pairing tables: statements a unit of work runs (each takes the session, none commits)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import combinations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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
from bot.db.queries import rows_changed
from bot.domain.pairing import Candidate, Frequency, MatchingInput, MatchingResult, WakingHours
from bot.domain.pairing_times import waking_hours
from bot.errors import NotFound
from bot.i18n import N_
from bot.services.pairing.values import (
    ACCEPTED,
    AWAITING,
    CANCELLED,
    EXPIRED,
    FELL_THROUGH,
    READY,
    SKIPPED,
    PairingConfig,
    Profile,
    thread_name,
)


def member_token(secret: bytes, guild_id: int, user_id: int) -> bytes:
    """Return the member's pairing token in one server (HMAC-SHA256 under the server's key)."""
    message = f"hearth/pairing|{guild_id}|{user_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).digest()


def chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    """Yield the values a few hundred at a time (for IN lists every database accepts)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ----- settings and profiles -------------------------------------------------------------
def config_value(row: PairingSettings | None, guild_id: int) -> PairingConfig:
    """Copy a server's settings row into a frozen value (defaults without a row)."""
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


async def settings_row(session: AsyncSession, guild_id: int, now: datetime) -> PairingSettings:
    """Return the server's settings row, made with a fresh key if there was none."""
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
            updated_at=now,
        )
        session.add(row)
        await session.flush()
    return row


def profile_value(row: PairingProfile) -> Profile:
    """Copy a profile row into a frozen value."""
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


async def require_profile(session: AsyncSession, guild_id: int, user_id: int) -> PairingProfile:
    """Return the member's profile row, or say kindly that they haven't joined."""
    row = await session.get(PairingProfile, (guild_id, user_id))
    if row is None:
        raise NotFound(N_("You haven't joined pairing here. `/pair join` opts you in."))
    return row


async def member_locale(session: AsyncSession, guild_id: int, user_id: int) -> str | None:
    """Return the Discord locale the member joined pairing in (None: not known)."""
    row = await session.get(PairingProfile, (guild_id, user_id))
    return row.locale if row is not None else None


async def group_in_thread(
    session: AsyncSession, guild_id: int, thread_id: int
) -> PairingGroup | None:
    """Return the group whose private thread this is, if any."""
    return await session.scalar(
        select(PairingGroup)
        .join(PairingRound, PairingRound.id == PairingGroup.round_id)
        .where(PairingGroup.thread_id == thread_id, PairingRound.guild_id == guild_id)
    )


async def add_blocks(
    session: AsyncSession,
    guild_id: int,
    blocker: bytes,
    blocked: Sequence[bytes],
    now: datetime,
) -> int:
    """Add the blocks not there yet; return how many were added."""
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
                    guild_id=guild_id, blocker_token=blocker, blocked_token=token, created_at=now
                )
            )
            added += 1
    return added


async def forget(session: AsyncSession, user_id: int, guild_id: int | None) -> int:
    """Erase a member's profile and id from pairing (one server, or all); return rows touched."""
    touched = 0
    profiles = delete(PairingProfile).where(PairingProfile.user_id == user_id)
    if guild_id is not None:
        profiles = profiles.where(PairingProfile.guild_id == guild_id)
    touched += await rows_changed(session, profiles)
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
            await cancel_group(session, group, exclude=member.id)
        member.user_id = None
        touched += 1
    notices = select(PairingNotice.id).join(PairingRound, PairingRound.id == PairingNotice.round_id)
    notices = notices.where(PairingNotice.user_id == user_id)
    if guild_id is not None:
        notices = notices.where(PairingRound.guild_id == guild_id)
    ids = list(await session.scalars(notices))
    if ids:
        await session.execute(delete(PairingNotice).where(PairingNotice.id.in_(ids)))
        touched += len(ids)
    return touched


# ----- rounds ----------------------------------------------------------------------------
async def last_number(session: AsyncSession, guild_id: int) -> int:
    """Return the number of the server's latest round (0 before the first)."""
    return (
        await session.scalar(
            select(func.max(PairingRound.number)).where(PairingRound.guild_id == guild_id)
        )
    ) or 0


async def matching_input(
    session: AsyncSession, settings: PairingSettings, number: int, when: datetime
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
            awake=awake.get(row.zone) or awake.setdefault(row.zone, waking_hours(row.zone, when)),
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


async def save_groups(
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
    for chunk in chunks(matched):
        await session.execute(
            update(PairingProfile)
            .where(PairingProfile.guild_id == settings.guild_id, PairingProfile.user_id.in_(chunk))
            .values(last_matched_round=round_.number, priority=False)
        )


async def expire_waiting(session: AsyncSession, guild_id: int) -> None:
    """Call off the server's groups still waiting for answers from an earlier round."""
    groups = await session.scalars(
        select(PairingGroup)
        .join(PairingRound, PairingRound.id == PairingGroup.round_id)
        .where(PairingRound.guild_id == guild_id, PairingGroup.status == AWAITING)
    )
    for group in groups:
        await cancel_group(session, group, status=EXPIRED)


async def cancel_group(
    session: AsyncSession,
    group: PairingGroup,
    *,
    status: str = CANCELLED,
    exclude: int | None = None,
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
        if status == EXPIRED and member.response != ACCEPTED:
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
                PairingNotice(round_id=group.round_id, user_id=member.user_id, kind=FELL_THROUGH)
            )

"""The agreement tables: statements a unit of work runs (each takes the session, none commits)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AgreementAcceptance,
    AgreementQuiz,
    AgreementQuizResult,
    AgreementStanding,
    AgreementVersion,
)
from bot.db.queries import insert_ignore, rows_changed
from bot.domain import agreement as text
from bot.services.agreement.values import (
    MATERIAL,
    MINOR,
    AgreementText,
    ReacceptanceAsk,
    VersionCount,
)


def as_text(row: AgreementVersion) -> AgreementText:
    """Copy a version's row into a frozen value."""
    return AgreementText(
        guild_id=row.guild_id,
        number=row.number,
        title=row.title,
        points=text.parse_points(row.body),
        change_kind=row.change_kind,
        author_id=row.author_id,
        created_at=row.created_at,
    )


async def current_row(session: AsyncSession, guild_id: int) -> AgreementVersion | None:
    """Return the newest version of the server's agreement."""
    return await session.scalar(
        select(AgreementVersion)
        .where(AgreementVersion.guild_id == guild_id)
        .order_by(AgreementVersion.number.desc())
        .limit(1)
    )


async def required_row(session: AsyncSession, guild_id: int) -> AgreementVersion | None:
    """Return the newest version that needs acceptance (initial or material)."""
    return await session.scalar(
        select(AgreementVersion)
        .where(AgreementVersion.guild_id == guild_id, AgreementVersion.change_kind != MINOR)
        .order_by(AgreementVersion.number.desc())
        .limit(1)
    )


async def versions(session: AsyncSession, guild_id: int) -> list[AgreementText]:
    """Return every version, newest first."""
    rows = await session.scalars(
        select(AgreementVersion)
        .where(AgreementVersion.guild_id == guild_id)
        .order_by(AgreementVersion.number.desc())
    )
    return [as_text(row) for row in rows]


async def is_current(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """Return whether the member accepted the version that is currently required."""
    required = await required_row(session, guild_id)
    if required is None:
        return False
    standing = await session.get(AgreementStanding, (guild_id, user_id))
    return standing is not None and standing.accepted_number >= required.number


async def mark_told_in_app(session: AsyncSession, guild_id: int, user_id: int) -> None:
    """Note that the member was pointed to the changed agreement inside Hearth."""
    await session.execute(
        update(AgreementStanding)
        .where(AgreementStanding.guild_id == guild_id, AgreementStanding.user_id == user_id)
        .values(told_in_app=True)
    )


async def members_behind(session: AsyncSession, guild_id: int, number: int) -> int:
    """Return how many members accepted only a version before `number`."""
    count = await session.scalar(
        select(func.count())
        .select_from(AgreementStanding)
        .where(AgreementStanding.guild_id == guild_id, AgreementStanding.accepted_number < number)
    )
    return count or 0


async def record_acceptance(
    session: AsyncSession,
    version: AgreementVersion,
    user_id: int,
    now: Any,
    language: str | None = None,
) -> bool:
    """Add the member's acceptance of version and raise their standing; return if it was new.

    `language` (the member's, as they accepted) is kept for messages sent to them later.
    """
    guild_id, number = version.guild_id, version.number
    inserted = await insert_ignore(
        session,
        AgreementAcceptance.__table__,
        {"guild_id": guild_id, "user_id": user_id, "version_id": version.id, "accepted_at": now},
        ["user_id", "version_id"],
    )
    await insert_ignore(
        session,
        AgreementStanding.__table__,
        {
            "guild_id": guild_id,
            "user_id": user_id,
            "accepted_number": number,
            "role_granted": False,
            "asked_by_dm": False,
            "told_in_app": False,
            "language": language,
        },
        ["guild_id", "user_id"],
    )
    if language is not None:
        await set_standing(session, guild_id, user_id, language=language)
    await session.execute(
        update(AgreementStanding)
        .where(
            AgreementStanding.guild_id == guild_id,
            AgreementStanding.user_id == user_id,
            AgreementStanding.accepted_number < number,
        )
        .values(accepted_number=number, told_in_app=False)
    )
    return inserted


async def claim_grant(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """Claim the member-role grant: only one of many concurrent clicks flips the flag."""
    statement = (
        update(AgreementStanding)
        .where(
            AgreementStanding.guild_id == guild_id,
            AgreementStanding.user_id == user_id,
            AgreementStanding.role_granted.is_(False),
        )
        .values(role_granted=True, role_removed_at=None)
    )
    return bool(await rows_changed(session, statement))


async def set_standing(session: AsyncSession, guild_id: int, user_id: int, **values: Any) -> None:
    """Change columns of the member's standing."""
    await session.execute(
        update(AgreementStanding)
        .where(AgreementStanding.guild_id == guild_id, AgreementStanding.user_id == user_id)
        .values(**values)
    )


async def delete_quiz(session: AsyncSession, guild_id: int) -> bool:
    """Remove the server's quiz; return whether there was one."""
    statement = delete(AgreementQuiz).where(AgreementQuiz.guild_id == guild_id)
    return bool(await rows_changed(session, statement))


async def acceptances_per_version(session: AsyncSession, guild_id: int) -> tuple[VersionCount, ...]:
    """Return how many members accepted each version, newest first."""
    rows = await session.execute(
        select(
            AgreementVersion.number,
            AgreementVersion.change_kind,
            func.count(AgreementAcceptance.id),
        )
        .join(
            AgreementAcceptance,
            AgreementAcceptance.version_id == AgreementVersion.id,
            isouter=True,
        )
        .where(AgreementVersion.guild_id == guild_id)
        .group_by(AgreementVersion.number, AgreementVersion.change_kind)
        .order_by(AgreementVersion.number.desc())
    )
    return tuple(VersionCount(n, k, c) for n, k, c in rows)


async def standing_counts(
    session: AsyncSession, guild_id: int, needed: int
) -> tuple[int, int, int]:
    """Return members up to date, members pending, and member roles taken back."""
    counts = await session.execute(
        select(
            func.count().filter(AgreementStanding.accepted_number >= needed),
            func.count().filter(AgreementStanding.accepted_number < needed),
            func.count().filter(AgreementStanding.role_removed_at.is_not(None)),
        ).where(AgreementStanding.guild_id == guild_id)
    )
    up_to_date, pending, removed = counts.one()
    return up_to_date, pending, removed


async def ask_for(
    session: AsyncSession, standing: AgreementStanding, required: AgreementVersion
) -> ReacceptanceAsk:
    """Return what to tell a member who accepted an older version."""
    old = await session.scalar(
        select(AgreementVersion).where(
            AgreementVersion.guild_id == standing.guild_id,
            AgreementVersion.number == standing.accepted_number,
        )
    )
    current = await current_row(session, standing.guild_id) or required
    old_points = text.parse_points(old.body) if old else ()
    return ReacceptanceAsk(
        guild_id=standing.guild_id,
        user_id=standing.user_id,
        from_number=standing.accepted_number,
        to_number=current.number,
        title=current.title,
        diff=text.diff_points(old_points, text.parse_points(current.body)),
        grace_until=required.grace_until,
        language=standing.language,
    )


async def members_to_ask(session: AsyncSession, limit: int) -> list[AgreementStanding]:
    """Return standings behind a material change that were not yet asked about it."""
    required_numbers = (
        select(AgreementVersion.guild_id, func.max(AgreementVersion.number).label("needed"))
        .where(AgreementVersion.change_kind == MATERIAL)
        .group_by(AgreementVersion.guild_id)
        .subquery()
    )
    candidates = await session.scalars(
        select(AgreementStanding)
        .join(required_numbers, required_numbers.c.guild_id == AgreementStanding.guild_id)
        .where(
            AgreementStanding.accepted_number < required_numbers.c.needed,
            or_(
                AgreementStanding.asked_number.is_(None),
                AgreementStanding.asked_number < required_numbers.c.needed,
            ),
        )
        .limit(limit)
    )
    return list(candidates)


async def required_versions(session: AsyncSession) -> list[AgreementVersion]:
    """Return each server's newest version that needs acceptance."""
    numbers = await session.execute(
        select(AgreementVersion.guild_id, func.max(AgreementVersion.number))
        .where(AgreementVersion.change_kind != MINOR)
        .group_by(AgreementVersion.guild_id)
    )
    found: list[AgreementVersion] = []
    for guild_id, needed in list(numbers):
        row = await session.scalar(
            select(AgreementVersion).where(
                AgreementVersion.guild_id == guild_id, AgreementVersion.number == needed
            )
        )
        if row is not None:
            found.append(row)
    return found


async def granted_but_behind(
    session: AsyncSession, guild_id: int, needed: int
) -> list[AgreementStanding]:
    """Return members Hearth gave the role who have not accepted version `needed`."""
    rows = await session.scalars(
        select(AgreementStanding).where(
            and_(
                AgreementStanding.guild_id == guild_id,
                AgreementStanding.accepted_number < needed,
                AgreementStanding.role_granted.is_(True),
            )
        )
    )
    return list(rows)


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Return everything about this member in the agreement tables."""
    accepted = await session.execute(
        select(AgreementVersion.guild_id, AgreementVersion.number, AgreementAcceptance.accepted_at)
        .join(AgreementVersion, AgreementVersion.id == AgreementAcceptance.version_id)
        .where(AgreementAcceptance.user_id == user_id)
        .order_by(AgreementAcceptance.accepted_at)
    )
    quiz = await session.scalars(
        select(AgreementQuizResult).where(AgreementQuizResult.user_id == user_id)
    )
    standing = await session.scalars(
        select(AgreementStanding).where(AgreementStanding.user_id == user_id)
    )
    authored = await session.execute(
        select(
            AgreementVersion.guild_id, AgreementVersion.number, AgreementVersion.created_at
        ).where(AgreementVersion.author_id == user_id)
    )
    return {
        "acceptances": [
            {"server_id": str(g), "version": n, "accepted_at": at.isoformat()}
            for g, n, at in accepted
        ],
        "quiz_results": [
            {
                "server_id": str(r.guild_id),
                "version": r.version_number,
                "passed": r.passed,
                "at": r.at.isoformat(),
            }
            for r in quiz
        ],
        "standing": [
            {
                "server_id": str(s.guild_id),
                "accepted_version": s.accepted_number,
                "member_role_granted_by_hearth": s.role_granted,
                "asked_to_reaccept_version": s.asked_number,
                "language": s.language,
            }
            for s in standing
        ],
        "versions_written": [
            {"server_id": str(g), "version": n, "at": at.isoformat()} for g, n, at in authored
        ],
    }


async def delete_user(session: AsyncSession, user_id: int) -> int:
    """Erase this member's rows; versions they wrote stay, without their name."""
    removed = 0
    for model in (AgreementAcceptance, AgreementQuizResult, AgreementStanding):
        removed += await rows_changed(session, delete(model).where(model.user_id == user_id))
    await session.execute(
        update(AgreementVersion).where(AgreementVersion.author_id == user_id).values(author_id=None)
    )
    await session.execute(
        update(AgreementQuiz).where(AgreementQuiz.updated_by == user_id).values(updated_by=None)
    )
    return removed

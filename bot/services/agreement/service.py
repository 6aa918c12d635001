"""The group agreement: versions, the acceptance ledger, re-acceptance and the quiz."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import (
    AgreementAcceptance,
    AgreementQuiz,
    AgreementQuizResult,
    AgreementStanding,
    AgreementVersion,
    GuildSettings,
)
from bot.db.queries import insert_ignore
from bot.domain import agreement as text
from bot.errors import AgreementRequired, InvalidInput, NotFound
from bot.services.audit import AuditRecord, AuditService
from bot.services.data_rights import ExportChoice

log = logging.getLogger(__name__)

MINOR = "minor"
MATERIAL = "material"
INITIAL = "initial"
CHANGE_KINDS = (MINOR, MATERIAL)


@dataclass(frozen=True)
class AgreementText:
    """One version of the agreement, ready to show."""

    guild_id: int
    number: int
    title: str
    points: tuple[str, ...]
    change_kind: str
    author_id: int | None
    created_at: datetime

    @property
    def rendered(self) -> str:
        """Return the points as a numbered list."""
        return text.render_points(self.points)


@dataclass(frozen=True)
class SaveOutcome:
    """What happened when a moderator saved the agreement."""

    version: AgreementText
    needs_reacceptance: bool
    members_to_ask: int
    grace_until: datetime | None


@dataclass(frozen=True)
class AcceptOutcome:
    """The result of a member accepting a version."""

    number: int
    newly_accepted: bool
    grant_role: bool
    member_role_id: int | None


@dataclass(frozen=True)
class Quiz:
    """The comprehension question."""

    question: str
    options: tuple[str, ...]
    correct_index: int


@dataclass(frozen=True)
class VersionCount:
    """How many members accepted one version."""

    number: int
    change_kind: str
    accepted: int


@dataclass(frozen=True)
class AgreementStatus:
    """Acceptances per version and how many are pending."""

    current: int | None
    required: int | None
    per_version: tuple[VersionCount, ...]
    up_to_date: int
    pending: int
    roles_removed: int
    grace_until: datetime | None


@dataclass(frozen=True)
class ReacceptanceAsk:
    """A member to ask again, with what changed."""

    guild_id: int
    user_id: int
    from_number: int
    to_number: int
    title: str
    diff: str
    grace_until: datetime | None


@dataclass(frozen=True)
class RoleRemoval:
    """A member role to take back because the grace period ended."""

    guild_id: int
    user_id: int
    role_id: int


def _as_text(row: AgreementVersion) -> AgreementText:
    return AgreementText(
        guild_id=row.guild_id,
        number=row.number,
        title=row.title,
        points=text.parse_points(row.body),
        change_kind=row.change_kind,
        author_id=row.author_id,
        created_at=row.created_at,
    )


class AgreementService:
    """Decides everything about the group agreement; cogs only show and ask."""

    section = "agreement"

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        reads: SessionFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit

    # ----- reading -------------------------------------------------------------------------
    async def _current_row(self, session: AsyncSession, guild_id: int) -> AgreementVersion | None:
        return await session.scalar(
            select(AgreementVersion)
            .where(AgreementVersion.guild_id == guild_id)
            .order_by(AgreementVersion.number.desc())
            .limit(1)
        )

    async def _required_row(self, session: AsyncSession, guild_id: int) -> AgreementVersion | None:
        """Return the newest version that needs acceptance (initial or material)."""
        return await session.scalar(
            select(AgreementVersion)
            .where(AgreementVersion.guild_id == guild_id, AgreementVersion.change_kind != MINOR)
            .order_by(AgreementVersion.number.desc())
            .limit(1)
        )

    async def current(self, guild_id: int) -> AgreementText | None:
        """Return the current version, or None when moderators have not written one."""
        async with self._reads() as session:
            row = await self._current_row(session, guild_id)
            return _as_text(row) if row else None

    async def require_current(self, guild_id: int) -> AgreementText:
        """Return the current version or explain that there is none yet."""
        version = await self.current(guild_id)
        if version is None:
            raise NotFound(
                "This server hasn't written its group agreement yet. "
                "A moderator can add it with `/agreement edit`."
            )
        return version

    async def history(self, guild_id: int) -> list[AgreementText]:
        """Return every version, newest first."""
        async with self._reads() as session:
            rows = await session.scalars(
                select(AgreementVersion)
                .where(AgreementVersion.guild_id == guild_id)
                .order_by(AgreementVersion.number.desc())
            )
            return [_as_text(row) for row in rows]

    async def has_accepted_current(self, guild_id: int, user_id: int) -> bool:
        """Say whether the member accepted the version that is currently required."""
        async with self._reads() as session:
            return await self._is_current(session, guild_id, user_id)

    async def _is_current(self, session: AsyncSession, guild_id: int, user_id: int) -> bool:
        required = await self._required_row(session, guild_id)
        if required is None:
            return False
        standing = await session.get(AgreementStanding, (guild_id, user_id))
        return standing is not None and standing.accepted_number >= required.number

    async def require_agreement(self, guild_id: int, user_id: int) -> None:
        """Raise AgreementRequired unless the member accepted the current agreement."""
        async with self._reads() as session:
            if await self._is_current(session, guild_id, user_id):
                return
            required = await self._required_row(session, guild_id)
            standing = await session.get(AgreementStanding, (guild_id, user_id))
        if standing is not None and required is not None and not standing.told_in_app:
            # Pointing them to the agreement here counts as telling them about the change.
            async with self._sessions() as session:
                await session.execute(
                    update(AgreementStanding)
                    .where(
                        AgreementStanding.guild_id == guild_id, AgreementStanding.user_id == user_id
                    )
                    .values(told_in_app=True)
                )
                await session.commit()
        if required is None:
            raise AgreementRequired(
                "This server hasn't written its group agreement yet, so this isn't open yet. "
                "A moderator can add it with `/agreement edit`.",
                guild_id=guild_id,
            )
        if standing is None:
            message = (
                "Before joining in, please read the group agreement: it keeps this space safe "
                "for everyone. Use `/agreement read`, or the button below."
            )
        else:
            message = (
                "The group agreement has changed since you accepted it. Please have a look at "
                "what's new with `/agreement read`, or the button below."
            )
        raise AgreementRequired(message, guild_id=guild_id)

    # ----- writing -------------------------------------------------------------------------
    async def save(
        self, guild_id: int, author_id: int, title: str, body: str, change_kind: str
    ) -> SaveOutcome:
        """Save a new version; a material change opens re-acceptance with a grace period."""
        points = text.parse_points(body)
        title = text.validate_agreement(title, points)
        if change_kind not in CHANGE_KINDS:
            raise InvalidInput("Choose whether this is a minor wording fix or a material change.")
        now = self._clock.now()
        async with self._sessions() as session:
            previous = await self._current_row(session, guild_id)
            if (
                previous is not None
                and text.parse_points(previous.body) == points
                and (previous.title == title)
            ):
                raise InvalidInput("Nothing changed, so no new version was saved.")
            kind = INITIAL if previous is None else change_kind
            settings = await session.get(GuildSettings, guild_id)
            grace_days = settings.reaccept_grace_days if settings is not None else 7
            grace_until = (
                now + timedelta(days=grace_days) if kind == MATERIAL and grace_days else None
            )
            row = AgreementVersion(
                guild_id=guild_id,
                number=(previous.number + 1) if previous else 1,
                title=title,
                body=text.editor_text(points),
                change_kind=kind,
                author_id=author_id,
                created_at=now,
                grace_until=grace_until,
            )
            session.add(row)
            to_ask = 0
            if kind == MATERIAL:
                to_ask = (
                    await session.scalar(
                        select(func.count())
                        .select_from(AgreementStanding)
                        .where(
                            AgreementStanding.guild_id == guild_id,
                            AgreementStanding.accepted_number < row.number,
                        )
                    )
                    or 0
                )
            record = self._audit.add(
                session,
                guild_id,
                author_id,
                "agreement.save",
                f"saved agreement version {row.number} ({kind})",
                number=row.number,
                kind=kind,
            )
            await session.commit()
            outcome = SaveOutcome(_as_text(row), kind == MATERIAL, to_ask, grace_until)
        await self._audit.publish(record)
        return outcome

    async def accept(self, guild_id: int, user_id: int, number: int) -> AcceptOutcome:
        """Record that a member accepted version `number`; decide whether to grant the role."""
        now = self._clock.now()
        async with self._sessions() as session:
            current = await self._current_row(session, guild_id)
            if current is None:
                raise NotFound("This server hasn't written its group agreement yet.")
            if current.number != number:
                raise InvalidInput(
                    "The agreement was updated while you were reading. "
                    "Please open `/agreement read` again to see the newest version."
                )
            settings = await session.get(GuildSettings, guild_id)
            inserted = await insert_ignore(
                session,
                AgreementAcceptance.__table__,
                {
                    "guild_id": guild_id,
                    "user_id": user_id,
                    "version_id": current.id,
                    "accepted_at": now,
                },
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
                },
                ["guild_id", "user_id"],
            )
            await session.execute(
                update(AgreementStanding)
                .where(
                    AgreementStanding.guild_id == guild_id,
                    AgreementStanding.user_id == user_id,
                    AgreementStanding.accepted_number < number,
                )
                .values(accepted_number=number, told_in_app=False)
            )
            role_id = settings.member_role_id if settings else None
            grant = False
            if role_id is not None:
                # Claim the grant: only one of many concurrent clicks flips the flag.
                claimed = await session.execute(
                    update(AgreementStanding)
                    .where(
                        AgreementStanding.guild_id == guild_id,
                        AgreementStanding.user_id == user_id,
                        AgreementStanding.role_granted.is_(False),
                    )
                    .values(role_granted=True, role_removed_at=None)
                )
                grant = bool(claimed.rowcount)
            await session.commit()
        return AcceptOutcome(number, inserted, grant, role_id)

    async def grant_failed(self, guild_id: int, user_id: int) -> None:
        """Undo the grant claim when Discord refused the role, so the next accept tries again."""
        async with self._sessions() as session:
            await session.execute(
                update(AgreementStanding)
                .where(AgreementStanding.guild_id == guild_id, AgreementStanding.user_id == user_id)
                .values(role_granted=False)
            )
            await session.commit()

    # ----- quiz ----------------------------------------------------------------------------
    async def quiz(self, guild_id: int) -> Quiz | None:
        """Return the comprehension question, if moderators set one."""
        async with self._reads() as session:
            row = await session.get(AgreementQuiz, guild_id)
            return Quiz(row.question, tuple(row.options), row.correct_index) if row else None

    async def set_quiz(
        self, guild_id: int, actor_id: int, question: str, options: list[str], correct: int
    ) -> Quiz:
        """Set or replace the comprehension question."""
        question = " ".join(question.split())
        options = [" ".join(o.split()) for o in options if o and o.strip()]
        if not question or len(question) > 200:
            raise InvalidInput("The question needs to be between 1 and 200 characters.")
        if not 2 <= len(options) <= 5 or any(len(o) > 100 for o in options):
            raise InvalidInput("Give 2 to 5 answers, each under 100 characters.")
        if len(set(options)) != len(options):
            raise InvalidInput("The answers need to be different from each other.")
        if not 1 <= correct <= len(options):
            raise InvalidInput(f"The correct answer must be a number from 1 to {len(options)}.")
        async with self._sessions() as session:
            row = await session.get(AgreementQuiz, guild_id)
            if row is None:
                row = AgreementQuiz(guild_id=guild_id)
                session.add(row)
            row.question, row.options, row.correct_index = question, options, correct - 1
            row.updated_by, row.updated_at = actor_id, self._clock.now()
            record = self._audit.add(session, guild_id, actor_id, "agreement.quiz", "set the quiz")
            await session.commit()
        await self._audit.publish(record)
        return Quiz(question, tuple(options), correct - 1)

    async def clear_quiz(self, guild_id: int, actor_id: int) -> bool:
        """Remove the comprehension question; return whether there was one."""
        async with self._sessions() as session:
            result = await session.execute(
                delete(AgreementQuiz).where(AgreementQuiz.guild_id == guild_id)
            )
            record = None
            if result.rowcount:
                record = self._audit.add(
                    session, guild_id, actor_id, "agreement.quiz", "removed the quiz"
                )
            await session.commit()
        if record:
            await self._audit.publish(record)
        return bool(result.rowcount)

    async def answer_quiz(self, guild_id: int, user_id: int, number: int, choice: int) -> bool:
        """Check an answer; keep only whether it passed."""
        async with self._sessions() as session:
            row = await session.get(AgreementQuiz, guild_id)
            passed = row is None or choice == row.correct_index
            session.add(
                AgreementQuizResult(
                    guild_id=guild_id,
                    user_id=user_id,
                    version_number=number,
                    passed=passed,
                    at=self._clock.now(),
                )
            )
            await session.commit()
        return passed

    # ----- status --------------------------------------------------------------------------
    async def status(self, guild_id: int) -> AgreementStatus:
        """Count acceptances per version and pending members."""
        async with self._reads() as session:
            current = await self._current_row(session, guild_id)
            required = await self._required_row(session, guild_id)
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
            per_version = tuple(VersionCount(n, k, c) for n, k, c in rows)
            needed = required.number if required else 0
            counts = await session.execute(
                select(
                    func.count().filter(AgreementStanding.accepted_number >= needed),
                    func.count().filter(AgreementStanding.accepted_number < needed),
                    func.count().filter(AgreementStanding.role_removed_at.is_not(None)),
                ).where(AgreementStanding.guild_id == guild_id)
            )
            up_to_date, pending, removed = counts.one()
        return AgreementStatus(
            current=current.number if current else None,
            required=required.number if required else None,
            per_version=per_version,
            up_to_date=up_to_date,
            pending=pending,
            roles_removed=removed,
            grace_until=required.grace_until if required else None,
        )

    # ----- re-acceptance -------------------------------------------------------------------
    async def _ask_for(
        self, session: AsyncSession, standing: AgreementStanding, required: AgreementVersion
    ) -> ReacceptanceAsk:
        old = await session.scalar(
            select(AgreementVersion).where(
                AgreementVersion.guild_id == standing.guild_id,
                AgreementVersion.number == standing.accepted_number,
            )
        )
        current = await self._current_row(session, standing.guild_id) or required
        old_points = text.parse_points(old.body) if old else ()
        return ReacceptanceAsk(
            guild_id=standing.guild_id,
            user_id=standing.user_id,
            from_number=standing.accepted_number,
            to_number=current.number,
            title=current.title,
            diff=text.diff_points(old_points, text.parse_points(current.body)),
            grace_until=required.grace_until,
        )

    async def claim_reacceptance_asks(self, limit: int = 50) -> list[ReacceptanceAsk]:
        """Claim members to ask again after a material change; each is claimed once per version."""
        asks = []
        async with self._sessions() as session:
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
            now = self._clock.now()
            for standing in list(candidates):
                required = await self._required_row(session, standing.guild_id)
                if required is None:
                    continue
                standing.asked_number = required.number
                standing.asked_at = now
                standing.asked_by_dm = False
                standing.told_in_app = False
                asks.append(await self._ask_for(session, standing, required))
            await session.commit()
        return asks

    async def record_ask_delivery(self, guild_id: int, user_id: int, delivered: bool) -> None:
        """Note whether the private message reached the member."""
        async with self._sessions() as session:
            await session.execute(
                update(AgreementStanding)
                .where(AgreementStanding.guild_id == guild_id, AgreementStanding.user_id == user_id)
                .values(asked_by_dm=delivered)
            )
            await session.commit()

    async def claim_in_app_notice(self, guild_id: int, user_id: int) -> ReacceptanceAsk | None:
        """Return the re-acceptance notice to show once, at the member's next use of Hearth."""
        async with self._reads() as session:
            standing = await session.get(AgreementStanding, (guild_id, user_id))
            if standing is None or standing.asked_number is None or standing.told_in_app:
                return None  # the common case, answered without taking the write lock
        async with self._sessions() as session:
            standing = await session.get(AgreementStanding, (guild_id, user_id))
            required = await self._required_row(session, guild_id)
            if (
                standing is None
                or required is None
                or standing.accepted_number >= required.number
                or standing.asked_number != required.number
                or standing.asked_by_dm
                or standing.told_in_app
            ):
                return None
            standing.told_in_app = True
            ask = await self._ask_for(session, standing, required)
            await session.commit()
            return ask

    async def claim_role_removals(self) -> list[RoleRemoval]:
        """Take back the member role from those whose grace period ended (claimed once)."""
        now = self._clock.now()
        removals: list[RoleRemoval] = []
        records: list[AuditRecord] = []
        async with self._sessions() as session:
            versions = await session.execute(
                select(AgreementVersion.guild_id, func.max(AgreementVersion.number))
                .where(AgreementVersion.change_kind != MINOR)
                .group_by(AgreementVersion.guild_id)
            )
            for guild_id, needed in list(versions):
                required = await session.scalar(
                    select(AgreementVersion).where(
                        AgreementVersion.guild_id == guild_id, AgreementVersion.number == needed
                    )
                )
                settings = await session.get(GuildSettings, guild_id)
                if (
                    required is None
                    or required.grace_until is None
                    or required.grace_until > now
                    or settings is None
                    or settings.member_role_id is None
                ):
                    continue
                members = await session.scalars(
                    select(AgreementStanding).where(
                        and_(
                            AgreementStanding.guild_id == guild_id,
                            AgreementStanding.accepted_number < needed,
                            AgreementStanding.role_granted.is_(True),
                        )
                    )
                )
                taken = 0
                for standing in list(members):
                    standing.role_granted = False
                    standing.role_removed_at = now
                    removals.append(
                        RoleRemoval(guild_id, standing.user_id, settings.member_role_id)
                    )
                    taken += 1
                if taken:
                    records.append(
                        self._audit.add(
                            session,
                            guild_id,
                            None,
                            "agreement.grace_ended",
                            f"took back the member role from {taken} member(s) whose grace "
                            f"period for version {needed} ended",
                        )
                    )
            await session.commit()
        await self._audit.publish(*records)
        return removals

    # ----- data rights ---------------------------------------------------------------------
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return (
            "**Group agreement**: which version of the agreement you accepted and when, whether "
            "you passed the optional question (never your answer), and whether you were asked to "
            "re-read it. Moderators see counts; the ledger is kept while the server uses Hearth."
        )

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> dict[str, Any]:
        """Return everything about this member in the agreement tables."""
        accepted = await session.execute(
            select(
                AgreementVersion.guild_id, AgreementVersion.number, AgreementAcceptance.accepted_at
            )
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
                }
                for s in standing
            ],
            "versions_written": [
                {"server_id": str(g), "version": n, "at": at.isoformat()} for g, n, at in authored
            ],
        }

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase this member's rows; versions they wrote stay, without their name."""
        removed = 0
        for model in (AgreementAcceptance, AgreementQuizResult, AgreementStanding):
            result = await session.execute(delete(model).where(model.user_id == user_id))
            removed += result.rowcount or 0
        await session.execute(
            update(AgreementVersion)
            .where(AgreementVersion.author_id == user_id)
            .values(author_id=None)
        )
        await session.execute(
            update(AgreementQuiz).where(AgreementQuiz.updated_by == user_id).values(updated_by=None)
        )
        return removed

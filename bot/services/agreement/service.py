"""The group agreement's decisions: versions, the acceptance ledger, re-acceptance and the quiz."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import (
    AgreementQuiz,
    AgreementQuizResult,
    AgreementStanding,
    AgreementVersion,
    GuildSettings,
)
from bot.domain import agreement as text
from bot.errors import AgreementRequired, InvalidInput, NotFound
from bot.i18n import N_
from bot.services.agreement import _store as store
from bot.services.agreement.values import (
    CHANGE_KINDS,
    INITIAL,
    MATERIAL,
    AcceptOutcome,
    AgreementStatus,
    AgreementText,
    Quiz,
    ReacceptanceAsk,
    RoleRemoval,
    SaveOutcome,
)
from bot.services.audit import AuditRecord, AuditService
from bot.services.data_rights import ExportChoice

log = logging.getLogger(__name__)


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
    async def current(self, guild_id: int) -> AgreementText | None:
        """Return the current version, or None when moderators have not written one."""
        async with self._reads() as session:
            row = await store.current_row(session, guild_id)
            return store.as_text(row) if row else None

    async def require_current(self, guild_id: int) -> AgreementText:
        """Return the current version or explain that there is none yet."""
        version = await self.current(guild_id)
        if version is None:
            raise NotFound(
                N_(
                    "This server hasn't written its group agreement yet. "
                    "A moderator can add it with `/agreement edit`."
                )
            )
        return version

    async def history(self, guild_id: int) -> list[AgreementText]:
        """Return every version, newest first."""
        async with self._reads() as session:
            return await store.versions(session, guild_id)

    async def has_accepted_current(self, guild_id: int, user_id: int) -> bool:
        """Say whether the member accepted the version that is currently required."""
        async with self._reads() as session:
            return await store.is_current(session, guild_id, user_id)

    async def require_agreement(self, guild_id: int, user_id: int) -> None:
        """Raise AgreementRequired unless the member accepted the current agreement."""
        async with self._reads() as session:
            if await store.is_current(session, guild_id, user_id):
                return
            required = await store.required_row(session, guild_id)
            standing = await session.get(AgreementStanding, (guild_id, user_id))
        if standing is not None and required is not None and not standing.told_in_app:
            # Pointing them to the agreement here counts as telling them about the change.
            async with self._sessions() as session:
                await store.mark_told_in_app(session, guild_id, user_id)
                await session.commit()
        if required is None:
            raise AgreementRequired(
                N_(
                    "This server hasn't written its group agreement yet, so this isn't open yet. "
                    "A moderator can add it with `/agreement edit`."
                ),
                guild_id=guild_id,
            )
        if standing is None:
            message = N_(
                "Before joining in, please read the group agreement: it keeps this space safe "
                "for everyone. Use `/agreement read`, or the button below."
            )
        else:
            message = N_(
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
            raise InvalidInput(
                N_("Choose whether this is a minor wording fix or a material change.")
            )
        now = self._clock.now()
        async with self._sessions() as session:
            previous = await store.current_row(session, guild_id)
            if (
                previous is not None
                and text.parse_points(previous.body) == points
                and (previous.title == title)
            ):
                raise InvalidInput(N_("Nothing changed, so no new version was saved."))
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
            to_ask = (
                await store.members_behind(session, guild_id, row.number) if kind == MATERIAL else 0
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
            outcome = SaveOutcome(store.as_text(row), kind == MATERIAL, to_ask, grace_until)
        await self._audit.publish(record)
        return outcome

    async def accept(
        self, guild_id: int, user_id: int, number: int, language: str | None = None
    ) -> AcceptOutcome:
        """Record that a member accepted version `number`; decide whether to grant the role.

        `language` is the member's (a shipped language code), kept for the re-acceptance DM.
        """
        now = self._clock.now()
        async with self._sessions() as session:
            current = await store.current_row(session, guild_id)
            if current is None:
                raise NotFound(N_("This server hasn't written its group agreement yet."))
            if current.number != number:
                raise InvalidInput(
                    N_(
                        "The agreement was updated while you were reading. "
                        "Please open `/agreement read` again to see the newest version."
                    )
                )
            settings = await session.get(GuildSettings, guild_id)
            inserted = await store.record_acceptance(session, current, user_id, now, language)
            role_id = settings.member_role_id if settings else None
            grant = role_id is not None and await store.claim_grant(session, guild_id, user_id)
            await session.commit()
        return AcceptOutcome(number, inserted, grant, role_id)

    async def grant_failed(self, guild_id: int, user_id: int) -> None:
        """Undo the grant claim when Discord refused the role, so the next accept tries again."""
        async with self._sessions() as session:
            await store.set_standing(session, guild_id, user_id, role_granted=False)
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
        question, options = _checked_quiz(question, options, correct)
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
            removed = await store.delete_quiz(session, guild_id)
            record = None
            if removed:
                record = self._audit.add(
                    session, guild_id, actor_id, "agreement.quiz", "removed the quiz"
                )
            await session.commit()
        if record:
            await self._audit.publish(record)
        return removed

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
            current = await store.current_row(session, guild_id)
            required = await store.required_row(session, guild_id)
            per_version = await store.acceptances_per_version(session, guild_id)
            needed = required.number if required else 0
            up_to_date, pending, removed = await store.standing_counts(session, guild_id, needed)
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
    async def claim_reacceptance_asks(self, limit: int = 50) -> list[ReacceptanceAsk]:
        """Claim members to ask again after a material change; each is claimed once per version."""
        asks = []
        async with self._sessions() as session:
            now = self._clock.now()
            for standing in await store.members_to_ask(session, limit):
                required = await store.required_row(session, standing.guild_id)
                if required is None:
                    continue
                standing.asked_number = required.number
                standing.asked_at = now
                standing.asked_by_dm = False
                standing.told_in_app = False
                asks.append(await store.ask_for(session, standing, required))
            await session.commit()
        return asks

    async def record_ask_delivery(self, guild_id: int, user_id: int, delivered: bool) -> None:
        """Note whether the private message reached the member."""
        async with self._sessions() as session:
            await store.set_standing(session, guild_id, user_id, asked_by_dm=delivered)
            await session.commit()

    async def claim_in_app_notice(self, guild_id: int, user_id: int) -> ReacceptanceAsk | None:
        """Return the re-acceptance notice to show once, at the member's next use of Hearth."""
        async with self._reads() as session:
            standing = await session.get(AgreementStanding, (guild_id, user_id))
            if standing is None or standing.asked_number is None or standing.told_in_app:
                return None  # the common case, answered without taking the write lock
        async with self._sessions() as session:
            standing = await session.get(AgreementStanding, (guild_id, user_id))
            required = await store.required_row(session, guild_id)
            if standing is None or required is None or not _owes_notice(standing, required):
                return None
            standing.told_in_app = True
            ask = await store.ask_for(session, standing, required)
            await session.commit()
            return ask

    async def claim_role_removals(self) -> list[RoleRemoval]:
        """Take back the member role from those whose grace period ended (claimed once)."""
        now = self._clock.now()
        removals: list[RoleRemoval] = []
        records: list[AuditRecord] = []
        async with self._sessions() as session:
            for required in await store.required_versions(session):
                guild_id, needed = required.guild_id, required.number
                settings = await session.get(GuildSettings, guild_id)
                if (
                    required.grace_until is None
                    or required.grace_until > now
                    or settings is None
                    or settings.member_role_id is None
                ):
                    continue
                taken = await store.granted_but_behind(session, guild_id, needed)
                for standing in taken:
                    standing.role_granted = False
                    standing.role_removed_at = now
                    removals.append(
                        RoleRemoval(guild_id, standing.user_id, settings.member_role_id)
                    )
                if taken:
                    records.append(
                        self._audit.add(
                            session,
                            guild_id,
                            None,
                            "agreement.grace_ended",
                            f"took back the member role from {len(taken)} member(s) whose grace "
                            f"period for version {needed} ended",
                        )
                    )
            await session.commit()
        await self._audit.publish(*records)
        return removals

    # ----- data rights ---------------------------------------------------------------------
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return N_(
            "**Group agreement**: which version of the agreement you accepted and when, in which "
            "language, whether you passed the optional question (never your answer), and whether "
            "you were asked to re-read it. Moderators see counts; the ledger is kept while the server uses Hearth."
        )

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> dict[str, Any]:
        """Return everything about this member in the agreement tables."""
        return await store.export_user(session, user_id)

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase this member's rows; versions they wrote stay, without their name."""
        return await store.delete_user(session, user_id)


def _owes_notice(standing: AgreementStanding, required: AgreementVersion) -> bool:
    """Say whether a member asked about `required` has neither accepted nor been told yet."""
    return (
        standing.accepted_number < required.number
        and standing.asked_number == required.number
        and not standing.asked_by_dm
        and not standing.told_in_app
    )


def _checked_quiz(question: str, options: list[str], correct: int) -> tuple[str, list[str]]:
    """Return the question and answers tidied, or explain what is wrong with them."""
    question = " ".join(question.split())
    options = [" ".join(o.split()) for o in options if o and o.strip()]
    if not question or len(question) > 200:
        raise InvalidInput(N_("The question needs to be between 1 and 200 characters."))
    if not 2 <= len(options) <= 5 or any(len(o) > 100 for o in options):
        raise InvalidInput(N_("Give 2 to 5 answers, each under 100 characters."))
    if len(set(options)) != len(options):
        raise InvalidInput(N_("The answers need to be different from each other."))
    if not 1 <= correct <= len(options):
        raise InvalidInput(
            N_("The correct answer must be a number from 1 to %(count)s."), count=len(options)
        )
    return question, options

"""Moderating check-ins without learning who wrote them: reports, removal, pauses, and reveal.

Reveal is off by default. Where a server turned it on before a check-in was posted, two
different moderators together may open the author's sealed id while the window key lives.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.erasure import Erasure
from bot.db.models import Checkin, CheckinBlock, CheckinNotice, CheckinReveal, CheckinWindow
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.services.audit import AuditService
from bot.services.checkins import _store as store
from bot.services.checkins.keys import open_author
from bot.services.checkins.values import (
    MAX_PAUSE_DAYS,
    POSTED,
    REMOVED,
    REVEAL_APPROVED,
    REVEAL_DECLINED,
    REVEAL_EXPIRED,
    REVEAL_PENDING,
    SEAL_REVEAL,
    CheckinPost,
    Notice,
    Pause,
    Revealed,
    RevealRequest,
)

log = logging.getLogger(__name__)

# What a moderator is told about a reveal request that was decided before they clicked.
ALREADY = {
    REVEAL_APPROVED: N_("That reveal request was already approved."),
    REVEAL_DECLINED: N_("That reveal request was already declined."),
    REVEAL_EXPIRED: N_("That reveal request has already expired."),
}


class CheckinModeration:
    """Lets moderators act on a check-in while nobody learns who wrote it (unless revealed)."""

    def __init__(
        self, sessions: SessionFactory, clock: Clock, audit: AuditService, erasure: Erasure
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._audit = audit
        self._erasure = erasure

    async def find_post(self, guild_id: int, message_id: int) -> CheckinPost:
        """Return the check-in behind a posted message."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.scalar(
                select(Checkin).where(
                    Checkin.guild_id == guild_id, Checkin.message_id == message_id
                )
            )
            if row is None:
                raise NotFound(N_("That message isn't an anonymous check-in Hearth knows about."))
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            return store.post_of(row, window, now)

    async def report(self, guild_id: int, message_id: int) -> CheckinPost:
        """Count a member's report of a posted check-in (who reported is not kept)."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.scalar(
                select(Checkin).where(
                    Checkin.guild_id == guild_id, Checkin.message_id == message_id
                )
            )
            if row is None or row.status != POSTED:
                raise NotFound(N_("That message isn't an anonymous check-in Hearth can report."))
            row.report_count += 1
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            await session.commit()
            post = store.post_of(row, window, now)
        log.info("Check-in %s was reported in guild %s", post.id, guild_id)
        return post

    async def record_report_card(self, checkin_id: int, message_id: int) -> None:
        """Remember the moderator card for reports, so later reports update it."""
        async with self._sessions() as session:
            await session.execute(
                update(Checkin).where(Checkin.id == checkin_id).values(report_message_id=message_id)
            )
            await session.commit()

    async def remove(
        self, guild_id: int, checkin_id: int, moderator_id: int, reason: str | None
    ) -> CheckinPost:
        """Mark a check-in removed, erase its note, and tell its author at their next command."""
        now = self._clock.now()
        reason = store.clean_reason(reason)
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound(N_("That check-in is no longer in Hearth's records."))
            if row.status == REMOVED:
                raise InvalidInput(N_("That check-in was already removed."))
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            post = store.post_of(row, window, now)
            row.status = REMOVED
            row.note = None
            row.note_erased_at = now
            row.sealed_author = None
            if row.window_id is not None and row.author_token is not None:
                when = f"<t:{int((row.posted_at or row.created_at).timestamp())}:f>"
                session.add(
                    CheckinNotice(
                        guild_id=guild_id,
                        window_id=row.window_id,
                        author_token=row.author_token,
                        text=Notice(
                            N_(
                                "A moderator removed your anonymous check-in from %(when)s. "
                                "They did not learn who you are. Their reason: %(reason)s."
                            ),
                            {"when": when, "reason": reason},
                        ).stored(),
                        created_at=now,
                    )
                )
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.remove",
                f"removed check-in {row.ref}" + (f" (reason: {reason})" if reason else ""),
                ref=row.ref,
            )
            await session.commit()
        await self._erasure.settle()
        await self._audit.publish(record)
        return post

    async def pause(
        self, guild_id: int, checkin_id: int, moderator_id: int, days: int, reason: str | None
    ) -> Pause:
        """Pause the author of a check-in from posting, without learning who they are.

        The pause is kept by the author's token, so it cannot outlive the window key that
        recognises them: it ends at the latest when that key is destroyed.
        """
        if not 1 <= days <= MAX_PAUSE_DAYS:
            raise InvalidInput(N_("A pause can last 1 to %(days)s days."), days=MAX_PAUSE_DAYS)
        reason = store.clean_reason(reason)
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound(N_("That check-in is no longer in Hearth's records."))
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            if window is None or row.author_token is None or window.destroy_at <= now:
                raise InvalidInput(
                    N_(
                        "This check-in is too old: nothing links it to its author any more, so "
                        "nobody can be paused for it."
                    )
                )
            wanted = now + timedelta(days=days)
            until = min(wanted, window.destroy_at)
            session.add(
                CheckinBlock(
                    guild_id=guild_id,
                    window_id=window.id,
                    author_token=row.author_token,
                    until=until,
                    reason=reason,
                    created_by=moderator_id,
                    created_at=now,
                )
            )
            session.add(
                CheckinNotice(
                    guild_id=guild_id,
                    window_id=window.id,
                    author_token=row.author_token,
                    text=Notice(
                        N_(
                            "The moderators paused check-ins from you until %(until)s, because "
                            "of your check-in as %(pseudonym)s. They did not learn who you are. "
                            "Their reason: %(reason)s."
                        ),
                        {
                            "until": f"<t:{int(until.timestamp())}:f>",
                            "pseudonym": row.pseudonym,
                            "reason": reason,
                        },
                    ).stored(),
                    created_at=now,
                )
            )
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.pause",
                f"paused the author of check-in {row.ref} until <t:{int(until.timestamp())}:f>"
                + (f" (reason: {reason})" if reason else ""),
                ref=row.ref,
            )
            post = store.post_of(row, window, now)
            await session.commit()
        await self._audit.publish(record)
        return Pause(post, until, until < wanted)

    # ----- reveal (off by default) -----------------------------------------------------------
    async def request_reveal(
        self, guild_id: int, checkin_id: int, moderator_id: int, reason: str
    ) -> RevealRequest:
        """Ask to reveal who wrote a check-in; a second moderator must approve."""
        reason = store.clean_reason(reason)
        if len(reason) < 5:
            raise InvalidInput(N_("Please give a reason: it goes to the moderator log."))
        now = self._clock.now()
        async with self._sessions() as session:
            config = await store.load_config(session, guild_id)
            row = await session.get(Checkin, checkin_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound(N_("That check-in is no longer in Hearth's records."))
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            if not config.reveal_enabled or not row.reveal_allowed:
                raise NotAllowed(
                    N_(
                        "Reveal isn't possible for this check-in: the server didn't allow "
                        "reveals when it was posted, and its author was promised that."
                    )
                )
            if row.reveal_sealed is None or window is None or window.destroy_at <= now:
                raise NotAllowed(
                    N_(
                        "The grace period for this check-in is over: nothing can link it to its "
                        "author any more."
                    )
                )
            request = CheckinReveal(
                guild_id=guild_id,
                checkin_id=row.id,
                requested_by=moderator_id,
                reason=reason,
                status=REVEAL_PENDING,
                created_at=now,
            )
            session.add(request)
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.reveal_request",
                f"asked to reveal who wrote check-in {row.ref} (reason: {reason})",
                ref=row.ref,
            )
            await session.flush()
            result = RevealRequest(
                request.id, store.post_of(row, window, now), moderator_id, reason, window.destroy_at
            )
            await session.commit()
        await self._audit.publish(record)
        return result

    async def _reveal_request(
        self, session: AsyncSession, guild_id: int, reveal_id: int, now: datetime
    ) -> tuple[CheckinReveal, Checkin, CheckinWindow | None]:
        request = await session.get(CheckinReveal, reveal_id)
        if request is None or request.guild_id != guild_id:
            raise NotFound(N_("That reveal request no longer exists."))
        if request.status != REVEAL_PENDING:
            raise InvalidInput(ALREADY.get(request.status, ALREADY[REVEAL_EXPIRED]))
        row = await session.get(Checkin, request.checkin_id)
        if row is None:  # pragma: no cover - requests cascade with their check-in
            raise NotFound(N_("That check-in is no longer in Hearth's records."))
        window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
        return request, row, window

    async def approve_reveal(self, guild_id: int, reveal_id: int, moderator_id: int) -> Revealed:
        """Reveal the author to the two moderators, if a different moderator approves in time."""
        now = self._clock.now()
        async with self._sessions() as session:
            request, row, window = await self._reveal_request(session, guild_id, reveal_id, now)
            if request.requested_by == moderator_id:
                raise NotAllowed(
                    N_(
                        "A reveal needs a second moderator: someone other than the person who "
                        "asked."
                    )
                )
            config = await store.load_config(session, guild_id)
            if (
                not config.reveal_enabled
                or row.reveal_sealed is None
                or window is None
                or window.destroy_at <= now
            ):
                request.status, request.decided_at = REVEAL_EXPIRED, now
                await session.commit()
                raise NotAllowed(
                    N_(
                        "This can't be revealed any more: the grace period is over or the "
                        "server turned reveals off. Nothing links the check-in to its author now."
                    )
                )
            author_id = open_author(
                window.secret, SEAL_REVEAL, guild_id, window.id, row.reveal_sealed
            )
            request.status, request.decided_by, request.decided_at = (
                REVEAL_APPROVED,
                moderator_id,
                now,
            )
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.reveal",
                f"approved revealing who wrote check-in {row.ref}, asked by "
                f"<@{request.requested_by}> (reason: {request.reason}). The author is told.",
                ref=row.ref,
                requested_by=str(request.requested_by),
            )
            result = Revealed(
                RevealRequest(
                    request.id,
                    store.post_of(row, window, now),
                    request.requested_by or 0,
                    request.reason,
                    window.destroy_at,
                ),
                moderator_id,
                author_id,
            )
            await session.commit()
        await self._audit.publish(record)
        log.info("A reveal of check-in %s was approved in guild %s", row.id, guild_id)
        return result

    async def decline_reveal(self, guild_id: int, reveal_id: int, moderator_id: int) -> str:
        """Decline a reveal request; return the check-in reference."""
        now = self._clock.now()
        async with self._sessions() as session:
            request, row, _window = await self._reveal_request(session, guild_id, reveal_id, now)
            request.status, request.decided_by, request.decided_at = (
                REVEAL_DECLINED,
                moderator_id,
                now,
            )
            record = self._audit.add(
                session,
                guild_id,
                moderator_id,
                "checkins.reveal_declined",
                f"declined the request to reveal who wrote check-in {row.ref}",
                ref=row.ref,
            )
            await session.commit()
        await self._audit.publish(record)
        return row.ref

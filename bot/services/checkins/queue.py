"""The delivery queue: claiming queued check-ins, marking them posted, and forgetting on schedule.

The database is the source of truth: a check-in is claimed before it is posted, released or
retried with backoff when Discord fails, and given up after a day (the author is told). Claims
carry this process's run id, so after a restart the ones left half-done are recognised and
checked against the channel before anything is posted again.

`tidy` is what makes the privacy promise hold over time: it destroys window keys after the
window plus its grace period (with SQLite's secure_delete and a WAL checkpoint, so the bytes
are gone from the files too), erases notes after the retention period, and purges old rows.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.erasure import Erasure
from bot.db.models import (
    Checkin,
    CheckinAlias,
    CheckinBlock,
    CheckinHistory,
    CheckinNotice,
    CheckinReveal,
    CheckinSettings,
    CheckinWindow,
    GuildSettings,
)
from bot.domain import checkins as domain
from bot.services.checkins._store import rowcount
from bot.services.checkins.keys import open_author
from bot.services.checkins.values import (
    FAILED,
    HISTORY_DAYS,
    PENDING,
    POSTED,
    POSTING,
    REMOVED,
    REVEAL_EXPIRED,
    REVEAL_PENDING,
    SEAL_PENDING,
    CheckinConfig,
    Delivery,
    DeliveryFailure,
    Posted,
    PostToDelete,
    TidyReport,
)

log = logging.getLogger(__name__)

# One statement for many posts (executemany): status, where and when, and the sealed id erased.
_CHECKINS = cast(Table, Checkin.__table__)
_MARK_POSTED = (
    update(_CHECKINS)
    .where(_CHECKINS.c.id == bindparam("posted_id"))
    .values(
        status=POSTED,
        message_id=bindparam("posted_message"),
        thread_id=bindparam("posted_thread"),
        posted_at=bindparam("posted_now"),
        sealed_author=None,
        claim=None,
    )
)
ROW_RETENTION = timedelta(days=365)
NOTICE_RETENTION = timedelta(days=2)


def _delivery(row: Checkin, threads: bool) -> Delivery:
    return Delivery(
        checkin_id=row.id,
        ref=row.ref,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        pseudonym=row.pseudonym,
        mood=row.mood,
        note=row.note,
        threads=threads,
        alert_moderators=row.alert_moderators,
        attempts=row.attempts,
    )


class DeliveryQueue:
    """Claims, marks and forgets check-ins in the database; the delivery workflow posts them."""

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        gate: asyncio.Lock | None = None,
        erasure: Erasure | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._erasure = erasure or Erasure(sessions.kw["bind"])
        # Claims and marks take turns with posting (the check-in service's gate), in this
        # process, rather than in SQLite's busy handler.
        self._gate = gate or asyncio.Lock()
        self.run_id = secrets.token_hex(8)  # marks claims, for whoever reads the rows

    # ----- delivering ------------------------------------------------------------------------
    async def interrupted(self) -> list[Delivery]:
        """Return check-ins claimed but never finished (by a crashed process, or a failed run).

        Call it only while no delivery is in flight (the workflow's delivery lock): one process
        owns the database, so every claim still open then was interrupted, and may have posted.
        """
        async with self._sessions() as session:
            rows = await session.execute(
                select(Checkin, CheckinSettings.threads)
                .outerjoin(CheckinSettings, CheckinSettings.guild_id == Checkin.guild_id)
                .where(Checkin.status == POSTING)
                .order_by(Checkin.due_at, Checkin.id)
            )
            return [_delivery(row, True if threads is None else threads) for row, threads in rows]

    async def release(self, *checkin_ids: int, attempted: bool = True) -> None:
        """Put claimed check-ins back in the queue (they were not posted).

        `attempted=False` is for claims never tried (behind one that failed): the claim does
        not count as an attempt.
        """
        async with self._gate, self._sessions() as session:
            await session.execute(
                update(Checkin)
                .where(Checkin.id.in_(checkin_ids), Checkin.status == POSTING)
                .values(
                    status=PENDING,
                    claim=None,
                    attempts=Checkin.attempts - (0 if attempted else 1),
                )
            )
            await session.commit()

    async def claim_due(
        self, per_channel: int = 10, posted: Sequence[Posted] = ()
    ) -> list[Delivery]:
        """Claim the due check-ins at the head of each channel's queue, in order.

        A channel's run stops at the first check-in that waits for a retry (or for recovery),
        so nothing overtakes it. Post the claims in the order returned; when one fails, hand the
        rest of its channel back with `release`. Check-ins the last run posted are marked
        posted in the same unit of work (one commit per run rather than one per post; a crash
        in between leaves them claimed, and recovery finds them in the channel).
        """
        now = self._clock.now()
        async with self._gate, self._sessions() as session:
            await self._mark_posted(session, posted, now)
            rows = await session.execute(
                select(Checkin, GuildSettings.checkin_channel_id, CheckinSettings.threads)
                .outerjoin(GuildSettings, GuildSettings.guild_id == Checkin.guild_id)
                .outerjoin(CheckinSettings, CheckinSettings.guild_id == Checkin.guild_id)
                .where(Checkin.status.in_([PENDING, POSTING]), Checkin.due_at <= now)
                .order_by(Checkin.due_at, Checkin.id)
                .limit(1000)
            )
            blocked: set[int] = set()
            taken: dict[int, int] = {}
            claimed: list[Delivery] = []
            for row, channel_id, threads in rows:
                guild = row.guild_id
                if guild in blocked or taken.get(guild, 0) >= per_channel:
                    continue
                if row.status != PENDING or row.next_attempt_at > now:
                    blocked.add(guild)  # its queue waits behind it
                    continue
                row.status, row.claim, row.channel_id = POSTING, self.run_id, channel_id
                row.attempts += 1
                taken[guild] = taken.get(guild, 0) + 1
                claimed.append(_delivery(row, True if threads is None else threads))
            await session.commit()
        return claimed

    async def posted(self, checkin_id: int, message_id: int, thread_id: int | None) -> None:
        """Mark a check-in posted and erase the sealed author id it carried while waiting."""
        await self.mark_posted([Posted(checkin_id, message_id, thread_id)])

    async def mark_posted(self, posted: Sequence[Posted]) -> None:
        """Mark check-ins posted and erase the sealed author ids they carried while waiting."""
        if not posted:
            return
        async with self._gate, self._sessions() as session:
            await self._mark_posted(session, posted, self._clock.now())
            await session.commit()

    async def _mark_posted(
        self, session: AsyncSession, posted: Sequence[Posted], now: datetime
    ) -> None:
        if not posted:
            return
        connection = await session.connection()
        await connection.execute(
            _MARK_POSTED,
            [
                {
                    "posted_id": p.checkin_id,
                    "posted_message": p.message_id,
                    "posted_thread": p.thread_id,
                    "posted_now": now,
                }
                for p in posted
            ],
        )
        for p in posted:
            log.info("Posted check-in %s", p.checkin_id)

    async def alert_sent(self, checkin_id: int) -> None:
        """Forget that this check-in needed a note to the moderators."""
        async with self._sessions() as session:
            await session.execute(
                update(Checkin).where(Checkin.id == checkin_id).values(alert_moderators=False)
            )
            await session.commit()

    async def failed(self, checkin_id: int) -> DeliveryFailure:
        """Schedule a retry with backoff, or after a day give up: open the author id to tell them."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            if row is None:  # erased meanwhile (undo cannot race a claim, /mydata can)
                return DeliveryFailure(checkin_id, 0, True, None, None, now)
            if now - row.due_at < domain.GIVE_UP_AFTER:
                retry_at = now + domain.retry_delay(row.attempts)
                row.status, row.claim, row.next_attempt_at = PENDING, None, retry_at
                await session.commit()
                log.warning(
                    "Could not post check-in %s (attempt %d); retrying at %s",
                    checkin_id,
                    row.attempts,
                    retry_at.isoformat(),
                )
                return DeliveryFailure(
                    checkin_id, row.guild_id, False, retry_at, None, row.created_at
                )
            window = await session.get(CheckinWindow, row.window_id) if row.window_id else None
            author_id = None
            if window is not None and row.sealed_author is not None:
                author_id = open_author(
                    window.secret, SEAL_PENDING, row.guild_id, window.id, row.sealed_author
                )
            row.status, row.claim = FAILED, None
            row.sealed_author = row.reveal_sealed = row.note = None
            row.note_erased_at = now
            await session.commit()
            log.warning("Gave up posting check-in %s after a day of failures", checkin_id)
            return DeliveryFailure(checkin_id, row.guild_id, True, None, author_id, row.created_at)

    # ----- forgetting ------------------------------------------------------------------------
    async def tidy(self) -> TidyReport:
        """Destroy expired window keys, erase old notes, purge old rows; then checkpoint."""
        now = self._clock.now()
        async with self._sessions() as session:
            destroyed = await _destroy_expired_keys(session, now)
            await session.execute(delete(CheckinBlock).where(CheckinBlock.until <= now))
            await session.execute(
                delete(CheckinNotice).where(CheckinNotice.delivered_at <= now - NOTICE_RETENTION)
            )
            notes = await _erase_old_notes(session, now)
            purged = await session.execute(
                delete(Checkin).where(
                    or_(
                        Checkin.created_at <= now - ROW_RETENTION,
                        Checkin.status.in_([FAILED, REMOVED])
                        & Checkin.note.is_(None)
                        & Checkin.window_id.is_(None),
                    ),
                    Checkin.status.not_in([PENDING, POSTING]),
                )
            )
            history = await session.execute(
                delete(CheckinHistory).where(
                    CheckinHistory.day <= now.date() - timedelta(days=HISTORY_DAYS)
                )
            )
            await session.commit()
        report = TidyReport(destroyed, notes, rowcount(purged), rowcount(history))
        if any(
            (
                report.windows_destroyed,
                report.notes_erased,
                report.rows_purged,
                report.history_purged,
            )
        ):
            await self._erasure.settle()  # nothing erased stays in the write-ahead log
            log.info(
                "Check-in tidy: %d window keys destroyed, %d notes erased, %d rows purged",
                report.windows_destroyed,
                report.notes_erased,
                report.rows_purged,
            )
        return report

    async def claim_post_deletions(self, limit: int = 50) -> list[PostToDelete]:
        """Claim channel posts whose retention time is up (servers that chose one)."""
        now = self._clock.now()
        due: list[PostToDelete] = []
        async with self._sessions() as session:
            configs = await session.scalars(
                select(CheckinSettings).where(CheckinSettings.post_retention_days.is_not(None))
            )
            for config in list(configs):
                cutoff = now - timedelta(days=config.post_retention_days or 0)
                rows = await session.scalars(
                    select(Checkin)
                    .where(
                        Checkin.guild_id == config.guild_id,
                        Checkin.status == POSTED,
                        Checkin.post_deleted_at.is_(None),
                        Checkin.posted_at <= cutoff,
                    )
                    .order_by(Checkin.posted_at)
                    .limit(limit - len(due))
                )
                for row in rows:
                    row.post_deleted_at = now
                    if row.channel_id and row.message_id:
                        due.append(
                            PostToDelete(row.id, row.channel_id, row.message_id, row.thread_id)
                        )
                if len(due) >= limit:
                    break
            await session.commit()
        return due

    async def post_deletion_failed(self, checkin_ids: Sequence[int]) -> None:
        """Release claims whose deletion failed for a passing reason, to try again later."""
        async with self._sessions() as session:
            await session.execute(
                update(Checkin)
                .where(Checkin.id.in_(list(checkin_ids)))
                .values(post_deleted_at=None)
            )
            await session.commit()


async def _destroy_expired_keys(session: AsyncSession, now: datetime) -> int:
    """Delete the window keys past window + grace, and everything that only they could link."""
    expired = list(
        await session.scalars(select(CheckinWindow.id).where(CheckinWindow.destroy_at <= now))
    )
    if not expired:
        return 0
    await session.execute(
        update(Checkin)
        .where(Checkin.window_id.in_(expired))
        .values(window_id=None, author_token=None, sealed_author=None, reveal_sealed=None)
    )
    await session.execute(
        update(CheckinReveal)
        .where(
            CheckinReveal.status == REVEAL_PENDING,
            CheckinReveal.checkin_id.in_(select(Checkin.id).where(Checkin.window_id.is_(None))),
        )
        .values(status=REVEAL_EXPIRED, decided_at=now)
    )
    for model in (CheckinAlias, CheckinBlock, CheckinNotice):
        await session.execute(delete(model).where(model.window_id.in_(expired)))
    await session.execute(delete(CheckinWindow).where(CheckinWindow.id.in_(expired)))
    return len(expired)


async def _erase_old_notes(session: AsyncSession, now: datetime) -> int:
    """Erase the notes each server's retention period has run out for; return how many."""
    notes = 0
    guilds = list(
        await session.scalars(select(Checkin.guild_id).where(Checkin.note.is_not(None)).distinct())
    )
    for guild_id in guilds:
        config = CheckinConfig.from_row(await session.get(CheckinSettings, guild_id), guild_id)
        result = await session.execute(
            update(Checkin)
            .where(
                Checkin.guild_id == guild_id,
                Checkin.note.is_not(None),
                Checkin.status.in_([POSTED, FAILED, REMOVED]),
                Checkin.created_at <= now - timedelta(days=config.note_retention_days),
            )
            .values(note=None, note_erased_at=now)
        )
        notes += rowcount(result)
    return notes

"""Anonymous check-ins: settings, posting, undo, notices, personal history and the summary.

Nothing here stores who wrote a check-in. A member is known to a check-in only through an
author token (an HMAC under the rotation window's random key) and, while the post is waiting,
their id sealed under that same key. Deleting the key row (see DeliveryQueue.tidy) destroys
every way to link a check-in to its author.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import random
import secrets
from collections import defaultdict
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.erasure import Erasure
from bot.db.models import (
    Checkin,
    CheckinHistory,
    CheckinNotice,
    CheckinPreference,
    CheckinSettings,
    CheckinWindow,
)
from bot.domain import checkins as domain
from bot.domain.pseudonyms import author_token
from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.services.agreement import AgreementService
from bot.services.audit import AuditService
from bot.services.checkins import _settings as settings
from bot.services.checkins import _store as store
from bot.services.checkins.keys import seal_author
from bot.services.checkins.values import (
    PENDING,
    POSTED,
    SEAL_PENDING,
    SEAL_REVEAL,
    SUMMARY_PERIOD,
    CheckinConfig,
    CommunitySummary,
    History,
    Notice,
    Opening,
    Receipt,
)

log = logging.getLogger(__name__)


class CrisisDetection(Protocol):
    """What the crisis feature says about a note."""

    @property
    def show_card(self) -> bool:
        """Whether to show the author the crisis card, privately."""
        ...

    @property
    def alert_moderators(self) -> bool:
        """Whether to tell the moderators (without the words) once the post is up."""
        ...


class CrisisDetector(Protocol):
    """The crisis feature's opt-in detection (servers choose; off by default)."""

    def judge(self, text: str, *, enabled: bool, alert_on_detection: bool) -> CrisisDetection:
        """Say whether to show the author the card, and whether to alert moderators.

        The server's opt-ins are read with the check-in's own context (one statement).
        """
        ...


class CheckinStoreError(Exception):
    """The check-in could not be stored (the database error is not chained: it holds the note)."""


class CheckinService:
    """Decides everything about sharing check-ins; cogs only show and ask."""

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        agreement: AgreementService,
        crisis: CrisisDetector | None = None,
        rng: random.Random | None = None,
        gate: asyncio.Lock | None = None,
        erasure: Erasure | None = None,
        reads: SessionFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit
        self._agreement = agreement
        self.erasure = erasure or Erasure(sessions.kw["bind"])
        self.crisis = crisis
        self.rng = rng or random.SystemRandom()
        # This process's check-in writers (posting and delivery) take turns here rather than in
        # SQLite's busy handler, which sleeps in coarse steps while another writer holds the
        # lock. Another process still waits in the busy handler; the database decides.
        self.gate = gate or asyncio.Lock()

    # ----- settings --------------------------------------------------------------------------
    async def config(self, guild_id: int) -> CheckinConfig:
        """Return the server's check-in settings."""
        async with self._reads() as session:
            return await store.load_config(session, guild_id)

    async def update_settings(
        self, guild_id: int, actor_id: int, **changes: int | bool | None
    ) -> CheckinConfig:
        """Change settings (audited). Turning reveal off erases every sealed id kept for it."""
        changes = settings.validated_changes(changes)
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(CheckinSettings, guild_id)
            if row is None:
                defaults = CheckinConfig(guild_id)
                row = CheckinSettings(
                    **{f.name: getattr(defaults, f.name) for f in fields(CheckinConfig)},
                    updated_at=now,
                )
                session.add(row)
            before = CheckinConfig.from_row(row, guild_id)
            for name, value in changes.items():
                setattr(row, name, value)
            row.updated_at = now
            after = CheckinConfig.from_row(row, guild_id)
            await settings.keep_promises(session, before, after, now)
            summary = "changed check-in settings: " + settings.describe_changes(before, after)
            record = self._audit.add(session, guild_id, actor_id, "checkins.settings", summary)
            await session.commit()
        await self._audit.publish(record)
        return after

    # ----- posting ---------------------------------------------------------------------------
    async def open(self, guild_id: int, user_id: int) -> Opening:
        """Check the member may check in now (before they write), and say what applies.

        Only reads (no write lock is waited for), so the form opens at once even while others
        are storing.
        """
        await self._agreement.require_agreement(guild_id, user_id)
        now = self._clock.now()
        async with self._reads() as session:
            context = await store.read_context(session, guild_id, user_id, now)
            await store.check_may_post(session, guild_id, context)
        config = context.config
        return Opening(config.reveal_enabled, config.max_delay_seconds, context.keep_history)

    async def submit(self, guild_id: int, user_id: int, mood: int, note: str | None) -> Receipt:
        """Store a check-in from a form `open` allowed, queued for posting after a random delay.

        Limits and pauses are checked again here, in the same unit of work as the insert. The
        member is told only once it is committed (stored before told).
        """
        try:
            domain.mood(mood)
        except ValueError as error:
            raise InvalidInput(N_("Please choose how you're doing, from 1 to 5.")) from error
        try:
            cleaned = domain.clean_note(note)
        except ValueError:
            raise InvalidInput(
                N_("Your note is a little long: please keep it to %(limit)s characters."),
                limit=domain.NOTE_MAX,
            ) from None
        now = self._clock.now()
        async with self.gate:
            for attempt in range(3):
                try:
                    receipt = await self._store(guild_id, user_id, mood, cleaned, now)
                    break
                except IntegrityError:
                    # A reference, a pseudonym or a window another writer took meanwhile.
                    if attempt == 2:
                        raise CheckinStoreError("the check-in could not be stored") from None
                except SQLAlchemyError:
                    # The database error would carry the note in its parameters: never chain it.
                    raise CheckinStoreError("the check-in could not be stored") from None
        log.info("Queued check-in %s in guild %s", receipt.checkin_id, guild_id)
        return receipt

    async def _store(
        self,
        guild_id: int,
        user_id: int,
        mood: int,
        note: str | None,
        now: datetime,
    ) -> Receipt:
        async with self._sessions() as session:
            context = await store.read_context(session, guild_id, user_id, now)
            await store.check_may_post(session, guild_id, context)
            window = await store.current_window(session, context, guild_id, user_id, now)
            token = context.tokens[window.id]
            name = context.pseudonym or await store.new_pseudonym(session, window, token)
            config = context.config
            detection = self._detection(note, context)
            due = now + domain.delivery_delay(config.max_delay_seconds, self.rng)
            # Unique per server; a clash (about one in 10^9) fails the insert and is retried.
            ref = domain.public_ref(secrets.token_bytes(8))
            values = {
                "guild_id": guild_id,
                "ref": ref,
                "mood": mood,
                "note": note,
                "status": PENDING,
                "alert_moderators": bool(detection and detection.alert_moderators),
                "created_at": now,
                "attempts": 0,
                "report_count": 0,
                "window_id": window.id,
                "author_token": token,
                "pseudonym": name,
                "reveal_allowed": config.reveal_enabled,
                "due_at": due,
                "next_attempt_at": due,
                "sealed_author": seal_author(
                    window.secret, SEAL_PENDING, guild_id, window.id, user_id
                ),
                "reveal_sealed": (
                    seal_author(window.secret, SEAL_REVEAL, guild_id, window.id, user_id)
                    if config.reveal_enabled
                    else None
                ),
            }
            checkin_id = await session.scalar(store.INSERT_CHECKIN, values)
            if context.keep_history:  # the day and the mood, never the note or the minute
                await session.execute(
                    store.INSERT_HISTORY,
                    {"user_id": user_id, "guild_id": guild_id, "day": now.date(), "mood": mood},
                )
            await session.commit()
        return Receipt(
            checkin_id=int(checkin_id or 0),
            ref=ref,
            pseudonym=name,
            mood=mood,
            channel_id=context.channel_id,
            due_at=due,
            unlinkable_at=window.destroy_at,
            reveal_enabled=config.reveal_enabled,
            note_retention_days=config.note_retention_days,
            post_retention_days=config.post_retention_days,
            history_kept=context.keep_history,
            show_crisis_card=bool(detection and detection.show_card),
        )

    def _detection(self, note: str | None, context: store.Context) -> CrisisDetection | None:
        """Read the note for crisis only where the server opted in (never stored or logged)."""
        if not note or self.crisis is None or not context.detection_enabled:
            return None
        return self.crisis.judge(note, enabled=True, alert_on_detection=context.alert_on_detection)

    async def undo(self, guild_id: int, checkin_id: int, user_id: int) -> None:
        """Take back a check-in that has not been posted yet; it is erased entirely."""
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            window = await session.get(CheckinWindow, row.window_id) if row else None
            if row is None or row.guild_id != guild_id or window is None:
                raise NotFound(
                    N_("That check-in isn't waiting any more, so there is nothing to undo.")
                )
            mine = hmac.compare_digest(
                row.author_token or b"", author_token(window.secret, guild_id, user_id)
            )
            if not mine:
                raise NotAllowed(N_("Only the person who wrote a check-in can undo it."))
            if row.status != PENDING:
                raise NotFound(
                    N_(
                        "It has already been posted, so it can't be undone from here. "
                        "A moderator can remove it if you ask them (they won't learn it was "
                        "yours unless you tell them)."
                    )
                )
            await session.execute(
                delete(CheckinHistory).where(
                    CheckinHistory.id
                    == select(func.max(CheckinHistory.id))
                    .where(
                        CheckinHistory.user_id == user_id,
                        CheckinHistory.guild_id == guild_id,
                        CheckinHistory.day == row.created_at.date(),
                        CheckinHistory.mood == row.mood,
                    )
                    .scalar_subquery()
                )
            )
            await session.delete(row)
            await session.commit()
        log.info("Check-in %s was undone before posting in guild %s", checkin_id, guild_id)
        await self.erasure.settle()

    # ----- notices for authors nobody can name ----------------------------------------------
    async def _mark_notices_delivered(
        self, session: AsyncSession, guild_id: int, tokens: dict[int, bytes], now: datetime
    ) -> list[str]:
        rows = list(
            await session.scalars(
                select(CheckinNotice)
                .where(
                    CheckinNotice.guild_id == guild_id,
                    CheckinNotice.author_token.in_(list(tokens.values())),
                    CheckinNotice.delivered_at.is_(None),
                )
                .order_by(CheckinNotice.id)
            )
        )
        for row in rows:
            row.delivered_at = now
        return [row.text for row in rows]

    async def has_undelivered_notices(self, guild_id: int) -> bool:
        """Say cheaply whether anyone in this server has a notice waiting."""
        async with self._reads() as session:
            found = await session.scalar(
                select(CheckinNotice.id)
                .where(CheckinNotice.guild_id == guild_id, CheckinNotice.delivered_at.is_(None))
                .limit(1)
            )
        return found is not None

    async def take_notices(self, guild_id: int, user_id: int) -> list[Notice]:
        """Return (once) the notices waiting for this member, found through their tokens."""
        now = self._clock.now()
        async with self._sessions() as session:
            tokens = store.tokens_for(
                await store.live_windows(session, guild_id, now), guild_id, user_id
            )
            texts = await self._mark_notices_delivered(session, guild_id, tokens, now)
            await session.commit()
        return [Notice.read(text) for text in texts]

    async def leave_notice(self, checkin_id: int, notice: Notice) -> bool:
        """Queue a private notice for a check-in's author, shown at their next command."""
        now = self._clock.now()
        async with self._sessions() as session:
            row = await session.get(Checkin, checkin_id)
            if row is None or row.window_id is None or row.author_token is None:
                return False
            session.add(
                CheckinNotice(
                    guild_id=row.guild_id,
                    window_id=row.window_id,
                    author_token=row.author_token,
                    text=notice.stored(),
                    created_at=now,
                )
            )
            await session.commit()
        return True

    # ----- personal history (opt-in) ---------------------------------------------------------
    async def set_keep_history(self, guild_id: int, user_id: int, keep: bool) -> int:
        """Start or stop keeping the member's history; stopping erases it. Return rows erased."""
        now = self._clock.now()
        async with self._sessions() as session:
            prefs = await store.preferences(session, guild_id, user_id, now)
            prefs.keep_history = keep
            prefs.updated_at = now
            erased = 0
            if not keep:
                result = await session.execute(
                    delete(CheckinHistory).where(
                        CheckinHistory.user_id == user_id, CheckinHistory.guild_id == guild_id
                    )
                )
                erased = store.rowcount(result)
            await session.commit()
        if erased:
            await self.erasure.settle()
        return erased

    async def history(self, guild_id: int, user_id: int, days: int) -> History:
        """Return the member's own moods over the last `days` days (if they keep history)."""
        today = self._clock.now().date()
        async with self._sessions() as session:
            prefs = await session.get(CheckinPreference, (user_id, guild_id))
            rows = await session.execute(
                select(CheckinHistory.day, CheckinHistory.mood)
                .where(
                    CheckinHistory.user_id == user_id,
                    CheckinHistory.guild_id == guild_id,
                    CheckinHistory.day > today - timedelta(days=days),
                )
                .order_by(CheckinHistory.day, CheckinHistory.id)
            )
            entries = tuple((day, mood_) for day, mood_ in rows)
        return History(bool(prefs and prefs.keep_history), days, today, entries)

    # ----- community summary -----------------------------------------------------------------
    async def summary(self, guild_id: int) -> CommunitySummary:
        """Return the last week's mood distribution, only if at least k members checked in.

        Members are counted by token per rotation window and the largest window count is
        used, so the count can only be too low (safe), never too high.
        """
        now = self._clock.now()
        since = now - SUMMARY_PERIOD
        async with self._sessions() as session:
            config = await store.load_config(session, guild_id)
            rows = (
                await session.execute(
                    select(Checkin.mood, Checkin.window_id, Checkin.author_token).where(
                        Checkin.guild_id == guild_id,
                        Checkin.status == POSTED,
                        Checkin.posted_at > since,
                    )
                )
            ).all()
        per_window: dict[int, set[bytes]] = defaultdict(set)
        for _mood, window_id, token in rows:
            if window_id is not None and token is not None:
                per_window[window_id].add(token)
        members = max((len(tokens) for tokens in per_window.values()), default=0)
        k = config.summary_min_members
        return CommunitySummary(
            domain.community_summary((m for m, _, _ in rows), members, k), k, since
        )

"""Check-in requests in the database: opened within limits, claimed, backed up, threaded."""

from __future__ import annotations

import logging
from typing import Any

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import CrisisAlert
from bot.errors import InvalidInput, NotAllowed, NotFound, RateLimited
from bot.i18n import N_
from bot.services.audit import AuditRecord, AuditService
from bot.services.crisis import _store as store
from bot.services.crisis.limiter import ForgetfulLimiter
from bot.services.crisis.values import (
    ASK_PERSON_WINDOW,
    ASK_SERVER_CAP,
    ASK_SERVER_WINDOW,
    CLAIMED,
    OPEN,
    Alert,
)

log = logging.getLogger(__name__)

GONE = N_("This check-in request is no longer kept (they expire after a while).")


class RequestLedger:
    """The check-in request part of CrisisService (which provides the attributes below)."""

    _sessions: SessionFactory
    _reads: SessionFactory
    _clock: Clock
    _audit: AuditService
    _asks: ForgetfulLimiter

    async def open_alert(
        self, guild_id: int, user_id: int, *, named: bool, origin_channel_id: int | None
    ) -> Alert:
        """Record a check-in request, within the limits; an anonymous one keeps no identity.

        `user_id` is used only to enforce the per-person limit: for an anonymous request it
        goes into the in-memory limiter under a keyed hash and nowhere else.
        """
        if not self._asks.take(guild_id, user_id):
            raise RateLimited(
                N_(
                    "You asked a little while ago, and the moderators have been told. "
                    "If things feel more urgent, please use the numbers on the card: "
                    "they are there for you right now."
                )
            )
        try:
            alert = await self._record_alert(guild_id, user_id, named, origin_channel_id)
        except Exception:
            self._asks.give_back(guild_id, user_id)
            raise
        log.info("Opened check-in request %s in guild %s", alert.id, guild_id)
        return alert

    async def _record_alert(
        self, guild_id: int, user_id: int, named: bool, origin_channel_id: int | None
    ) -> Alert:
        now = self._clock.now()
        async with self._sessions() as session:
            if await store.alerts_since(session, guild_id, now - ASK_SERVER_WINDOW) >= (
                ASK_SERVER_CAP
            ):
                raise RateLimited(
                    N_(
                        "Several people have asked the moderators here for a check-in in the "
                        "last hour, so I can't add another right now. Please use the numbers "
                        "on the card: they are there for you right now."
                    )
                )
            if named and await store.named_alerts_since(
                session, guild_id, user_id, now - ASK_PERSON_WINDOW
            ):
                raise RateLimited(
                    N_(
                        "You asked a little while ago, and the moderators have been told. "
                        "If things feel more urgent, please use the numbers on the card."
                    )
                )
            row = CrisisAlert(
                guild_id=guild_id,
                anonymous=not named,
                user_id=user_id if named else None,
                origin_channel_id=origin_channel_id if named else None,
                status=OPEN,
                created_at=now,
            )
            session.add(row)
            await session.commit()
            return store.alert_value(row)

    async def posted_alert(self, alert_id: int, channel_id: int, message_id: int) -> None:
        """Remember where the request's card was posted."""
        async with self._sessions() as session:
            await store.set_alert(session, alert_id, channel_id=channel_id, message_id=message_id)
            await session.commit()

    async def withdraw_alert(self, alert: Alert, user_id: int) -> None:
        """Erase a request whose card could not be posted, and give the attempt back."""
        async with self._sessions() as session:
            await store.delete_alert(session, alert.id)
            await session.commit()
        self._asks.give_back(alert.guild_id, user_id)

    async def alert(self, alert_id: int, guild_id: int) -> Alert:
        """Return one request of this server."""
        async with self._reads() as session:
            row = await session.get(CrisisAlert, alert_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound(GONE)
            return store.alert_value(row)

    async def _mark_once(
        self,
        alert_id: int,
        guild_id: int,
        moderator_id: int,
        condition: Any,
        values: dict[str, Any],
        action: str,
        summary: str,
    ) -> tuple[Alert, bool]:
        """Apply `values` to a request if `condition` still holds; audit it when this call did."""
        async with self._sessions() as session:
            newly = await store.mark_alert_once(session, alert_id, guild_id, condition, values)
            row = await session.get(CrisisAlert, alert_id)
            if row is None or row.guild_id != guild_id:
                raise NotFound(GONE)
            record: AuditRecord | None = None
            if newly:
                record = self._audit.add(session, guild_id, moderator_id, action, summary)
            await session.commit()
            alert = store.alert_value(row)
        if record is not None:
            await self._audit.publish(record)
        return alert, newly

    async def claim_alert(
        self, alert_id: int, guild_id: int, moderator_id: int
    ) -> tuple[Alert, bool]:
        """Claim a request for one moderator; return it and whether this call claimed it."""
        alert, newly = await self._mark_once(
            alert_id,
            guild_id,
            moderator_id,
            CrisisAlert.status == OPEN,
            {"status": CLAIMED, "claimed_by": moderator_id, "claimed_at": self._clock.now()},
            "crisis.claim",
            f"said they'll reach out about check-in request #{alert_id}",
        )
        if not newly and alert.claimed_by != moderator_id:
            if alert.claimed_by:
                raise InvalidInput(
                    N_(
                        "%(moderator)s is already reaching out about this one. "
                        "You can still press **Need backup** if they might need help."
                    ),
                    moderator=f"<@{alert.claimed_by}>",
                )
            raise InvalidInput(
                N_(
                    "Another moderator is already reaching out about this one. "
                    "You can still press **Need backup** if they might need help."
                )
            )
        return alert, newly

    async def request_backup(
        self, alert_id: int, guild_id: int, moderator_id: int
    ) -> tuple[Alert, bool]:
        """Ask the other moderators for backup on a request (once)."""
        return await self._mark_once(
            alert_id,
            guild_id,
            moderator_id,
            CrisisAlert.backup_by.is_(None),
            {"backup_by": moderator_id, "backup_at": self._clock.now()},
            "crisis.backup",
            f"asked for backup on check-in request #{alert_id}",
        )

    async def thread_target(self, alert_id: int, guild_id: int, moderator_id: int) -> Alert:
        """Return a named request its claimer may open a private thread for."""
        alert = await self.alert(alert_id, guild_id)
        if alert.anonymous or alert.user_id is None:
            raise InvalidInput(
                N_(
                    "This request is anonymous, so there is nobody to open a thread with. "
                    "A gentle general post reminding everyone you're around can help."
                )
            )
        if alert.claimed_by != moderator_id:
            raise NotAllowed(
                N_("Only the moderator who said they'll reach out can open the thread.")
            )
        return alert

    async def record_thread(self, alert_id: int, thread_id: int) -> None:
        """Remember the private thread opened for a request."""
        async with self._sessions() as session:
            await store.set_alert(session, alert_id, thread_id=thread_id)
            await session.commit()

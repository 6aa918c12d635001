"""What check-ins keep about a member, for `/mydata` export and deletion and `/privacy`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.models import Checkin, CheckinHistory, CheckinPreference, CheckinWindow
from bot.domain import checkins as domain
from bot.domain.pseudonyms import author_token
from bot.i18n import N_
from bot.services.checkins import _store as store
from bot.services.checkins.values import PENDING
from bot.services.data_rights import ExportChoice


class CheckinDataRights:
    """The check-ins section of a member's data (registered with DataRightsService)."""

    section = "checkins"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return N_(
            "**Anonymous check-ins**: your check-ins are stored without your name or id. While "
            "a check-in waits to be posted, your id is kept encrypted so you can undo it; it is "
            "erased once posted. For one rotation window plus a grace period (a week each by "
            "default), a secret key lets Hearth recognise your check-ins for limits and pauses "
            "(and, only if the server turned reveal on before you posted, lets two moderators "
            "together find out it was you). Then the key is destroyed and nobody can link them "
            "to you. Notes are erased after 30 days (the server may choose other times). "
            "If you turn on **check-in history**, your mood per day (never the note) is kept "
            "under your name for 90 days; reminders keep your time zone, time and language."
        )

    async def _my_checkins(self, session: AsyncSession, user_id: int) -> list[Checkin]:
        now = self._clock.now()
        windows = list(
            await session.scalars(select(CheckinWindow).where(CheckinWindow.destroy_at > now))
        )
        tokens = [author_token(w.secret, w.guild_id, user_id) for w in windows]
        if not tokens:
            return []
        return list(
            await session.scalars(
                select(Checkin).where(Checkin.author_token.in_(tokens)).order_by(Checkin.id)
            )
        )

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> dict[str, Any]:
        """Return the member's history, reminders, and the check-ins still linkable to them."""
        history = await session.execute(
            select(CheckinHistory.guild_id, CheckinHistory.day, CheckinHistory.mood)
            .where(CheckinHistory.user_id == user_id)
            .order_by(CheckinHistory.day, CheckinHistory.id)
        )
        prefs = await session.scalars(
            select(CheckinPreference).where(CheckinPreference.user_id == user_id)
        )
        mine = await self._my_checkins(session, user_id)
        per_day: dict[tuple[int, str], list[str]] = {}
        for c in mine:
            key = (c.guild_id, c.created_at.date().isoformat())
            per_day.setdefault(key, []).append(domain.mood(c.mood).word)
        checkins: dict[str, Any] = {
            "recent_checkins_per_day": [
                {"server_id": str(g), "day": day, "count": len(moods), "moods": sorted(moods)}
                for (g, day), moods in sorted(per_day.items())
            ]
        }
        if choice.checkin_words:
            checkins["recent_checkins"] = [
                {
                    "server_id": str(c.guild_id),
                    "ref": c.ref,
                    "pseudonym": c.pseudonym,
                    "mood": domain.mood(c.mood).word,
                    "note": c.note,
                    "status": c.status,
                    "day": c.created_at.date().isoformat(),
                }
                for c in mine
            ]
        return {
            "history": [
                {"server_id": str(g), "day": d.isoformat(), "mood": domain.mood(m).word}
                for g, d, m in history
            ],
            "preferences": [
                {
                    "server_id": str(p.guild_id),
                    "keep_history": p.keep_history,
                    "reminder": (
                        {
                            "time_zone": p.reminder_zone,
                            "time": p.reminder_time,
                            "language": p.reminder_locale,
                        }
                        if p.reminder_next_at
                        else None
                    ),
                }
                for p in prefs
            ],
            **checkins,
        }

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase history and reminders, cancel waiting check-ins, and drop any reveal seal."""
        removed = 0
        for model in (CheckinHistory, CheckinPreference):
            result = await session.execute(delete(model).where(model.user_id == user_id))
            removed += store.rowcount(result)
        for row in await self._my_checkins(session, user_id):
            if row.status == PENDING:
                await session.delete(row)
                removed += 1
            elif row.reveal_sealed is not None:
                row.reveal_sealed = None
                removed += 1
        return removed

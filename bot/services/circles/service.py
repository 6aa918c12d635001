"""Scheduled circles: creating, listing, skipping, editing and ending them, and RSVPs.

`CircleService` is what the circles cog calls for the series and its answers; the parts for
holding a meeting, feedback, announcements, reminders and the room's overwrites are its
attributes (`room`, `feedback`, `announcements`, `reminders`, `overwrites`), each a small
service of its own on the same database.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import Circle, CircleOccurrence, CircleRsvp
from bot.domain import recurrence
from bot.domain.recurrence import Occurrence
from bot.errors import InvalidInput
from bot.i18n import N_
from bot.services.agreement import AgreementService
from bot.services.audit import AuditService
from bot.services.circles import _input, _store, rights
from bot.services.circles.announcements import AnnouncementLedger
from bot.services.circles.feedback import CircleFeedbackService
from bot.services.circles.overwrites import RoomOverwrites
from bot.services.circles.reminders import CircleReminders
from bot.services.circles.room import CircleRoomService
from bot.services.circles.values import (
    DEFAULT_LEAD_MINUTES,
    LIST_LIMIT,
    NO,
    WAITLIST,
    YES,
    Attendance,
    CircleInfo,
    CreateOutcome,
    EditOutcome,
    EndOutcome,
    Meeting,
    RsvpOutcome,
    SkipOutcome,
)
from bot.services.data_rights import ExportChoice

log = logging.getLogger(__name__)


class CircleService:
    """Decides everything about scheduled circles; cogs only show and ask."""

    section = "circles"

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Clock,
        audit: AuditService,
        agreement: AgreementService,
        reads: SessionFactory | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = reads or sessions
        self._clock = clock
        self._audit = audit
        self._agreement = agreement
        self.room = CircleRoomService(sessions, clock, audit, agreement, reads)
        self.feedback = CircleFeedbackService(sessions, clock, audit, reads)
        self.announcements = AnnouncementLedger(sessions, clock, reads)
        self.reminders = CircleReminders(sessions, clock)
        self.overwrites = RoomOverwrites(sessions)

    # ----- creating ------------------------------------------------------------------------
    async def create(
        self,
        guild_id: int,
        actor_id: int,
        *,
        title: str,
        zone: str,
        first_date: str,
        start_time: str,
        duration_minutes: int,
        rule: str,
        voice_channel_id: int,
        description: str = "",
        until: str | None = None,
        count: int | None = None,
        capacity: int | None = None,
        nth_weekday: str | None = None,
        lead_minutes: tuple[int, ...] = DEFAULT_LEAD_MINUTES,
        yes_only: bool = False,
    ) -> CreateOutcome:
        """Validate a facilitator's input, save the circle and return its first meeting."""
        title, description = _input.check_circle(title, description, capacity)
        schedule = _input.new_schedule(
            zone=zone,
            first_date=first_date,
            start_time=start_time,
            duration_minutes=duration_minutes,
            rule=rule,
            until=until,
            count=count,
            nth_weekday=nth_weekday,
            lead_minutes=lead_minutes,
        )
        now = self._clock.now()
        upcoming = recurrence.next_occurrences(schedule, now, 1)
        if not upcoming:
            raise InvalidInput(
                N_("Every meeting of this circle would be in the past. Pick a later first date.")
            )
        async with self._sessions() as session:
            circle = Circle(
                guild_id=guild_id,
                title=title,
                description=description,
                voice_channel_id=voice_channel_id,
                capacity=capacity,
                segments=[_store.segment_data(segment) for segment in schedule.segments],
                until=schedule.until,
                count=schedule.count,
                lead_minutes=list(lead_minutes),
                created_by=actor_id,
                created_at=now,
                yes_only=yes_only,
            )
            session.add(circle)
            await session.flush()
            row = await _store.meeting_row(session, circle, upcoming[0])
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                "circle.create",
                f"created the circle “{title}”: {_input.schedule_note(schedule)}",
                circle_id=circle.id,
            )
            first = await _store.meeting_of(session, circle, upcoming[0], row)
            info = await _store.info_of(session, circle)
            await session.commit()
        await self._audit.publish(record)
        return CreateOutcome(info, first)

    # ----- reading -------------------------------------------------------------------------
    async def get(self, guild_id: int, circle_id: int) -> CircleInfo:
        """Return one circle of this server."""
        async with self._reads() as session:
            return await _store.info_of(
                session, await _store.circle_in(session, guild_id, circle_id)
            )

    async def upcoming(self, guild_id: int, limit: int = LIST_LIMIT) -> list[Meeting]:
        """Return the server's next meetings across all running circles, soonest first."""
        now = self._clock.now()
        async with self._reads() as session:
            circles = await session.scalars(
                select(Circle).where(Circle.guild_id == guild_id, Circle.ended_at.is_(None))
            )
            found: list[tuple[Circle, Occurrence]] = []
            for circle in list(circles):
                schedule = await _store.schedule_of(session, circle)
                found += [(circle, o) for o in recurrence.next_occurrences(schedule, now, limit)]
            found.sort(key=lambda pair: (pair[1].start_utc, pair[0].id))
            return [
                await _store.meeting_of(
                    session, circle, occ, await _store.stored_row(session, circle.id, occ.index)
                )
                for circle, occ in found[:limit]
            ]

    async def meeting(self, guild_id: int, circle_id: int, index: int) -> Meeting | None:
        """Return one meeting with its current headcount, or None if it is not in the series."""
        async with self._reads() as session:
            circle = await _store.circle_in(session, guild_id, circle_id)
            occ = recurrence.occurrence_at(await _store.schedule_of(session, circle), index)
            if occ is None:
                return None
            row = await _store.stored_row(session, circle_id, index)
            return await _store.meeting_of(session, circle, occ, row)

    async def next_meeting(self, guild_id: int, circle_id: int) -> Meeting:
        """Return the circle's next meeting, or explain that none is coming."""
        async with self._reads() as session:
            circle = await _store.circle_in(session, guild_id, circle_id)
            found = await _store.next_meeting_of(session, circle, self._clock.now())
            if circle.ended_at is not None or found is None:
                raise InvalidInput(N_("%(title)s has no meetings coming up."), title=circle.title)
            return found[0]

    async def attendance(self, guild_id: int, circle_id: int, index: int) -> Attendance:
        """Return who said yes and the waitlist in order (facilitators only see this)."""
        async with self._reads() as session:
            await _store.circle_in(session, guild_id, circle_id)
            row = await _store.stored_row(session, circle_id, index)
            if row is None:
                return Attendance((), ())
            going = await session.scalars(
                select(CircleRsvp.user_id)
                .where(CircleRsvp.occurrence_id == row.id, CircleRsvp.status == YES)
                .order_by(CircleRsvp.updated_at, CircleRsvp.id)
            )
            waiting = await session.scalars(
                select(CircleRsvp.user_id)
                .where(CircleRsvp.occurrence_id == row.id, CircleRsvp.status == WAITLIST)
                .order_by(CircleRsvp.position)
            )
            return Attendance(tuple(going), tuple(waiting))

    # ----- changing ------------------------------------------------------------------------
    async def skip(
        self, guild_id: int, actor_id: int, circle_id: int, local_date: str
    ) -> SkipOutcome:
        """Cancel the meeting on one local date; return it and the next meeting."""
        day = _input.parse_date(local_date, "date")
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await _store.circle_in(session, guild_id, circle_id)
            if circle.ended_at is not None:
                raise InvalidInput(N_("This circle has ended, so there is nothing left to skip."))
            schedule = await _store.schedule_of(session, circle)
            occ = recurrence.find_occurrence(schedule, day)
            if occ is None or day in schedule.skipped:
                raise InvalidInput(
                    N_(
                        "%(title)s has no meeting on %(date)s to skip. "
                        "`/circle list` shows the coming dates."
                    ),
                    title=circle.title,
                    date=day.isoformat(),
                )
            if occ.start_utc <= now:
                raise InvalidInput(N_("That meeting has already started, so it can't be skipped."))
            row = await _store.meeting_row(session, circle, occ)
            row.skipped = True
            skipped = await _store.meeting_of(session, circle, occ, row)
            following = recurrence.next_occurrences(recurrence.skip(schedule, day), now, 1)
            nxt = None
            if following:
                nxt_row = await _store.meeting_row(session, circle, following[0])
                nxt = await _store.meeting_of(session, circle, following[0], nxt_row)
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                "circle.skip",
                f"skipped the {day.isoformat()} meeting of “{circle.title}”",
                circle_id=circle.id,
                index=occ.index,
            )
            await session.commit()
        await self._audit.publish(record)
        return SkipOutcome(skipped, nxt)

    async def edit(
        self,
        guild_id: int,
        actor_id: int,
        circle_id: int,
        *,
        zone: str | None = None,
        start_time: str | None = None,
        duration_minutes: int | None = None,
        first_date: str | None = None,
        rule: str | None = None,
        nth_weekday: str | None = None,
        yes_only: bool | None = None,
    ) -> EditOutcome:
        """Change the series from its next meeting on; earlier meetings stay as they were.

        `first_date` moves the next meeting (and with it the weekday of those after it),
        `rule` changes how often it meets from then on.
        """
        changes = (zone, start_time, duration_minutes, first_date, rule, nth_weekday, yes_only)
        if all(change is None for change in changes):
            raise InvalidInput(
                N_(
                    "Tell me what to change: the start time, length, zone, date, how often it "
                    "meets, or who the room opens to."
                )
            )
        new_rule = _input.parse_rule(rule) if rule else None
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await _store.circle_in(session, guild_id, circle_id)
            if circle.ended_at is not None:
                raise InvalidInput(N_("This circle has ended, so there is nothing left to change."))
            schedule = await _store.schedule_of(session, circle)
            upcoming = recurrence.next_occurrences(schedule, now, 1)
            if not upcoming:
                raise InvalidInput(N_("This circle has no meetings left to change."))
            index = upcoming[0].index
            if yes_only is not None:
                circle.yes_only = yes_only
            edited = _input.edited_schedule(
                schedule,
                index,
                zone=zone,
                start_time=start_time,
                duration_minutes=duration_minutes,
                first_date=first_date,
                rule=new_rule,
                nth_weekday=nth_weekday,
            )
            following = recurrence.next_occurrences(edited, now - timedelta(microseconds=1), 1)
            if not following or following[0].index != index:
                raise InvalidInput(
                    N_("The next meeting would then be in the past. Pick a date after today.")
                )
            circle.segments = [_store.segment_data(segment) for segment in edited.segments]
            moved = await _store.move_rows(session, circle, edited, index)
            first = recurrence.next_occurrences(edited, now, 1)[0]
            first_row = await _store.meeting_row(session, circle, first)
            first_changed = await _store.meeting_of(session, circle, first, first_row)
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                "circle.edit",
                f"changed “{circle.title}” from meeting {index + 1} on: "
                f"{_input.schedule_note(edited)}",
                circle_id=circle.id,
                index=index,
            )
            info = await _store.info_of(session, circle)
            await session.commit()
        await self._audit.publish(record)
        return EditOutcome(info, first_changed, moved)

    async def end(self, guild_id: int, actor_id: int, circle_id: int) -> EndOutcome:
        """Stop the series: no meeting after now happens; return the announced ones to cancel."""
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await _store.circle_in(session, guild_id, circle_id)
            if circle.ended_at is not None:
                raise InvalidInput(N_("This circle has already ended."))
            schedule = await _store.schedule_of(session, circle)
            coming = await session.scalars(
                select(CircleOccurrence)
                .where(
                    CircleOccurrence.circle_id == circle.id,
                    CircleOccurrence.starts_at > now,
                    CircleOccurrence.skipped.is_(False),
                )
                .order_by(CircleOccurrence.meeting_index)
            )
            cancelled = []
            for row in list(coming):
                occ = recurrence.occurrence_at(schedule, row.meeting_index)
                if occ is not None:
                    cancelled.append(await _store.meeting_of(session, circle, occ, row))
            upcoming = recurrence.next_occurrences(schedule, now, 1)
            if upcoming and upcoming[0].index >= 1:
                ended = recurrence.stop_before(schedule, upcoming[0].index)
                circle.segments = [_store.segment_data(segment) for segment in ended.segments]
                circle.count = ended.count
            circle.ended_at = now
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                "circle.end",
                f"ended the circle “{circle.title}”",
                circle_id=circle.id,
            )
            info = await _store.info_of(session, circle)
            await session.commit()
        await self._audit.publish(record)
        return EndOutcome(info, tuple(cancelled))

    # ----- attending -----------------------------------------------------------------------
    async def rsvp(
        self,
        guild_id: int,
        circle_id: int,
        index: int,
        user_id: int,
        going: bool,
        locale: str | None = None,
    ) -> RsvpOutcome:
        """Record a member's answer; a full circle waitlists in order and a drop-out promotes.

        `locale` is the Discord locale they answered in: their reminders follow it.
        """
        await self._agreement.require_agreement(guild_id, user_id)
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await _store.circle_in(session, guild_id, circle_id)
            schedule = await _store.schedule_of(session, circle)
            occ = recurrence.occurrence_at(schedule, index)
            if circle.ended_at is not None or occ is None or occ.local_date in schedule.skipped:
                raise InvalidInput(N_("This meeting isn't happening any more, so there's no RSVP."))
            if occ.start_utc <= now:
                raise InvalidInput(N_("This meeting has already started; RSVPs are closed."))
            row = await _store.meeting_row(session, circle, occ, lock=True)
            mine = await session.scalar(
                select(CircleRsvp).where(
                    CircleRsvp.occurrence_id == row.id, CircleRsvp.user_id == user_id
                )
            )
            before = mine.status if mine else None
            promoted: int | None = None
            if going and before in (YES, WAITLIST):
                status = before
            elif going:
                status, position = await _store.free_place(session, circle, row.id)
                mine = _store.set_answer(session, mine, row.id, user_id, status, position, now)
            else:
                status = NO
                mine = _store.set_answer(session, mine, row.id, user_id, NO, None, now)
                if before == YES:
                    promoted = await _store.promote(session, row.id, now)
            if mine is not None and locale:
                mine.locale = locale
            await session.flush()
            promoted_locale = (
                await _store.locale_of(session, row.id, promoted) if promoted is not None else None
            )
            place = None
            if status == WAITLIST and mine is not None:
                place = await _store.waitlist_place(session, row.id, mine)
            grants: tuple[int, ...] = ()
            if circle.yes_only and row.opened_at is not None and row.closed_at is None:
                newly = (user_id,) if status == YES and before != YES else ()
                grants = (*newly, *((promoted,) if promoted is not None else ()))
            meeting = await _store.meeting_of(session, circle, occ, row)
            await session.commit()
        return RsvpOutcome(
            meeting, status, place, status != before, promoted, grants, row.id, promoted_locale
        )

    # ----- data rights ---------------------------------------------------------------------
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return rights.DESCRIPTION

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> dict[str, Any]:
        """Return everything about this member in the circle tables."""
        return await rights.export_user(session, user_id)

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase this member's answers, reminders, hands and named notes; circles stay, unnamed."""
        return await rights.delete_user(session, user_id, self._clock.now())

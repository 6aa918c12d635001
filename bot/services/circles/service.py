"""Scheduled circles: creating, listing, skipping and ending them, and RSVPs with a waitlist."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.engine import SessionFactory
from bot.db.models import (
    Circle,
    CircleFeedbackVoter,
    CircleHand,
    CircleNote,
    CircleOccurrence,
    CircleReminderDelivery,
    CircleRsvp,
)
from bot.db.queries import insert_ignore
from bot.domain import recurrence
from bot.domain.circle_reminders import choose_reminder, superseded_on_resume
from bot.domain.recurrence import (
    CircleSchedule,
    NthWeekday,
    Occurrence,
    Recurrence,
    Rule,
    ScheduleError,
)
from bot.domain.text import excerpt
from bot.errors import InvalidInput, NotFound
from bot.services.agreement import AgreementService
from bot.services.audit import AuditService
from bot.services.circle_overwrites import RoomOverwrites
from bot.services.circle_room import CircleRoom, TalkingOrder, WaitingNote
from bot.services.data_rights import ExportChoice
from bot.services.zones import require_zone

log = logging.getLogger(__name__)

YES = "yes"
NO = "no"
WAITLIST = "waitlist"
MAX_CAPACITY = 99
MAX_TITLE = 100
MAX_DESCRIPTION = 1000
DEFAULT_LEAD_MINUTES = (24 * 60, 15)
LIST_LIMIT = 10
SUPERSEDED = "superseded"
UNPOSTED = 0  # announcement claimed, message not posted (yet)
OPEN_EARLY = timedelta(minutes=30)
# Discord deduplicates a message with the same nonce by the same author for a few minutes; a
# reminder claimed but not confirmed sent is sent again (same nonce) only within this window.
NONCE_WINDOW = timedelta(minutes=2)
UNCONFIRMED = "unconfirmed"
SENDING = "sending"  # an attempt began at claimed_at; cleared when it is recorded


@dataclass(frozen=True)
class CircleInfo:
    """A circle as it stands, detached from the database."""

    id: int
    guild_id: int
    title: str
    description: str
    voice_channel_id: int
    capacity: int | None
    schedule: CircleSchedule
    lead_minutes: tuple[int, ...]
    ended: bool
    yes_only: bool = False

    @property
    def summary(self) -> str:
        """Return a plain sentence saying when the circle meets."""
        return recurrence.describe(self.schedule)


@dataclass(frozen=True)
class Meeting:
    """One upcoming (or just changed) meeting of a circle, with its public headcount."""

    circle_id: int
    guild_id: int
    title: str
    description: str
    voice_channel_id: int
    capacity: int | None
    index: int
    local_date: date
    start_utc: datetime
    end_utc: datetime
    going: int
    waitlisted: int
    announcement_message_id: int | None
    scheduled_event_id: int | None


@dataclass(frozen=True)
class CreateOutcome:
    """A new circle and its first meeting (to announce)."""

    circle: CircleInfo
    first: Meeting


@dataclass(frozen=True)
class SkipOutcome:
    """A cancelled meeting (to take down) and the next one (to announce), if any."""

    skipped: Meeting
    next: Meeting | None


@dataclass(frozen=True)
class EndOutcome:
    """An ended series and its cancelled meetings that had been announced."""

    circle: CircleInfo
    cancelled: tuple[Meeting, ...]


@dataclass(frozen=True)
class EditOutcome:
    """A changed series and its announced meetings whose time changed (to update)."""

    circle: CircleInfo
    first_changed: Meeting
    moved: tuple[Meeting, ...]


@dataclass(frozen=True)
class HoldOutcome:
    """A meeting being opened or closed, with what the room needs to change.

    `going` is who said yes (for a room open only to them), `order` the talking order to
    update and `unread` the notes nobody had read yet when it closed (shown to the facilitator,
    then erased). What opening changed in the room is kept apart (`record_room_changes`).
    """

    meeting: Meeting
    yes_only: bool
    going: tuple[int, ...]
    order: TalkingOrder
    unread: tuple[WaitingNote, ...] = ()


@dataclass(frozen=True)
class RsvpOutcome:
    """A member's answer: their status, waitlist place (1-based), and who moved up."""

    meeting: Meeting
    status: str
    place: int | None
    changed: bool
    promoted_user_id: int | None
    # Members to let into a room already open only to those who said yes, and its meeting.
    room_grants: tuple[int, ...] = ()
    occurrence_id: int = 0


@dataclass(frozen=True)
class Reminder:
    """A claimed reminder to send privately to one member who said yes."""

    delivery_id: int
    user_id: int
    lead_minutes: int
    meeting: Meeting

    @property
    def nonce(self) -> str:
        """Return the message nonce: the same on every attempt, so Discord keeps just one."""
        return f"hearth-circle-r{self.delivery_id}"[:25]


@dataclass(frozen=True)
class Attendance:
    """Who said yes and the waitlist in order (for facilitators)."""

    going: tuple[int, ...]
    waitlist: tuple[int, ...]


# ----- stored schedules ------------------------------------------------------------------------
def segment_data(segment: Recurrence) -> dict[str, Any]:
    """Return a schedule segment as plain JSON data."""
    nth = segment.nth_weekday
    return {
        "zone": segment.zone,
        "first_date": segment.first_date.isoformat(),
        "start_time": segment.start_time.strftime("%H:%M"),
        "duration_minutes": int(segment.duration.total_seconds() // 60),
        "rule": segment.rule.value,
        "nth": [nth.n, nth.weekday] if nth else None,
        "starts_at": segment.starts_at_index,
    }


def segment_from(data: dict[str, Any]) -> Recurrence:
    """Rebuild a schedule segment from its JSON data."""
    nth = data.get("nth")
    return Recurrence(
        zone=data["zone"],
        first_date=date.fromisoformat(data["first_date"]),
        start_time=time.fromisoformat(data["start_time"]),
        duration=timedelta(minutes=data["duration_minutes"]),
        rule=Rule(data["rule"]),
        nth_weekday=NthWeekday(nth[0], nth[1]) if nth else None,
        starts_at_index=data.get("starts_at", 0),
    )


def parse_date(text: str, what: str) -> date:
    """Read a date written as YYYY-MM-DD, or explain kindly."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"I could not read the {what} “{excerpt(text)}”. Write it like 2026-03-17."
        ) from None


def parse_time(text: str) -> time:
    """Read a local time written as HH:MM (24-hour), or explain kindly."""
    try:
        parsed = datetime.strptime(text.strip(), "%H:%M")  # noqa: DTZ007 - a wall-clock time
    except ValueError:
        raise InvalidInput(
            f"I could not read the start time “{excerpt(text)}”. Write it like 19:00 (24-hour)."
        ) from None
    return parsed.time()


def _scheduling(error: ScheduleError) -> InvalidInput:
    return InvalidInput(error.message)


class CircleService(CircleRoom, RoomOverwrites):
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

    # ----- loading -------------------------------------------------------------------------
    async def _schedule(self, session: AsyncSession, circle: Circle) -> CircleSchedule:
        skipped = await session.scalars(
            select(CircleOccurrence.local_date).where(
                CircleOccurrence.circle_id == circle.id, CircleOccurrence.skipped.is_(True)
            )
        )
        return CircleSchedule(
            segments=tuple(segment_from(data) for data in circle.segments),
            until=circle.until,
            count=circle.count,
            skipped=frozenset(skipped),
        )

    async def _info(self, session: AsyncSession, circle: Circle) -> CircleInfo:
        return CircleInfo(
            id=circle.id,
            guild_id=circle.guild_id,
            title=circle.title,
            description=circle.description,
            voice_channel_id=circle.voice_channel_id,
            capacity=circle.capacity,
            schedule=await self._schedule(session, circle),
            lead_minutes=tuple(circle.lead_minutes),
            ended=circle.ended_at is not None,
            yes_only=bool(circle.yes_only),
        )

    async def _circle(self, session: AsyncSession, guild_id: int, circle_id: int) -> Circle:
        circle = await session.get(Circle, circle_id)
        if circle is None or circle.guild_id != guild_id:
            raise NotFound("I couldn't find that circle. `/circle list` shows what is coming.")
        return circle

    async def _row(
        self, session: AsyncSession, circle: Circle, occ: Occurrence, *, lock: bool = False
    ) -> CircleOccurrence:
        """Return the state row of one meeting, creating it the first time it is needed."""
        await insert_ignore(
            session,
            CircleOccurrence.__table__,
            {
                "circle_id": circle.id,
                "meeting_index": occ.index,
                "local_date": occ.local_date,
                "starts_at": occ.start_utc,
                "skipped": False,
            },
            ["circle_id", "meeting_index"],
        )
        query = select(CircleOccurrence).where(
            CircleOccurrence.circle_id == circle.id, CircleOccurrence.meeting_index == occ.index
        )
        if lock:
            query = query.with_for_update()  # PostgreSQL; SQLite already holds the write lock
        return (await session.execute(query)).scalar_one()

    async def _counts(self, session: AsyncSession, occurrence_id: int | None) -> tuple[int, int]:
        if occurrence_id is None:
            return 0, 0
        rows = await session.execute(
            select(CircleRsvp.status, func.count())
            .where(CircleRsvp.occurrence_id == occurrence_id)
            .group_by(CircleRsvp.status)
        )
        counts = dict(rows.all())
        return counts.get(YES, 0), counts.get(WAITLIST, 0)

    async def _meeting(
        self,
        session: AsyncSession,
        circle: Circle,
        occ: Occurrence,
        row: CircleOccurrence | None,
    ) -> Meeting:
        going, waitlisted = await self._counts(session, row.id if row else None)
        return Meeting(
            circle_id=circle.id,
            guild_id=circle.guild_id,
            title=circle.title,
            description=circle.description,
            voice_channel_id=circle.voice_channel_id,
            capacity=circle.capacity,
            index=occ.index,
            local_date=occ.local_date,
            start_utc=occ.start_utc,
            end_utc=occ.end_utc,
            going=going,
            waitlisted=waitlisted,
            announcement_message_id=row.announcement_message_id if row else None,
            scheduled_event_id=row.scheduled_event_id if row else None,
        )

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
        title = " ".join(title.split())
        description = description.strip()
        if not 1 <= len(title) <= MAX_TITLE:
            raise InvalidInput(f"The title needs to be between 1 and {MAX_TITLE} characters.")
        if len(description) > MAX_DESCRIPTION:
            raise InvalidInput(f"The description can be at most {MAX_DESCRIPTION} characters.")
        if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
            raise InvalidInput(f"The capacity can be 1 to {MAX_CAPACITY} people, or left empty.")
        try:
            chosen_rule = Rule(rule)
        except ValueError:
            raise InvalidInput("Choose how often the circle meets from the list.") from None
        try:
            nth = recurrence.parse_nth_weekday(nth_weekday) if nth_weekday else None
            schedule = recurrence.new_schedule(
                zone=require_zone(zone).key,
                first_date=parse_date(first_date, "first date"),
                start_time=parse_time(start_time),
                duration=timedelta(minutes=duration_minutes),
                rule=chosen_rule,
                nth_weekday=nth,
                until=parse_date(until, "end date") if until else None,
                count=count,
            )
            recurrence.validate_lead_times(timedelta(minutes=m) for m in lead_minutes)
        except ScheduleError as error:
            raise _scheduling(error) from None
        now = self._clock.now()
        upcoming = recurrence.next_occurrences(schedule, now, 1)
        if not upcoming:
            raise InvalidInput(
                "Every meeting of this circle would be in the past. Pick a later first date."
            )
        async with self._sessions() as session:
            circle = Circle(
                guild_id=guild_id,
                title=title,
                description=description,
                voice_channel_id=voice_channel_id,
                capacity=capacity,
                segments=[segment_data(segment) for segment in schedule.segments],
                until=schedule.until,
                count=schedule.count,
                lead_minutes=list(lead_minutes),
                created_by=actor_id,
                created_at=now,
                yes_only=yes_only,
            )
            session.add(circle)
            await session.flush()
            row = await self._row(session, circle, upcoming[0])
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                "circle.create",
                f"created the circle “{title}”: {recurrence.describe(schedule)}",
                circle_id=circle.id,
            )
            first = await self._meeting(session, circle, upcoming[0], row)
            info = await self._info(session, circle)
            await session.commit()
        await self._audit.publish(record)
        return CreateOutcome(info, first)

    async def record_announcement(
        self,
        circle_id: int,
        index: int,
        *,
        message_id: int | None = None,
        scheduled_event_id: int | None = None,
    ) -> None:
        """Remember where a meeting was announced, so later changes can follow it."""
        values: dict[str, int] = {}
        if message_id is not None:
            values["announcement_message_id"] = message_id
        if scheduled_event_id is not None:
            values["scheduled_event_id"] = scheduled_event_id
        if not values:
            return
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence)
                .where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == index,
                )
                .values(**values)
            )
            await session.commit()

    async def claim_announcement(self, circle_id: int, index: int) -> bool:
        """Claim the right to announce one meeting; only one caller ever gets it."""
        async with self._sessions() as session:
            claimed = await session.execute(
                update(CircleOccurrence)
                .where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == index,
                    CircleOccurrence.announcement_message_id.is_(None),
                )
                .values(announcement_message_id=UNPOSTED)
            )
            await session.commit()
        return bool(claimed.rowcount)

    async def release_announcement(self, circle_id: int, index: int) -> None:
        """Give a claimed announcement back when it could not be posted, so it is tried again."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence)
                .where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == index,
                    CircleOccurrence.announcement_message_id == UNPOSTED,
                )
                .values(announcement_message_id=None)
            )
            await session.commit()

    async def claim_event(self, circle_id: int, index: int) -> bool:
        """Claim the right to mirror one meeting as a Discord event; only one caller gets it."""
        async with self._sessions() as session:
            claimed = await session.execute(
                update(CircleOccurrence)
                .where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == index,
                    CircleOccurrence.scheduled_event_id.is_(None),
                )
                .values(scheduled_event_id=UNPOSTED)
            )
            await session.commit()
        return bool(claimed.rowcount)

    async def release_event(self, circle_id: int, index: int) -> None:
        """Give a claimed event back when it could not be made (it may be tried again later)."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleOccurrence)
                .where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == index,
                    CircleOccurrence.scheduled_event_id == UNPOSTED,
                )
                .values(scheduled_event_id=None)
            )
            await session.commit()

    async def interrupted_announcements(self) -> list[Meeting]:
        """Return meetings still to come whose announcement or event was claimed, never recorded.

        The caller knows which of them it is announcing itself; every other one was left by a
        process that stopped in between, and may already be on Discord.
        """
        now = self._clock.now()
        found = []
        async with self._reads() as session:
            rows = await session.execute(
                select(CircleOccurrence, Circle)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(
                    Circle.ended_at.is_(None),
                    CircleOccurrence.skipped.is_(False),
                    CircleOccurrence.starts_at > now,
                    or_(
                        CircleOccurrence.announcement_message_id == UNPOSTED,
                        CircleOccurrence.scheduled_event_id == UNPOSTED,
                    ),
                )
                .order_by(CircleOccurrence.starts_at)
            )
            for row, circle in rows.all():
                occ = recurrence.occurrence_at(
                    await self._schedule(session, circle), row.meeting_index
                )
                if occ is not None and occ.local_date == row.local_date:
                    found.append(await self._meeting(session, circle, occ, row))
        return found

    async def next_meetings_to_announce(self) -> list[Meeting]:
        """Return each running circle's next meeting that has not been announced yet."""
        now = self._clock.now()
        found = []
        async with self._sessions() as session:
            circles = await session.scalars(select(Circle).where(Circle.ended_at.is_(None)))
            for circle in list(circles):
                upcoming = recurrence.next_occurrences(
                    await self._schedule(session, circle), now, 1
                )
                if not upcoming:
                    continue
                row = await self._row(session, circle, upcoming[0])
                if row.announcement_message_id is None:
                    found.append(await self._meeting(session, circle, upcoming[0], row))
            await session.commit()
        return found

    # ----- reading -------------------------------------------------------------------------
    async def get(self, guild_id: int, circle_id: int) -> CircleInfo:
        """Return one circle of this server."""
        async with self._reads() as session:
            return await self._info(session, await self._circle(session, guild_id, circle_id))

    async def upcoming(self, guild_id: int, limit: int = LIST_LIMIT) -> list[Meeting]:
        """Return the server's next meetings across all running circles, soonest first."""
        now = self._clock.now()
        async with self._reads() as session:
            circles = await session.scalars(
                select(Circle).where(Circle.guild_id == guild_id, Circle.ended_at.is_(None))
            )
            found: list[tuple[Circle, Occurrence]] = []
            for circle in list(circles):
                schedule = await self._schedule(session, circle)
                found += [(circle, o) for o in recurrence.next_occurrences(schedule, now, limit)]
            found.sort(key=lambda pair: (pair[1].start_utc, pair[0].id))
            meetings = []
            for circle, occ in found[:limit]:
                row = await session.scalar(
                    select(CircleOccurrence).where(
                        CircleOccurrence.circle_id == circle.id,
                        CircleOccurrence.meeting_index == occ.index,
                    )
                )
                meetings.append(await self._meeting(session, circle, occ, row))
            return meetings

    async def meeting(self, guild_id: int, circle_id: int, index: int) -> Meeting | None:
        """Return one meeting with its current headcount, or None if it is not in the series."""
        async with self._reads() as session:
            circle = await self._circle(session, guild_id, circle_id)
            occ = recurrence.occurrence_at(await self._schedule(session, circle), index)
            if occ is None:
                return None
            row = await session.scalar(
                select(CircleOccurrence).where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == index,
                )
            )
            return await self._meeting(session, circle, occ, row)

    async def next_meeting(self, guild_id: int, circle_id: int) -> Meeting:
        """Return the circle's next meeting, or explain that none is coming."""
        now = self._clock.now()
        async with self._reads() as session:
            circle = await self._circle(session, guild_id, circle_id)
            upcoming = recurrence.next_occurrences(await self._schedule(session, circle), now, 1)
            if circle.ended_at is not None or not upcoming:
                raise InvalidInput(f"{circle.title} has no meetings coming up.")
            row = await session.scalar(
                select(CircleOccurrence).where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == upcoming[0].index,
                )
            )
            return await self._meeting(session, circle, upcoming[0], row)

    async def attendance(self, guild_id: int, circle_id: int, index: int) -> Attendance:
        """Return who said yes and the waitlist in order (facilitators only see this)."""
        async with self._reads() as session:
            await self._circle(session, guild_id, circle_id)
            row = await session.scalar(
                select(CircleOccurrence).where(
                    CircleOccurrence.circle_id == circle_id,
                    CircleOccurrence.meeting_index == index,
                )
            )
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
        day = parse_date(local_date, "date")
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await self._circle(session, guild_id, circle_id)
            if circle.ended_at is not None:
                raise InvalidInput("This circle has ended, so there is nothing left to skip.")
            schedule = await self._schedule(session, circle)
            occ = recurrence.find_occurrence(schedule, day)
            if occ is None or day in schedule.skipped:
                raise InvalidInput(
                    f"{circle.title} has no meeting on {day.isoformat()} to skip. "
                    "`/circle list` shows the coming dates."
                )
            if occ.start_utc <= now:
                raise InvalidInput("That meeting has already started, so it can't be skipped.")
            row = await self._row(session, circle, occ)
            row.skipped = True
            skipped = await self._meeting(session, circle, occ, row)
            following = recurrence.next_occurrences(recurrence.skip(schedule, day), now, 1)
            nxt = None
            if following:
                nxt = await self._meeting(
                    session, circle, following[0], await self._row(session, circle, following[0])
                )
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
                "Tell me what to change: the start time, length, zone, date, how often it "
                "meets, or who the room opens to."
            )
        try:
            new_rule = Rule(rule) if rule else None
        except ValueError:
            raise InvalidInput("Choose how often the circle meets from the list.") from None
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await self._circle(session, guild_id, circle_id)
            if circle.ended_at is not None:
                raise InvalidInput("This circle has ended, so there is nothing left to change.")
            schedule = await self._schedule(session, circle)
            upcoming = recurrence.next_occurrences(schedule, now, 1)
            if not upcoming:
                raise InvalidInput("This circle has no meetings left to change.")
            index = upcoming[0].index
            if yes_only is not None:
                circle.yes_only = yes_only
            try:
                edited = recurrence.edit_from(
                    schedule,
                    index,
                    zone=require_zone(zone).key if zone else None,
                    start_time=parse_time(start_time) if start_time else None,
                    duration=(
                        timedelta(minutes=duration_minutes)
                        if duration_minutes is not None
                        else None
                    ),
                    first_date=parse_date(first_date, "date") if first_date else None,
                    rule=new_rule,
                    nth_weekday=recurrence.parse_nth_weekday(nth_weekday) if nth_weekday else None,
                )
            except ScheduleError as error:
                raise _scheduling(error) from None
            following = recurrence.next_occurrences(edited, now - timedelta(microseconds=1), 1)
            if not following or following[0].index != index:
                raise InvalidInput(
                    "The next meeting would then be in the past. Pick a date after today."
                )
            circle.segments = [segment_data(segment) for segment in edited.segments]
            rows = await session.scalars(
                select(CircleOccurrence).where(
                    CircleOccurrence.circle_id == circle.id,
                    CircleOccurrence.meeting_index >= index,
                    CircleOccurrence.skipped.is_(False),
                )
            )
            moved = []
            for row in list(rows):
                occ = recurrence.occurrence_at(edited, row.meeting_index)
                if occ is None or occ.local_date in edited.skipped:
                    continue
                row.local_date, row.starts_at = occ.local_date, occ.start_utc
                if row.announcement_message_id or row.scheduled_event_id:
                    moved.append(await self._meeting(session, circle, occ, row))
            first = recurrence.next_occurrences(edited, now, 1)[0]
            first_changed = await self._meeting(
                session, circle, first, await self._row(session, circle, first)
            )
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                "circle.edit",
                f"changed “{circle.title}” from meeting {index + 1} on: "
                f"{recurrence.describe(edited)}",
                circle_id=circle.id,
                index=index,
            )
            info = await self._info(session, circle)
            await session.commit()
        await self._audit.publish(record)
        return EditOutcome(info, first_changed, tuple(moved))

    async def end(self, guild_id: int, actor_id: int, circle_id: int) -> EndOutcome:
        """Stop the series: no meeting after now happens; return the announced ones to cancel."""
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await self._circle(session, guild_id, circle_id)
            if circle.ended_at is not None:
                raise InvalidInput("This circle has already ended.")
            schedule = await self._schedule(session, circle)
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
                    cancelled.append(await self._meeting(session, circle, occ, row))
            upcoming = recurrence.next_occurrences(schedule, now, 1)
            if upcoming and upcoming[0].index >= 1:
                ended = recurrence.stop_before(schedule, upcoming[0].index)
                circle.segments = [segment_data(segment) for segment in ended.segments]
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
            info = await self._info(session, circle)
            await session.commit()
        await self._audit.publish(record)
        return EndOutcome(info, tuple(cancelled))

    async def hold(
        self, guild_id: int, actor_id: int, circle_id: int, *, opening: bool
    ) -> HoldOutcome:
        """Open (from 30 minutes before) or close the current meeting, audited.

        Closing clears the talking order, hands back the notes nobody read (they are erased
        with the rest) and opens anonymous feedback.
        """
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await self._circle(session, guild_id, circle_id)
            schedule = await self._schedule(session, circle)
            recent = list(
                recurrence.occurrences(
                    schedule, now - recurrence.MAX_DURATION - OPEN_EARLY, now + OPEN_EARLY
                )
            )
            if opening:
                current = next(
                    (o for o in recent if o.start_utc - OPEN_EARLY <= now < o.end_utc), None
                )
            else:
                current = next(
                    (o for o in reversed(recent) if o.start_utc - OPEN_EARLY <= now), None
                )
            if current is None or (opening and circle.ended_at is not None):
                verb = "open" if opening else "close"
                raise InvalidInput(
                    f"{circle.title} has no meeting to {verb} right now. A meeting can be opened "
                    "from 30 minutes before it starts until it ends."
                )
            row = await self._row(session, circle, current, lock=True)
            going: tuple[int, ...] = ()
            unread: tuple[WaitingNote, ...] = ()
            if opening:
                row.opened_at, row.closed_at = now, None
                if circle.yes_only:
                    going = tuple(
                        await session.scalars(
                            select(CircleRsvp.user_id)
                            .where(CircleRsvp.occurrence_id == row.id, CircleRsvp.status == YES)
                            .order_by(CircleRsvp.id)
                        )
                    )
            else:
                unread = await self._close_room(session, row, current.end_utc, now)
            action = "open" if opening else "close"
            record = self._audit.add(
                session,
                guild_id,
                actor_id,
                f"circle.{action}",
                f"{action}d the {current.local_date.isoformat()} meeting of “{circle.title}”",
                circle_id=circle.id,
                index=current.index,
            )
            await session.flush()
            meeting = await self._meeting(session, circle, current, row)
            order = await self._order(session, row, circle)
            yes_only = bool(circle.yes_only)
            await session.commit()
        await self._audit.publish(record)
        return HoldOutcome(meeting, yes_only, going, order, unread)

    # ----- attending -----------------------------------------------------------------------
    async def rsvp(
        self, guild_id: int, circle_id: int, index: int, user_id: int, going: bool
    ) -> RsvpOutcome:
        """Record a member's answer; a full circle waitlists in order and a drop-out promotes."""
        await self._agreement.require_agreement(guild_id, user_id)
        now = self._clock.now()
        async with self._sessions() as session:
            circle = await self._circle(session, guild_id, circle_id)
            schedule = await self._schedule(session, circle)
            occ = recurrence.occurrence_at(schedule, index)
            if circle.ended_at is not None or occ is None or occ.local_date in schedule.skipped:
                raise InvalidInput("This meeting isn't happening any more, so there's no RSVP.")
            if occ.start_utc <= now:
                raise InvalidInput("This meeting has already started; RSVPs are closed.")
            row = await self._row(session, circle, occ, lock=True)
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
                going_now, _ = await self._counts(session, row.id)
                if circle.capacity is None or going_now < circle.capacity:
                    status, position = YES, None
                else:
                    last = await session.scalar(
                        select(func.max(CircleRsvp.position)).where(
                            CircleRsvp.occurrence_id == row.id
                        )
                    )
                    status, position = WAITLIST, (last or 0) + 1
                mine = self._set(session, mine, row.id, user_id, status, position, now)
            else:
                status = NO
                mine = self._set(session, mine, row.id, user_id, NO, None, now)
                if before == YES:
                    promoted = await self._promote(session, row.id, now)
            await session.flush()
            place = None
            if status == WAITLIST and mine is not None:
                place = await session.scalar(
                    select(func.count()).where(
                        CircleRsvp.occurrence_id == row.id,
                        CircleRsvp.status == WAITLIST,
                        CircleRsvp.position <= mine.position,
                    )
                )
            grants: tuple[int, ...] = ()
            if circle.yes_only and row.opened_at is not None and row.closed_at is None:
                newly = (user_id,) if status == YES and before != YES else ()
                grants = (*newly, *((promoted,) if promoted is not None else ()))
            meeting = await self._meeting(session, circle, occ, row)
            await session.commit()
        return RsvpOutcome(meeting, status, place, status != before, promoted, grants, row.id)

    @staticmethod
    def _set(
        session: AsyncSession,
        mine: CircleRsvp | None,
        occurrence_id: int,
        user_id: int,
        status: str,
        position: int | None,
        now: datetime,
    ) -> CircleRsvp:
        if mine is None:
            mine = CircleRsvp(occurrence_id=occurrence_id, user_id=user_id)
            session.add(mine)
        mine.status, mine.position, mine.updated_at = status, position, now
        return mine

    async def _promote(
        self, session: AsyncSession, occurrence_id: int, now: datetime
    ) -> int | None:
        """Move the first person on the waitlist up to yes; return who, if anyone."""
        first = await session.scalar(
            select(CircleRsvp)
            .where(CircleRsvp.occurrence_id == occurrence_id, CircleRsvp.status == WAITLIST)
            .order_by(CircleRsvp.position)
            .limit(1)
        )
        if first is None:
            return None
        first.status, first.position, first.updated_at = YES, None, now
        return first.user_id

    # ----- reminders -----------------------------------------------------------------------
    async def claim_due_reminders(self) -> list[Reminder]:
        """Claim each reminder that is due and still useful, once; late ones only before the start.

        Each member gets each reminder at its time. One that would go out late (they said yes
        after it, or Hearth was down) is superseded by any nearer one, due now or still to come
        (`bot.domain.circle_reminders`): superseded ones are claimed as such, never sent.
        """
        now = self._clock.now()
        horizon = now + recurrence.MAX_LEAD_TIME
        claimed: list[Reminder] = []
        async with self._sessions() as session:
            rows = await session.execute(
                select(CircleOccurrence, Circle)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(
                    Circle.ended_at.is_(None),
                    CircleOccurrence.skipped.is_(False),
                    CircleOccurrence.starts_at > now,
                    CircleOccurrence.starts_at <= horizon,
                )
                .order_by(CircleOccurrence.starts_at)
            )
            for row, circle in rows.all():
                occ = recurrence.occurrence_at(
                    await self._schedule(session, circle), row.meeting_index
                )
                if occ is None or occ.local_date != row.local_date:
                    continue
                leads = tuple(circle.lead_minutes)
                if all(occ.start_utc - timedelta(minutes=lead) > now for lead in leads):
                    continue  # nothing is due for anyone yet
                going = (
                    await session.execute(
                        select(CircleRsvp.user_id, CircleRsvp.updated_at).where(
                            CircleRsvp.occurrence_id == row.id, CircleRsvp.status == YES
                        )
                    )
                ).all()
                meeting: Meeting | None = None
                for user_id, going_since in going:
                    choice = choose_reminder(leads, occ.start_utc, now, going_since)
                    if choice.send is None:
                        continue
                    for lead in choice.superseded:
                        await insert_ignore(
                            session,
                            CircleReminderDelivery.__table__,
                            {
                                "occurrence_id": row.id,
                                "user_id": user_id,
                                "lead_minutes": lead,
                                "claimed_at": now,
                                "failure": SUPERSEDED,
                            },
                            ["occurrence_id", "user_id", "lead_minutes"],
                        )
                    inserted = await insert_ignore(
                        session,
                        CircleReminderDelivery.__table__,
                        {
                            "occurrence_id": row.id,
                            "user_id": user_id,
                            "lead_minutes": choice.send,
                            "claimed_at": now,
                            "failure": None,
                        },
                        ["occurrence_id", "user_id", "lead_minutes"],
                    )
                    if not inserted:
                        continue
                    delivery_id = await session.scalar(
                        select(CircleReminderDelivery.id).where(
                            CircleReminderDelivery.occurrence_id == row.id,
                            CircleReminderDelivery.user_id == user_id,
                            CircleReminderDelivery.lead_minutes == choice.send,
                        )
                    )
                    meeting = meeting or await self._meeting(session, circle, occ, row)
                    claimed.append(Reminder(int(delivery_id or 0), user_id, choice.send, meeting))
            await session.commit()
        return claimed

    async def unconfirmed_reminders(self) -> list[Reminder]:
        """Return reminders claimed but never recorded as sent (Hearth stopped in between).

        Never attempted: safe to send while the meeting is still to come, unless by now it
        would go out late and a nearer reminder supersedes it. Attempted (marked
        sending) within the nonce window: sent again with the same nonce, so Discord keeps only
        one message if the first attempt did get through. Attempted longer ago: recorded as
        unconfirmed and left alone, since sending again could make a second message.
        """
        now = self._clock.now()
        found: list[Reminder] = []
        async with self._sessions() as session:
            rows = await session.execute(
                select(CircleReminderDelivery, CircleOccurrence, Circle)
                .join(CircleOccurrence, CircleOccurrence.id == CircleReminderDelivery.occurrence_id)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(
                    CircleReminderDelivery.sent_at.is_(None),
                    or_(
                        CircleReminderDelivery.failure.is_(None),
                        CircleReminderDelivery.failure == SENDING,
                    ),
                )
                .order_by(CircleReminderDelivery.id)
            )
            for delivery, row, circle in rows.all():
                occ = recurrence.occurrence_at(
                    await self._schedule(session, circle), row.meeting_index
                )
                attempted = delivery.failure == SENDING
                stale = attempted and delivery.claimed_at <= now - NONCE_WINDOW
                late = not attempted and (
                    occ is not None
                    and superseded_on_resume(
                        delivery.lead_minutes, circle.lead_minutes, occ.start_utc, now
                    )
                )
                if occ is None or stale or late or occ.start_utc <= now or circle.ended_at:
                    delivery.failure = UNCONFIRMED if attempted else SUPERSEDED
                    continue
                meeting = await self._meeting(session, circle, occ, row)
                found.append(
                    Reminder(delivery.id, delivery.user_id, delivery.lead_minutes, meeting)
                )
            await session.commit()
        return found

    async def begin_reminder(self, delivery_id: int) -> None:
        """Note that sending a claimed reminder starts now (the nonce window runs from here)."""
        async with self._sessions() as session:
            await session.execute(
                update(CircleReminderDelivery)
                .where(CircleReminderDelivery.id == delivery_id)
                .values(failure=SENDING, claimed_at=self._clock.now())
            )
            await session.commit()

    async def claim_promotion_notices(self) -> list[tuple[int, Meeting]]:
        """Claim the 'a place opened up' notices owed to members moved up off the waitlist."""
        now = self._clock.now()
        found: list[tuple[int, Meeting]] = []
        async with self._sessions() as session:
            rows = await session.execute(
                select(CircleRsvp, CircleOccurrence, Circle)
                .join(CircleOccurrence, CircleOccurrence.id == CircleRsvp.occurrence_id)
                .join(Circle, Circle.id == CircleOccurrence.circle_id)
                .where(CircleRsvp.notify_promoted.is_(True))
            )
            for rsvp, row, circle in rows.all():
                rsvp.notify_promoted = False
                occ = recurrence.occurrence_at(
                    await self._schedule(session, circle), row.meeting_index
                )
                if occ is not None and occ.start_utc > now and rsvp.status == YES:
                    found.append((rsvp.user_id, await self._meeting(session, circle, occ, row)))
            await session.commit()
        return found

    async def record_reminder(self, delivery_id: int, failure: str | None = None) -> None:
        """Note that a claimed reminder was sent, or why it could not be (never retried)."""
        values: dict[str, Any] = (
            {"failure": failure} if failure else {"sent_at": self._clock.now(), "failure": None}
        )
        async with self._sessions() as session:
            await session.execute(
                update(CircleReminderDelivery)
                .where(CircleReminderDelivery.id == delivery_id)
                .values(**values)
            )
            await session.commit()

    # ----- data rights ---------------------------------------------------------------------
    def describe(self) -> str:
        """Say in plain words what this part stores."""
        return (
            "**Circles**: your answers to circle meetings (yes, no, or your place on a waitlist), "
            "which reminders were sent to you, and circles you created; while a circle is open, "
            "your raised hand and notes you chose to sign. Anonymous notes and feedback carry no "
            "trace of you (for feedback, only that you answered, until it closes). Facilitators "
            "see who said yes; everyone else sees only a headcount."
        )

    async def export_user(
        self, session: AsyncSession, user_id: int, choice: ExportChoice
    ) -> dict[str, Any]:
        """Return everything about this member in the circle tables."""
        answers = await session.execute(
            select(Circle.guild_id, Circle.title, CircleOccurrence.local_date, CircleRsvp.status)
            .join(CircleOccurrence, CircleOccurrence.id == CircleRsvp.occurrence_id)
            .join(Circle, Circle.id == CircleOccurrence.circle_id)
            .where(CircleRsvp.user_id == user_id)
            .order_by(CircleOccurrence.starts_at)
        )
        reminders = await session.scalars(
            select(CircleReminderDelivery).where(CircleReminderDelivery.user_id == user_id)
        )
        created = await session.execute(
            select(Circle.guild_id, Circle.title, Circle.created_at).where(
                Circle.created_by == user_id
            )
        )
        notes = await session.scalars(
            select(CircleNote.text).where(CircleNote.author_id == user_id)
        )
        hands = await session.scalar(
            select(func.count()).select_from(CircleHand).where(CircleHand.user_id == user_id)
        )
        answered = await session.scalar(
            select(func.count())
            .select_from(CircleFeedbackVoter)
            .where(CircleFeedbackVoter.user_id == user_id)
        )
        return {
            "rsvps": [
                {"server_id": str(g), "circle": t, "date": d.isoformat(), "answer": s}
                for g, t, d, s in answers
            ],
            "reminders": [
                {
                    "minutes_before": r.lead_minutes,
                    "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                }
                for r in reminders
            ],
            "circles_created": [
                {"server_id": str(g), "title": t, "at": at.isoformat()} for g, t, at in created
            ],
            "notes_with_your_name_waiting": list(notes),
            "hands_raised_now": int(hands or 0),
            "meetings_you_gave_feedback_on_still_open": int(answered or 0),
        }

    async def delete_user(self, session: AsyncSession, user_id: int) -> int:
        """Erase this member's answers, reminders, hands and named notes; circles stay, unnamed.

        A place they held in a meeting still to come goes to the first person on its waitlist,
        who is told privately by the reminders job.
        """
        now = self._clock.now()
        held = await session.scalars(
            select(CircleRsvp.occurrence_id)
            .join(CircleOccurrence, CircleOccurrence.id == CircleRsvp.occurrence_id)
            .where(
                CircleRsvp.user_id == user_id,
                CircleRsvp.status == YES,
                CircleOccurrence.starts_at > now,
            )
        )
        held_ids = list(held)
        removed = 0
        for model in (CircleRsvp, CircleReminderDelivery, CircleHand, CircleFeedbackVoter):
            result = await session.execute(delete(model).where(model.user_id == user_id))
            removed += result.rowcount or 0
        notes = await session.execute(delete(CircleNote).where(CircleNote.author_id == user_id))
        removed += notes.rowcount or 0
        for occurrence_id in held_ids:
            promoted = await self._promote(session, occurrence_id, now)
            if promoted is not None:
                await session.execute(
                    update(CircleRsvp)
                    .where(
                        CircleRsvp.occurrence_id == occurrence_id, CircleRsvp.user_id == promoted
                    )
                    .values(notify_promoted=True)
                )
        await session.execute(
            update(Circle).where(Circle.created_by == user_id).values(created_by=None)
        )
        return removed

"""Queries the circle services' units of work run: each takes the session and never commits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Base, Circle, CircleOccurrence, CircleRsvp
from bot.db.queries import insert_ignore
from bot.domain import recurrence
from bot.domain.recurrence import CircleSchedule, NthWeekday, Occurrence, Recurrence, Rule
from bot.errors import NotFound
from bot.i18n import N_
from bot.services.circles.values import WAITLIST, YES, CircleInfo, Meeting

UNPOSTED = 0  # an announcement or event claimed, not posted (yet)


def table(model: type[Base]) -> Table:
    """Return a model's table (for the portable insert helpers)."""
    return cast(Table, model.__table__)


async def changed(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE or DELETE in the unit of work; return how many rows it changed."""
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount or 0


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


async def schedule_of(session: AsyncSession, circle: Circle) -> CircleSchedule:
    """Return a circle's schedule, with the dates it skips."""
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


async def occurrence_of(
    session: AsyncSession, circle: Circle, row: CircleOccurrence
) -> Occurrence | None:
    """Return the meeting a state row stands for, or None if the series no longer holds it."""
    occ = recurrence.occurrence_at(await schedule_of(session, circle), row.meeting_index)
    return occ if occ is not None and occ.local_date == row.local_date else None


async def info_of(session: AsyncSession, circle: Circle) -> CircleInfo:
    """Return a circle as a frozen value."""
    return CircleInfo(
        id=circle.id,
        guild_id=circle.guild_id,
        title=circle.title,
        description=circle.description,
        voice_channel_id=circle.voice_channel_id,
        capacity=circle.capacity,
        schedule=await schedule_of(session, circle),
        lead_minutes=tuple(circle.lead_minutes),
        ended=circle.ended_at is not None,
        yes_only=bool(circle.yes_only),
    )


async def circle_in(session: AsyncSession, guild_id: int, circle_id: int) -> Circle:
    """Return one circle of this server, or explain that there is none."""
    circle = await session.get(Circle, circle_id)
    if circle is None or circle.guild_id != guild_id:
        raise NotFound(N_("I couldn't find that circle. `/circle list` shows what is coming."))
    return circle


# ----- meetings --------------------------------------------------------------------------------
async def meeting_row(
    session: AsyncSession, circle: Circle, occ: Occurrence, *, lock: bool = False
) -> CircleOccurrence:
    """Return the state row of one meeting, creating it the first time it is needed."""
    await insert_ignore(
        session,
        table(CircleOccurrence),
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


async def stored_row(session: AsyncSession, circle_id: int, index: int) -> CircleOccurrence | None:
    """Return the state row of one meeting, if it has one yet."""
    return await session.scalar(
        select(CircleOccurrence).where(
            CircleOccurrence.circle_id == circle_id, CircleOccurrence.meeting_index == index
        )
    )


async def counts(session: AsyncSession, occurrence_id: int | None) -> tuple[int, int]:
    """Return how many said yes and how many wait, for one meeting."""
    if occurrence_id is None:
        return 0, 0
    rows = await session.execute(
        select(CircleRsvp.status, func.count())
        .where(CircleRsvp.occurrence_id == occurrence_id)
        .group_by(CircleRsvp.status)
    )
    found: dict[str, int] = {status: number for status, number in rows.all()}
    return found.get(YES, 0), found.get(WAITLIST, 0)


async def meeting_of(
    session: AsyncSession, circle: Circle, occ: Occurrence, row: CircleOccurrence | None
) -> Meeting:
    """Return one meeting as a frozen value, with its public headcount."""
    going, waitlisted = await counts(session, row.id if row else None)
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


async def next_meeting_of(
    session: AsyncSession, circle: Circle, now: datetime, *, create: bool = False
) -> tuple[Meeting, CircleOccurrence | None] | None:
    """Return the circle's next meeting and its row (made if `create`), or None if none comes."""
    upcoming = recurrence.next_occurrences(await schedule_of(session, circle), now, 1)
    if not upcoming:
        return None
    occ = upcoming[0]
    row = (
        await meeting_row(session, circle, occ)
        if create
        else await stored_row(session, circle.id, occ.index)
    )
    return await meeting_of(session, circle, occ, row), row


async def promote(session: AsyncSession, occurrence_id: int, now: datetime) -> int | None:
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


async def move_rows(
    session: AsyncSession, circle: Circle, edited: CircleSchedule, index: int
) -> tuple[Meeting, ...]:
    """Bring the stored meetings from `index` on to their new times; return announced ones."""
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
            moved.append(await meeting_of(session, circle, occ, row))
    return tuple(moved)


# ----- answers ---------------------------------------------------------------------------------
async def free_place(
    session: AsyncSession, circle: Circle, occurrence_id: int
) -> tuple[str, int | None]:
    """Return yes while places are free, or the next place on the waitlist."""
    going_now, _ = await counts(session, occurrence_id)
    if circle.capacity is None or going_now < circle.capacity:
        return YES, None
    last = await session.scalar(
        select(func.max(CircleRsvp.position)).where(CircleRsvp.occurrence_id == occurrence_id)
    )
    return WAITLIST, (last or 0) + 1


async def locale_of(session: AsyncSession, occurrence_id: int, user_id: int) -> str | None:
    """Return the Discord locale a member answered a meeting in, if known."""
    return await session.scalar(
        select(CircleRsvp.locale).where(
            CircleRsvp.occurrence_id == occurrence_id, CircleRsvp.user_id == user_id
        )
    )


def set_answer(
    session: AsyncSession,
    mine: CircleRsvp | None,
    occurrence_id: int,
    user_id: int,
    status: str,
    position: int | None,
    now: datetime,
) -> CircleRsvp:
    """Set a member's answer, making their row the first time."""
    if mine is None:
        mine = CircleRsvp(occurrence_id=occurrence_id, user_id=user_id)
        session.add(mine)
    mine.status, mine.position, mine.updated_at = status, position, now
    return mine


async def waitlist_place(session: AsyncSession, occurrence_id: int, mine: CircleRsvp) -> int:
    """Return a waitlisted member's place (1: next to move up)."""
    place = await session.scalar(
        select(func.count()).where(
            CircleRsvp.occurrence_id == occurrence_id,
            CircleRsvp.status == WAITLIST,
            CircleRsvp.position <= mine.position,
        )
    )
    return int(place or 0)

"""What opening a circle's room changed on Discord, kept so that closing gives the room back.

Each overwrite that opening (or letting in a late yes) changes is written here, as it was and
as opening set it, *before* the change is made; closing reads them, puts back what is still as
opening left it (`bot.domain.room_overwrites.restored`) and then forgets them. So a restart,
or a crash between the two, changes nothing: whatever was recorded is put back at close.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select, update

from bot.db.engine import SessionFactory
from bot.db.models import CircleRoomOverwrite
from bot.db.queries import insert_ignore
from bot.domain.room_overwrites import Overwrite
from bot.services.circles import _store
from bot.services.circles.values import RoomChange, TargetKind


def _change(row: CircleRoomOverwrite) -> RoomChange:
    before = (
        Overwrite(row.before_allow or 0, row.before_deny or 0)
        if row.before_allow is not None or row.before_deny is not None
        else None
    )
    return RoomChange(
        row.target_id,
        TargetKind(row.target_type),
        before,
        Overwrite(row.written_allow, row.written_deny),
    )


class RoomOverwrites:
    """Keeps the overwrites a meeting's opening changed."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    async def record_room_changes(self, occurrence_id: int, changes: Sequence[RoomChange]) -> None:
        """Note changes about to be made to a meeting's room.

        A target already noted for this meeting keeps the overwrite it had before the first
        change (opening twice must not take the first opening's state for the original); only
        what is written now is updated.
        """
        if not changes:
            return
        async with self._sessions() as session:
            for change in changes:
                await insert_ignore(
                    session,
                    _store.table(CircleRoomOverwrite),
                    {
                        "occurrence_id": occurrence_id,
                        "target_id": change.target_id,
                        "target_type": int(change.target_kind),
                        "before_allow": change.before.allow if change.before else None,
                        "before_deny": change.before.deny if change.before else None,
                        "written_allow": change.written.allow,
                        "written_deny": change.written.deny,
                    },
                    ["occurrence_id", "target_id"],
                )
                await session.execute(
                    update(CircleRoomOverwrite)
                    .where(
                        CircleRoomOverwrite.occurrence_id == occurrence_id,
                        CircleRoomOverwrite.target_id == change.target_id,
                    )
                    .values(written_allow=change.written.allow, written_deny=change.written.deny)
                )
            await session.commit()

    async def room_changes(self, occurrence_id: int) -> tuple[RoomChange, ...]:
        """Return every change opening made to this meeting's room and closing has not undone."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(CircleRoomOverwrite)
                .where(CircleRoomOverwrite.occurrence_id == occurrence_id)
                .order_by(CircleRoomOverwrite.target_type, CircleRoomOverwrite.target_id)
            )
            return tuple(_change(row) for row in rows)

    async def forget_room_changes(self, occurrence_id: int, target_ids: Iterable[int]) -> None:
        """Forget changes closing has put back."""
        targets = list(target_ids)
        if not targets:
            return
        async with self._sessions() as session:
            await session.execute(
                delete(CircleRoomOverwrite).where(
                    CircleRoomOverwrite.occurrence_id == occurrence_id,
                    CircleRoomOverwrite.target_id.in_(targets),
                )
            )
            await session.commit()

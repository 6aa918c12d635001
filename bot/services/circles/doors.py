"""Opening and closing a circle's voice room, and giving it back as it was.

Opening changes only View Channel and Connect, in the member role's overwrite (or, for a room
open only to those who said yes, also in one overwrite per yes). Every change is recorded in
the database before it is made (`RoomOverwrites`), and closing puts back what is still as
opening left it: a room the moderators keep hidden is hidden again, an overwrite opening added
is removed, and whatever a moderator changed meanwhile stays as they set it.
"""

from __future__ import annotations

import contextlib
import logging

from bot.domain.room_overwrites import CONNECT, VIEW_CHANNEL, Overwrite, opened, restored
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.services.circles.overwrites import RoomOverwrites
from bot.services.circles.ports import NotPermitted, NotThere, PortError, RoomPort
from bot.services.circles.values import HoldOutcome, RoomChange, TargetKind

log = logging.getLogger(__name__)

OPENED, CLOSED, LET_IN = "Circle opened", "Circle closed", "Said yes to an open circle"


class RoomUnavailable(InvalidInput):
    """The circle's voice channel (or, to open it, the member role) is gone."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "I couldn't find the circle's voice channel or the member role any more. "
                "A moderator can check `/setup show`."
            )
        )


class RoomRefused(NotAllowed):
    """Discord would not let Hearth change who can join the voice channel."""

    def __init__(self) -> None:
        super().__init__(
            N_(
                "I couldn't change who can join the voice channel: Hearth needs Manage Roles "
                "and Connect there."
            )
        )


def _let_in(
    target_id: int, kind: TargetKind, now: dict[int, Overwrite], allow: int, deny: int
) -> RoomChange:
    """Return the change that allows and denies these bits for one target, keeping the rest."""
    return RoomChange(target_id, kind, now.get(target_id), opened(now.get(target_id), allow, deny))


class RoomDoors:
    """Opens, closes and lets people into a circle's voice room, recording what it changes."""

    def __init__(self, overwrites: RoomOverwrites, port: RoomPort) -> None:
        self._overwrites = overwrites
        self._port = port

    async def open(self, held: HoldOutcome, role_id: int | None) -> None:
        """Let the member role in (or, yes-only, each yes in and the role only see the room)."""
        guild_id, voice_id = held.meeting.guild_id, held.meeting.voice_channel_id
        now = await self._port.room_overwrites(guild_id, voice_id, fresh=True)
        if now is None or role_id is None or not self._port.has_role(guild_id, role_id):
            raise RoomUnavailable
        role_bits = (VIEW_CHANNEL, CONNECT) if held.yes_only else (VIEW_CHANNEL | CONNECT, 0)
        changes = [_let_in(role_id, TargetKind.ROLE, now, *role_bits)]
        if held.yes_only:
            changes += [
                _let_in(u, TargetKind.MEMBER, now, VIEW_CHANNEL | CONNECT, 0) for u in held.going
            ]
        await self._overwrites.record_room_changes(held.order.occurrence_id, changes)
        for change in changes:
            if now.get(change.target_id) != change.written:
                await self._write(guild_id, voice_id, change, change.written, OPENED)

    async def let_in(
        self, guild_id: int, occurrence_id: int, voice_id: int, user_ids: tuple[int, ...]
    ) -> None:
        """Give members who said yes late their own way into a room open only to yeses."""
        try:
            now = await self._port.room_overwrites(guild_id, voice_id, fresh=False) or {}
        except PortError:
            now = {}
        changes = [_let_in(u, TargetKind.MEMBER, now, VIEW_CHANNEL | CONNECT, 0) for u in user_ids]
        await self._overwrites.record_room_changes(occurrence_id, changes)
        for change in changes:
            if now.get(change.target_id) == change.written:
                continue
            try:
                await self._write(guild_id, voice_id, change, change.written, LET_IN)
            except (PortError, RoomRefused):
                log.warning("Could not let a member into an open circle room")

    async def close(self, held: HoldOutcome) -> None:
        """Put back what opening changed and nobody has changed since; forget what was put back."""
        guild_id, voice_id = held.meeting.guild_id, held.meeting.voice_channel_id
        occurrence_id = held.order.occurrence_id
        now = await self._port.room_overwrites(guild_id, voice_id, fresh=True)
        if now is None:
            raise RoomUnavailable
        done: list[int] = []
        try:
            for change in await self._overwrites.room_changes(occurrence_id):
                current = now.get(change.target_id)
                target = restored(change.before, change.written, current)
                if target != current:
                    # A role or member that is gone has nothing to put back.
                    with contextlib.suppress(NotThere):
                        await self._write(guild_id, voice_id, change, target, CLOSED)
                done.append(change.target_id)
        finally:
            await self._overwrites.forget_room_changes(occurrence_id, done)

    async def _write(
        self,
        guild_id: int,
        voice_id: int,
        change: RoomChange,
        target: Overwrite | None,
        reason: str,
    ) -> None:
        try:
            await self._port.write_overwrite(
                guild_id, voice_id, change.target_id, change.target_kind, target, reason
            )
        except NotPermitted:
            raise RoomRefused from None

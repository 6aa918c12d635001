"""The one talking-order message of an open meeting, posted once and edited as hands move.

It is posted when the room opens, in the voice channel's own text chat (where the people in
the circle are), or in the circles channel if Hearth can't post there. One a stopped process
posted but never recorded is found by its buttons and brought up to date instead.

Edits take turns, one at a time per meeting, and changes that arrive during an edit are
folded into one more edit after it (Discord rate-limits edits, and a burst of hands is common).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from bot.services.circles._locks import KeyedLocks
from bot.services.circles.ports import BoardPort, NotThere, PortError
from bot.services.circles.room import CircleRoomService
from bot.services.circles.values import TalkingOrder
from bot.services.settings import SettingsService

log = logging.getLogger(__name__)


class TalkingOrderBoard:
    """Posts and edits each open meeting's talking-order message through the port."""

    def __init__(self, room: CircleRoomService, settings: SettingsService, port: BoardPort) -> None:
        self._room = room
        self._settings = settings
        self._port = port
        self._locks = KeyedLocks()  # one edit at a time per meeting
        self._owed: set[int] = set()
        self._idle = asyncio.Event()  # set while no edit is under way or owed
        self._idle.set()

    async def post(self, order: TalkingOrder) -> None:
        """Post the talking order where the circle is held, or bring up the one already there."""
        circles = (await self._settings.get_or_default(order.guild_id)).circles_channel_id
        channels = [order.voice_channel_id, *([circles] if circles is not None else [])]
        for channel_id in channels:
            try:
                found = await self._port.find_order(channel_id, order)
            except NotThere:
                continue
            if found is not None:
                await self._room.record_queue_message(order.occurrence_id, channel_id, found)
                await self.refresh(order.occurrence_id)
                return
        for channel_id in channels:
            try:
                message_id = await self._port.post_order(channel_id, order)
            except NotThere:
                continue
            except PortError:
                log.warning(
                    "Could not post the talking order in a channel of guild %s", order.guild_id
                )
                continue
            await self._room.record_queue_message(order.occurrence_id, channel_id, message_id)
            return

    async def refresh(self, occurrence_id: int, *, owed: bool = True) -> None:
        """Edit the talking-order message from fresh state (see the module's note on turns).

        With `owed=False` it only makes an edit someone marked as owed (`after`) and no edit
        since has shown.
        """
        if owed:
            self._owe(occurrence_id)
        if self._locks.locked(occurrence_id):
            return  # the edit under way will run once more and show this change
        try:
            async with self._locks.hold(occurrence_id):
                self._idle.clear()
                while occurrence_id in self._owed:
                    self._owed.discard(occurrence_id)
                    await self._edit(occurrence_id)
        finally:
            if self.settled():
                self._idle.set()

    async def after(self, occurrence_id: int, answer: Awaitable[None]) -> None:
        """Answer the member first, then bring the talking order up to date."""
        self._owe(occurrence_id)  # an edit is owed from this moment
        try:
            await answer
        finally:
            # An edit that started meanwhile may already show this change; then none is owed.
            await self.refresh(occurrence_id, owed=False)

    def settled(self) -> bool:
        """Say whether no talking-order edit is under way or owed."""
        return not self._owed and not self._locks.any_locked()

    async def drain(self) -> None:
        """Wait until every edit under way or owed is made (before Hearth disconnects)."""
        await self._idle.wait()

    def _owe(self, occurrence_id: int) -> None:
        self._owed.add(occurrence_id)
        self._idle.clear()

    async def _edit(self, occurrence_id: int) -> None:
        order = await self._room.talking_order(occurrence_id)
        if order is None or order.queue_message_id is None or order.queue_channel_id is None:
            return
        try:
            await self._port.show_order(order.queue_channel_id, order.queue_message_id, order)
        except NotThere:
            return
        except PortError:
            log.warning("Could not update the talking order in guild %s", order.guild_id)

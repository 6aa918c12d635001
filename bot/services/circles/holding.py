"""What happens on Discord when a facilitator opens or closes a meeting.

Opening: the room's doors open (`RoomDoors`), the circles channel hears that the room is open
(with the agreement in short), and the talking order is posted or brought up to date. Closing:
the doors are put back, the talking order shows the circle has closed, and the circles channel
hears it closed, with the button for anonymous feedback.
"""

from __future__ import annotations

import contextlib
import logging

from bot.services.agreement import AgreementService
from bot.services.circles.doors import RoomDoors
from bot.services.circles.feedback import CircleFeedbackService
from bot.services.circles.ports import HoldingPort, NotThere
from bot.services.circles.talking_order import TalkingOrderBoard
from bot.services.circles.values import HoldOutcome
from bot.services.settings import SettingsService

log = logging.getLogger(__name__)

AGREEMENT_POINTS_SHOWN = 5


class CircleHolding:
    """Opens and closes a meeting's room on Discord, once the service has decided it."""

    def __init__(
        self,
        doors: RoomDoors,
        board: TalkingOrderBoard,
        settings: SettingsService,
        agreement: AgreementService,
        feedback: CircleFeedbackService,
        port: HoldingPort,
    ) -> None:
        self._doors = doors
        self._board = board
        self._settings = settings
        self._agreement = agreement
        self._feedback = feedback
        self._port = port

    async def opened(self, held: HoldOutcome, member_role_id: int | None) -> None:
        """Open the doors, say so in the circles channel and show the talking order."""
        guild_id = held.meeting.guild_id
        await self._doors.open(held, member_role_id)
        agreement = await self._agreement.current(guild_id)
        points = agreement.points[:AGREEMENT_POINTS_SHOWN] if agreement else ()
        channel_id = await self._circles_channel(guild_id)
        if channel_id is not None:
            with contextlib.suppress(NotThere):
                await self._port.post_opening(
                    channel_id, held.meeting, yes_only=held.yes_only, points=points
                )
        if held.order.queue_message_id is None:
            await self._board.post(held.order)
        else:
            await self._board.refresh(held.order.occurrence_id)

    async def closed(self, held: HoldOutcome) -> None:
        """Put the doors back, close the talking order and invite anonymous feedback."""
        guild_id = held.meeting.guild_id
        await self._doors.close(held)
        await self._board.refresh(held.order.occurrence_id)
        minimum = (await self._feedback.circle_settings(guild_id)).feedback_min_answers
        channel_id = await self._circles_channel(guild_id)
        if channel_id is not None:
            with contextlib.suppress(NotThere):
                await self._port.post_closing(channel_id, held.meeting, minimum=minimum)

    async def _circles_channel(self, guild_id: int) -> int | None:
        return (await self._settings.get_or_default(guild_id)).circles_channel_id

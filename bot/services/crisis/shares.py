"""Delivering "Share support resources": the recipient gets the card privately, nobody named."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.services.crisis.service import CrisisService
from bot.services.crisis.values import CrisisAnswer

log = logging.getLogger(__name__)


class SharePort(Protocol):
    """The Discord side: one private message with the card."""

    async def send_shared_card(
        self, recipient_id: int, answer: CrisisAnswer, guild_name: str
    ) -> bool:
        """Message the recipient the card from this server; return whether it arrived."""
        ...


class ShareDelivery:
    """Sends a shared card once the service decided it may be sent."""

    def __init__(self, crisis: CrisisService, port: SharePort) -> None:
        self._crisis = crisis
        self._port = port

    async def deliver(self, recipient_id: int, guild_id: int, guild_name: str) -> None:
        """Send the recipient their card (their saved country, else the server's); closed DMs are fine."""
        answer = await self._crisis.answer(recipient_id, guild_id)
        if not await self._port.send_shared_card(recipient_id, answer, guild_name):
            log.info("Shared support resources could not be delivered (closed DMs?)")

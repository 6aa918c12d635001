"""Asking members again, privately, after a material change (the `agreement.reaccept` job)."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bot.services.agreement.service import AgreementService
from bot.services.agreement.values import ReacceptanceAsk

log = logging.getLogger(__name__)

REACCEPT_JOB = "agreement.reaccept"
REACCEPT_SECONDS = 60


class AskPort(Protocol):
    """The Discord side: one private message per member asked."""

    async def send_ask(self, ask: ReacceptanceAsk) -> bool:
        """Message the member what changed, with a way to read it; return whether it arrived."""
        ...


class ReacceptanceAsks:
    """Claims the members to ask, asks each once per version, and notes who could be reached."""

    def __init__(self, agreement: AgreementService, port: AskPort, *, pause: float = 0.0) -> None:
        self._agreement = agreement
        self._port = port
        self._pause = pause

    async def run(self) -> None:
        """Ask every member still to be asked, pausing between private messages."""
        while asks := await self._agreement.claim_reacceptance_asks(limit=50):
            for ask in asks:
                delivered = await self._port.send_ask(ask)
                await self._agreement.record_ask_delivery(ask.guild_id, ask.user_id, delivered)
                if self._pause:
                    await asyncio.sleep(self._pause)

"""The `pairing.followups` job: ask each introduced member "Did you connect?" once, privately."""

from __future__ import annotations

import asyncio
from typing import Protocol

from bot.services.pairing.service import PairingService
from bot.services.pairing.values import Followup

FOLLOWUP_JOB = "pairing.followups"
FOLLOWUP_SECONDS = 300


class FollowupPort(Protocol):
    """The Discord side of follow-ups: one private message with the answer buttons."""

    async def followup_sent(self, followup: Followup) -> bool:
        """Say whether the member already has this question (False if Discord can't tell)."""
        ...

    async def ask_followup(self, followup: Followup) -> str | None:
        """Ask the member privately; return why it could not be sent, or None."""
        ...


class FollowupSending:
    """Sends the follow-ups that are due, each once."""

    def __init__(self, pairing: PairingService, port: FollowupPort) -> None:
        self._pairing = pairing
        self._port = port
        self._lock = asyncio.Lock()

    async def run(self) -> None:
        """Claim the due follow-ups and send each (one that went out before a stop is kept)."""
        async with self._lock:  # claims unconfirmed outside it were left by a stop
            for followup in await self._pairing.claim_due_followups():
                if not (followup.resumed and await self._port.followup_sent(followup)):
                    await self._port.ask_followup(followup)
                await self._pairing.confirm_followup(followup.row_id)

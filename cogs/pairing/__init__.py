"""Peer pairing's Discord side: `/pair`, invitations, pair threads, follow-ups and their jobs."""

from __future__ import annotations

from bot.client import HearthBot
from bot.services.pairing import (
    FOLLOWUP_JOB,
    FOLLOWUP_SECONDS,
    ROUNDS_JOB,
    ROUNDS_SECONDS,
    FollowupSending,
    RoundWork,
)
from cogs.pairing._cog import PairingCog
from cogs.pairing._port import DiscordPairingPort


async def setup(bot: HearthBot) -> None:
    """Load the pairing cog, its persistent components and its jobs."""
    services = bot.services
    port = DiscordPairingPort(bot, services.settings)
    rounds = RoundWork(services.pairing, port)
    followups = FollowupSending(services.pairing, port)
    cog = PairingCog(services.pairing, services.settings, rounds, services.clock)
    bot.add_dynamic_items(*cog.persistent_items)
    bot.scheduler.every(ROUNDS_JOB, ROUNDS_SECONDS, rounds.run)
    bot.scheduler.every(FOLLOWUP_JOB, FOLLOWUP_SECONDS, followups.run)
    await bot.add_cog(cog)

"""The group agreement's Discord side: reading, accepting, editing and re-acceptance."""

from __future__ import annotations

from bot.client import HearthBot
from bot.services.agreement import (
    GRACE_JOB,
    GRACE_SECONDS,
    REACCEPT_JOB,
    REACCEPT_SECONDS,
    MemberRoles,
    ReacceptanceAsks,
)
from cogs.agreement._cog import AgreementCog
from cogs.agreement._port import DiscordAgreementPort


async def setup(bot: HearthBot) -> None:
    """Load the agreement cog, its persistent components and its jobs."""
    agreement = bot.services.agreement
    port = DiscordAgreementPort(bot, bot.services.settings)
    asks = ReacceptanceAsks(agreement, port, pause=bot.settings.dm_interval_seconds)
    roles = MemberRoles(agreement, port)

    async def ask_now() -> None:
        await bot.scheduler.run_now(REACCEPT_JOB)

    cog = AgreementCog(agreement, bot.services.settings, roles, ask_now)
    bot.add_dynamic_items(*cog.persistent_items)
    bot.scheduler.every(REACCEPT_JOB, REACCEPT_SECONDS, asks.run)
    bot.scheduler.every(GRACE_JOB, GRACE_SECONDS, roles.take_back)
    await bot.add_cog(cog)

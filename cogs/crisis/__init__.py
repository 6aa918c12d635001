"""The crisis signpost's Discord side: `/crisis`, the card's buttons, requests and shares."""

from __future__ import annotations

from bot.client import HearthBot
from bot.services.crisis import TIDY_JOB, TIDY_SECONDS, CrisisTidy, RequestFollowUps, ShareDelivery
from bot.ui.crisis_card import CrisisCards
from cogs.crisis._cog import CrisisCog
from cogs.crisis._port import DiscordCrisisPort


async def setup(bot: HearthBot) -> None:
    """Load the crisis cog, its persistent components and its tidy job."""
    crisis, settings = bot.services.crisis, bot.services.settings
    cards = CrisisCards(crisis)
    port = DiscordCrisisPort(bot, cards)
    cog = CrisisCog(
        bot,
        crisis,
        settings,
        cards,
        RequestFollowUps(crisis, settings, port),
        ShareDelivery(crisis, port),
    )
    bot.add_dynamic_items(*cog.persistent_items)
    bot.scheduler.every(TIDY_JOB, TIDY_SECONDS, CrisisTidy(crisis).run)
    await bot.add_cog(cog)

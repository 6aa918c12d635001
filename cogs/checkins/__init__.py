"""The check-ins extension: the cog, its persistent buttons, and the delivery, tidy and reminder jobs."""

from __future__ import annotations

from bot.client import HearthBot
from bot.services.checkins import CheckinDelivery, ReminderSending
from cogs.checkins._cog import CheckinsCog
from cogs.checkins._moderation import CheckinModerators
from cogs.checkins._port import DiscordCheckinPort
from cogs.checkins._views import persistent_items

DELIVER_JOB = "checkins.deliver"
TIDY_JOB = "checkins.tidy"
REMIND_JOB = "checkins.remind"


async def setup(bot: HearthBot) -> None:
    """Load the check-ins cog, its persistent buttons and its jobs."""
    services = bot.services
    port = DiscordCheckinPort(bot, services.settings)
    delivery = CheckinDelivery(
        services.checkin_queue,
        services.checkins,
        port,
        services.clock,
        run_job=lambda: bot.scheduler.run_now(DELIVER_JOB),  # a kicked run is a tracked job
    )
    reminders = ReminderSending(services.checkin_reminders, port)
    moderators = CheckinModerators(
        services.checkin_moderation, services.checkins, services.settings, port
    )
    # The crisis service is handed in here: the reach-out card and the crisis card are shared
    # UI (bot/ui), not another cog.
    cog = CheckinsCog(
        bot,
        services.checkins,
        services.checkin_reminders,
        delivery,
        moderators,
        services.settings,
        services.crisis,
    )
    bot.add_dynamic_items(*persistent_items(cog, moderators))
    bot.scheduler.every(DELIVER_JOB, 5, delivery.run)
    bot.scheduler.every(REMIND_JOB, 60, reminders.run)
    bot.scheduler.every(TIDY_JOB, 300, delivery.tidy)
    await bot.add_cog(cog)

"""Scheduled circles on Discord: the `/circle` commands, their buttons, forms and jobs."""

from __future__ import annotations

from bot.client import HearthBot
from bot.services.circles import (
    ANNOUNCE_EVERY,
    ANNOUNCE_JOB,
    REMIND_EVERY,
    REMIND_JOB,
    Announcer,
    CircleHolding,
    ReminderSender,
    RoomDoors,
    TalkingOrderBoard,
)
from cogs.circles._cog import CirclesCog
from cogs.circles._port import DiscordCircles


async def setup(bot: HearthBot) -> None:
    """Load the circles cog, its persistent buttons and its jobs (reminders, announcements)."""
    services = bot.services
    circles, settings = services.circles, services.settings
    port = DiscordCircles(bot, settings)
    announcer = Announcer(circles, settings, port)
    reminders = ReminderSender(circles.reminders, port)
    doors = RoomDoors(circles.overwrites, port)
    board = TalkingOrderBoard(circles.room, settings, port)
    holding = CircleHolding(doors, board, settings, services.agreement, circles.feedback, port)
    cog = CirclesCog(circles, settings, announcer, reminders, doors, board, holding)
    bot.add_dynamic_items(*cog.dynamic_items)
    bot.scheduler.every(REMIND_JOB, REMIND_EVERY, reminders.run)
    bot.scheduler.every(ANNOUNCE_JOB, ANNOUNCE_EVERY, announcer.run)
    await bot.add_cog(cog)

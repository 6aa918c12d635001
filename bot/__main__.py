"""`python -m bot`: run Hearth."""

from __future__ import annotations

import asyncio
import logging
import sys

import discord

from bot.app import run
from bot.config import ConfigError, load_settings


def main() -> int:
    """Read settings, run the bot, and return the process exit status."""
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"hearth: configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level_number,
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
    )
    logging.getLogger("discord.http").setLevel(max(settings.log_level_number, logging.INFO))
    logging.getLogger("apscheduler").setLevel(max(settings.log_level_number, logging.WARNING))
    try:
        asyncio.run(run(settings))
    except discord.LoginFailure:
        logging.getLogger("bot").critical("Discord refused the token: check DISCORD_TOKEN")
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

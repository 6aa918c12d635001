"""`python -m bot`: run Hearth."""

from __future__ import annotations

import asyncio
import logging
import sys

import discord

from bot.app import load_data, run
from bot.config import ConfigError, load_settings
from bot.domain.crisis_detection import PhraseSetError
from bot.domain.helplines import DatasetError


def one_line(problems: tuple[str, ...]) -> str:
    """Return the first problem on one line, with how many more there are."""
    first = " ".join(problems[0].split()) if problems else "the data could not be read"
    more = len(problems) - 1
    return f"{first} (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else first


def main() -> int:
    """Read settings, run the bot, and return the process exit status."""
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"hearth: configuration error: {error}", file=sys.stderr)
        return 2
    try:
        crisis_data = load_data(settings)
    except (DatasetError, PhraseSetError) as error:
        print(f"hearth: data error: {one_line(error.problems)}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level_number,
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
    )
    logging.getLogger("discord.http").setLevel(max(settings.log_level_number, logging.INFO))
    logging.getLogger("apscheduler").setLevel(max(settings.log_level_number, logging.WARNING))
    try:
        asyncio.run(run(settings, crisis_data))
    except discord.LoginFailure:
        logging.getLogger("bot").critical("Discord refused the token: check DISCORD_TOKEN")
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

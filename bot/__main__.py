"""`python -m bot`: run Hearth."""

from __future__ import annotations

import asyncio
import logging
import sys

import discord

from bot.app import StartupError, load_data, run
from bot.config import ConfigError, check_environment, load_settings
from bot.domain.crisis_detection import PhraseSetError
from bot.domain.helplines import DatasetError


def one_line(problems: tuple[str, ...]) -> str:
    """Return the first problem on one line, with how many more there are."""
    first = " ".join(problems[0].split()) if problems else "the data could not be read"
    more = len(problems) - 1
    return f"{first} (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else first


def configure_logging(level: int) -> None:
    """Log at `level`, but never the library's raw traffic, which carries members' identities."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-8s %(name)s: %(message)s")
    logging.getLogger("discord.http").setLevel(max(level, logging.INFO))
    # At DEBUG discord.py logs every gateway event, including who pressed a button: that would
    # name the author of an anonymous request. Keep it at INFO or above.
    logging.getLogger("discord.gateway").setLevel(max(level, logging.INFO))
    logging.getLogger("apscheduler").setLevel(max(level, logging.WARNING))


def main() -> int:
    """Read settings, run the bot, and return the process exit status."""
    try:
        settings = load_settings()
        check_environment(settings)
    except ConfigError as error:
        print(f"hearth: configuration error: {error}", file=sys.stderr)
        return 2
    try:
        crisis_data = load_data(settings)
    except (DatasetError, PhraseSetError) as error:
        print(f"hearth: data error: {one_line(error.problems)}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level_number)
    try:
        asyncio.run(run(settings, crisis_data))
    except discord.LoginFailure:
        logging.getLogger("bot").critical("Discord refused the token: check DISCORD_TOKEN")
        return 2
    except StartupError as error:
        logging.getLogger("bot").critical("Hearth could not start: %s", error)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bot`: run Hearth (or, with no DISCORD_TOKEN, the sandbox)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

import discord

from bot.app import StartupError, load_data, run
from bot.config import ConfigError, check_environment, load_settings, read_environment
from bot.domain.crisis_detection import PhraseSetError
from bot.domain.helplines import DatasetError
from bot.ops.logs import configure_logging


def one_line(problems: tuple[str, ...]) -> str:
    """Return the first problem on one line, with how many more there are."""
    first = " ".join(problems[0].split()) if problems else "the data could not be read"
    more = len(problems) - 1
    return f"{first} (and {more} more problem{'s' if more > 1 else ''})" if more > 0 else first


def run_bot() -> int:
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
    configure_logging(settings.log_level_number, settings.log_format)
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


def build_parser() -> argparse.ArgumentParser:
    """Return the command line: `run` (the default) and `sandbox`."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Hearth, a Discord bot for peer-support communities.",
        epilog="With no command: run, or the sandbox when DISCORD_TOKEN is not set.",
    )
    commands = parser.add_subparsers(dest="command", metavar="command")
    commands.add_parser(
        "run", help="connect to Discord (needs DISCORD_TOKEN in the environment or .env)"
    )
    sandbox = commands.add_parser(
        "sandbox",
        help="try Hearth without Discord: a practice server in your browser, on 127.0.0.1",
        description="Start a practice Discord server on this computer with the real Hearth in "
        "it, and a page to use it from. Nothing reaches Discord; data stays in data/sandbox/.",
    )
    sandbox.add_argument("--port", type=int, help="the page's port (default 8765, or a free one)")
    sandbox.add_argument(
        "--fresh", action="store_true", help="start over with a new practice server"
    )
    return parser


def token_configured() -> bool:
    """Return whether DISCORD_TOKEN is set in the environment or .env."""
    return bool(read_environment().get("DISCORD_TOKEN", "").strip())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command asked for and return the process exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "sandbox" or (args.command is None and not token_configured()):
        from bot.sandbox.run import main as sandbox_main

        return sandbox_main(port=getattr(args, "port", None), fresh=getattr(args, "fresh", False))
    return run_bot()


if __name__ == "__main__":
    sys.exit(main())

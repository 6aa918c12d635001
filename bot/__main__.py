"""`python -m bot`: run Hearth (or, with no DISCORD_TOKEN, the sandbox)."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import discord

from bot.app import StartupError, load_data, run
from bot.config import ConfigError, check_environment, load_settings, read_environment
from bot.domain.crisis_detection import PhraseSetError
from bot.domain.helplines import DatasetError
from bot.ops.backup import BackupError, back_up
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
    commands.add_parser(
        "check",
        help="check the configuration and the crisis data, then exit (0: fine, 2: not)",
    )
    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database while Hearth runs, leaving window keys out",
        description="Copy the database consistently while Hearth runs. The copy leaves out the "
        "check-in window keys, so no backup can link a check-in to its author.",
    )
    backup.add_argument("path", type=Path, help="a file to write, or a folder for a dated file")
    parser.add_argument("--version", action="version", version=f"%(prog)s {hearth_version()}")
    return parser


def hearth_version() -> str:
    """Return the installed version of Hearth."""
    try:
        return importlib.metadata.version("hearth")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def check() -> int:
    """Validate the configuration and the datasets; print one line; return 0 or 2."""
    try:
        settings = load_settings(require_token=False)
        check_environment(settings)
        data = load_data(settings)
    except ConfigError as error:
        print(f"hearth: configuration error: {error}", file=sys.stderr)
        return 2
    except (DatasetError, PhraseSetError) as error:
        print(f"hearth: data error: {one_line(error.problems)}", file=sys.stderr)
        return 2
    note = "" if settings.discord_token else " (DISCORD_TOKEN is not set: `run` will need it)"
    print(
        f"hearth: configuration and data are fine: {len(data.helplines.countries)} countries' "
        f"helplines{note}"
    )
    return 0


def backup(path: Path) -> int:
    """Back the database up to `path`; print one line; return 0 or 2."""
    try:
        settings = load_settings(require_token=False)
        made = back_up(settings.database_url, path)
    except (ConfigError, BackupError) as error:
        print(f"hearth: backup: {error}", file=sys.stderr)
        return 2
    print(
        f"hearth: backed up to {made.path} ({made.size / 1_048_576:.1f} MB); "
        f"{made.windows_left_out} check-in window keys left out, as the privacy promise needs"
    )
    return 0


def token_configured() -> bool:
    """Return whether DISCORD_TOKEN is set in the environment or .env."""
    return bool(read_environment().get("DISCORD_TOKEN", "").strip())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command asked for and return the process exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "check":
        return check()
    if args.command == "backup":
        return backup(args.path)
    if args.command == "sandbox" or (args.command is None and not token_configured()):
        from bot.sandbox.run import main as sandbox_main

        return sandbox_main(port=getattr(args, "port", None), fresh=getattr(args, "fresh", False))
    return run_bot()


if __name__ == "__main__":
    sys.exit(main())

"""`python -m emulator`: a local Discord with a practice page, for a bot run in another process.

It makes a small server (one text channel, two people), serves the page, and prints the
environment a bot needs to log in (Hearth reads HEARTH_DISCORD_API_BASE and
HEARTH_DISCORD_GATEWAY_URL). Everything lives in memory and listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import signal
import sys
from collections.abc import Sequence

from emulator.driver import Emulator
from emulator.permissions import Permissions
from emulator.web import WebUI


def build_parser() -> argparse.ArgumentParser:
    """Return the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="A local Discord on 127.0.0.1 with a practice page, for a bot you run "
        "yourself. For Hearth with a ready practice community, use `python -m bot sandbox`.",
    )
    parser.add_argument("--port", type=int, default=0, help="the page's port (default: free)")
    parser.add_argument(
        "--api-port", type=int, default=0, help="the Discord API's port (default: free)"
    )
    parser.add_argument("--guild", default="Practice server", help="the server's name")
    return parser


def seed(emu: Emulator, name: str) -> None:
    """Make one server with #general and two people in it (River owns it)."""
    river = emu.create_user("river", global_name="River")
    guild = emu.create_guild(
        name, bot_permissions=Permissions.ADMIN_FREE_DEFAULT, owner_id=river.id
    )
    emu.create_channel(guild.id, "general")
    emu.add_member(guild.id, emu.create_user("sky", global_name="Sky").id)


async def serve(port: int, api_port: int, guild: str) -> int:
    """Run until Ctrl+C or SIGTERM."""
    emu = Emulator(port=api_port)
    seed(emu, guild)
    await emu.start()
    web = WebUI(emu)
    await web.start(port)
    env = " ".join(f"{key}={shlex.quote(value)}" for key, value in emu.env().items())
    print(f"Practice page: open {web.url} (Ctrl+C stops it)")
    print(f"Point a bot at it: {env}", flush=True)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await stopping.wait()
    finally:
        await web.stop()
        await emu.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and serve."""
    args = build_parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        return asyncio.run(serve(args.port, args.api_port, args.guild))
    return 0


if __name__ == "__main__":
    sys.exit(main())

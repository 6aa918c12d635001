"""A minimal bot run in its own process against the emulator named in the environment."""

from __future__ import annotations

import asyncio
import os

import discord
from discord.ext import commands

from emulator.client import point_from_env


async def main() -> None:
    """Log in, sync one guild command and serve until killed."""
    if not point_from_env():
        raise SystemExit("emulator environment variables are missing")
    guild = discord.Object(int(os.environ["EMULATOR_TEST_GUILD"]))
    bot = commands.Bot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
    )

    @bot.tree.command(name="ping", description="No-op", guild=guild)
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"pong from {os.getpid()}", ephemeral=True)

    async def setup_hook() -> None:
        await bot.tree.sync(guild=guild)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    await bot.start(os.environ["DISCORD_TOKEN"])


if __name__ == "__main__":
    asyncio.run(main())

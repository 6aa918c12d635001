"""A benchmark-only extension: `/noop` answers at once and touches nothing (the floor)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


class NoopCog(commands.Cog):
    """The floor every ratio is measured against."""

    @app_commands.command(name="noop", description="Answer at once (benchmarks)")
    async def noop(self, interaction: discord.Interaction) -> None:
        """Reply privately and do nothing else."""
        await interaction.response.send_message("ok", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    """Load the no-op cog."""
    await bot.add_cog(NoopCog())

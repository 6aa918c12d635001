"""A test-only extension: a no-op command, a gated command, and one that fails unexpectedly."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.services.agreement import AgreementService
from bot.ui import guild_of, open_modal, reply_private


class ProbeCog(commands.Cog):
    """Commands that exist only in tests."""

    def __init__(self, agreement: AgreementService) -> None:
        self.agreement = agreement

    @app_commands.command(name="noop", description="Answer at once (for tests and benchmarks)")
    async def noop(self, interaction: discord.Interaction) -> None:
        """Reply privately and do nothing else."""
        await interaction.response.send_message("ok", ephemeral=True)

    @app_commands.command(name="gated", description="A feature that needs the agreement")
    async def gated(self, interaction: discord.Interaction) -> None:
        """Stand in for a later feature that calls require_agreement."""
        await self.agreement.require_agreement(guild_of(interaction).id, interaction.user.id)
        await reply_private(interaction, "You're in.")

    @app_commands.command(name="slow", description="Answer after a pause (seconds)")
    async def slow(self, interaction: discord.Interaction, seconds: float) -> None:
        """Stand in for work that waits longer than Discord allows before a first answer."""
        await asyncio.sleep(seconds)
        await reply_private(interaction, "done at last")

    @app_commands.command(name="slowform", description="Open a form after a pause (seconds)")
    async def slowform(self, interaction: discord.Interaction, seconds: float) -> None:
        """Stand in for a form that could not open in time."""
        await asyncio.sleep(seconds)
        modal = discord.ui.Modal(title="Late form", custom_id="probe:late")
        modal.add_item(discord.ui.Label(text="Words", component=discord.ui.TextInput()))
        await open_modal(interaction, modal)

    @app_commands.command(name="slowsubmit", description="Open a form; answer it after a pause")
    async def slowsubmit(self, interaction: discord.Interaction, seconds: float) -> None:
        """Stand in for a form whose submission waits (for the database, say) before answering."""

        async def answer_late(submitted: discord.Interaction) -> None:
            await asyncio.sleep(seconds)
            await reply_private(submitted, "saved at last")

        modal = discord.ui.Modal(title="Slow form", custom_id="probe:slow")
        modal.add_item(discord.ui.Label(text="Words", component=discord.ui.TextInput()))
        modal.on_submit = answer_late  # type: ignore[method-assign]
        await open_modal(interaction, modal)

    @app_commands.command(name="boom", description="Fail unexpectedly")
    async def boom(self, interaction: discord.Interaction) -> None:
        """Raise an unexpected error."""
        raise RuntimeError("something internal broke")


async def setup(bot: HearthBot) -> None:
    """Load the probe cog."""
    await bot.add_cog(ProbeCog(bot.services.agreement))

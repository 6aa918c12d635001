"""Every answer, post, edit and form Hearth sends goes out through these, fitted first."""

from __future__ import annotations

from typing import Any

import discord

from bot.ui.limits import fit_modal, fitted


async def reply(
    interaction: discord.Interaction, content: str | None = None, *, ephemeral: bool, **kwargs: Any
) -> None:
    """Answer an interaction (first answer or follow-up), fitted to Discord's limits."""
    kwargs = fitted({"content": content, **kwargs})
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


async def reply_private(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer privately, whether or not the interaction was already answered."""
    await reply(interaction, content, ephemeral=True, **kwargs)


async def update(interaction: discord.Interaction, **kwargs: Any) -> None:
    """Change the message a component sits on (or the deferred original), fitted."""
    kwargs = fitted(kwargs)
    if interaction.response.is_done():
        await interaction.edit_original_response(**kwargs)
    else:
        await interaction.response.edit_message(**kwargs)


async def open_modal(interaction: discord.Interaction, modal: discord.ui.Modal) -> None:
    """Open a form, fitted to Discord's limits (this must be the first answer)."""
    await interaction.response.send_modal(fit_modal(modal))


async def send(
    target: discord.abc.Messageable, content: str | None = None, **kwargs: Any
) -> discord.Message:
    """Post to a channel, thread or member's DMs, fitted, with mentions off unless given."""
    return await target.send(**fitted({"content": content, **kwargs}))


async def edit(
    message: discord.Message | discord.PartialMessage | discord.InteractionMessage, **kwargs: Any
) -> discord.Message:
    """Edit a message Hearth sent, fitted, with mentions off unless given."""
    return await message.edit(**fitted(kwargs))

"""Every answer, post, edit and form Hearth sends goes out through these, fitted first.

The first answer to an interaction is also where Discord's deadline is kept: Discord refuses
one that comes more than 3 s after the interaction. `keep_deadline` (started for every
interaction the client receives) defers any that is not answered within `ANSWER_WITHIN`; the
helpers here then follow up instead. The two never answer at once: each takes the
interaction's turn (`_turn`) before it looks whether it was answered.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

import discord

from bot.errors import UserError
from bot.i18n import N_
from bot.ui.limits import fit_modal, fitted

log = logging.getLogger(__name__)

ANSWER_WITHIN = 1.5
"""Seconds after Hearth received an interaction by which it is answered or deferred."""
_TURNS_KEPT = 10_000
_turns: OrderedDict[int, asyncio.Lock] = OrderedDict()


def _first_answer_sent(interaction: discord.Interaction) -> None:
    """Let the client's metrics time the first answer (if it keeps metrics)."""
    metrics = getattr(interaction.client, "metrics", None)
    if metrics is not None:
        metrics.answered(interaction)


def _turn(interaction: discord.Interaction) -> asyncio.Lock:
    """Return the lock that orders first answers to this interaction (kept a few seconds)."""
    lock = _turns.get(interaction.id)
    if lock is None:
        lock = _turns[interaction.id] = asyncio.Lock()
        while len(_turns) > _TURNS_KEPT:
            _turns.popitem(last=False)
    return lock


async def keep_deadline(interaction: discord.Interaction, within: float = ANSWER_WITHIN) -> None:
    """Defer the interaction if nothing answered it within `within` seconds of now."""
    if interaction.type is discord.InteractionType.autocomplete:
        return  # answered by discord.py with the choices; it cannot be deferred
    try:
        await asyncio.sleep(within)
        async with _turn(interaction):
            if interaction.response.is_done():
                return
            # "Thinking…" unless there is a message the answer may update (a component's, or
            # the one under a button that opened a form): Discord refuses a deferred update of
            # nothing, so a form opened by a slash command is deferred as a new message.
            thinking = interaction.message is None
            try:
                await interaction.response.defer(ephemeral=True, thinking=thinking)
                _first_answer_sent(interaction)
            except discord.HTTPException as error:
                log.warning("Could not defer a slow interaction (%s)", error.status)
    finally:
        _turns.pop(interaction.id, None)


async def defer(interaction: discord.Interaction, *, thinking: bool = True) -> None:
    """Tell Discord the answer is coming (privately), unless it was answered already."""
    async with _turn(interaction):
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=thinking)
            _first_answer_sent(interaction)


async def reply(
    interaction: discord.Interaction, content: str | None = None, *, ephemeral: bool, **kwargs: Any
) -> None:
    """Answer an interaction (first answer or follow-up), fitted to Discord's limits."""
    kwargs = fitted({"content": content, **kwargs})
    async with _turn(interaction):
        if not interaction.response.is_done():
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
            _first_answer_sent(interaction)
            return
    await interaction.followup.send(ephemeral=ephemeral, **kwargs)


async def reply_private(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer privately, whether or not the interaction was already answered."""
    await reply(interaction, content, ephemeral=True, **kwargs)


async def update(interaction: discord.Interaction, **kwargs: Any) -> None:
    """Change the message a component sits on (or the deferred original), fitted."""
    kwargs = fitted(kwargs)
    async with _turn(interaction):
        if not interaction.response.is_done():
            await interaction.response.edit_message(**kwargs)
            _first_answer_sent(interaction)
            return
    await interaction.edit_original_response(**kwargs)


async def open_modal(interaction: discord.Interaction, modal: discord.ui.Modal) -> None:
    """Open a form, fitted to Discord's limits (this must be the first answer)."""
    async with _turn(interaction):
        if interaction.response.is_done():  # deferred because Hearth was slow: no form now
            raise UserError(
                N_(
                    "Hearth is very busy right now, so the form couldn't open in time. "
                    "Please try again in a moment."
                )
            )
        await interaction.response.send_modal(fit_modal(modal))
        _first_answer_sent(interaction)


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

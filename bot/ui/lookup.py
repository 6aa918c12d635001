"""Finding what a stopped process may already have posted, before posting it again."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from bot.client import HearthBot


async def find_own_message(
    bot: HearthBot, channel: discord.abc.Messageable, custom_id: str, limit: int = 100
) -> int | None:
    """Return the id of a recent message of Hearth's carrying a button with this custom_id.

    Used before posting again what a stopped process may already have posted. If Hearth may
    not read the channel's history it can't look, and None is returned (posting again is then
    better than never); any other failure is raised, so the caller tries again later.
    """
    me = bot.user.id if bot.user else 0
    try:
        async for message in channel.history(limit=limit):
            if message.author.id == me and any(
                getattr(child, "custom_id", None) == custom_id
                for row in message.components
                for child in getattr(row, "children", ())
            ):
                return message.id
    except discord.Forbidden:
        return None
    return None

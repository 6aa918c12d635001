"""How Hearth shows things: its colour, Discord timestamps, time zone suggestions."""

from __future__ import annotations

from datetime import datetime

import discord
from discord import app_commands

from bot.domain.zones import zones_matching
from bot.ui.limits import fit_choices

WARM = discord.Colour.from_rgb(222, 140, 90)


def ts(moment: datetime, style: str = "F") -> str:
    """Return a Discord timestamp, shown in each reader's own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete: up to 25 IANA zones matching what the member typed (city names first)."""
    return fit_choices(app_commands.Choice(name=z, value=z) for z in zones_matching(current))


def user_mention(user_id: int) -> str:
    """Return how Discord writes a mention of a person (a placeholder's value, never translated)."""
    return f"<@{user_id}>"


def channel_mention(channel_id: int) -> str:
    """Return how Discord writes a link to a channel or thread."""
    return f"<#{channel_id}>"


def role_mention(role_id: int) -> str:
    """Return how Discord writes a mention of a role."""
    return f"<@&{role_id}>"


def code(text: str) -> str:
    """Return text shown as code (a phone number printed exactly as in the data)."""
    return f"`{text}`"

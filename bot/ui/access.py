"""Who may do what: moderators, servers, and ids that fit Hearth's columns."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.errors import NotAllowed
from bot.i18n import N_
from bot.services.settings import GuildConfig, SettingsService

# Hearth's own ids (circles, resources...) are 32-bit integers on PostgreSQL: an option or typed
# number naming one is bounded to them, so Discord refuses anything larger before Hearth sees it.
MAX_STORED_ID = 2**31 - 1
StoredId = app_commands.Range[int, 1, MAX_STORED_ID]


def is_moderator(member: discord.Member | discord.User, moderator_role_id: int | None) -> bool:
    """Say whether a member may use moderator commands (Manage Server or the moderator role)."""
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    return moderator_role_id is not None and any(r.id == moderator_role_id for r in member.roles)


def guild_of(interaction: discord.Interaction) -> discord.Guild:
    """Return the server the interaction came from, or explain that this needs one."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild


async def require_moderator(
    interaction: discord.Interaction, settings: SettingsService
) -> GuildConfig:
    """Return the server's settings if the member is a moderator; otherwise explain kindly."""
    config = await settings.get_or_default(guild_of(interaction).id)
    if not is_moderator(interaction.user, config.moderator_role_id):
        raise NotAllowed(
            N_("This is for moderators: it needs Manage Server or the moderator role.")
        )
    return config

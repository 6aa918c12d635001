"""The agreement workflows' Discord side, on discord.py's public API (no bot.http)."""

from __future__ import annotations

import discord

from bot.i18n import language, server_language
from bot.services.agreement import ReacceptanceAsk
from bot.services.settings import SettingsService
from bot.ui import NO_MENTIONS, send
from cogs.agreement._render import ask_embed
from cogs.agreement._views import read_view


class DiscordAgreementPort:
    """Messages members privately and gives or takes the member role (AskPort, RolePort)."""

    def __init__(self, client: discord.Client, settings: SettingsService) -> None:
        self._client = client
        self._settings = settings

    async def send_ask(self, ask: ReacceptanceAsk) -> bool:
        """Message the member what changed, with a button to read it; False if DMs are closed.

        A job sends it, with no interaction to tell the member's language: it is written in the
        language they accepted in, else the server's (`/setup language`, else Discord's locale).
        """
        guild = self._client.get_guild(ask.guild_id)
        if ask.language is not None:
            _ = language(ask.language)
        else:
            config = await self._settings.get_or_default(ask.guild_id)
            _ = server_language(guild.preferred_locale if guild else None, chosen=config.language)
        name = guild.name if guild else _("your community")
        try:
            channel = await self._client.create_dm(discord.Object(id=ask.user_id))
            await send(
                channel,
                embed=ask_embed(ask, name, _),
                view=read_view(ask.guild_id, _),
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException:
            return False
        return True

    async def _member(self, guild_id: int, user_id: int) -> discord.Member | None:
        guild = self._client.get_guild(guild_id)
        if guild is None:
            return None
        member = guild.get_member(user_id)
        if member is not None:
            return member
        try:
            return await guild.fetch_member(user_id)
        except discord.HTTPException:
            return None

    async def add_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> bool:
        """Give the member the role; False if they are gone or Discord refused."""
        member = await self._member(guild_id, user_id)
        if member is None:
            return False
        try:
            await member.add_roles(discord.Object(id=role_id), reason=reason)
        except discord.HTTPException:
            return False
        return True

    async def remove_role(self, guild_id: int, user_id: int, role_id: int, reason: str) -> bool:
        """Take the role back; False if they are gone or Discord refused."""
        member = await self._member(guild_id, user_id)
        if member is None:
            return False
        try:
            await member.remove_roles(discord.Object(id=role_id), reason=reason)
        except discord.HTTPException:
            return False
        return True

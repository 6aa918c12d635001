"""The crisis workflows' Discord side, on discord.py's public API (no bot.http)."""

from __future__ import annotations

import contextlib
import logging
from typing import Literal

import discord

from bot.i18n import Language, server_language
from bot.services.crisis import Alert, ChannelCheck, CrisisAnswer, OpenedThread, ThreadFailure
from bot.ui import NO_MENTIONS, send
from bot.ui.alerts import is_private_channel
from bot.ui.crisis_card import CrisisCards
from cogs.crisis import _render as render

log = logging.getLogger(__name__)

# A week: the longest auto-archive Discord offers, so a quiet thread is not closed early.
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080


class DiscordCrisisPort:
    """Finds channels and members, posts the cards and opens private threads (SharePort, RequestPort)."""

    def __init__(self, client: discord.Client, cards: CrisisCards) -> None:
        self._client = client
        self._cards = cards

    def _words(self, guild_id: int | None) -> Language:
        """Return the server's language, for what Hearth posts there (and shared cards)."""
        guild = self._client.get_guild(guild_id) if guild_id else None
        return server_language(guild.preferred_locale if guild is not None else None)

    # ----- shares --------------------------------------------------------------------------
    async def send_shared_card(
        self, recipient_id: int, answer: CrisisAnswer, guild_name: str
    ) -> bool:
        """Message the recipient the card; a closed DM is not an error.

        Discord tells a bot a member's language only when they use it, so a shared card
        speaks the language of the server it was shared from.
        """
        _ = self._words(answer.guild_id)
        kwargs = self._cards.render(answer, shared=True, words=_).kwargs()
        kwargs["content"] = _(render.SHARED_INTRO, guild=discord.utils.escape_markdown(guild_name))
        try:
            channel = await self._client.create_dm(discord.Object(id=recipient_id))
            await send(channel, allowed_mentions=NO_MENTIONS, **kwargs)
        except discord.HTTPException:
            return False
        return True

    # ----- finding -------------------------------------------------------------------------
    def _text_channel(self, guild_id: int, channel_id: int | None) -> discord.TextChannel | None:
        guild = self._client.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None and channel_id else None
        return channel if isinstance(channel, discord.TextChannel) else None

    def alerts_channel(self, guild_id: int, channel_id: int | None) -> ChannelCheck:
        """Say whether the alerts channel is a text channel, and whether @everyone sees it."""
        channel = self._text_channel(guild_id, channel_id)
        if channel is None:
            return ChannelCheck.MISSING
        return ChannelCheck.PRIVATE if is_private_channel(channel) else ChannelCheck.PUBLIC

    def is_text_channel(self, guild_id: int, channel_id: int) -> bool:
        """Say whether the channel is a text channel of the server."""
        return self._text_channel(guild_id, channel_id) is not None

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        """Ask Discord whether the person is still in the server."""
        guild = self._client.get_guild(guild_id)
        if guild is None:
            return False
        try:
            await guild.fetch_member(user_id)
        except discord.NotFound:
            return False
        return True

    # ----- posting -------------------------------------------------------------------------
    async def post_request(
        self, channel_id: int, alert: Alert, who: str | None, role_id: int | None
    ) -> int | None:
        """Post the moderators' card; return its message id, or None if Discord refused."""
        channel = self._client.get_partial_messageable(channel_id)
        try:
            message = render.alert_message(alert, who, role_id, self._words(alert.guild_id))
            posted = await send(channel, **message)
        except discord.HTTPException:
            return None
        return posted.id

    async def post_backup_call(
        self, channel_id: int, alert: Alert, moderator_id: int, role_id: int | None, card_url: str
    ) -> None:
        """Ask the other moderators for backup, pinging their role only."""
        await send(
            self._client.get_partial_messageable(channel_id),
            render.backup_call(alert, moderator_id, role_id, card_url, self._words(alert.guild_id)),
            allowed_mentions=render.role_mentions(role_id),
        )

    # ----- private threads -----------------------------------------------------------------
    async def open_private_thread(
        self, channel_id: int, member_id: int, moderator_id: int
    ) -> OpenedThread:
        """Open a private thread, add both people and greet them; undo it if that fails."""
        channel = self._client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return OpenedThread(failure=ThreadFailure.NOT_CREATED)
        _ = self._words(channel.guild.id)
        try:
            thread = await channel.create_thread(
                name=_(render.THREAD_NAME),
                type=discord.ChannelType.private_thread,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException:
            return OpenedThread(failure=ThreadFailure.NOT_CREATED)
        try:
            await thread.add_user(discord.Object(id=member_id))
            await thread.add_user(discord.Object(id=moderator_id))
            await send(
                thread,
                render.thread_welcome(member_id, moderator_id, _),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    users=[discord.Object(id=member_id), discord.Object(id=moderator_id)],
                ),
            )
        except discord.HTTPException:
            with contextlib.suppress(discord.HTTPException):
                await thread.delete()
            return OpenedThread(failure=ThreadFailure.NOT_SET_UP)
        return OpenedThread(thread_id=thread.id)

"""The Discord side of check-in delivery and reminders, on discord.py's public API only.

The delivery workflow (bot/services/checkins/delivery.py) and the reminders job decide; this
only posts, finds, opens threads, deletes and sends private messages, and turns Discord's
failures into the workflow's `Unreachable` (try again later) and `Refused` (not allowed).
What it posts is in the server's language; a reminder in the language the member set it in.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Final

import aiohttp
import discord

from bot.client import HearthBot
from bot.i18n import Language, language, server_language
from bot.services.checkins import (
    Delivery,
    FoundPost,
    Notice,
    PostToDelete,
    Refused,
    ReminderDue,
    Unreachable,
)
from bot.services.settings import SettingsService
from bot.ui import NO_MENTIONS, carried, fit_thread_name, send
from bot.ui.alerts import is_private_channel
from cogs.checkins import _render as render
from cogs.checkins._views import OPEN, REMIND_OFF

log = logging.getLogger(__name__)

# Failures that say nothing about whether Discord will take the post next time.
TRANSIENT = (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError)
THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"
THREAD_ARCHIVE_MINUTES: Final = 1440  # a day
RECOVERY_LOOKBACK = 50  # recent messages searched for a post a stopped process made


def _reason(error: BaseException) -> str:
    """Name a failure for the log: Discord's status, or the kind of error."""
    return str(getattr(error, "status", None) or type(error).__name__)


class DiscordCheckinPort:
    """Posts check-ins, finds them after a crash, opens threads, sends reminders and notes."""

    def __init__(self, bot: HearthBot, settings: SettingsService) -> None:
        self._bot = bot
        self._settings = settings

    def ready(self) -> bool:
        """Return whether the gateway session is ready (jobs wait until it is)."""
        return self._bot.is_ready()

    def _channel(self, channel_id: int, guild_id: int) -> discord.PartialMessageable:
        return self._bot.get_partial_messageable(channel_id, guild_id=guild_id)

    async def server_words(self, guild_id: int) -> Language:
        """Return the server's language: its `/setup language` choice, else its Discord locale."""
        guild = self._bot.get_guild(guild_id)
        config = await self._settings.get(guild_id)
        return server_language(
            guild.preferred_locale if guild is not None else None,
            chosen=config.language if config is not None else None,
        )

    # ----- delivery --------------------------------------------------------------------------
    async def post(self, delivery: Delivery) -> int:
        """Post the check-in under its pseudonym, with nothing that can ping; return its id."""
        if delivery.channel_id is None:
            raise Unreachable("no check-in channel")
        words = await self.server_words(delivery.guild_id)
        try:
            message = await send(
                self._channel(delivery.channel_id, delivery.guild_id),
                embed=render.post_embed(delivery, words),
                allowed_mentions=NO_MENTIONS,
            )
        except TRANSIENT as error:
            raise Unreachable(_reason(error)) from None
        return message.id

    async def open_thread(self, delivery: Delivery, message_id: int) -> int | None:
        """Open the reply thread under a post; return its id, or None when Discord refused.

        A thread started from a message has the message's id, so one Discord already has
        (400 160004 for any later attempt) is simply that id.
        """
        if delivery.channel_id is None:
            return None
        message = self._channel(delivery.channel_id, delivery.guild_id).get_partial_message(
            message_id
        )
        words = await self.server_words(delivery.guild_id)
        try:
            thread = await message.create_thread(
                name=fit_thread_name(render.thread_name(delivery, words)),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                reason="Replies to an anonymous check-in",
            )
        except (*TRANSIENT, ValueError) as error:  # ValueError: the server isn't known yet
            if getattr(error, "code", None) == THREAD_EXISTS:
                return message_id
            log.warning(
                "Posted check-in %s without a reply thread (%s)",
                delivery.checkin_id,
                _reason(error),
            )
            return None
        return thread.id

    async def find_post(self, delivery: Delivery) -> FoundPost | None:
        """Look for the check-in among the channel's recent messages that Hearth wrote."""
        if delivery.channel_id is None:
            return None
        me = self._bot.user.id if self._bot.user else 0
        markers = render.post_markers(delivery.ref)
        channel = self._channel(delivery.channel_id, delivery.guild_id)
        try:
            async for message in channel.history(limit=RECOVERY_LOOKBACK):
                if message.author.id == me and any(
                    marker in (embed.footer.text or "")
                    for embed in message.embeds
                    for marker in markers
                ):
                    thread = message.thread
                    return FoundPost(message.id, thread.id if thread is not None else None)
        except TRANSIENT as error:
            raise Unreachable(_reason(error)) from None
        return None

    async def note_for_moderators(self, delivery: Delivery, message_id: int) -> None:
        """Post the content-free "may need gentle attention" note in the private alerts channel."""
        channel = await self.alerts_channel(delivery.guild_id)
        if channel is None:
            raise Refused("no private alerts channel")
        if delivery.channel_id is None:
            return
        embed = render.detection_embed(
            delivery.guild_id,
            delivery.channel_id,
            message_id,
            delivery.ref,
            await self.server_words(delivery.guild_id),
        )
        try:
            # The same nonce on a retry after a crash: Discord hands back the note it has.
            await send(
                channel,
                embed=embed,
                allowed_mentions=NO_MENTIONS,
                nonce=f"hearth-alert-c{delivery.checkin_id}"[:25],
            )
        except TRANSIENT as error:
            raise Unreachable(_reason(error)) from None

    async def delete_post(self, post: PostToDelete) -> None:
        """Delete a post whose time is up, then its thread; done when already gone."""
        try:
            await self.delete_message(post.channel_id, post.message_id)
            if post.thread_id:
                await self.delete_thread(post.thread_id)
        except discord.NotFound:
            return
        except discord.Forbidden:
            raise Refused("not allowed to delete") from None
        except TRANSIENT as error:
            raise Unreachable(_reason(error)) from None

    # ----- shared with the cog -------------------------------------------------------------
    async def delete_message(self, channel_id: int, message_id: int) -> None:
        """Delete one of Hearth's messages (discord.NotFound when it is already gone)."""
        await self._bot.get_partial_messageable(channel_id).get_partial_message(message_id).delete()

    async def delete_thread(self, thread_id: int, reason: str | None = None) -> None:
        """Delete a thread (discord.NotFound when it is already gone)."""
        thread = self._bot.get_channel(thread_id) or await self._bot.fetch_channel(thread_id)
        if isinstance(thread, discord.Thread):  # never anything else under a thread's id
            await thread.delete(reason=reason)

    async def tell_author(self, guild_id: int, user_id: int, notice: Notice) -> bool:
        """Send an author a notice by DM, in the server's language; return whether it went."""
        text = render.notice_text(notice, await self.server_words(guild_id))
        return await self.send_dm(user_id, text)

    async def send_dm(self, user_id: int, text: str) -> bool:
        """Send a member a private message; return whether Discord took it."""
        try:
            channel = await self._bot.create_dm(discord.Object(id=user_id))
            await send(channel, text, allowed_mentions=NO_MENTIONS)
        except TRANSIENT:
            return False
        return True

    async def alerts_channel(self, guild_id: int) -> discord.TextChannel | None:
        """Return the moderator-alerts channel, only if @everyone cannot read it."""
        guild = self._bot.get_guild(guild_id)
        config = await self._settings.get(guild_id)
        channel = (
            guild.get_channel(config.alerts_channel_id)
            if guild is not None and config is not None and config.alerts_channel_id
            else None
        )
        if not isinstance(channel, discord.TextChannel) or not is_private_channel(channel):
            return None
        return channel

    # ----- reminders -------------------------------------------------------------------------
    async def send_reminder(self, due: ReminderDue) -> bool:
        """Send the member their gentle nudge by DM, with Check in and Stop buttons."""
        guild = self._bot.get_guild(due.guild_id)
        # The language the member set the reminder in, else the server's.
        words = language(due.locale) if due.locale else await self.server_words(due.guild_id)
        view = carried(
            OPEN.button(due.guild_id, words=words), REMIND_OFF.button(due.guild_id, words=words)
        )
        try:
            channel = await self._bot.create_dm(discord.Object(id=due.user_id))
            await send(
                channel,
                embed=render.reminder_embed(guild.name if guild else None, words),
                view=view,
                allowed_mentions=NO_MENTIONS,
            )
        except TRANSIENT:
            return False
        return True

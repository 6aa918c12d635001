"""The pairing workflows' Discord side, on discord.py's public API (no bot.http)."""

from __future__ import annotations

import logging
from typing import Literal

import discord

from bot.client import HearthBot
from bot.i18n import SHIPPED, Language, language, server_language
from bot.services.pairing import Followup, Group, Invitation, Notice, RoundStopped
from bot.services.settings import SettingsService
from bot.ui import NO_MENTIONS, find_own_message, fit_thread_name, send
from cogs.pairing import _render as render
from cogs.pairing import _views as views

log = logging.getLogger(__name__)

# A week: the longest auto-archive Discord offers, so a quiet pair thread is not closed early.
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080
DM_CLOSED = "dm_closed"
HTTP_ERROR = "http_error"


class DiscordPairingPort:
    """Finds members and threads, opens pair threads and sends private messages.

    Implements RoundPort and FollowupPort. Threads it found or made are kept until their
    introduction is posted, so the next step needn't ask Discord for them again.
    """

    def __init__(self, bot: HearthBot, settings: SettingsService) -> None:
        self._bot = bot
        self._settings = settings
        self._threads: dict[int, discord.Thread] = {}

    async def server_words(self, guild_id: int) -> Language:
        """Return the server's language: its `/setup language` choice, else its Discord locale."""
        guild = self._bot.get_guild(guild_id)
        config = await self._settings.get(guild_id)
        return server_language(
            guild.preferred_locale if guild is not None else None,
            chosen=config.language if config is not None else None,
        )

    async def member_words(self, guild_id: int, locale: str | None) -> Language:
        """Return the language the member joined pairing in, else the server's."""
        return language(locale) if locale else await self.server_words(guild_id)

    # ----- finding -------------------------------------------------------------------------
    def has_guild(self, guild_id: int) -> bool:
        """Say whether Hearth is in the server."""
        return self._bot.get_guild(guild_id) is not None

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self._bot.get_guild(guild_id)
        if guild is None:
            raise RoundStopped(404)
        return guild

    def _channel(self, guild_id: int, channel_id: int | None) -> discord.TextChannel | None:
        guild = self._bot.get_guild(guild_id)
        channel = guild.get_channel(channel_id) if guild is not None and channel_id else None
        return channel if isinstance(channel, discord.TextChannel) else None

    def is_pairing_channel(self, guild_id: int, channel_id: int | None) -> bool:
        """Say whether the channel exists in the server as a text channel."""
        return self._channel(guild_id, channel_id) is not None

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        """Ask Discord whether the person is still in the server."""
        try:
            await self._guild(guild_id).fetch_member(user_id)
        except discord.NotFound:
            return False
        except discord.HTTPException as error:
            raise RoundStopped(error.status) from None
        return True

    def _keep(self, thread: discord.Thread | None) -> int | None:
        if thread is None:
            return None
        self._threads[thread.id] = thread
        return thread.id

    async def find_thread(self, guild_id: int, thread_id: int) -> int | None:
        """Return the thread's id if it still exists as a thread."""
        guild = self._guild(guild_id)
        thread = guild.get_thread(thread_id)
        if thread is None:
            try:
                fetched = await guild.fetch_channel(thread_id)
            except discord.NotFound:  # deleted by someone: it is made again
                return None
            except discord.HTTPException as error:
                raise RoundStopped(error.status) from None
            thread = fetched if isinstance(fetched, discord.Thread) else None
        return self._keep(thread)

    async def find_thread_for(self, guild_id: int, channel_id: int, group: Group) -> int | None:
        """Find a thread a crash left unrecorded, by its deterministic name (in any language
        Hearth speaks: the server's language may have changed since)."""
        guild, channel = self._guild(guild_id), self._channel(guild_id, channel_id)
        if channel is None:
            raise RoundStopped(404)
        names = {group.name} | {
            fit_thread_name(render.thread_title(group, language(code))) for code in SHIPPED
        }
        for thread in channel.threads:
            if thread.name in names:
                return self._keep(thread)
        try:
            active = await guild.active_threads()
        except discord.HTTPException as error:
            raise RoundStopped(error.status) from None
        for thread in active:
            if thread.parent_id == channel.id and thread.name in names:
                return self._keep(thread)
        return None

    # ----- threads -------------------------------------------------------------------------
    async def open_thread(self, guild_id: int, channel_id: int, group: Group) -> int:
        """Make the group's private thread in the pairing channel (named in the server's
        language) and return its id."""
        channel = self._channel(guild_id, channel_id)
        if channel is None:
            raise RoundStopped(404)
        # With Manage Threads, members can't invite anyone else into their pair's thread.
        manages = channel.permissions_for(channel.guild.me).manage_threads
        try:
            thread = await channel.create_thread(
                name=fit_thread_name(render.thread_title(group, await self.server_words(guild_id))),
                type=discord.ChannelType.private_thread,
                invitable=not manages,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as error:
            raise RoundStopped(error.status) from None
        return self._keep(thread) or thread.id

    async def _thread(self, guild_id: int, thread_id: int) -> discord.Thread:
        thread = self._threads.pop(thread_id, None)
        if thread is None:
            await self.find_thread(guild_id, thread_id)
            thread = self._threads.pop(thread_id, None)
        if thread is None:
            raise RoundStopped(404)
        return thread

    async def welcome(
        self, guild_id: int, thread_id: int, group: Group, *, look_first: bool
    ) -> None:
        """Add exactly the group's members and post the introduction (once)."""
        thread = await self._thread(guild_id, thread_id)
        try:
            for user_id in group.user_ids:
                await thread.add_user(discord.Object(id=user_id))
            if look_first and await self._has_intro(thread):
                return
            words = await self.server_words(guild_id)
            await send(
                thread,
                render.intro_text(group, words),
                view=views.report_button(thread.id, words),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    users=[discord.Object(id=u) for u in group.user_ids],
                ),
            )
        except discord.HTTPException as error:
            raise RoundStopped(error.status) from None

    async def _has_intro(self, thread: discord.Thread) -> bool:
        me = self._bot.user
        async for message in thread.history(limit=20, oldest_first=True):
            if me is not None and message.author.id == me.id:
                return True
        return False

    # ----- private messages ----------------------------------------------------------------
    async def _dm(
        self, user_id: int, content: str, view: discord.ui.View | None = None
    ) -> str | None:
        """Send a private message; return a failure code instead of raising."""
        try:
            user = self._bot.get_user(user_id) or await self._bot.fetch_user(user_id)
            if view is None:
                await send(user, content, allowed_mentions=NO_MENTIONS)
            else:
                await send(user, content, view=view, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            return DM_CLOSED
        except discord.HTTPException:
            log.warning("Could not send a pairing message")
            return HTTP_ERROR
        return None

    async def _find_dm(self, user_id: int, custom_id: str) -> bool:
        """Say whether Hearth already sent this member a message with that button."""
        try:
            user = self._bot.get_user(user_id) or await self._bot.fetch_user(user_id)
            channel = user.dm_channel or await user.create_dm()
            return await find_own_message(self._bot, channel, custom_id) is not None
        except discord.HTTPException:
            return False  # can't tell: sending again beats never sending

    async def invitation_sent(self, invitation: Invitation) -> bool:
        """Say whether the member already has this invitation."""
        return await self._find_dm(invitation.user_id, views.ACCEPT.custom_id(invitation.row_id))

    async def send_invitation(self, invitation: Invitation, group: Group | None) -> str | None:
        """Ask the member privately whether they'd like to meet."""
        guild = self._bot.get_guild(invitation.guild_id)
        words = await self.member_words(invitation.guild_id, invitation.locale)
        text = render.invitation_text(invitation, group, guild.name if guild else None, words)
        buttons = views.invitation_buttons(invitation.row_id, words)
        return await self._dm(invitation.user_id, text, buttons)

    async def send_notice(self, notice: Notice) -> str | None:
        """Tell the member kindly that their match fell through or nobody fit."""
        words = await self.member_words(notice.guild_id, notice.locale)
        return await self._dm(notice.user_id, render.notice_text(notice.kind, words))

    async def followup_sent(self, followup: Followup) -> bool:
        """Say whether the member already has this "Did you connect?"."""
        first = views.CONNECTED["yes"]
        return await self._find_dm(followup.user_id, first.custom_id(followup.row_id))

    async def ask_followup(self, followup: Followup) -> str | None:
        """Ask "Did you connect?" privately."""
        words = await self.member_words(followup.guild_id, followup.locale)
        return await self._dm(
            followup.user_id,
            render.followup_text(followup.thread_id, words),
            views.followup_buttons(followup.row_id, words),
        )

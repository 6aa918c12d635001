"""The Discord side of the circle workflows: discord.py's public API behind the service's ports.

Each method posts, edits, finds or changes one thing and turns discord.py's errors into the
port's (`NotThere`, `NotPermitted`, `PortError`), so the workflows in `bot.services.circles`
decide everything without knowing discord.py.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

import discord

from bot.client import HearthBot
from bot.domain.room_overwrites import Overwrite
from bot.i18n import Language, language, server_language
from bot.services.circles import (
    Cancellation,
    Delivery,
    Meeting,
    NotPermitted,
    NotThere,
    PortError,
    PromotionNotice,
    Reminder,
    TalkingOrder,
    TargetKind,
)
from bot.services.settings import SettingsService
from bot.ui import NO_MENTIONS, edit, find_own_message, send
from cogs.circles import _render
from cogs.circles._views import RAISE, YES, feedback_view, queue_view, rsvp_view

log = logging.getLogger(__name__)

LIVE_EVENTS = (discord.EventStatus.scheduled, discord.EventStatus.active)
EVENT_DESCRIPTION = 1000  # characters of a circle's description a Discord event takes
Room = discord.VoiceChannel | discord.StageChannel
BoardChannel = discord.VoiceChannel | discord.TextChannel


@asynccontextmanager
async def discord_errors() -> AsyncIterator[None]:
    """Turn discord.py's HTTP errors into the port's errors."""
    try:
        yield
    except discord.NotFound as error:
        raise NotThere(str(error)) from error
    except discord.Forbidden as error:
        raise NotPermitted(str(error)) from error
    except discord.HTTPException as error:
        raise PortError(str(error)) from error


class DiscordCircles:
    """Implements every circle port (announcements, reminders, room, talking order, holding).

    What it posts in a channel is in the server's language (`/setup language`, else its
    Discord locale); a private message in the locale the member answered in, else the server's.
    """

    def __init__(self, bot: HearthBot, settings: SettingsService) -> None:
        self._bot = bot
        self._settings = settings

    async def server_words(self, guild_id: int) -> Language:
        """Return the language of the server's public posts."""
        config = await self._settings.get(guild_id)
        guild = self._bot.get_guild(guild_id)
        return server_language(
            guild.preferred_locale if guild is not None else None,
            chosen=config.language if config is not None else None,
        )

    async def member_words(self, guild_id: int, locale: str | None) -> Language:
        """Return the language a member answered in (a Discord locale), else the server's."""
        return language(locale) if locale else await self.server_words(guild_id)

    # ----- lookups -----------------------------------------------------------------------------
    def serves(self, guild_id: int) -> bool:
        """Say whether Hearth is in this server."""
        return self._bot.get_guild(guild_id) is not None

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self._bot.get_guild(guild_id)
        if guild is None:
            raise NotThere(f"guild {guild_id}")
        return guild

    def _text_channel(self, channel_id: int) -> discord.TextChannel:
        channel = self._bot.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise NotThere(f"text channel {channel_id}")
        return channel

    def _message(self, channel_id: int, message_id: int) -> discord.PartialMessage:
        return self._bot.get_partial_messageable(channel_id).get_partial_message(message_id)

    # ----- announcements -----------------------------------------------------------------------
    async def post_announcement(self, channel_id: int, meeting: Meeting) -> int:
        """Post a meeting's announcement with its RSVP buttons."""
        channel = self._text_channel(channel_id)
        words = await self.server_words(meeting.guild_id)
        async with discord_errors():
            message = await send(
                channel,
                embed=_render.announcement_embed(words, meeting),
                view=rsvp_view(words, meeting),
                allowed_mentions=NO_MENTIONS,
            )
        return message.id

    async def find_announcement(self, channel_id: int, meeting: Meeting) -> int | None:
        """Find a meeting's announcement among the channel's recent messages (by its buttons)."""
        channel = self._text_channel(channel_id)
        async with discord_errors():
            return await find_own_message(
                self._bot, channel, YES.custom_id(meeting.circle_id, meeting.index)
            )

    async def show_announcement(self, channel_id: int, message_id: int, meeting: Meeting) -> None:
        """Bring an announcement up to date."""
        words = await self.server_words(meeting.guild_id)
        async with discord_errors():
            await edit(
                self._message(channel_id, message_id),
                embed=_render.announcement_embed(words, meeting),
            )

    async def cancel_announcement(
        self, channel_id: int, message_id: int, meeting: Meeting, why: Cancellation
    ) -> None:
        """Mark an announcement as not taking place and take its buttons away."""
        words = await self.server_words(meeting.guild_id)
        async with discord_errors():
            await edit(
                self._message(channel_id, message_id),
                embed=_render.cancelled_embed(words, meeting, why),
                view=None,
            )

    # ----- scheduled events --------------------------------------------------------------------
    async def create_event(self, guild_id: int, meeting: Meeting) -> int:
        """Create the meeting's Discord scheduled event on its voice channel."""
        guild = self._guild(guild_id)
        voice = guild.get_channel(meeting.voice_channel_id)
        where = voice if isinstance(voice, Room) else discord.Object(id=meeting.voice_channel_id)
        async with discord_errors():
            event = await guild.create_scheduled_event(
                name=meeting.title,
                start_time=meeting.start_utc,
                end_time=meeting.end_utc,
                entity_type=discord.EntityType.voice,
                channel=where,
                privacy_level=discord.PrivacyLevel.guild_only,
                description=meeting.description[:EVENT_DESCRIPTION] or discord.utils.MISSING,
            )
        return event.id

    async def find_event(self, guild_id: int, meeting: Meeting) -> int | None:
        """Find the Discord event Hearth made for this meeting before it stopped."""
        guild = self._guild(guild_id)
        me = self._bot.user.id if self._bot.user else 0
        async with discord_errors():
            events = await guild.fetch_scheduled_events(with_counts=False)
        for event in events:
            if (
                event.creator_id == me
                and event.channel_id == meeting.voice_channel_id
                and event.start_time == meeting.start_utc
                and event.name == meeting.title
                and event.status in LIVE_EVENTS
            ):
                return event.id
        return None

    async def move_event(self, guild_id: int, event_id: int, meeting: Meeting) -> None:
        """Bring a scheduled event to the meeting's time."""
        guild = self._guild(guild_id)
        async with discord_errors():
            event = await guild.fetch_scheduled_event(event_id)
            await event.edit(start_time=meeting.start_utc, end_time=meeting.end_utc)

    async def cancel_event(self, guild_id: int, event_id: int) -> None:
        """Cancel a scheduled event."""
        guild = self._guild(guild_id)
        async with discord_errors():
            event = await guild.fetch_scheduled_event(event_id)
            await event.cancel()

    async def delete_event(self, guild_id: int, event_id: int) -> None:
        """Delete a scheduled event."""
        guild = self._guild(guild_id)
        async with discord_errors():
            event = await guild.fetch_scheduled_event(event_id)
            await event.delete()

    # ----- private messages --------------------------------------------------------------------
    async def _direct(self, user_id: int, text: str, nonce: str | None = None) -> Delivery:
        try:
            user = self._bot.get_user(user_id) or await self._bot.fetch_user(user_id)
            await send(user, text, allowed_mentions=NO_MENTIONS, nonce=nonce)
        except discord.Forbidden:
            return Delivery.DM_CLOSED
        except discord.HTTPException:
            return Delivery.FAILED
        return Delivery.SENT

    async def send_reminder(self, reminder: Reminder) -> Delivery:
        """Send one reminder privately, with its nonce (so Discord keeps just one)."""
        meeting = reminder.meeting
        words = await self.member_words(meeting.guild_id, reminder.locale)
        return await self._direct(
            reminder.user_id, _render.reminder_text(words, meeting), reminder.nonce
        )

    async def tell_promoted(self, notice: PromotionNotice) -> Delivery:
        """Tell a member privately that a place opened up and it is theirs."""
        words = await self.member_words(notice.meeting.guild_id, notice.locale)
        return await self._direct(notice.user_id, _render.promoted_text(words, notice.meeting))

    # ----- the voice room ----------------------------------------------------------------------
    async def room_overwrites(
        self, guild_id: int, voice_id: int, *, fresh: bool
    ) -> dict[int, Overwrite] | None:
        """Return the voice room's overwrites by target id (None: no such voice room)."""
        guild = self._guild(guild_id)
        channel: discord.abc.GuildChannel | discord.Thread | None = (
            None if fresh else guild.get_channel(voice_id)
        )
        if channel is None:
            try:
                channel = await guild.fetch_channel(voice_id)
            except discord.NotFound:
                return None
            except discord.HTTPException as error:
                raise PortError(str(error)) from error
        if not isinstance(channel, Room):
            return None
        found = {}
        for target, overwrite in channel.overwrites.items():
            allow, deny = overwrite.pair()
            found[target.id] = Overwrite(allow.value, deny.value)
        return found

    def has_role(self, guild_id: int, role_id: int) -> bool:
        """Say whether the server has this role."""
        return self._guild(guild_id).get_role(role_id) is not None

    async def write_overwrite(
        self,
        guild_id: int,
        voice_id: int,
        target_id: int,
        kind: TargetKind,
        overwrite: Overwrite | None,
        reason: str,
    ) -> None:
        """Set one overwrite of the room (None removes it), with `channel.set_permissions`."""
        guild = self._guild(guild_id)
        async with discord_errors():
            channel = guild.get_channel(voice_id) or await guild.fetch_channel(voice_id)
            if not isinstance(channel, Room):
                raise NotThere(f"voice channel {voice_id}")
            target = await self._target(guild, target_id, kind)
            await channel.set_permissions(
                target,
                overwrite=None
                if overwrite is None
                else discord.PermissionOverwrite.from_pair(
                    discord.Permissions(overwrite.allow), discord.Permissions(overwrite.deny)
                ),
                reason=reason,
            )

    async def _target(
        self, guild: discord.Guild, target_id: int, kind: TargetKind
    ) -> discord.Member | discord.Role:
        """Return the role or member an overwrite is for (a member who left: as a user)."""
        if kind is TargetKind.ROLE:
            role = guild.get_role(target_id)
            if role is None:
                raise NotThere(f"role {target_id}")
            return role
        member = guild.get_member(target_id)
        if member is not None:
            return member
        try:
            return await guild.fetch_member(target_id)
        except discord.NotFound:
            # Someone who left the server keeps their overwrite on Discord; set_permissions takes
            # any user for a member overwrite (it checks for discord.abc.User), so pass the user.
            user = self._bot.get_user(target_id) or await self._bot.fetch_user(target_id)
            return cast(discord.Member, user)

    # ----- the talking order -------------------------------------------------------------------
    def _board_channel(self, channel_id: int) -> BoardChannel:
        channel = self._bot.get_channel(channel_id)
        if not isinstance(channel, BoardChannel):
            raise NotThere(f"channel {channel_id}")
        return channel

    async def find_order(self, channel_id: int, order: TalkingOrder) -> int | None:
        """Find a meeting's talking order among the channel's recent messages (by its buttons)."""
        channel = self._board_channel(channel_id)
        async with discord_errors():
            return await find_own_message(
                self._bot, channel, RAISE.custom_id(order.circle_id, order.index)
            )

    async def post_order(self, channel_id: int, order: TalkingOrder) -> int:
        """Post the talking order with its buttons."""
        channel = self._board_channel(channel_id)
        words = await self.server_words(order.guild_id)
        async with discord_errors():
            message = await send(
                channel,
                _render.order_text(words, order, channel.guild),
                view=queue_view(words, order),
                allowed_mentions=NO_MENTIONS,
            )
        return message.id

    async def show_order(self, channel_id: int, message_id: int, order: TalkingOrder) -> None:
        """Bring the talking order up to date (its buttons go once the circle closed)."""
        channel = self._board_channel(channel_id)
        words = await self.server_words(order.guild_id)
        async with discord_errors():
            await edit(
                channel.get_partial_message(message_id),
                content=_render.order_text(words, order, channel.guild),
                view=queue_view(words, order) if order.is_open else None,
            )

    # ----- opening and closing -----------------------------------------------------------------
    async def post_opening(
        self, channel_id: int, meeting: Meeting, *, yes_only: bool, points: tuple[str, ...]
    ) -> None:
        """Post that the room is open, with the agreement in short."""
        channel = self._text_channel(channel_id)
        words = await self.server_words(meeting.guild_id)
        embed = _render.opening_embed(words, meeting, yes_only=yes_only, points=points)
        async with discord_errors():
            await send(channel, embed=embed, allowed_mentions=NO_MENTIONS)

    async def post_closing(self, channel_id: int, meeting: Meeting, *, minimum: int) -> None:
        """Post that the meeting has closed, with the anonymous feedback button."""
        channel = self._text_channel(channel_id)
        words = await self.server_words(meeting.guild_id)
        embed = _render.closing_embed(words, meeting, minimum=minimum)
        async with discord_errors():
            await send(
                channel,
                embed=embed,
                view=feedback_view(words, meeting),
                allowed_mentions=NO_MENTIONS,
            )

"""Scheduled circles: facilitators create, skip and end them; members RSVP on the announcement.

    /circle create <title> <timezone> <first_date> <start_time> <duration> <repeats> <voice> [...]
    /circle list                         what is coming, privately
    /circle skip <circle> <date>         cancel one meeting (facilitators)
    /circle edit <circle> [...]          change the time, length or zone from the next meeting on
    /circle end <circle>                 stop the series (facilitators)
    /circle who <circle>                 who said yes to the next meeting, and the waitlist
    (+ open, close, hand, next, note, feedback, settings: see _room.py)

Every announced meeting has a message in the circles channel (Discord timestamps, a headcount,
"I'll be there" / "Can't make it") and a Discord scheduled event on the circle's voice channel;
the workflows in `bot.services.circles` keep them, and this cog only asks and answers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_, language
from bot.services.circles import (
    Announcer,
    Cancellation,
    CircleHolding,
    CircleService,
    PromotionNotice,
    ReminderSender,
    RoomDoors,
    TalkingOrderBoard,
)
from bot.services.settings import SettingsService
from bot.ui import (
    StoredId,
    choices_fitted,
    defer,
    guild_of,
    is_moderator,
    reply_private,
    ts,
    zone_choices,
)
from cogs.circles import _render
from cogs.circles._room import RoomCommands
from cogs.circles._schedule import schedule_text
from cogs.circles._views import BACKUP, FEEDBACK, LOWER, NO, RAISE, WRITE, YES

log = logging.getLogger(__name__)

RULES = (
    app_commands.Choice(name="Just once", value="one_off"),
    app_commands.Choice(name="Every week", value="weekly"),
    app_commands.Choice(name="Every two weeks", value="biweekly"),
    app_commands.Choice(name="Monthly, e.g. second Tuesday", value="monthly_by_weekday"),
)
SHUTDOWN_GRACE = 5.0  # seconds a stop waits for talking-order edits under way


class CirclesCog(
    RoomCommands, commands.GroupCog, group_name="circle", group_description="Support circles"
):
    """Scheduling circles and answering whether you'll come."""

    def __init__(
        self,
        circles: CircleService,
        settings: SettingsService,
        announcer: Announcer,
        reminders: ReminderSender,
        doors: RoomDoors,
        board: TalkingOrderBoard,
        holding: CircleHolding,
    ) -> None:
        self.circles = circles
        self.settings = settings
        self.announcer = announcer
        self.reminders = reminders
        self.doors = doors
        self.board = board
        self.holding = holding
        super().__init__()

    async def cog_unload(self) -> None:
        """Let talking-order edits under way finish while Hearth can still reach Discord."""
        try:
            async with asyncio.timeout(SHUTDOWN_GRACE):
                await self.board.drain()
        except TimeoutError:
            log.warning("Stopped before a talking-order edit could finish")

    @property
    def dynamic_items(self) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
        """Return every persistent button with its handler, to register at start."""
        return (
            YES.handled_by(self.said_yes),
            NO.handled_by(self.said_no),
            BACKUP.handled_by(self.need_backup),
            RAISE.handled_by(self.raise_button),
            LOWER.handled_by(self.lower_button),
            WRITE.handled_by(self.write_button),
            FEEDBACK.handled_by(self.feedback_button),
        )

    # ----- who may -------------------------------------------------------------------------
    async def require_facilitator(self, interaction: discord.Interaction) -> int:
        """Return the guild id if the member may run circles; otherwise explain."""
        guild_id = guild_of(interaction).id
        config = await self.settings.get_or_default(guild_id)
        user = interaction.user
        allowed = is_moderator(user, None) or (
            isinstance(user, discord.Member)
            and config.facilitator_role_id is not None
            and any(role.id == config.facilitator_role_id for role in user.roles)
        )
        if not allowed:
            raise NotAllowed(
                N_("This is for facilitators: it needs the facilitator role or Manage Server.")
            )
        return guild_id

    # ----- facilitators --------------------------------------------------------------------
    @app_commands.command(name="create", description="Schedule a support circle (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(
        title="What the circle is called",
        timezone="The time zone the circle meets in, such as Europe/London",
        first_date="The date of the first meeting, like 2026-03-17",
        start_time="Local start time, 24-hour, like 19:00",
        duration="How long each meeting lasts, in minutes",
        repeats="How often the circle meets",
        voice="The voice channel the circle meets in",
        description="A few words about the circle",
        ends_on="Last possible date, like 2026-06-30 (optional)",
        meetings="How many meetings in all (optional)",
        capacity="How many people can come (optional; extra RSVPs join a waitlist)",
        monthly_day="For monthly circles: which day, like 'second Tuesday' (optional)",
        yes_only="Open the room only to those who said yes (default: the whole member role)",
    )
    @app_commands.choices(repeats=list(RULES))
    async def create(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 100],
        timezone: str,
        first_date: str,
        start_time: str,
        duration: app_commands.Range[int, 5, 720],
        repeats: app_commands.Choice[str],
        voice: discord.abc.GuildChannel,
        description: app_commands.Range[str, 0, 1000] = "",
        ends_on: str | None = None,
        meetings: app_commands.Range[int, 1, 520] | None = None,
        capacity: app_commands.Range[int, 1, 99] | None = None,
        monthly_day: str | None = None,
        yes_only: bool = False,
    ) -> None:
        """Validate, save, announce the first meeting and mirror it as an event."""
        guild_id = await self.require_facilitator(interaction)
        if voice.type is not discord.ChannelType.voice:
            raise InvalidInput(
                N_("%(channel)s is not a voice channel. Pick a voice channel."),
                channel=voice.mention,
            )
        created = await self.circles.create(
            guild_id,
            interaction.user.id,
            title=title,
            zone=timezone,
            first_date=first_date,
            start_time=start_time,
            duration_minutes=duration,
            rule=repeats.value,
            voice_channel_id=voice.id,
            description=description,
            until=ends_on,
            count=meetings,
            capacity=capacity,
            nth_weekday=monthly_day,
            yes_only=yes_only,
        )
        await defer(interaction)
        _ = language(interaction.locale)
        notes = _render.announce_notes(_, await self.announcer.announce(created.first))
        first = created.first
        await reply_private(
            interaction,
            _(
                "Created **%(title)s**: %(schedule)s. The first meeting is %(when)s (%(relative)s).",
                title=created.circle.title,
                schedule=schedule_text(_, created.circle.schedule),
                when=ts(first.start_utc),
                relative=ts(first.start_utc, "R"),
            )
            + (f"\n\n{notes}" if notes else ""),
        )

    @create.autocomplete("timezone")
    @choices_fitted
    async def timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest IANA time zones."""
        return zone_choices(current)

    @app_commands.command(name="list", description="See the circles that are coming up")
    @app_commands.guild_only()
    async def list_(self, interaction: discord.Interaction) -> None:
        """Show the next meetings privately."""
        meetings = await self.circles.upcoming(guild_of(interaction).id)
        _ = language(interaction.locale)
        if not meetings:
            await reply_private(interaction, _("No circles are scheduled right now."))
            return
        lines = [
            _(
                "**%(title)s** (circle %(id)s) — %(when)s (%(relative)s) in %(room)s · "
                "%(headcount)s",
                title=m.title,
                id=m.circle_id,
                when=ts(m.start_utc),
                relative=ts(m.start_utc, "R"),
                room=f"<#{m.voice_channel_id}>",
                headcount=_render.headcount(_, m),
            )
            for m in meetings
        ]
        await reply_private(interaction, _("Coming up:") + "\n" + "\n".join(lines))

    @app_commands.command(name="skip", description="Cancel one meeting of a circle (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle", date="The date of the meeting, like 2026-03-17")
    async def skip(self, interaction: discord.Interaction, circle: StoredId, date: str) -> None:
        """Cancel one meeting; take its announcement down and announce the next."""
        guild_id = await self.require_facilitator(interaction)
        outcome = await self.circles.skip(guild_id, interaction.user.id, circle, date)
        await defer(interaction)
        await self.announcer.take_down(outcome.skipped, Cancellation.SKIPPED)
        _ = language(interaction.locale)
        message = _("Skipped the meeting on %(when)s.", when=ts(outcome.skipped.start_utc))
        nxt = outcome.next
        if nxt is not None:
            await self.announcer.announce(nxt)
            message += " " + _("The next one is %(when)s.", when=ts(nxt.start_utc))
        await reply_private(interaction, message)

    @app_commands.command(
        name="edit", description="Change a circle from its next meeting on (facilitators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(
        circle="Which circle",
        start_time="New local start time, 24-hour, like 19:30",
        duration="New length in minutes",
        timezone="New time zone, such as Europe/London",
        next_date="Move the next meeting (and the weekday after it) to this date, like 2026-03-19",
        repeats="How often it meets from the next meeting on",
        monthly_day="For monthly circles: which day, like 'second Tuesday'",
        yes_only="Open the room only to those who said yes",
    )
    @app_commands.choices(repeats=list(RULES))
    async def edit(
        self,
        interaction: discord.Interaction,
        circle: StoredId,
        start_time: str | None = None,
        duration: app_commands.Range[int, 5, 720] | None = None,
        timezone: str | None = None,
        next_date: str | None = None,
        repeats: app_commands.Choice[str] | None = None,
        monthly_day: str | None = None,
        yes_only: bool | None = None,
    ) -> None:
        """Change future meetings; update the announcements and events that moved."""
        guild_id = await self.require_facilitator(interaction)
        outcome = await self.circles.edit(
            guild_id,
            interaction.user.id,
            circle,
            zone=timezone,
            start_time=start_time,
            duration_minutes=duration,
            first_date=next_date,
            rule=repeats.value if repeats else None,
            nth_weekday=monthly_day,
            yes_only=yes_only,
        )
        await defer(interaction)
        for meeting in outcome.moved:
            await self.announcer.move(meeting)
        first = outcome.first_changed
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _(
                "Changed **%(title)s**: %(schedule)s. The next meeting is %(when)s; earlier "
                "meetings stay as they were.",
                title=outcome.circle.title,
                schedule=schedule_text(_, outcome.circle.schedule),
                when=ts(first.start_utc),
            ),
        )

    @edit.autocomplete("timezone")
    @choices_fitted
    async def edit_timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest IANA time zones."""
        return zone_choices(current)

    @app_commands.command(name="end", description="Stop a circle's series (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def end(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """End the series; take down every announced meeting that will not happen."""
        guild_id = await self.require_facilitator(interaction)
        outcome = await self.circles.end(guild_id, interaction.user.id, circle)
        await defer(interaction)
        for meeting in outcome.cancelled:
            await self.announcer.take_down(meeting, Cancellation.ENDED)
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _("**%(title)s** has ended. Thank you for holding it. 💛", title=outcome.circle.title),
        )

    @app_commands.command(
        name="who", description="See who is coming to a circle's next meeting (facilitators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def who(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """Show the facilitator, privately, who said yes and the waitlist in order."""
        guild_id = await self.require_facilitator(interaction)
        meeting = await self.circles.next_meeting(guild_id, circle)
        attendance = await self.circles.attendance(guild_id, circle, meeting.index)
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _render.attendance_text(_, meeting, attendance.going, attendance.waitlist),
        )

    @skip.autocomplete("circle")
    @end.autocomplete("circle")
    @edit.autocomplete("circle")
    @who.autocomplete("circle")
    @choices_fitted
    async def series_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """Suggest the server's running circles by title."""
        return await self.running_circles(interaction, current)

    # ----- members -------------------------------------------------------------------------
    async def said_yes(self, interaction: discord.Interaction, circle_id: int, index: int) -> None:
        """Record a yes (or a waitlist place) and tell the member privately."""
        await self._answer(interaction, circle_id, index, going=True)

    async def said_no(self, interaction: discord.Interaction, circle_id: int, index: int) -> None:
        """Record a no; if that frees a place, tell the promoted member privately."""
        await self._answer(interaction, circle_id, index, going=False)

    async def _answer(
        self, interaction: discord.Interaction, circle_id: int, index: int, *, going: bool
    ) -> None:
        guild_id = guild_of(interaction).id
        # Many members answer at once when an announcement goes out; answer Discord in time.
        await defer(interaction)
        locale = str(interaction.locale.value) if interaction.locale else None
        outcome = await self.circles.rsvp(
            guild_id, circle_id, index, interaction.user.id, going, locale
        )
        meeting = outcome.meeting
        await reply_private(interaction, _render.answer_text(language(interaction.locale), outcome))
        if interaction.message is not None:
            await self.announcer.refresh_headcount(
                guild_id, circle_id, index, interaction.message.channel.id, interaction.message.id
            )
        if outcome.room_grants:
            await self.doors.let_in(
                guild_id, outcome.occurrence_id, meeting.voice_channel_id, outcome.room_grants
            )
        if outcome.promoted_user_id is not None:
            await self.reminders.tell_promoted(
                PromotionNotice(outcome.promoted_user_id, meeting, outcome.promoted_locale)
            )

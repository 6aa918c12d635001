"""Scheduled circles: facilitators create, skip and end them; members RSVP on the announcement.

    /circle create <title> <timezone> <first_date> <start_time> <duration> <repeats> <voice> [...]
    /circle list                         what is coming, privately
    /circle skip <circle> <date>         cancel one meeting (facilitators)
    /circle edit <circle> [...]          change the time, length or zone from the next meeting on
    /circle end <circle>                 stop the series (facilitators)
    /circle who <circle>                 who said yes to the next meeting, and the waitlist
    /circle open <circle>                let members into the voice room (facilitators)
    /circle close <circle>               lock it again, invite anonymous feedback (facilitators)
    (+ hand, next, note, feedback, settings: see cogs/circle_room.py)

Every announced meeting has a message in the circles channel (Discord timestamps, a headcount,
"I'll be there" / "Can't make it") and a Discord scheduled event on the circle's voice channel.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.errors import InvalidInput, NotAllowed
from bot.services.agreement import AgreementService
from bot.services.circle_room import TalkingOrder
from bot.services.circles import (
    UNPOSTED,
    WAITLIST,
    YES,
    CircleService,
    HoldOutcome,
    Meeting,
    Reminder,
)
from bot.services.settings import SettingsService
from bot.ui import (
    NO_MENTIONS,
    WARM,
    StoredId,
    choices_fitted,
    edit,
    find_own_message,
    guild_of,
    is_moderator,
    persistent_button,
    reply_private,
    send,
    ts,
    zone_choices,
)
from cogs.circle_doors import RoomDoors
from cogs.circle_room import RoomCommands

log = logging.getLogger(__name__)

REMIND_JOB = "circles.remind"
ANNOUNCE_JOB = "circles.announce"

RULES = (
    app_commands.Choice(name="Just once", value="one_off"),
    app_commands.Choice(name="Every week", value="weekly"),
    app_commands.Choice(name="Every two weeks", value="biweekly"),
    app_commands.Choice(name="Monthly, e.g. second Tuesday", value="monthly_by_weekday"),
)


def headcount(meeting: Meeting) -> str:
    """Return the public headcount: numbers only, never names."""
    text = f"{meeting.going} going"
    if meeting.capacity is not None:
        text += f" of {meeting.capacity} places"
    if meeting.waitlisted:
        text += f", {meeting.waitlisted} on the waitlist"
    return text


def announcement_embed(meeting: Meeting) -> discord.Embed:
    """Render the public announcement of one meeting."""
    lines = [meeting.description, ""] if meeting.description else []
    lines += [
        f"**When:** {ts(meeting.start_utc)} ({ts(meeting.start_utc, 'R')}) until "
        f"{ts(meeting.end_utc, 't')}",
        f"**Where:** <#{meeting.voice_channel_id}>",
        f"**RSVPs:** {headcount(meeting)}",
    ]
    embed = discord.Embed(title=meeting.title, description="\n".join(lines), colour=WARM)
    embed.set_footer(text="Your answer is private; only facilitators see who is coming.")
    return embed


def cancelled_embed(meeting: Meeting, why: str) -> discord.Embed:
    """Render an announcement whose meeting no longer happens."""
    return discord.Embed(
        title=f"{meeting.title} — {why}",
        description=f"The meeting on {ts(meeting.start_utc)} will not take place.",
        colour=discord.Colour.light_grey(),
    )


class CirclesCog(
    RoomCommands, commands.GroupCog, group_name="circle", group_description="Support circles"
):
    """Scheduling circles and answering whether you'll come."""

    def __init__(
        self,
        bot: HearthBot,
        circles: CircleService,
        settings: SettingsService,
        agreement: AgreementService,
    ) -> None:
        self.bot = bot
        self.circles = circles
        self.settings = settings
        self.agreement = agreement
        self._edit_locks: dict[int, asyncio.Lock] = {}
        self._queue_locks: dict[int, asyncio.Lock] = {}
        self._queue_dirty: set[int] = set()
        self.doors = RoomDoors(bot, circles)
        self._announcing: set[tuple[int, int]] = set()  # (circle, meeting) this process posts
        self.yes_button = persistent_button(
            "hearth:circle:yes",
            label="I'll be there",
            style=discord.ButtonStyle.success,
            on_click=self.said_yes,
            fields=("circle", "index"),
        )
        self.no_button = persistent_button(
            "hearth:circle:no",
            label="Can't make it",
            style=discord.ButtonStyle.secondary,
            on_click=self.said_no,
            fields=("circle", "index"),
        )
        self.backup_button = persistent_button(
            "hearth:circle:backup",
            label="Need backup",
            style=discord.ButtonStyle.secondary,
            on_click=self.need_backup,
            fields=("circle",),
        )
        self.raise_button = persistent_button(
            "hearth:circle:raise",
            label="Raise my hand",
            style=discord.ButtonStyle.primary,
            on_click=lambda i, c, n: self.hand_button(i, c, n, up=True),
            fields=("circle", "index"),
        )
        self.lower_button = persistent_button(
            "hearth:circle:lower",
            label="Lower my hand",
            style=discord.ButtonStyle.secondary,
            on_click=lambda i, c, n: self.hand_button(i, c, n, up=False),
            fields=("circle", "index"),
        )
        self.write_note_button = persistent_button(
            "hearth:circle:write",
            label="Write instead",
            style=discord.ButtonStyle.secondary,
            on_click=self.write_button,
            fields=("circle", "index"),
        )
        self.feedback_invite_button = persistent_button(
            "hearth:circle:feedback",
            label="Share feedback (anonymous)",
            style=discord.ButtonStyle.primary,
            on_click=self.feedback_button,
            fields=("circle", "index"),
        )
        super().__init__()

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
                "This is for facilitators: it needs the facilitator role or Manage Server."
            )
        return guild_id

    @property
    def dynamic_items(self) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
        """Return every persistent button class, to register at start."""
        return (
            self.yes_button,
            self.no_button,
            self.backup_button,
            self.raise_button,
            self.lower_button,
            self.write_note_button,
            self.feedback_invite_button,
        )

    def queue_view(self, order: TalkingOrder) -> discord.ui.View:
        """Return the persistent buttons under the talking order."""
        view = discord.ui.View(timeout=None)
        view.add_item(self.raise_button(order.circle_id, order.index))
        view.add_item(self.lower_button(order.circle_id, order.index))
        view.add_item(self.write_note_button(order.circle_id, order.index))
        return view

    # ----- announcing ----------------------------------------------------------------------
    def rsvp_view(self, meeting: Meeting) -> discord.ui.View:
        """Return the persistent RSVP buttons for one meeting."""
        view = discord.ui.View(timeout=None)
        view.add_item(self.yes_button(meeting.circle_id, meeting.index))
        view.add_item(self.no_button(meeting.circle_id, meeting.index))
        return view

    async def announce(self, guild: discord.Guild, meeting: Meeting) -> str:
        """Post the meeting in the circles channel and mirror it as a scheduled event, once."""
        key = (meeting.circle_id, meeting.index)
        if key in self._announcing:
            return ""  # this process is on it already
        self._announcing.add(key)  # before the claim, so a resume never takes it for a stop's
        try:
            if not await self.circles.claim_announcement(meeting.circle_id, meeting.index):
                return ""
            try:
                return await self._post(guild, meeting)
            except Exception:
                await self.circles.release_announcement(meeting.circle_id, meeting.index)
                raise
        finally:
            self._announcing.discard(key)

    async def resume_announcements(self) -> None:
        """Finish announcements a stopped process claimed: find what it made, make the rest."""
        for meeting in await self.circles.interrupted_announcements():
            key = (meeting.circle_id, meeting.index)
            guild = self.bot.get_guild(meeting.guild_id)
            if guild is None or key in self._announcing:
                continue  # not here, or being announced right now by this process
            self._announcing.add(key)
            try:
                await self._post(guild, meeting, resuming=True)
            except discord.HTTPException:
                log.warning("Could not finish a circle announcement in guild %s", guild.id)
            finally:
                self._announcing.discard(key)

    async def _post(self, guild: discord.Guild, meeting: Meeting, *, resuming: bool = False) -> str:
        """Post what the meeting still lacks (when resuming, after looking for it), recording
        each id as soon as it exists."""
        config = await self.settings.get_or_default(guild.id)
        notes = []
        channel = guild.get_channel(config.circles_channel_id or 0)
        if not meeting.announcement_message_id:
            message_id = None
            if isinstance(channel, discord.TextChannel):
                message_id = await self._find_announcement(channel, meeting) if resuming else None
                if message_id is None:
                    message = await send(
                        channel,
                        embed=announcement_embed(meeting),
                        view=self.rsvp_view(meeting),
                        allowed_mentions=NO_MENTIONS,
                    )
                    message_id = message.id
                await self.circles.record_announcement(
                    meeting.circle_id, meeting.index, message_id=message_id
                )
            else:
                notes.append(
                    "There is no circles channel yet, so nothing was announced; a moderator can "
                    "choose one with `/setup channels`."
                )
        events = (await self.circles.circle_settings(guild.id)).events_enabled
        claimed = meeting.scheduled_event_id == UNPOSTED  # left by a process that stopped
        if events and meeting.scheduled_event_id is None:
            claimed = await self.circles.claim_event(meeting.circle_id, meeting.index)
        if claimed and events:
            event_id = await self._find_event(guild, meeting) if resuming else None
            if event_id is None:
                event_id, note = await self._mirror(guild, meeting)
                notes += [note] if note else []
            if event_id is None:
                await self.circles.release_event(meeting.circle_id, meeting.index)
            else:
                await self.circles.record_announcement(
                    meeting.circle_id, meeting.index, scheduled_event_id=event_id
                )
        elif claimed:  # events were turned off meanwhile
            await self.circles.release_event(meeting.circle_id, meeting.index)
        return "\n".join(notes)

    async def _find_announcement(
        self, channel: discord.TextChannel, meeting: Meeting
    ) -> int | None:
        """Find a meeting's announcement among the channel's recent messages (by its buttons)."""
        wanted = self.yes_button(meeting.circle_id, meeting.index).custom_id
        return await find_own_message(self.bot, channel, wanted)

    async def _find_event(self, guild: discord.Guild, meeting: Meeting) -> int | None:
        """Find the Discord event Hearth made for this meeting before it stopped."""
        me = self.bot.user.id if self.bot.user else 0
        for event in await guild.fetch_scheduled_events(with_counts=False):
            if (
                event.creator_id == me
                and event.channel_id == meeting.voice_channel_id
                and event.start_time == meeting.start_utc
                and event.name == meeting.title
                and event.status in (discord.EventStatus.scheduled, discord.EventStatus.active)
            ):
                return event.id
        return None

    async def _mirror(self, guild: discord.Guild, meeting: Meeting) -> tuple[int | None, str]:
        """Create the meeting's Discord scheduled event; return its id, or a note why not."""
        voice = guild.get_channel(meeting.voice_channel_id)
        try:
            event = await guild.create_scheduled_event(
                name=meeting.title,
                start_time=meeting.start_utc,
                end_time=meeting.end_utc,
                entity_type=discord.EntityType.voice,
                channel=voice or discord.Object(id=meeting.voice_channel_id),
                privacy_level=discord.PrivacyLevel.guild_only,
                description=meeting.description[:1000] or None,
            )
        except discord.HTTPException:
            log.warning("Could not create the scheduled event in guild %s", guild.id)
            return None, "I couldn't create the Discord event; Hearth needs Manage Events."
        return event.id, ""

    async def restore_events(self, guild: discord.Guild) -> int:
        """Mirror announced coming meetings as Discord events again (events turned back on)."""
        added = 0
        for meeting in await self.circles.upcoming(guild.id, limit=25):
            if meeting.announcement_message_id and not meeting.scheduled_event_id:
                event_id, _ = await self._mirror(guild, meeting)
                if event_id is not None:
                    await self.circles.record_announcement(
                        meeting.circle_id, meeting.index, scheduled_event_id=event_id
                    )
                    added += 1
        return added

    async def take_down(self, guild: discord.Guild, meeting: Meeting, why: str) -> None:
        """Mark a meeting's announcement as cancelled and cancel its scheduled event."""
        config = await self.settings.get_or_default(guild.id)
        channel = guild.get_channel(config.circles_channel_id or 0)
        if meeting.announcement_message_id and isinstance(channel, discord.TextChannel):
            try:
                await edit(
                    channel.get_partial_message(meeting.announcement_message_id),
                    embed=cancelled_embed(meeting, why),
                    view=None,
                )
            except discord.HTTPException:
                log.warning("Could not update a circle announcement in guild %s", guild.id)
        if meeting.scheduled_event_id:
            try:
                event = await guild.fetch_scheduled_event(meeting.scheduled_event_id)
                await event.cancel()
            except discord.HTTPException:
                log.warning("Could not cancel a scheduled event in guild %s", guild.id)

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
            raise InvalidInput(f"{voice.mention} is not a voice channel. Pick a voice channel.")
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
        await interaction.response.defer(ephemeral=True, thinking=True)
        notes = await self.announce(guild_of(interaction), created.first)
        first = created.first
        await reply_private(
            interaction,
            f"Created **{created.circle.title}**: {created.circle.summary}. The first meeting is "
            f"{ts(first.start_utc)} ({ts(first.start_utc, 'R')})."
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
        if not meetings:
            await reply_private(interaction, "No circles are scheduled right now.")
            return
        lines = [
            f"**{m.title}** (circle {m.circle_id}) — {ts(m.start_utc)} ({ts(m.start_utc, 'R')}) "
            f"in <#{m.voice_channel_id}> · {headcount(m)}"
            for m in meetings
        ]
        await reply_private(interaction, "Coming up:\n" + "\n".join(lines))

    @app_commands.command(name="skip", description="Cancel one meeting of a circle (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle", date="The date of the meeting, like 2026-03-17")
    async def skip(self, interaction: discord.Interaction, circle: StoredId, date: str) -> None:
        """Cancel one meeting; take its announcement down and announce the next."""
        guild_id = await self.require_facilitator(interaction)
        outcome = await self.circles.skip(guild_id, interaction.user.id, circle, date)
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = guild_of(interaction)
        await self.take_down(guild, outcome.skipped, "skipped")
        message = f"Skipped the meeting on {ts(outcome.skipped.start_utc)}."
        nxt = outcome.next
        if nxt is not None:
            await self.announce(guild, nxt)
            message += f" The next one is {ts(nxt.start_utc)}."
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
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = guild_of(interaction)
        for meeting in outcome.moved:
            await self.move(guild, meeting)
        first = outcome.first_changed
        await reply_private(
            interaction,
            f"Changed **{outcome.circle.title}**: {outcome.circle.summary}. The next meeting is "
            f"{ts(first.start_utc)}; earlier meetings stay as they were.",
        )

    @edit.autocomplete("timezone")
    @choices_fitted
    async def edit_timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest IANA time zones."""
        return zone_choices(current)

    async def move(self, guild: discord.Guild, meeting: Meeting) -> None:
        """Bring a meeting's announcement and scheduled event to its new time."""
        config = await self.settings.get_or_default(guild.id)
        channel = guild.get_channel(config.circles_channel_id or 0)
        if meeting.announcement_message_id and isinstance(channel, discord.TextChannel):
            try:
                await edit(
                    channel.get_partial_message(meeting.announcement_message_id),
                    embed=announcement_embed(meeting),
                )
            except discord.HTTPException:
                log.warning("Could not update a circle announcement in guild %s", guild.id)
        if meeting.scheduled_event_id:
            try:
                event = await guild.fetch_scheduled_event(meeting.scheduled_event_id)
                await event.edit(start_time=meeting.start_utc, end_time=meeting.end_utc)
            except discord.HTTPException:
                log.warning("Could not move a scheduled event in guild %s", guild.id)

    @app_commands.command(name="end", description="Stop a circle's series (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def end(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """End the series; take down every announced meeting that will not happen."""
        guild_id = await self.require_facilitator(interaction)
        outcome = await self.circles.end(guild_id, interaction.user.id, circle)
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = guild_of(interaction)
        for meeting in outcome.cancelled:
            await self.take_down(guild, meeting, "the circle has ended")
        await reply_private(
            interaction, f"**{outcome.circle.title}** has ended. Thank you for holding it. 💛"
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
        going = ", ".join(f"<@{user_id}>" for user_id in attendance.going) or "nobody yet"
        lines = [f"**{meeting.title}**, {ts(meeting.start_utc)}", f"Going: {going}"]
        if attendance.waitlist:
            lines.append(
                "Waitlist: "
                + ", ".join(
                    f"{n}. <@{user_id}>" for n, user_id in enumerate(attendance.waitlist, 1)
                )
            )
        await reply_private(interaction, "\n".join(lines)[:2000])

    @app_commands.command(
        name="open", description="Open the voice room for a meeting (facilitators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def open_(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """Let members (or those who said yes) in, post the opening and the talking order."""
        guild_id = await self.require_facilitator(interaction)
        config = await self.settings.require(guild_id, "member_role_id")
        held = await self.circles.hold(guild_id, interaction.user.id, circle, opening=True)
        meeting = held.meeting
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = guild_of(interaction)
        await self._set_room(guild, held, config.member_role_id, opening=True)
        agreement = await self.agreement.current(guild_id)
        points = "\n".join(f"• {point}" for point in agreement.points[:5]) if agreement else ""
        lines = [f"The room is open: come in to <#{meeting.voice_channel_id}> when you're ready."]
        if held.yes_only:
            lines[0] = (
                f"The room is open to those who said yes: come in to "
                f"<#{meeting.voice_channel_id}> when you're ready."
            )
        if points:
            lines += ["", "**Our agreement, in short**", points]
        lines += [
            "",
            "To speak, raise your hand with `/circle hand`; rather write? Use **Write instead** "
            "under the talking order.",
            "If you're struggling right now, `/crisis` shows helplines privately, any time.",
        ]
        await self._post_in_circles(
            guild,
            discord.Embed(
                title=f"{meeting.title} is open", description="\n".join(lines), colour=WARM
            ),
        )
        if held.order.queue_message_id is None:
            await self.post_queue(guild, held.order)
        else:
            await self.refresh_queue(guild, held.order.occurrence_id)
        view = discord.ui.View(timeout=None)
        view.add_item(self.backup_button(meeting.circle_id))
        who = "those who said yes" if held.yes_only else "members"
        await reply_private(
            interaction,
            f"<#{meeting.voice_channel_id}> is open to {who}. `/circle next` passes to the next "
            "raised hand and `/circle note` shows you the next written note. If you need another "
            "pair of hands while holding the circle, press **Need backup**: the moderators are "
            "told quietly.",
            view=view,
        )

    @app_commands.command(name="close", description="Close the voice room (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def close(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """Lock the room, clear the talking order, post a closing message inviting feedback."""
        guild_id = await self.require_facilitator(interaction)
        config = await self.settings.require(guild_id, "member_role_id")
        held = await self.circles.hold(guild_id, interaction.user.id, circle, opening=False)
        meeting = held.meeting
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = guild_of(interaction)
        await self._set_room(guild, held, config.member_role_id, opening=False)
        await self.refresh_queue(guild, held.order.occurrence_id)
        minimum = (await self.circles.circle_settings(guild_id)).feedback_min_answers
        view = discord.ui.View(timeout=None)
        view.add_item(self.feedback_invite_button(meeting.circle_id, meeting.index))
        await self._post_in_circles(
            guild,
            discord.Embed(
                title=f"{meeting.title} has closed",
                description=(
                    "Thank you to everyone who came and shared, and to everyone who listened. "
                    "Take gentle care of yourselves. `/crisis` is there if you need it.\n\n"
                    "If you were there, you're welcome to tell the facilitators how it was: "
                    "**anonymously**, for the next 24 hours. They only see totals, and only once "
                    f"at least {minimum} people have answered."
                ),
                colour=WARM,
            ),
            view=view,
        )
        await reply_private(interaction, f"<#{meeting.voice_channel_id}> is closed again.")
        await self.hand_back_notes(interaction, held)

    async def need_backup(self, interaction: discord.Interaction, circle_id: int) -> None:
        """Post a quiet request for help in the moderator-alerts channel."""
        guild_id = await self.require_facilitator(interaction)
        circle = await self.circles.get(guild_id, circle_id)
        config = await self.settings.require(guild_id, "alerts_channel_id")
        channel = guild_of(interaction).get_channel(config.alerts_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            raise InvalidInput(
                "I couldn't find the moderator-alerts channel. A moderator can check `/setup show`."
            )
        await send(
            channel,
            f"{interaction.user.mention} is holding **{circle.title}** in "
            f"<#{circle.voice_channel_id}> and would like a moderator's backup when you can.",
            allowed_mentions=NO_MENTIONS,
        )
        await reply_private(interaction, "I've let the moderators know, quietly. 💛")

    async def _set_room(
        self, guild: discord.Guild, held: HoldOutcome, role_id: int | None, *, opening: bool
    ) -> None:
        """Open the room to the member role, or only to those who said yes; or give it back."""
        try:
            voice = await guild.fetch_channel(held.meeting.voice_channel_id)
        except discord.NotFound:
            voice = None
        role = guild.get_role(role_id or 0)
        if not isinstance(voice, discord.VoiceChannel) or (opening and role is None):
            raise InvalidInput(
                "I couldn't find the circle's voice channel or the member role any more. "
                "A moderator can check `/setup show`."
            )
        try:
            if opening and role is not None:
                await self.doors.open(voice, held, role.id)
            elif not opening:
                await self.doors.close(voice, held.order.occurrence_id)
        except discord.Forbidden:
            raise NotAllowed(
                "I couldn't change who can join the voice channel: Hearth needs Manage Roles "
                "and Connect there."
            ) from None

    async def _post_in_circles(
        self, guild: discord.Guild, embed: discord.Embed, **kwargs: Any
    ) -> None:
        config = await self.settings.get_or_default(guild.id)
        channel = guild.get_channel(config.circles_channel_id or 0)
        if isinstance(channel, discord.TextChannel):
            await send(channel, embed=embed, allowed_mentions=NO_MENTIONS, **kwargs)

    @skip.autocomplete("circle")
    @end.autocomplete("circle")
    @edit.autocomplete("circle")
    @who.autocomplete("circle")
    @open_.autocomplete("circle")
    @close.autocomplete("circle")
    @RoomCommands.hand.autocomplete("circle")
    @RoomCommands.next_.autocomplete("circle")
    @RoomCommands.note.autocomplete("circle")
    @RoomCommands.feedback.autocomplete("circle")
    @choices_fitted
    async def circle_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """Suggest the server's running circles by title."""
        if interaction.guild_id is None:
            return []
        seen: dict[int, str] = {}
        for meeting in await self.circles.upcoming(interaction.guild_id, limit=25):
            seen.setdefault(meeting.circle_id, meeting.title)
        needle = current.strip().lower()
        return [
            app_commands.Choice(name=f"{title} ({circle_id})"[:100], value=circle_id)
            for circle_id, title in seen.items()
            if needle in title.lower() or needle == str(circle_id)
        ][:25]

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
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.circles.rsvp(guild_id, circle_id, index, interaction.user.id, going)
        meeting = outcome.meeting
        when = ts(meeting.start_utc)
        if outcome.status == YES:
            text = f"You're in for **{meeting.title}** on {when}. See you there. 💛"
        elif outcome.status == WAITLIST:
            text = (
                f"**{meeting.title}** on {when} is full, so you're number {outcome.place} on the "
                "waitlist. I'll tell you privately if a place opens up."
            )
        else:
            text = f"Thanks for letting us know. You're not down for **{meeting.title}** on {when}."
        await reply_private(interaction, text)
        if interaction.message is not None:
            await self._refresh(interaction.message, circle_id, index)
        if outcome.room_grants:
            await self.doors.let_in(
                guild_of(interaction),
                outcome.occurrence_id,
                meeting.voice_channel_id,
                outcome.room_grants,
            )
        if outcome.promoted_user_id is not None:
            await self._tell_promoted(outcome.promoted_user_id, meeting)

    async def _refresh(self, message: discord.Message, circle_id: int, index: int) -> None:
        """Update the public headcount; one edit at a time per message, from fresh numbers."""
        lock = self._edit_locks.setdefault(message.id, asyncio.Lock())
        async with lock:
            meeting = await self.circles.meeting(
                message.guild.id if message.guild else 0, circle_id, index
            )
            if meeting is None:
                return
            try:
                await edit(message, embed=announcement_embed(meeting))
            except discord.HTTPException:
                log.warning("Could not update a circle headcount")

    async def announce_next(self) -> None:
        """Announce each running circle's next meeting once the one before it is over."""
        await self.circles.forget_feedback_voters()
        await self.resume_announcements()
        for meeting in await self.circles.next_meetings_to_announce():
            guild = self.bot.get_guild(meeting.guild_id)
            if guild is not None:
                await self.announce(guild, meeting)

    # ----- reminders -----------------------------------------------------------------------
    async def send_reminders(self) -> None:
        """Send each claimed reminder privately, exactly once; a closed DM is recorded.

        Claim, mark the attempt, send with a nonce derived from the claim, then mark sent.
        Reminders claimed but not marked sent (Hearth stopped in between) are sent first: never
        attempted ones simply go out; attempted ones go again with the same nonce, and Discord
        returns the message it already has instead of making a second one.
        """
        reminders = await self.circles.unconfirmed_reminders()
        reminders += await self.circles.claim_due_reminders()
        for reminder in reminders:
            await self.circles.begin_reminder(reminder.delivery_id)
            failure = await self._remind(reminder)
            await self.circles.record_reminder(reminder.delivery_id, failure)
        for user_id, meeting in await self.circles.claim_promotion_notices():
            await self._tell_promoted(user_id, meeting)

    async def _remind(self, reminder: Reminder) -> str | None:
        meeting = reminder.meeting
        try:
            user = self.bot.get_user(reminder.user_id) or await self.bot.fetch_user(
                reminder.user_id
            )
            await send(
                user,
                f"A gentle reminder: **{meeting.title}** starts {ts(meeting.start_utc, 'R')} "
                f"({ts(meeting.start_utc)}) in <#{meeting.voice_channel_id}>. If you can't make "
                "it, press **Can't make it** on the announcement so someone else can come.",
                allowed_mentions=NO_MENTIONS,
                nonce=reminder.nonce,
            )
        except discord.Forbidden:
            return "dm_closed"
        except discord.HTTPException:
            log.warning("Could not send a circle reminder")
            return "http_error"
        return None

    async def _tell_promoted(self, user_id: int, meeting: Meeting) -> None:
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await send(
                user,
                f"Good news: a place opened up in **{meeting.title}** on "
                f"{ts(meeting.start_utc)}, and it's yours. See you in <#{meeting.voice_channel_id}>. "
                "If you can't make it after all, press **Can't make it** on the announcement.",
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException:
            log.warning("Could not tell a member they moved off the waitlist")


async def setup(bot: HearthBot) -> None:
    """Load the circles cog, its persistent RSVP buttons and its jobs."""
    cog = CirclesCog(bot, bot.services.circles, bot.services.settings, bot.services.agreement)
    bot.add_dynamic_items(*cog.dynamic_items)
    bot.scheduler.every(REMIND_JOB, 60, cog.send_reminders)
    bot.scheduler.every(ANNOUNCE_JOB, 300, cog.announce_next)
    await bot.add_cog(cog)

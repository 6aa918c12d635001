"""The check-ins cog: sharing how you are, anonymously, and everything around it."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.domain.checkins import WEEKDAYS
from bot.errors import UserError
from bot.i18n import N_, Language, language, server_language
from bot.services.checkins import (
    CheckinDelivery,
    CheckinReminders,
    CheckinService,
    Receipt,
)
from bot.services.crisis import CrisisService
from bot.services.settings import SettingsService
from bot.ui import (
    WARM,
    carried,
    choices_fitted,
    defer,
    guild_of,
    open_modal,
    reply_private,
    require_moderator,
    send,
    update,
    zone_choices,
)
from bot.ui.alerts import PEERS_LINE, alert_embed, alert_view, is_private_channel
from bot.ui.crisis_card import CrisisCards
from cogs.checkins import _render as render
from cogs.checkins._moderation import CheckinModerators
from cogs.checkins._views import UNDO, CheckinForm, keep_button

log = logging.getLogger(__name__)

QUIET_AFTER = ("crisis", "mydata", "privacy")
CARE_INTRO = N_(
    "Thank you for sharing how you are. Your check-in is queued as usual; if things feel like "
    "too much right now, these people are there for you, any time:"
)
DAY_SUGGESTIONS = ("daily", "weekdays", "weekends", "mon, wed, fri", "sun")


@app_commands.guild_only()
class CheckinsCog(commands.GroupCog, group_name="checkin", group_description="Anonymous check-ins"):
    """Sharing how you are, anonymously, and everything around it."""

    reminder = app_commands.Group(name="reminder", description="A gentle private nudge to check in")
    settings_group = app_commands.Group(
        name="settings", description="Check-in settings (moderators)"
    )

    def __init__(
        self,
        bot: HearthBot,
        checkins: CheckinService,
        reminders: CheckinReminders,
        delivery: CheckinDelivery,
        moderators: CheckinModerators,
        settings: SettingsService,
        crisis: CrisisService,
    ) -> None:
        self.bot = bot
        self.checkins = checkins
        self.reminders = reminders
        self.delivery = delivery
        self.moderators = moderators
        self.settings = settings
        self.crisis = crisis
        self.cards = CrisisCards(crisis)
        self.report_menu = app_commands.ContextMenu(
            name="Report check-in",
            callback=moderators.report_message,
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=False, private_channel=False
            ),
        )
        super().__init__()

    async def cog_load(self) -> None:
        """Add the message context menu."""
        self.bot.tree.add_command(self.report_menu)

    async def cog_unload(self) -> None:
        """Remove the message menu; let deliveries under way finish before Discord closes."""
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)
        await self.delivery.close()

    # ----- sharing ---------------------------------------------------------------------------
    @app_commands.command(name="share", description="Tell the community how you are, anonymously")
    async def share(self, interaction: discord.Interaction) -> None:
        """Open the check-in form."""
        await self.open_form(interaction, guild_of(interaction).id)

    async def open_form(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Check the member may post, then open the form (also from a reminder's button)."""
        opening = await self.checkins.open(guild_id, interaction.user.id)
        await open_modal(
            interaction, CheckinForm(self, guild_id, opening, language(interaction.locale))
        )

    async def submitted(
        self,
        interaction: discord.Interaction,
        guild_id: int,
        mood: int,
        note: str | None,
        reach_out: bool,
    ) -> None:
        """Store the check-in, then tell the member privately that it is queued.

        Storing takes a few milliseconds, so the receipt is the first answer (one round trip).
        When it has to wait longer (other writers, a busy database), the deadline watchdog
        started for every interaction defers in time and the receipt follows.
        """
        receipt = await self.checkins.submit(guild_id, interaction.user.id, mood, note)
        _ = language(interaction.locale)
        # Undo is a DynamicItem the bot registered at start-up: it answers clicks on any
        # receipt, so this view only carries it and nothing is kept per receipt.
        view = carried(UNDO.button(guild_id, receipt.checkin_id, words=_))
        embed = render.receipt_embed(receipt, f"<#{receipt.channel_id}>", _)
        await reply_private(interaction, embed=embed, view=view)
        self.delivery.queued(receipt.due_at)
        await self.after_submit(interaction, guild_id, receipt, reach_out)

    async def after_submit(
        self, interaction: discord.Interaction, guild_id: int, receipt: Receipt, reach_out: bool
    ) -> None:
        """Care that follows a check-in: the crisis card, and a person reaching out if asked."""
        _ = language(interaction.locale)
        if receipt.show_crisis_card:
            card = await self.cards.for_member(
                interaction.user.id, guild_id, intro=_(CARE_INTRO), words=_
            )
            await reply_private(interaction, **card.kwargs())
        if reach_out:
            await reply_private(interaction, await self.ask_someone(interaction, guild_id))

    async def ask_someone(self, interaction: discord.Interaction, guild_id: int) -> str:
        """Post the crisis feature's named "check in on me" card; return what to tell the member.

        The card names the member (they chose to be reached) but says nothing of the check-in,
        and goes out now, not when the check-in is posted, so the two cannot be matched by time.
        """
        _ = language(interaction.locale)
        guild = self.bot.get_guild(guild_id)
        config = await self.settings.get(guild_id)
        channel = (
            guild.get_channel(config.alerts_channel_id)
            if guild is not None and config is not None and config.alerts_channel_id
            else None
        )
        if guild is None or config is None or not isinstance(channel, discord.TextChannel):
            return _(
                "This server has no moderator channel set up for Hearth, so nobody was told "
                "you'd like someone to reach out. Your check-in is still queued."
            )
        if not is_private_channel(channel):
            log.warning(
                "Not posting a reach-out request: the alerts channel in %s is public", guild_id
            )
            return _(
                "This server's moderator channel isn't private, so nobody was told you'd like "
                "someone to reach out. Your check-in is still queued."
            )
        public = server_language(guild.preferred_locale, chosen=config.language)
        member = guild.get_member(interaction.user.id)
        who = discord.utils.escape_markdown(
            member.display_name if member else interaction.user.display_name
        )
        origin = interaction.channel_id if interaction.guild_id == guild_id else None
        try:
            alert = await self.crisis.open_alert(
                guild_id, interaction.user.id, named=True, origin_channel_id=origin
            )
        except UserError as error:
            return error.said(_)
        role_id = config.moderator_role_id
        try:
            posted = await send(
                channel,
                content=public(N_("<@&%(role)s> someone would like a check-in."), role=role_id)
                if role_id
                else None,
                embed=alert_embed(
                    alert,
                    who,
                    description=render.reach_out_text(who, interaction.user.id, public),
                    words=public,
                ),
                view=alert_view(alert, words=public),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    users=False,
                    roles=[discord.Object(id=role_id)] if role_id else False,
                ),
            )
        except discord.HTTPException:
            await self.crisis.withdraw_alert(alert, interaction.user.id)
            log.warning("Could not post a reach-out request in guild %s", guild_id)
            return _(
                "I couldn't post in the moderator channel, so nobody was told you'd like someone "
                "to reach out. Your check-in is still queued."
            )
        await self.crisis.posted_alert(alert.id, channel.id, posted.id)
        told = _(
            "I told the moderators of **%(server)s**, in their private channel, that **%(who)s** "
            "would like someone to reach out. I didn't share your check-in or anything you wrote, "
            "and the card doesn't mention it.",
            server=discord.utils.escape_markdown(guild.name),
            who=who,
        )
        return f"{told} {_(PEERS_LINE)}"

    async def undo(self, interaction: discord.Interaction, guild_id: int, checkin_id: int) -> None:
        """Take back a queued check-in."""
        await defer(interaction, thinking=False)  # erasing waits for the database: answer first
        await self.checkins.undo(guild_id, checkin_id, interaction.user.id)
        await update(
            interaction,
            content=language(interaction.locale)(
                N_("Undone. Nothing was posted, and your check-in has been erased.")
            ),
            embed=None,
            view=None,
        )

    # ----- notices for authors nobody can name ----------------------------------------------
    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[Any, ..., Any]
    ) -> None:
        """Tell a member privately what moderators did about their check-in."""
        # Never tack a notice onto someone looking for crisis help, or onto their data rights.
        if interaction.guild_id is None or command.qualified_name.startswith(QUIET_AFTER):
            return
        if not await self.checkins.has_undelivered_notices(interaction.guild_id):
            return
        _ = language(interaction.locale)
        for notice in await self.checkins.take_notices(interaction.guild_id, interaction.user.id):
            await reply_private(interaction, f"🔒 {render.notice_text(notice, _)}")

    # ----- history ---------------------------------------------------------------------------
    @app_commands.command(name="history", description="Your own moods over time, privately")
    @app_commands.describe(days="How far back to look")
    @app_commands.choices(
        days=[
            app_commands.Choice(name="30 days", value=30),
            app_commands.Choice(name="90 days", value=90),
        ]
    )
    async def history(
        self, interaction: discord.Interaction, days: app_commands.Choice[int] | None = None
    ) -> None:
        """Show the member's history with a chart, or offer to start keeping it."""
        _ = language(interaction.locale)
        guild_id = guild_of(interaction).id
        span = days.value if days else 30
        result = await self.checkins.history(guild_id, interaction.user.id, span)
        if not result.kept:
            await reply_private(
                interaction,
                _(
                    "Hearth doesn't keep a history of your check-ins unless you ask. If you turn "
                    "it on, your mood for each day you check in (never your note, never the "
                    "time) is kept under your name for 90 days, only for you to see here. You "
                    "can stop and erase it any time, and `/mydata` includes it.\n\n"
                    "One honest caveat: while it's on, someone holding Hearth's database could "
                    "compare your days and moods with the posts of those days."
                ),
                view=carried(keep_button(guild_id, True, _)),
            )
            return
        await defer(interaction)
        chart = await asyncio.to_thread(render.history_chart, result, _)  # off the event loop
        embed = discord.Embed(
            title=_("Your check-ins"), description=render.history_words(result, _), colour=WARM
        )
        embed.set_image(url="attachment://mood-history.png")
        await reply_private(
            interaction,
            embed=embed,
            file=discord.File(io.BytesIO(chart), filename="mood-history.png"),
            view=carried(keep_button(guild_id, False, _)),
        )

    async def keep_history(
        self, interaction: discord.Interaction, guild_id: int, keep: int | bool
    ) -> None:
        """Start, or stop and erase, the member's history (the button carries 1 or 0)."""
        _ = language(interaction.locale)
        keep = bool(keep)
        erased = await self.checkins.set_keep_history(guild_id, interaction.user.id, keep)
        text = (
            _(
                "Done: from now on your mood on each day you check in is kept for you. "
                "See it with `/checkin history`."
            )
            if keep
            else _.plural(
                "Done: your history is no longer kept, and %(count)s entry was erased.",
                "Done: your history is no longer kept, and %(count)s entries were erased.",
                erased,
            )
        )
        await update(interaction, content=text, embed=None, view=None, attachments=[])

    # ----- community summary -----------------------------------------------------------------
    @app_commands.command(name="summary", description="How the community has been this week")
    async def summary(self, interaction: discord.Interaction) -> None:
        """Show the mood distribution privately, only when enough members checked in."""
        result = await self.checkins.summary(guild_of(interaction).id)
        await reply_private(
            interaction, embed=render.summary_embed(result, language(interaction.locale))
        )

    # ----- reminders -------------------------------------------------------------------------
    @reminder.command(name="set", description="A private nudge to check in, at your local time")
    @app_commands.describe(
        time="Your local time, like 08:30 or 8pm",
        timezone="Your time zone, like Europe/London",
        days="daily, weekdays, weekends, or days like mon, thu",
    )
    async def reminder_set(
        self, interaction: discord.Interaction, time: str, timezone: str, days: str = "daily"
    ) -> None:
        """Save a reminder."""
        _ = language(interaction.locale)
        guild_id = guild_of(interaction).id
        saved = await self.reminders.set(
            guild_id,
            interaction.user.id,
            timezone,
            time,
            days,
            locale=str(interaction.locale),
            local_days=render.local_days(_),
        )
        await reply_private(
            interaction,
            _(
                "Saved. I'll send you a private nudge at %(time)s (%(zone)s), %(days)s; the next "
                "one is %(next)s. Stop any time with `/checkin reminder off`.",
                time=saved.at,
                zone=saved.zone,
                days=render.days_words(saved.days, _),
                next=render.ts(saved.next_at),
            ),
        )

    @reminder_set.autocomplete("timezone")
    @choices_fitted
    async def timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest IANA time zones."""
        return zone_choices(current)

    @reminder_set.autocomplete("days")
    @choices_fitted
    async def days_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest day choices, in the member's language first."""
        mine = render.day_suggestions(language(interaction.locale))
        options = list(dict.fromkeys([*mine, *DAY_SUGGESTIONS, *WEEKDAYS]))
        typed = current.lower()
        return [app_commands.Choice(name=o, value=o) for o in options if typed in o.lower()][:25]

    @reminder.command(name="off", description="Stop check-in reminders in this server")
    async def reminder_off(self, interaction: discord.Interaction) -> None:
        """Stop reminders."""
        _ = language(interaction.locale)
        stopped = await self.reminders.clear(guild_of(interaction).id, interaction.user.id)
        await reply_private(
            interaction, _("Reminders stopped.") if stopped else _("You had no reminder here.")
        )

    async def stop_reminders(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Stop reminders from the reminder message itself."""
        await self.reminders.clear(guild_id, interaction.user.id)
        await update(
            interaction,
            content=language(interaction.locale)(
                N_("Reminders stopped. You can set them again with `/checkin reminder set`.")
            ),
            embed=None,
            view=None,
        )

    # ----- moderators ------------------------------------------------------------------------
    @settings_group.command(name="show", description="Show the check-in settings (moderators)")
    async def settings_show(self, interaction: discord.Interaction) -> None:
        """Show settings and anything that stops check-ins working."""
        guild = guild_of(interaction)
        await require_moderator(interaction, self.settings)
        config = await self.checkins.config(guild.id)
        _ = language(interaction.locale)
        await reply_private(
            interaction, embed=render.settings_embed(config, await self._warnings(guild, _), _)
        )

    async def _warnings(self, guild: discord.Guild, _: Language) -> list[str]:
        config = await self.settings.get(guild.id)
        channel = guild.get_channel(config.checkin_channel_id or 0) if config else None
        if not isinstance(channel, discord.TextChannel):
            return [_("No check-in channel: choose one with `/setup channels`.")]
        perms = channel.permissions_for(guild.me)
        warnings = []
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            warnings.append(_("Hearth can't post embeds in %(channel)s.", channel=channel.mention))
        checkins = await self.checkins.config(guild.id)
        if checkins.threads and not perms.create_public_threads:
            warnings.append(
                _(
                    "Hearth can't open reply threads in %(channel)s: give it Create Public "
                    "Threads.",
                    channel=channel.mention,
                )
            )
        return warnings

    @settings_group.command(name="set", description="Change check-in settings (moderators)")
    @app_commands.describe(
        delay_minutes="Posts wait a random time up to this (0 = post at once)",
        daily_limit="Check-ins one member may post in 24 hours",
        threads="Open a reply thread under each check-in",
        reveal="Let two moderators together find out who wrote a check-in (members are told)",
        rotation_days="How long a member keeps the same pseudonym",
        grace_days="After the rotation, days until nothing can link a check-in to its author",
        summary_min_members="Different members needed before /checkin summary shows anything",
        note_days="Days before notes are erased from Hearth",
        post_days="Days before Hearth deletes the channel posts (0 = never)",
    )
    async def settings_set(
        self,
        interaction: discord.Interaction,
        delay_minutes: app_commands.Range[int, 0, 15] | None = None,
        daily_limit: app_commands.Range[int, 1, 10] | None = None,
        threads: bool | None = None,
        reveal: bool | None = None,
        rotation_days: app_commands.Range[int, 1, 28] | None = None,
        grace_days: app_commands.Range[int, 2, 30] | None = None,
        summary_min_members: app_commands.Range[int, 3, 50] | None = None,
        note_days: app_commands.Range[int, 1, 365] | None = None,
        post_days: app_commands.Range[int, 0, 365] | None = None,
    ) -> None:
        """Save settings (audited)."""
        guild = guild_of(interaction)
        await require_moderator(interaction, self.settings)
        config = await self.checkins.update_settings(
            guild.id,
            interaction.user.id,
            max_delay_seconds=delay_minutes * 60 if delay_minutes is not None else None,
            daily_limit=daily_limit,
            threads=threads,
            reveal_enabled=reveal,
            window_days=rotation_days,
            grace_days=grace_days,
            summary_min_members=summary_min_members,
            note_retention_days=note_days,
            post_retention_days=post_days,
        )
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _(
                "Saved. Members are told in the check-in form and their receipt whether reveal is on."
            ),
            embed=render.settings_embed(config, await self._warnings(guild, _), _),
        )

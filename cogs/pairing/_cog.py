"""Opt-in peer pairing: members join, rounds match them, each group gets a private thread.

    /pair join <timezone> [how_often] [line]   opt in; topics follow as a private multi-select
    /pair topics                               pick topics again
    /pair pause [until] · /pair resume         sit rounds out until a date or until resuming
    /pair leave                                remove your profile
    /pair status                               your settings and the next round
    /pair block [member]                       never be matched again (inside a pair thread:
                                               everyone else there); they are not told
    /pair report [member]                      tell the moderators privately
    /pair settings [...]                       moderators: channel, cadence, repeats, trios, ...
    /pair round preview|now|stats              moderators: counts only

A round (scheduler job or `/pair round now`) is matched and saved in one unit of work; then each
group gets a private thread with exactly its members, a warm intro, their lines, two
conversation starters and suggested times. Each step is recorded as it happens, so a restart
picks up where the round stopped without doubling a thread or dropping a pair.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import Clock
from bot.errors import InvalidInput, NotConfigured
from bot.i18n import N_, language, server_language
from bot.services.pairing import (
    ACCEPTED,
    READY,
    SKIPPED,
    WEEKDAYS,
    PairingConfig,
    PairingService,
    RoundWork,
)
from bot.services.settings import SettingsService
from bot.ui import (
    NO_MENTIONS,
    WARM,
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
from cogs.pairing import _render as render
from cogs.pairing import _views as views
from cogs.pairing._views import ReportModal

log = logging.getLogger(__name__)

FREQUENCIES = (
    app_commands.Choice(name="Every round", value="every_round"),
    app_commands.Choice(name="Every other round", value="every_other_round"),
)
DAYS = [app_commands.Choice(name=day, value=i) for i, day in enumerate(WEEKDAYS)]


class PairingCog(commands.GroupCog, group_name="pair", group_description="One-to-one peer pairing"):
    """Joining, pausing, blocking, and moderators' settings and rounds."""

    round_ = app_commands.Group(name="round", description="Pairing rounds (moderators)")

    def __init__(
        self,
        pairing: PairingService,
        settings: SettingsService,
        rounds: RoundWork,
        clock: Clock,
    ) -> None:
        self.pairing = pairing
        self.settings = settings
        self.rounds = rounds
        self.clock = clock
        self.persistent_items = views.persistent_items(self)
        super().__init__()

    # ----- members -------------------------------------------------------------------------
    @app_commands.command(name="join", description="Opt in to one-to-one peer pairing")
    @app_commands.guild_only()
    @app_commands.describe(
        timezone="Your time zone, such as Europe/London (for times that suit you)",
        how_often="How often you'd like to be matched",
        line="A line for your partner, like 'I love walking and bad puns' (optional)",
    )
    @app_commands.choices(how_often=list(FREQUENCIES))
    async def join(
        self,
        interaction: discord.Interaction,
        timezone: str,
        how_often: app_commands.Choice[str] | None = None,
        line: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """Save the member's choices; then offer the topics privately."""
        guild_id = guild_of(interaction).id
        profile = await self.pairing.join(
            guild_id,
            interaction.user.id,
            zone=timezone,
            frequency=how_often.value if how_often else "every_round",
            line=line,
            locale=str(interaction.locale),
        )
        config = await self.pairing.settings(guild_id)
        nxt = config.next_round(self.clock.now())
        _ = language(interaction.locale)
        await reply_private(interaction, render.joined_text(profile.frequency.value, nxt, _))
        await self._offer_topics(interaction, config)

    async def _offer_topics(self, interaction: discord.Interaction, config: PairingConfig) -> None:
        _ = language(interaction.locale)
        if not config.topics:
            await reply_private(interaction, _(render.NO_TOPICS_YET))
            return
        view = views.topic_picker(config.guild_id, config.topics, _)
        await reply_private(interaction, _(render.PICK_TOPICS), view=view)

    @join.autocomplete("timezone")
    @choices_fitted
    async def timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest IANA time zones."""
        return zone_choices(current)

    @app_commands.command(name="topics", description="Choose your pairing topics again")
    @app_commands.guild_only()
    async def topics(self, interaction: discord.Interaction) -> None:
        """Show the topic multi-select privately."""
        guild_id = guild_of(interaction).id
        if await self.pairing.profile(guild_id, interaction.user.id) is None:
            raise InvalidInput(N_("You haven't joined pairing here yet. `/pair join` opts you in."))
        await self._offer_topics(interaction, await self.pairing.settings(guild_id))

    async def topics_chosen(
        self, interaction: discord.Interaction, values: list[str], guild_id: int
    ) -> None:
        """Save the picked topics and confirm privately."""
        profile = await self.pairing.set_topics(guild_id, interaction.user.id, values)
        _ = language(interaction.locale)
        chosen = ", ".join(profile.topics) if profile.topics else _("no particular topics")
        await reply_private(
            interaction,
            _("Saved: %(topics)s. You can change them with `/pair topics`.", topics=chosen),
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="pause", description="Sit out pairing rounds for a while")
    @app_commands.guild_only()
    @app_commands.describe(
        until="The date to come back, like 2026-03-17 (leave out: until you resume)"
    )
    async def pause(self, interaction: discord.Interaction, until: str | None = None) -> None:
        """Pause until a date or until the member resumes."""
        profile = await self.pairing.pause(guild_of(interaction).id, interaction.user.id, until)
        await reply_private(
            interaction, render.paused_text(profile.paused_until, language(interaction.locale))
        )

    @app_commands.command(name="resume", description="Come back to pairing rounds")
    @app_commands.guild_only()
    async def resume(self, interaction: discord.Interaction) -> None:
        """End the member's pause."""
        await self.pairing.resume(guild_of(interaction).id, interaction.user.id)
        await reply_private(
            interaction,
            language(interaction.locale)("Welcome back. You'll be in the next round. 💛"),
        )

    @app_commands.command(name="leave", description="Stop pairing and remove your profile")
    @app_commands.guild_only()
    async def leave(self, interaction: discord.Interaction) -> None:
        """Remove the member's profile."""
        left = await self.pairing.leave(guild_of(interaction).id, interaction.user.id)
        _ = language(interaction.locale)
        if not left:
            await reply_private(
                interaction, _("You weren't in pairing here, so there was nothing to remove.")
            )
            return
        await reply_private(interaction, _(render.LEFT))

    @app_commands.command(name="status", description="See your pairing settings and the next round")
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the member's settings and the next round privately."""
        status = await self.pairing.status(guild_of(interaction).id, interaction.user.id)
        _ = language(interaction.locale)
        next_line, lines = render.status_lines(status, self.clock.now(), _)
        if lines is None:
            await reply_private(
                interaction,
                _("You haven't joined pairing here. `/pair join` opts you in.") + "\n" + next_line,
            )
            return
        await reply_private(
            interaction,
            embed=discord.Embed(title=_("Your pairing"), description="\n".join(lines), colour=WARM),
            allowed_mentions=NO_MENTIONS,
        )

    @app_commands.command(name="block", description="Never be matched with someone again")
    @app_commands.guild_only()
    @app_commands.describe(member="Who (leave out inside a pair thread: the others there)")
    async def block(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        """Block a member, or everyone else in this pair thread; nobody is told."""
        guild_id = guild_of(interaction).id
        _ = language(interaction.locale)
        if member is not None:
            await self.pairing.block(guild_id, interaction.user.id, member.id)
            done = _("Done. You'll never be matched with them again, and nobody is told.")
        elif isinstance(interaction.channel, discord.Thread):
            await self.pairing.block_thread(guild_id, interaction.user.id, interaction.channel.id)
            done = _(
                "Done. You'll never be matched with the others in this thread again, and "
                "nobody is told."
            )
        else:
            raise InvalidInput(
                N_("Pick the member with `member:`, or use `/pair block` inside your pair thread.")
            )
        await reply_private(
            interaction,
            done
            + " "
            + _(
                "If you'd rather not stay in a thread, you can leave it from its menu. If "
                "something worried you, `/pair report` tells the moderators privately. 💛"
            ),
        )

    @app_commands.command(
        name="report", description="Tell the moderators privately about a pairing"
    )
    @app_commands.guild_only()
    @app_commands.describe(member="Who it is about (leave out inside a pair thread)")
    async def report(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        """Open the private report form."""
        guild_id = guild_of(interaction).id
        thread_id = None
        if member is not None:
            about: tuple[int, ...] = (member.id,)
        elif isinstance(interaction.channel, discord.Thread):
            found = await self.pairing.thread_members(guild_id, interaction.channel.id)
            if found is None or interaction.user.id not in found:
                raise InvalidInput(
                    N_("This isn't one of your pair threads. Use `member:` to say who it's about.")
                )
            about = tuple(u for u in found if u != interaction.user.id)
            thread_id = interaction.channel.id
        else:
            raise InvalidInput(
                N_("Pick the member with `member:`, or use `/pair report` inside your pair thread.")
            )
        form = ReportModal(self.send_report, about, thread_id, language(interaction.locale))
        await open_modal(interaction, form)

    async def report_clicked(self, interaction: discord.Interaction, thread_id: int) -> None:
        """Open the report form from the button in a pair thread."""
        guild_id = guild_of(interaction).id
        found = await self.pairing.thread_members(guild_id, thread_id)
        if found is None or interaction.user.id not in found:
            raise InvalidInput(N_("This button is for the people in this pair thread."))
        about = tuple(u for u in found if u != interaction.user.id)
        form = ReportModal(self.send_report, about, thread_id, language(interaction.locale))
        await open_modal(interaction, form)

    async def send_report(
        self,
        interaction: discord.Interaction,
        about: tuple[int, ...],
        thread_id: int | None,
        text: str,
    ) -> None:
        """Post a report card in moderator alerts; tell the member plainly if that fails."""
        guild = guild_of(interaction)
        config = await self.settings.get_or_default(guild.id)
        _ = language(interaction.locale)
        channel = guild.get_channel(config.alerts_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            raise NotConfigured(render.not_reached(render.NO_ALERTS_CHANNEL, text, _))
        public = server_language(guild.preferred_locale, chosen=config.language)
        embed = render.report_embed(interaction.user.id, about, thread_id, text, public)
        try:
            await send(channel, embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("Could not post a pairing report in guild %s", guild.id)
            raise NotConfigured(render.not_reached(render.ALERTS_REFUSED, text, _)) from None
        await reply_private(interaction, _(render.REPORTED))

    # ----- moderators ----------------------------------------------------------------------
    @app_commands.command(name="settings", description="Pairing settings (moderators)")
    @app_commands.guild_only()
    @app_commands.rename(at="time")
    @app_commands.describe(
        channel="The channel that holds the private pair threads",
        weekday="The day rounds run",
        at="Local time rounds run, 24-hour, like 18:00",
        timezone="The time zone of that day and time, such as Europe/London",
        repeat_rounds="Rounds before the same people may meet again",
        trios="Let an odd one out join a pair as a trio",
        double_opt_in="Ask everyone first and open the thread only when all say yes",
        topics="The topic list, separated by commas",
        followup_days="Days after the introduction to ask 'Did you connect?'",
    )
    @app_commands.choices(weekday=DAYS)
    async def settings_command(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        weekday: app_commands.Choice[int] | None = None,
        at: str | None = None,
        timezone: str | None = None,
        repeat_rounds: app_commands.Range[int, 0, 52] | None = None,
        trios: bool | None = None,
        double_opt_in: bool | None = None,
        topics: app_commands.Range[str, 0, 1500] | None = None,
        followup_days: app_commands.Range[int, 1, 30] | None = None,
    ) -> None:
        """Show or change the server's pairing settings."""
        await require_moderator(interaction, self.settings)
        guild_id = guild_of(interaction).id
        current = await self.pairing.settings(guild_id)
        schedule_given = weekday is not None or at is not None or timezone is not None
        if schedule_given and not current.scheduled and None in (weekday, at, timezone):
            raise InvalidInput(
                N_("To schedule rounds, give the day, the time and the time zone together.")
            )
        options = (channel, weekday, at, timezone, repeat_rounds, trios, double_opt_in, topics)
        if all(o is None for o in options) and followup_days is None:
            await reply_private(
                interaction,
                embed=render.config_embed(
                    current, self.clock.now(), N_("Pairing settings"), language(interaction.locale)
                ),
            )
            return
        config = await self.pairing.update_settings(
            guild_id,
            interaction.user.id,
            channel_id=channel.id if channel else None,
            weekday=weekday.value if weekday else None,
            local_time=at,
            zone=timezone,
            rounds_before_repeat=repeat_rounds,
            allow_trios=trios,
            double_opt_in=double_opt_in,
            topics=topics,
            followup_days=followup_days,
        )
        await reply_private(
            interaction,
            embed=render.config_embed(
                config,
                self.clock.now(),
                N_("Pairing settings saved"),
                language(interaction.locale),
            ),
        )

    @settings_command.autocomplete("timezone")
    @choices_fitted
    async def settings_timezone_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Suggest IANA time zones."""
        return zone_choices(current)

    @round_.command(name="preview", description="How a round would go now: counts only")
    @app_commands.guild_only()
    async def round_preview(self, interaction: discord.Interaction) -> None:
        """Show the moderator how many would be matched and left out, privately."""
        await require_moderator(interaction, self.settings)
        preview = await self.pairing.preview(guild_of(interaction).id)
        await reply_private(interaction, render.preview_text(preview, language(interaction.locale)))

    @round_.command(name="now", description="Run a pairing round now (moderators)")
    @app_commands.guild_only()
    async def round_now(self, interaction: discord.Interaction) -> None:
        """Match and introduce a round immediately."""
        await require_moderator(interaction, self.settings)
        guild = guild_of(interaction)
        await defer(interaction)
        round_id = await self.pairing.start_round(guild.id)
        _ = language(interaction.locale)
        if round_id is None:
            await reply_private(interaction, _("A round has just run; try again in a moment."))
            return
        plan = await self.pairing.round_plan(round_id)
        asked = (
            _("Everyone is asked privately first (double opt-in).")
            if plan.double_opt_in
            else _("The private threads are being opened now.")
        )
        under_way = _(
            "Round %(number)s is under way: %(groups)s groups from %(eligible)s members; "
            "%(left_out)s told privately they go first next time.",
            number=_.number(plan.number),
            groups=_.number(len(plan.groups)),
            eligible=_.number(plan.eligible),
            left_out=_.number(plan.left_out),
        )
        await reply_private(interaction, f"{under_way} {asked}")
        # Introductions may take a while in a big server; a restart resumes them from the job.
        await self.rounds.process(round_id)

    @round_.command(name="stats", description="How pairing is going: counts only (moderators)")
    @app_commands.guild_only()
    async def round_stats(self, interaction: discord.Interaction) -> None:
        """Show the aggregate, never names."""
        await require_moderator(interaction, self.settings)
        stats = await self.pairing.stats(guild_of(interaction).id)
        await reply_private(
            interaction, embed=render.stats_embed(stats, language(interaction.locale))
        )

    # ----- invitations and follow-ups -------------------------------------------------------
    async def accepted(self, interaction: discord.Interaction, row_id: int) -> None:
        """Record a yes; open the thread if everyone said yes."""
        outcome = await self.pairing.respond(row_id, interaction.user.id, ACCEPTED)
        _ = language(interaction.locale)
        if not outcome.changed:
            await reply_private(interaction, _(render.NO_LONGER_WAITING))
            return
        if outcome.status == READY:
            text = _("Wonderful — everyone said yes. I'm opening your private thread now. 💛")
        else:
            text = _("Thank you! I'll open your private thread as soon as everyone has answered.")
        await update(interaction, content=text, view=None)
        await self.rounds.process(outcome.round_id)

    async def skipped(self, interaction: discord.Interaction, row_id: int) -> None:
        """Record a skip; the others are told kindly, without a name or a reason."""
        outcome = await self.pairing.respond(row_id, interaction.user.id, SKIPPED)
        _ = language(interaction.locale)
        if not outcome.changed:
            await reply_private(interaction, _(render.NO_LONGER_WAITING))
            return
        await update(interaction, content=_(render.SKIPPED_THIS_ONE), view=None)
        await self.rounds.process(outcome.round_id)

    def followup_answer(self, answer: str) -> Callable[[discord.Interaction, int], Awaitable[None]]:
        """Return the handler of one "Did you connect?" button."""

        async def handle(interaction: discord.Interaction, row_id: int) -> None:
            await self.pairing.answer_followup(row_id, interaction.user.id, answer)
            words = language(interaction.locale)
            await update(interaction, content=words(render.FOLLOWUP_REPLIES[answer]), view=None)

        return handle

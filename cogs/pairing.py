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

import asyncio
import logging
from datetime import datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.domain.checkins import neutralise
from bot.errors import InvalidInput, NotConfigured
from bot.services.pairing import (
    ACCEPTED,
    FELL_THROUGH,
    READY,
    SKIPPED,
    UNREACHABLE,
    WEEKDAYS,
    Group,
    Invitation,
    Notice,
    PairingConfig,
    PairingService,
    RoundPlan,
)
from bot.services.settings import SettingsService
from bot.ui import (
    NO_MENTIONS,
    WARM,
    HearthModal,
    choices_fitted,
    find_own_message,
    fit_thread_name,
    guarded,
    guild_of,
    open_modal,
    persistent_button,
    reply_private,
    require_moderator,
    send,
    ts,
    update,
    zone_choices,
)

log = logging.getLogger(__name__)

ROUNDS_JOB = "pairing.rounds"
FOLLOWUP_JOB = "pairing.followups"
WEEK = 10080  # minutes: threads archive after a quiet week

FREQUENCIES = (
    app_commands.Choice(name="Every round", value="every_round"),
    app_commands.Choice(name="Every other round", value="every_other_round"),
)
DAYS = [app_commands.Choice(name=day, value=i) for i, day in enumerate(WEEKDAYS)]
FREQUENCY_WORDS = {"every_round": "every round", "every_other_round": "every other round"}


def mentions(user_ids: tuple[int, ...]) -> str:
    """Return "<@a> and <@b>" (or "<@a>, <@b> and <@c>")."""
    names = [f"<@{u}>" for u in user_ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def intro_text(group: Group) -> str:
    """Render a group's warm introduction (the thread's first message)."""
    people = mentions(group.user_ids)
    size = "three" if len(group.user_ids) == 3 else "two"
    lines = [
        f"Hello {people} 👋",
        "",
        f"You've been matched for a one-to-one chat this round. This thread is private: only "
        f"you {size} can see it (and server staff who look after threads). There's no pressure "
        "and no script — say hello when you're ready.",
    ]
    own = [
        f"<@{m.user_id}>: “{neutralise(m.line)}”"
        for m in group.members
        if m.user_id is not None and m.line
    ]
    if own:
        lines += ["", "**In your own words**", *own]
    if group.shared_topics:
        both = "all" if len(group.user_ids) == 3 else "both"
        lines += ["", f"**You {both} chose:** " + ", ".join(group.shared_topics)]
    lines += ["", "**If you'd like a way in**", *(f"• {s}" for s in group.starters)]
    if group.meeting_times:
        lines += [
            "",
            "**Times that fall in everyone's day** (shown in your own time zone)",
            *(f"• {ts(moment)}" for moment in group.meeting_times),
        ]
    lines += [
        "",
        "If something doesn't feel right, `/pair block` here means you'll never be matched "
        "again (nobody is told), and `/pair report` or the button below reaches the moderators "
        "privately. `/crisis` has helplines any time.",
    ]
    return "\n".join(lines)


def config_embed(config: PairingConfig, now: datetime, title: str) -> discord.Embed:
    """Render the server's pairing settings for moderators."""
    nxt = config.next_round(now)
    lines = [
        f"**Channel:** {f'<#{config.channel_id}>' if config.channel_id else 'not chosen yet'}",
        f"**Rounds:** {config.cadence()}",
        f"**Next round:** {ts(nxt) if nxt else '—'}",
        f"**Rounds before a repeat:** {config.rounds_before_repeat}",
        f"**Trios for odd numbers:** {'yes' if config.allow_trios else 'no'}",
        f"**Ask before introducing (double opt-in):** {'yes' if config.double_opt_in else 'no'}",
        f"**Follow-up after:** {config.followup_days} days",
        f"**Topics:** {', '.join(config.topics) if config.topics else 'none yet'}",
    ]
    return discord.Embed(title=title, description="\n".join(lines), colour=WARM)


class ReportModal(HearthModal, title="Tell the moderators"):
    """A private note to the moderators about a pairing."""

    def __init__(self, cog: PairingCog, about: tuple[int, ...], thread_id: int | None) -> None:
        super().__init__()
        self.cog, self.about, self.thread_id = cog, about, thread_id
        self.what: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="what",
            style=discord.TextStyle.paragraph,
            max_length=1000,
            placeholder="Only the moderators will see this.",
        )
        self.add_item(discord.ui.Label(text="What happened?", component=self.what))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Post the card in moderator alerts and thank the member."""
        await self.cog.send_report(interaction, self.about, self.thread_id, self.what.value)


class PairingCog(commands.GroupCog, group_name="pair", group_description="One-to-one peer pairing"):
    """Joining, pausing, blocking, and moderators' settings and rounds."""

    round_ = app_commands.Group(name="round", description="Pairing rounds (moderators)")

    def __init__(self, bot: HearthBot, pairing: PairingService, settings: SettingsService) -> None:
        self.bot = bot
        self.pairing = pairing
        self.settings = settings
        self._round_locks: dict[int, asyncio.Lock] = {}
        self._followups_lock = asyncio.Lock()
        self._warned: set[int] = set()
        self.accept_button = persistent_button(
            "hearth:pair:accept",
            label="Yes, let's meet",
            style=discord.ButtonStyle.success,
            on_click=self.accepted,
            fields=("member",),
        )
        self.skip_button = persistent_button(
            "hearth:pair:skip",
            label="Skip this round",
            style=discord.ButtonStyle.secondary,
            on_click=self.skipped,
            fields=("member",),
        )
        self.report_button = persistent_button(
            "hearth:pair:report",
            label="Tell a moderator",
            style=discord.ButtonStyle.secondary,
            on_click=self.report_clicked,
            fields=("thread",),
        )
        self.followup_buttons = tuple(
            persistent_button(
                f"hearth:pair:connected:{code}",
                label=label,
                style=style,
                on_click=self._followup_handler(answer),
                fields=("member",),
            )
            for code, answer, label, style in (
                ("yes", "yes", "Yes", discord.ButtonStyle.success),
                ("notyet", "not_yet", "Not yet", discord.ButtonStyle.secondary),
                ("no", "no", "No", discord.ButtonStyle.secondary),
            )
        )
        self.topic_select = topic_select(self)
        super().__init__()

    @property
    def persistent_items(self) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
        """Return every persistent component class this cog registers."""
        return (
            self.accept_button,
            self.skip_button,
            self.report_button,
            *self.followup_buttons,
            self.topic_select,
        )

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
        )
        config = await self.pairing.settings(guild_id)
        nxt = config.next_round(self.pairing_now())
        when = f" The next round is {ts(nxt)} ({ts(nxt, 'R')})." if nxt else ""
        await reply_private(
            interaction,
            f"You're in. 💛 I'll match you {FREQUENCY_WORDS[profile.frequency.value]} and "
            f"introduce you in a private thread.{when} `/pair pause` or `/pair leave` any time.",
        )
        await self._offer_topics(interaction, config)

    async def _offer_topics(self, interaction: discord.Interaction, config: PairingConfig) -> None:
        if not config.topics:
            await reply_private(
                interaction,
                "The moderators haven't listed any topics yet, so you'll be matched on time "
                "zones for now. `/pair topics` will let you choose once they have.",
            )
            return
        view = discord.ui.View(timeout=None)
        view.add_item(self.topic_select(config.guild_id, config.topics))
        await reply_private(
            interaction,
            "Which topics would you like to talk about? Pick any (or none); people who share a "
            "topic are matched more often.",
            view=view,
        )

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
            raise InvalidInput("You haven't joined pairing here yet. `/pair join` opts you in.")
        await self._offer_topics(interaction, await self.pairing.settings(guild_id))

    async def topics_chosen(
        self, interaction: discord.Interaction, guild_id: int, values: list[str]
    ) -> None:
        """Save the picked topics and confirm privately."""
        profile = await self.pairing.set_topics(guild_id, interaction.user.id, values)
        chosen = ", ".join(profile.topics) if profile.topics else "no particular topics"
        await reply_private(
            interaction, f"Saved: {chosen}. You can change them with `/pair topics`."
        )

    @app_commands.command(name="pause", description="Sit out pairing rounds for a while")
    @app_commands.guild_only()
    @app_commands.describe(
        until="The date to come back, like 2026-03-17 (leave out: until you resume)"
    )
    async def pause(self, interaction: discord.Interaction, until: str | None = None) -> None:
        """Pause until a date or until the member resumes."""
        profile = await self.pairing.pause(guild_of(interaction).id, interaction.user.id, until)
        if profile.paused_until is not None:
            text = (
                f"Paused. You won't be matched before {ts(profile.paused_until, 'D')}; after "
                "that you're back in automatically. Take care of yourself. 💛"
            )
        else:
            text = "Paused until you say otherwise: `/pair resume` brings you back. Take care. 💛"
        await reply_private(interaction, text)

    @app_commands.command(name="resume", description="Come back to pairing rounds")
    @app_commands.guild_only()
    async def resume(self, interaction: discord.Interaction) -> None:
        """End the member's pause."""
        await self.pairing.resume(guild_of(interaction).id, interaction.user.id)
        await reply_private(interaction, "Welcome back. You'll be in the next round. 💛")

    @app_commands.command(name="leave", description="Stop pairing and remove your profile")
    @app_commands.guild_only()
    async def leave(self, interaction: discord.Interaction) -> None:
        """Remove the member's profile."""
        left = await self.pairing.leave(guild_of(interaction).id, interaction.user.id)
        if not left:
            await reply_private(
                interaction, "You weren't in pairing here, so there was nothing to remove."
            )
            return
        await reply_private(
            interaction,
            "Done: your pairing profile is gone and you won't be matched again. Blocks and "
            "past matches are kept only as codes that can't be traced back to you, so they "
            "still hold if you ever rejoin. Thank you for taking part. 💛",
        )

    @app_commands.command(name="status", description="See your pairing settings and the next round")
    @app_commands.guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the member's settings and the next round privately."""
        status = await self.pairing.status(guild_of(interaction).id, interaction.user.id)
        profile = status.profile
        nxt = status.next_round
        next_line = (
            f"**Next round:** {ts(nxt)} ({ts(nxt, 'R')})"
            if nxt
            else "**Next round:** when a moderator starts one"
        )
        if profile is None:
            await reply_private(
                interaction,
                f"You haven't joined pairing here. `/pair join` opts you in.\n{next_line}",
            )
            return
        now = self.pairing_now()
        if profile.paused_indefinitely:
            paused = "paused until you resume"
        elif profile.paused_until is not None and profile.paused_until > now:
            paused = f"paused until {ts(profile.paused_until, 'D')}"
        else:
            paused = "taking part"
        lines = [
            f"**You're** {paused}.",
            f"**Time zone:** {profile.zone}",
            f"**How often:** {FREQUENCY_WORDS[profile.frequency.value]}",
            f"**Topics:** {', '.join(profile.topics) if profile.topics else 'none chosen'}",
            f"**Your line:** {neutralise(profile.line) if profile.line else '—'}",
            next_line,
            f"**Rounds you've been introduced in:** {status.rounds_taken_part}",
        ]
        if profile.priority:
            lines.append("You'll be first in line next round.")
        await reply_private(
            interaction,
            embed=discord.Embed(title="Your pairing", description="\n".join(lines), colour=WARM),
        )

    @app_commands.command(name="block", description="Never be matched with someone again")
    @app_commands.guild_only()
    @app_commands.describe(member="Who (leave out inside a pair thread: the others there)")
    async def block(
        self, interaction: discord.Interaction, member: discord.Member | None = None
    ) -> None:
        """Block a member, or everyone else in this pair thread; nobody is told."""
        guild_id = guild_of(interaction).id
        if member is not None:
            await self.pairing.block(guild_id, interaction.user.id, member.id)
            who = "them"
        elif isinstance(interaction.channel, discord.Thread):
            await self.pairing.block_thread(guild_id, interaction.user.id, interaction.channel.id)
            who = "the others in this thread"
        else:
            raise InvalidInput(
                "Pick the member with `member:`, or use `/pair block` inside your pair thread."
            )
        await reply_private(
            interaction,
            f"Done. You'll never be matched with {who} again, and nobody is told. If you'd "
            "rather not stay in a thread, you can leave it from its menu. If something worried "
            "you, `/pair report` tells the moderators privately. 💛",
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
                    "This isn't one of your pair threads. Use `member:` to say who it's about."
                )
            about = tuple(u for u in found if u != interaction.user.id)
            thread_id = interaction.channel.id
        else:
            raise InvalidInput(
                "Pick the member with `member:`, or use `/pair report` inside your pair thread."
            )
        await open_modal(interaction, ReportModal(self, about, thread_id))

    async def report_clicked(self, interaction: discord.Interaction, thread_id: int) -> None:
        """Open the report form from the button in a pair thread."""
        guild_id = guild_of(interaction).id
        found = await self.pairing.thread_members(guild_id, thread_id)
        if found is None or interaction.user.id not in found:
            raise InvalidInput("This button is for the people in this pair thread.")
        about = tuple(u for u in found if u != interaction.user.id)
        await open_modal(interaction, ReportModal(self, about, thread_id))

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
        channel = guild.get_channel(config.alerts_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            raise NotConfigured(
                "I couldn't reach the moderators: no moderator-alerts channel is set up. Please "
                "message a moderator directly. Here's what you wrote, so it isn't lost:\n>>> "
                + text[:1500]
            )
        embed = discord.Embed(title="Pairing concern", description=text, colour=WARM)
        embed.add_field(name="From", value=f"<@{interaction.user.id}>")
        embed.add_field(name="About", value=mentions(about) if about else "—")
        if thread_id:
            embed.add_field(name="Thread", value=f"<#{thread_id}>")
        embed.set_footer(text="The member chose to tell you. The other person has not been told.")
        try:
            await send(channel, embed=embed, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.warning("Could not post a pairing report in guild %s", guild.id)
            raise NotConfigured(
                "I couldn't post in the moderator-alerts channel. Please message a moderator "
                "directly. Here's what you wrote, so it isn't lost:\n>>> " + text[:1500]
            ) from None
        await reply_private(
            interaction,
            "Thank you for telling us. The moderators have your note, and the other person has "
            "not been told. `/pair block` makes sure you're never matched again. 💛",
        )

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
                "To schedule rounds, give the day, the time and the time zone together."
            )
        options = (channel, weekday, at, timezone, repeat_rounds, trios, double_opt_in, topics)
        if all(o is None for o in options) and followup_days is None:
            await reply_private(
                interaction, embed=config_embed(current, self.pairing_now(), "Pairing settings")
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
            interaction, embed=config_embed(config, self.pairing_now(), "Pairing settings saved")
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
        await reply_private(
            interaction,
            f"If a round ran now: {preview.opted_in} opted in, {preview.eligible} taking part "
            f"({preview.paused} paused, {preview.resting} resting this round). That makes "
            f"{preview.pairs} pairs and {preview.trios} trios; {preview.left_out} would be "
            "left out, told privately, and go first next round.",
        )

    @round_.command(name="now", description="Run a pairing round now (moderators)")
    @app_commands.guild_only()
    async def round_now(self, interaction: discord.Interaction) -> None:
        """Match and introduce a round immediately."""
        await require_moderator(interaction, self.settings)
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        round_id = await self.pairing.start_round(guild.id)
        if round_id is None:
            await reply_private(interaction, "A round has just run; try again in a moment.")
            return
        plan = await self.pairing.round_plan(round_id)
        asked = (
            " Everyone is asked privately first (double opt-in)."
            if plan.double_opt_in
            else " The private threads are being opened now."
        )
        await reply_private(
            interaction,
            f"Round {plan.number} is under way: {len(plan.groups)} groups from {plan.eligible} "
            f"members; {plan.left_out} told privately they go first next time.{asked}",
        )
        # Introductions may take a while in a big server; a restart resumes them from the job.
        await self.process_round(round_id)

    @round_.command(name="stats", description="How pairing is going: counts only (moderators)")
    @app_commands.guild_only()
    async def round_stats(self, interaction: discord.Interaction) -> None:
        """Show the aggregate, never names."""
        await require_moderator(interaction, self.settings)
        stats = await self.pairing.stats(guild_of(interaction).id)
        answered = sum(stats.answers.values())
        lines = [
            f"**Members opted in:** {stats.members} ({stats.paused} paused)",
            f"**Rounds:** {stats.rounds}",
            f"**Groups introduced:** {stats.groups_introduced}",
            f"**Matches that fell through:** {stats.groups_fell_through}",
            f"**Left out (told, first next time):** {stats.left_out}",
            f'**"Did you connect?":** asked {stats.asked}, answered {answered} — '
            f"yes {stats.answers['yes']}, not yet {stats.answers['not_yet']}, "
            f"no {stats.answers['no']}",
        ]
        await reply_private(
            interaction,
            embed=discord.Embed(title="Pairing so far", description="\n".join(lines), colour=WARM),
        )

    # ----- rounds --------------------------------------------------------------------------
    def pairing_now(self) -> datetime:
        """Return the injected clock's time."""
        return self.bot.services.clock.now()

    async def run_rounds(self) -> None:
        """Start each server's due round, then carry every unfinished round forward."""
        for guild_id, slot in await self.pairing.due_rounds():
            try:
                await self.pairing.start_round(guild_id, slot)
            except NotConfigured:
                continue
        for round_id in await self.pairing.unfinished_rounds():
            await self.process_round(round_id)

    async def process_round(self, round_id: int) -> None:
        """Ask, introduce and tell, each step once; safe to run again after any interruption."""
        lock = self._round_locks.setdefault(round_id, asyncio.Lock())
        async with lock:
            plan = await self.pairing.round_plan(round_id)
            guild = self.bot.get_guild(plan.guild_id)
            if guild is None:
                return
            if plan.double_opt_in:
                called_off: set[int] = set()
                for invitation in await self.pairing.claim_invitations(round_id):
                    if invitation.group_id in called_off:
                        continue
                    group = next((g for g in plan.groups if g.id == invitation.group_id), None)
                    if not await self._invite(invitation, group):
                        called_off.add(invitation.group_id)
                plan = await self.pairing.round_plan(round_id)
            channel = guild.get_channel(plan.channel_id or 0)
            ready = [g for g in plan.groups if g.status == READY]
            if ready and not isinstance(channel, discord.TextChannel):
                if round_id not in self._warned:
                    self._warned.add(round_id)
                    log.warning(
                        "Pairing round %s in guild %s waits: the pairing channel is missing",
                        plan.number,
                        guild.id,
                    )
                return
            for group in ready:
                try:
                    if group.thread_id is None and await self._drop_departed(guild, group):
                        continue
                    await self.introduce(channel, plan, group)
                except discord.HTTPException as error:
                    log.warning(
                        "Pairing round %s in guild %s stopped at group %s (HTTP %s); it will "
                        "resume",
                        plan.number,
                        guild.id,
                        group.position,
                        error.status,
                    )
                    return
            for notice in await self.pairing.claim_notices(round_id):
                await self.pairing.record_notice(notice.id, await self._tell(notice))
            await self.pairing.finish_round(round_id)

    async def introduce(self, channel: discord.TextChannel, plan: RoundPlan, group: Group) -> None:
        """Make the group's private thread (once), add exactly its members, and introduce them."""
        guild = channel.guild
        thread: discord.Thread | None = None
        resumed = group.thread_id is not None or group.thread_requested
        if group.thread_id is not None:
            thread = guild.get_thread(group.thread_id)
            if thread is None:
                try:
                    fetched = await guild.fetch_channel(group.thread_id)
                except discord.NotFound:  # deleted by someone: make it again
                    fetched = None
                thread = fetched if isinstance(fetched, discord.Thread) else None
        elif group.thread_requested:
            thread = await self._find_thread(guild, channel, group.name)
            if thread is not None:
                await self.pairing.record_thread(group.id, thread.id)
        if thread is None:
            await self.pairing.request_thread(group.id)
            # With Manage Threads, members can't invite anyone else into their pair's thread.
            manages = channel.permissions_for(guild.me).manage_threads
            thread = await channel.create_thread(
                name=fit_thread_name(group.name),
                type=discord.ChannelType.private_thread,
                invitable=not manages,
                auto_archive_duration=WEEK,
            )
            await self.pairing.record_thread(group.id, thread.id)
        for user_id in group.user_ids:
            await thread.add_user(discord.Object(id=user_id))
        if not (resumed and await self._has_intro(thread)):
            view = discord.ui.View(timeout=None)
            view.add_item(self.report_button(thread.id))
            await send(
                thread,
                intro_text(group),
                view=view,
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    roles=False,
                    users=[discord.Object(id=u) for u in group.user_ids],
                ),
            )
        await self.pairing.mark_introduced(group.id)

    async def _drop_departed(self, guild: discord.Guild, group: Group) -> bool:
        """Take members who left the server out of pairing; return whether any had."""
        gone = []
        for user_id in group.user_ids:
            try:
                await guild.fetch_member(user_id)
            except discord.NotFound:
                gone.append(user_id)
        for user_id in gone:
            # Their profile goes as with /pair leave; the others are told kindly, first next time.
            await self.pairing.leave(guild.id, user_id)
        return bool(gone)

    async def _find_thread(
        self, guild: discord.Guild, channel: discord.TextChannel, name: str
    ) -> discord.Thread | None:
        """Find a thread a crash left unrecorded, by its deterministic name."""
        for thread in channel.threads:
            if thread.name == name:
                return thread
        for thread in await guild.active_threads():
            if thread.parent_id == channel.id and thread.name == name:
                return thread
        return None

    async def _has_intro(self, thread: discord.Thread) -> bool:
        me = self.bot.user
        async for message in thread.history(limit=20, oldest_first=True):
            if me is not None and message.author.id == me.id:
                return True
        return False

    async def _dm(
        self, user_id: int, content: str, view: discord.ui.View | None = None
    ) -> str | None:
        """Send a private message; return a failure code instead of raising."""
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            if view is None:
                await send(user, content, allowed_mentions=NO_MENTIONS)
            else:
                await send(user, content, view=view, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden:
            return "dm_closed"
        except discord.HTTPException:
            log.warning("Could not send a pairing message")
            return "http_error"
        return None

    async def _invite(self, invitation: Invitation, group: Group | None) -> bool:
        """Ask one member privately (no names: their lines and shared topics only).

        If they can't be reached, the match is called off and False returned.
        """
        guild = self.bot.get_guild(invitation.guild_id)
        where = f" in **{guild.name}**" if guild else ""
        others = "two people" if invitation.trio else "someone"
        about = []
        if group is not None:
            lines = [
                f"“{neutralise(m.line)}”"
                for m in group.members
                if m.row_id != invitation.row_id and m.user_id is not None and m.line
            ]
            if lines:
                about.append("In their own words: " + " · ".join(lines))
            if group.shared_topics:
                about.append("You both chose: " + ", ".join(group.shared_topics))
        details = "\n\n" + "\n".join(about) if about else ""
        view = discord.ui.View(timeout=None)
        accept = self.accept_button(invitation.row_id)
        view.add_item(accept)
        view.add_item(self.skip_button(invitation.row_id))
        if invitation.resumed and await self._find_dm(invitation.user_id, accept.custom_id):
            await self.pairing.confirm_invitation(invitation.row_id)
            return True  # it went out before Hearth stopped
        failure = await self._dm(
            invitation.user_id,
            f"You've been matched with {others}{where} for a one-to-one chat this round — "
            f"meet them?{details}\n\nIf everyone says yes, I'll open a private thread for you. "
            "If now isn't a good time, skipping is completely fine: nobody is told why.",
            view,
        )
        await self.pairing.confirm_invitation(invitation.row_id)
        if failure is not None:
            await self.pairing.respond(invitation.row_id, invitation.user_id, UNREACHABLE)
            return False
        return True

    async def _find_dm(self, user_id: int, custom_id: str) -> bool:
        """Say whether Hearth already sent this member a message with that button."""
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            channel = user.dm_channel or await user.create_dm()
            return await find_own_message(self.bot, channel, custom_id) is not None
        except discord.HTTPException:
            return False  # can't tell: sending again beats never sending

    async def accepted(self, interaction: discord.Interaction, row_id: int) -> None:
        """Record a yes; open the thread if everyone said yes."""
        outcome = await self.pairing.respond(row_id, interaction.user.id, ACCEPTED)
        if not outcome.changed:
            await reply_private(interaction, "This match is no longer waiting for an answer. 💛")
            return
        if outcome.status == READY:
            text = "Wonderful — everyone said yes. I'm opening your private thread now. 💛"
        else:
            text = "Thank you! I'll open your private thread as soon as everyone has answered."
        await update(interaction, content=text, view=None)
        await self.process_round(outcome.round_id)

    async def skipped(self, interaction: discord.Interaction, row_id: int) -> None:
        """Record a skip; the others are told kindly, without a name or a reason."""
        outcome = await self.pairing.respond(row_id, interaction.user.id, SKIPPED)
        if not outcome.changed:
            await reply_private(interaction, "This match is no longer waiting for an answer. 💛")
            return
        await update(
            interaction,
            content="No problem at all — you're skipping this one, and nobody is told why. "
            "`/pair pause` is there if you'd like a longer break. 💛",
            view=None,
        )
        await self.process_round(outcome.round_id)

    async def _tell(self, notice: Notice) -> str | None:
        if notice.kind == FELL_THROUGH:
            text = (
                "Your match this round can't go ahead this time — that happens, and it's nobody's "
                "fault. You'll be first in line next round. 💛"
            )
        else:
            text = (
                "This round I couldn't find you a match that fit (numbers didn't work out). "
                "You'll be first in line next round. Thank you for your patience. 💛"
            )
        return await self._dm(notice.user_id, text)

    # ----- follow-up -----------------------------------------------------------------------
    async def send_followups(self) -> None:
        """Ask each introduced member "Did you connect?" once, privately."""
        async with self._followups_lock:  # claims unconfirmed outside it were left by a stop
            for followup in await self.pairing.claim_due_followups():
                view = discord.ui.View(timeout=None)
                buttons = [button(followup.row_id) for button in self.followup_buttons]
                for button in buttons:
                    view.add_item(button)
                if not (
                    followup.resumed and await self._find_dm(followup.user_id, buttons[0].custom_id)
                ):
                    where = f" in <#{followup.thread_id}>" if followup.thread_id else ""
                    await self._dm(
                        followup.user_id,
                        f"A few days ago you were introduced to a peer{where}. Did you connect? "
                        "Your answer only adds to a count the moderators see — never your name.",
                        view,
                    )
                await self.pairing.confirm_followup(followup.row_id)

    def _followup_handler(self, answer: str) -> Any:
        async def handle(interaction: discord.Interaction, row_id: int) -> None:
            await self.pairing.answer_followup(row_id, interaction.user.id, answer)
            replies = {
                "yes": "Lovely to hear. Thank you for letting us know. 💛",
                "not_yet": "Thanks — there's no rush. Your thread is still there when you're ready.",
                "no": "Thanks for telling us. That's okay; you'll be matched again next round.",
            }
            await update(interaction, content=replies[answer], view=None)

        return handle


def topic_select(cog: PairingCog) -> type[discord.ui.DynamicItem[discord.ui.Select[Any]]]:
    """Make the persistent topic multi-select (its server id is in the custom_id)."""

    class TopicSelect(
        discord.ui.DynamicItem[discord.ui.Select[Any]],
        template=r"hearth:pair:topics:(?P<guild>\d+)",
    ):
        def __init__(self, guild_id: int, topics: tuple[str, ...] = ()) -> None:
            select: discord.ui.Select[Any] = discord.ui.Select(
                custom_id=f"hearth:pair:topics:{guild_id}",
                placeholder="Choose your topics",
                min_values=0,
                max_values=max(1, len(topics)),
                options=[discord.SelectOption(label=t[:100], value=t[:100]) for t in topics]
                or [discord.SelectOption(label="-", value="-")],
            )
            super().__init__(select)
            self.guild_id = guild_id

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Select[Any], match: Any
        ) -> TopicSelect:
            made = cls(int(match["guild"]))
            made.item.options = item.options
            return made

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(
                interaction, cog.topics_chosen(interaction, self.guild_id, list(self.item.values))
            )

    return TopicSelect


async def setup(bot: HearthBot) -> None:
    """Load the pairing cog, its persistent components and its jobs."""
    cog = PairingCog(bot, bot.services.pairing, bot.services.settings)
    bot.add_dynamic_items(*cog.persistent_items)
    bot.scheduler.every(ROUNDS_JOB, 60, cog.run_rounds)
    bot.scheduler.every(FOLLOWUP_JOB, 300, cog.send_followups)
    await bot.add_cog(cog)

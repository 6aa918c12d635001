"""Anonymous check-ins: members share how they are; Hearth posts it under a pseudonym."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import secrets
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.domain.checkins import MOODS, WEEKDAYS, describe_days, neutralise
from bot.errors import InvalidInput, NotConfigured, UserError
from bot.services.checkins.queue import (
    CheckinDeliveryService,
    Delivery,
    DeliveryFailure,
    Posted,
)
from bot.services.checkins.service import CheckinPost, CheckinService, Opening, Receipt
from bot.services.crisis import CrisisService
from bot.services.settings import SettingsService
from bot.ui import (
    NO_MENTIONS,
    WARM,
    HearthModal,
    choices_fitted,
    edit,
    fit_embeds,
    fit_thread_name,
    guarded,
    guild_of,
    is_moderator,
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

log = logging.getLogger(__name__)

DELIVER_JOB = "checkins.deliver"
TIDY_JOB = "checkins.tidy"
REMIND_JOB = "checkins.remind"
TRANSIENT = (discord.HTTPException, aiohttp.ClientError, asyncio.TimeoutError, OSError)
THREAD_EXISTS = 160004  # Discord: "A thread has already been created for this message"
QUIET_AFTER = ("crisis", "mydata", "privacy")
CARE_INTRO = (
    "Thank you for sharing how you are. Your check-in is queued as usual; if things feel like "
    "too much right now, these people are there for you, any time:"
)
DAY_SUGGESTIONS = ("daily", "weekdays", "weekends", "mon, wed, fri", "sun")


def modal_id(kind: str) -> str:
    """Return a fresh custom id for a form: discord.py tracks open forms by custom id alone,
    so two members filling in the same form at once must not share one (nor carry who they are).
    """
    return f"hearth:checkin:{kind}:{secrets.token_hex(8)}"


def reach_out_text(who: str, user_id: int) -> str:
    """Return the first text of the named card: who asked, and nothing about any check-in."""
    return (
        f"**{who}** (<@{user_id}>) asked for someone here to reach out to them. They didn't "
        "write anything else for you: Hearth only passes on the request. A kind message, or a "
        "private thread, is a good start."
    )


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
        delivery: CheckinDeliveryService,
        settings: SettingsService,
        crisis: CrisisService,
    ) -> None:
        self.bot = bot
        self.crisis = crisis
        self.checkins = checkins
        self.delivery = delivery
        self.settings = settings
        self._delivering = asyncio.Lock()
        self._kicked = False
        self._recovered = False
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.items = _make_items(self)
        self.cards = CrisisCards(crisis)
        self.report_menu = app_commands.ContextMenu(
            name="Report check-in",
            callback=self.report_message,
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
        self._closing = True
        self.bot.tree.remove_command(self.report_menu.name, type=self.report_menu.type)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def item(self, name: str, *args: Any) -> discord.ui.DynamicItem[Any]:
        """Build one of the persistent components."""
        return self.items[name](*args)

    # ----- sharing ---------------------------------------------------------------------------
    @app_commands.command(name="share", description="Tell the community how you are, anonymously")
    async def share(self, interaction: discord.Interaction) -> None:
        """Open the check-in form."""
        await self.open_form(interaction, guild_of(interaction).id)

    async def open_form(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Check the member may post, then open the form (also from a reminder's button)."""
        opening = await self.checkins.open(guild_id, interaction.user.id)
        await open_modal(interaction, CheckinForm(self, guild_id, opening))

    async def submitted(
        self,
        interaction: discord.Interaction,
        guild_id: int,
        mood: int,
        note: str | None,
        reach_out: bool,
    ) -> None:
        """Store the check-in, then tell the member privately that it is queued.

        Discord is answered first (storing may wait for other writers); the receipt follows.
        """
        await interaction.response.defer(ephemeral=True, thinking=True)
        receipt = await self.checkins.submit(guild_id, interaction.user.id, mood, note)
        view = discord.ui.View(timeout=None)
        view.add_item(self.item("undo", guild_id, receipt.checkin_id))
        # Undo is a DynamicItem the bot registered at start-up: it answers clicks on any
        # receipt, so this view only carries it and nothing is kept per receipt.
        view.stop()
        embed = render.receipt_embed(receipt, f"<#{receipt.channel_id}>")
        await reply_private(interaction, embed=embed, view=view)
        if receipt.due_at <= self.checkins_now():
            self.kick_delivery()
        await self.after_submit(interaction, guild_id, receipt, reach_out)

    async def after_submit(
        self, interaction: discord.Interaction, guild_id: int, receipt: Receipt, reach_out: bool
    ) -> None:
        """Care that follows a check-in: the crisis card, and a person reaching out if asked."""
        if receipt.show_crisis_card:
            card = await self.cards.for_member(interaction.user.id, guild_id, intro=CARE_INTRO)
            await reply_private(interaction, **card.kwargs())
        if reach_out:
            await reply_private(interaction, await self.ask_someone(interaction, guild_id))

    async def ask_someone(self, interaction: discord.Interaction, guild_id: int) -> str:
        """Post the crisis feature's named "check in on me" card; return what to tell the member.

        The card names the member (they chose to be reached) but says nothing of the check-in,
        and goes out now, not when the check-in is posted, so the two cannot be matched by time.
        """
        guild = self.bot.get_guild(guild_id)
        config = await self.settings.get(guild_id)
        channel = (
            guild.get_channel(config.alerts_channel_id)
            if guild is not None and config is not None and config.alerts_channel_id
            else None
        )
        unsent = (
            "so nobody was told you'd like someone to reach out. Your check-in is still queued."
        )
        if guild is None or config is None or not isinstance(channel, discord.TextChannel):
            return f"This server has no moderator channel set up for Hearth, {unsent}"
        if not is_private_channel(channel):
            log.warning(
                "Not posting a reach-out request: the alerts channel in %s is public", guild_id
            )
            return f"This server's moderator channel isn't private, {unsent}"
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
            return error.message
        role_id = config.moderator_role_id
        try:
            posted = await send(
                channel,
                content=f"<@&{role_id}> someone would like a check-in." if role_id else None,
                embed=alert_embed(alert, who, description=reach_out_text(who, interaction.user.id)),
                view=alert_view(alert),
                allowed_mentions=discord.AllowedMentions(
                    everyone=False,
                    users=False,
                    roles=[discord.Object(id=role_id)] if role_id else False,
                ),
            )
        except discord.HTTPException:
            await self.crisis.withdraw_alert(alert, interaction.user.id)
            log.warning("Could not post a reach-out request in guild %s", guild_id)
            return f"I couldn't post in the moderator channel, {unsent}"
        await self.crisis.posted_alert(alert.id, channel.id, posted.id)
        return (
            f"I told the moderators of **{guild.name}**, in their private channel, that **{who}** "
            "would like someone to reach out. I didn't share your check-in or anything you wrote, "
            f"and the card doesn't mention it. {PEERS_LINE}"
        )

    def checkins_now(self) -> Any:
        """Return the injected clock's time."""
        return self.bot.services.clock.now()

    async def undo(self, interaction: discord.Interaction, guild_id: int, checkin_id: int) -> None:
        """Take back a queued check-in."""
        await interaction.response.defer()  # erasing waits for the database: answer Discord first
        await self.checkins.undo(guild_id, checkin_id, interaction.user.id)
        await update(
            interaction,
            content="Undone. Nothing was posted, and your check-in has been erased.",
            embed=None,
            view=None,
        )

    # ----- delivering ------------------------------------------------------------------------
    def kick_delivery(self) -> None:
        """Ask for a delivery run now; a run under way picks the new work up instead."""
        if self._closing:
            return  # claimed on the next start
        if self._delivering.locked():
            self._kicked = True
        else:
            self._spawn(self.bot.scheduler.run_now(DELIVER_JOB))

    async def deliver_due(self) -> None:
        """Post every due check-in, in order per channel; recover any a restart interrupted."""
        if self._closing or not self.bot.is_ready():
            return  # the scheduler runs every job at start-up; wait for the next turn
        async with self._delivering:
            if not self._recovered:  # claims an earlier process left half-done
                left = [d for d in await self.delivery.interrupted() if not await self._recover(d)]
                self._recovered = not left
            done: list[Posted] = []  # posted, marked with the next claim (one commit per run)
            try:
                while True:
                    self._kicked = False
                    if self._closing:
                        break
                    batch = await self.delivery.claim_due(posted=done)
                    done = []
                    if not batch and not self._kicked:
                        break
                    stalled: set[int] = set()
                    for delivery in batch:
                        if delivery.guild_id in stalled:  # behind one that failed: keep order
                            await self.delivery.release(delivery.checkin_id, attempted=False)
                            continue
                        try:
                            if not await self._deliver(delivery, done):
                                stalled.add(delivery.guild_id)
                        except Exception:
                            # Left claimed: the next run checks the channel before posting again.
                            log.exception("Delivering check-in %s failed", delivery.checkin_id)
                            self._recovered = False
                            stalled.add(delivery.guild_id)
            finally:
                await self.delivery.mark_posted(done)

    async def _recover(self, delivery: Delivery) -> bool:
        """Finish a check-in a previous run claimed: posted already, or back in the queue."""
        found = None
        if delivery.channel_id is not None:
            try:
                recent = await self.bot.http.logs_from(delivery.channel_id, 50)
            except TRANSIENT:
                log.warning(
                    "Could not check whether check-in %s was posted; later", delivery.checkin_id
                )
                return False  # never guess: posting again could post it twice
            me = self.bot.user.id if self.bot.user else 0
            marker = f"Anonymous check-in {delivery.ref}"
            found = next(
                (
                    m
                    for m in recent
                    if int(m["author"]["id"]) == me
                    and any(
                        marker in (e.get("footer") or {}).get("text", "")
                        for e in m.get("embeds", [])
                    )
                ),
                None,
            )
        if found is None:
            await self.delivery.release(delivery.checkin_id)
            return True
        message_id = int(found["id"])
        thread = found.get("thread")
        thread_id = int(thread["id"]) if thread else await self._open_thread(delivery, message_id)
        await self.delivery.posted(delivery.checkin_id, message_id, thread_id)
        await self._after_posting(delivery, message_id)
        return True

    async def _deliver(self, delivery: Delivery, done: list[Posted]) -> bool:
        """Post one check-in (and its thread), adding it to `done`; return whether it was posted."""
        try:
            if delivery.channel_id is None:
                raise LookupError("no check-in channel")
            message = await self.bot.http.send_message(
                delivery.channel_id,
                params=discord.http.handle_message_parameters(
                    embeds=fit_embeds([render.post_embed(delivery)]), allowed_mentions=NO_MENTIONS
                ),
            )
        except (*TRANSIENT, LookupError) as error:
            status = getattr(error, "status", type(error).__name__)
            log.warning("Posting check-in %s failed (%s)", delivery.checkin_id, status)
            failure = await self.delivery.failed(delivery.checkin_id)
            await self._failed(failure)
            return failure.gave_up  # given up: the queue behind it moves on
        message_id = int(message["id"])
        thread_id = await self._open_thread(delivery, message_id)
        done.append(Posted(delivery.checkin_id, message_id, thread_id))
        await self._after_posting(delivery, message_id)
        return True

    async def _open_thread(self, delivery: Delivery, message_id: int) -> int | None:
        """Open the reply thread under a posted check-in (if the server wants them); return its id.

        A thread started from a message has the message's id, so one Discord already has
        (200 for the first, 400 160004 for any later attempt) is simply that id.
        """
        if not delivery.threads or delivery.channel_id is None:
            return None
        try:
            await self.bot.http.start_thread_with_message(
                delivery.channel_id,
                message_id,
                name=fit_thread_name(render.thread_name(delivery)),
                auto_archive_duration=1440,
                reason="Replies to an anonymous check-in",
            )
        except TRANSIENT as error:
            if getattr(error, "code", None) == THREAD_EXISTS:
                return message_id
            log.warning(
                "Posted check-in %s without a reply thread (%s)",
                delivery.checkin_id,
                getattr(error, "status", type(error).__name__),
            )
            return None
        return message_id

    async def _after_posting(self, delivery: Delivery, message_id: int) -> None:
        """Do what follows a post, however it was found: the moderators' note, if one is owed."""
        if delivery.alert_moderators:
            await self._detection_alert(delivery, message_id)

    async def alerts_channel(self, guild_id: int) -> discord.TextChannel | None:
        """Return the moderator-alerts channel, only if @everyone cannot read it."""
        guild = self.bot.get_guild(guild_id)
        config = await self.settings.get(guild_id)
        channel = (
            guild.get_channel(config.alerts_channel_id)
            if guild is not None and config is not None and config.alerts_channel_id
            else None
        )
        if not isinstance(channel, discord.TextChannel) or not is_private_channel(channel):
            return None
        return channel

    async def require_alerts_channel(self, guild_id: int) -> discord.TextChannel:
        """Return the private moderator-alerts channel, or explain what to fix."""
        channel = await self.alerts_channel(guild_id)
        if channel is None:
            raise NotConfigured(
                "This needs a private moderator-alerts channel, and there isn't one: a moderator "
                "can choose it with `/setup channels` and hide it from @everyone. Nothing was sent."
            )
        return channel

    async def _detection_alert(self, delivery: Delivery, message_id: int) -> None:
        channel = await self.alerts_channel(delivery.guild_id)
        if channel is not None and delivery.channel_id:
            embed = render.detection_embed(
                delivery.guild_id, delivery.channel_id, message_id, delivery.ref
            )
            try:
                # The same nonce on a retry after a crash: Discord hands back the note it has.
                await send(
                    channel,
                    embed=embed,
                    allowed_mentions=NO_MENTIONS,
                    nonce=f"hearth-alert-c{delivery.checkin_id}"[:25],
                )
            except TRANSIENT:
                log.warning("Could not post a detection note for check-in %s", delivery.checkin_id)
        elif channel is None:
            log.warning(
                "No private alerts channel in guild %s for a detection note", delivery.guild_id
            )
        await self.delivery.alert_sent(delivery.checkin_id)

    async def _failed(self, failure: DeliveryFailure) -> None:
        """After a day of failures, tell the author privately instead of vanishing."""
        if not failure.gave_up:
            return
        text = (
            f"Your anonymous check-in from {render.ts(failure.created_at)} couldn't be posted: "
            "Discord kept refusing it for a day, so Hearth stopped trying. Nothing was posted, "
            "and your note has been erased. You're welcome to try again with `/checkin share`, "
            "or let a moderator know the check-in channel isn't working."
        )
        if failure.author_id is not None:
            try:
                channel = await self.bot.create_dm(discord.Object(id=failure.author_id))
                await send(channel, text, allowed_mentions=NO_MENTIONS)
                return
            except TRANSIENT:
                pass
        await self.checkins.leave_notice(failure.checkin_id, text)

    async def tidy(self) -> None:
        """Forget on schedule: destroy old keys, erase notes, delete posts whose time is up."""
        if not self.bot.is_ready():
            return
        await self.delivery.tidy()
        due = await self.delivery.claim_post_deletions()
        retry = []
        for post in due:
            try:
                await self.bot.http.delete_message(post.channel_id, post.message_id)
                if post.thread_id:
                    await self.bot.http.delete_channel(post.thread_id)
            except discord.NotFound:
                continue
            except discord.Forbidden:
                log.warning("Not allowed to delete an expired check-in post %s", post.checkin_id)
            except TRANSIENT:
                retry.append(post.checkin_id)
        if retry:
            await self.delivery.post_deletion_failed(retry)

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
        for text in await self.checkins.take_notices(interaction.guild_id, interaction.user.id):
            await reply_private(interaction, f"🔒 {text}")

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
        guild_id = guild_of(interaction).id
        span = days.value if days else 30
        result = await self.checkins.history(guild_id, interaction.user.id, span)
        view = discord.ui.View(timeout=None)
        if not result.kept:
            view.add_item(self.item("keep", guild_id, True))
            await reply_private(
                interaction,
                "Hearth doesn't keep a history of your check-ins unless you ask. If you turn it "
                "on, your mood for each day you check in (never your note, never the time) is "
                "kept under your name for 90 days, only for you to see here. You can stop and "
                "erase it any time, and `/mydata` includes it.\n\n"
                "One honest caveat: while it's on, someone holding Hearth's database could "
                "compare your days and moods with the posts of those days.",
                view=view,
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        chart = await asyncio.to_thread(render.history_chart, result)
        view.add_item(self.item("keep", guild_id, False))
        embed = discord.Embed(title="Your check-ins", description=result.words, colour=WARM)
        embed.set_image(url="attachment://mood-history.png")
        await reply_private(
            interaction,
            embed=embed,
            file=discord.File(io.BytesIO(chart), filename="mood-history.png"),
            view=view,
        )

    async def keep_history(
        self, interaction: discord.Interaction, guild_id: int, keep: bool
    ) -> None:
        """Start, or stop and erase, the member's history."""
        erased = await self.checkins.set_keep_history(guild_id, interaction.user.id, keep)
        text = (
            "Done: from now on your mood on each day you check in is kept for you. "
            "See it with `/checkin history`."
            if keep
            else f"Done: your history is no longer kept, and {erased} entries were erased."
        )
        await update(interaction, content=text, embed=None, view=None, attachments=[])

    # ----- community summary -----------------------------------------------------------------
    @app_commands.command(name="summary", description="How the community has been this week")
    async def summary(self, interaction: discord.Interaction) -> None:
        """Show the mood distribution privately, only when enough members checked in."""
        result = await self.checkins.summary(guild_of(interaction).id)
        await reply_private(interaction, embed=render.summary_embed(result))

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
        guild_id = guild_of(interaction).id
        saved = await self.checkins.set_reminder(
            guild_id, interaction.user.id, timezone, time, days
        )
        await reply_private(
            interaction,
            f"Saved. I'll send you a private nudge at {saved.at} ({saved.zone}), "
            f"{describe_days(saved.days)}; the next one is {render.ts(saved.next_at)}. "
            "Stop any time with `/checkin reminder off`.",
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
        """Suggest day choices."""
        options = [*DAY_SUGGESTIONS, *WEEKDAYS]
        return [app_commands.Choice(name=o, value=o) for o in options if current.lower() in o][:25]

    @reminder.command(name="off", description="Stop check-in reminders in this server")
    async def reminder_off(self, interaction: discord.Interaction) -> None:
        """Stop reminders."""
        stopped = await self.checkins.clear_reminder(guild_of(interaction).id, interaction.user.id)
        await reply_private(
            interaction, "Reminders stopped." if stopped else "You had no reminder here."
        )

    async def remind(self) -> None:
        """Send the reminders that are due (each slot once, even across restarts)."""
        if not self.bot.is_ready():
            return
        for due in await self.checkins.claim_due_reminders():
            guild = self.bot.get_guild(due.guild_id)
            view = discord.ui.View(timeout=None)
            view.add_item(self.item("open", due.guild_id))
            view.add_item(self.item("remind_off", due.guild_id))
            embed = discord.Embed(
                title="A gentle nudge",
                description=(
                    f"How are you today? If you'd like, check in with "
                    f"{guild.name if guild else 'your community'}: it stays anonymous."
                ),
                colour=WARM,
            )
            try:
                channel = await self.bot.create_dm(discord.Object(id=due.user_id))
                await send(channel, embed=embed, view=view, allowed_mentions=NO_MENTIONS)
            except TRANSIENT:
                log.warning("Could not send a check-in reminder in guild %s", due.guild_id)

    async def stop_reminders(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Stop reminders from the reminder message itself."""
        await self.checkins.clear_reminder(guild_id, interaction.user.id)
        await update(
            interaction,
            content="Reminders stopped. You can set them again with `/checkin reminder set`.",
            embed=None,
            view=None,
        )

    # ----- moderators ------------------------------------------------------------------------
    async def require_moderator(self, interaction: discord.Interaction, guild_id: int) -> None:
        """Refuse kindly unless the member is a moderator."""
        await require_moderator(interaction, self.settings)

    @settings_group.command(name="show", description="Show the check-in settings (moderators)")
    async def settings_show(self, interaction: discord.Interaction) -> None:
        """Show settings and anything that stops check-ins working."""
        guild = guild_of(interaction)
        await self.require_moderator(interaction, guild.id)
        config = await self.checkins.config(guild.id)
        await reply_private(
            interaction, embed=render.settings_embed(config, await self._warnings(guild))
        )

    async def _warnings(self, guild: discord.Guild) -> list[str]:
        config = await self.settings.get(guild.id)
        channel = guild.get_channel(config.checkin_channel_id or 0) if config else None
        if not isinstance(channel, discord.TextChannel):
            return ["No check-in channel: choose one with `/setup channels`."]
        perms = channel.permissions_for(guild.me)
        warnings = []
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            warnings.append(f"Hearth can't post embeds in {channel.mention}.")
        checkins = await self.checkins.config(guild.id)
        if checkins.threads and not perms.create_public_threads:
            warnings.append(
                f"Hearth can't open reply threads in {channel.mention}: give it Create Public Threads."
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
        await self.require_moderator(interaction, guild.id)
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
        await reply_private(
            interaction,
            "Saved. Members are told in the check-in form and their receipt whether reveal is on.",
            embed=render.settings_embed(config, await self._warnings(guild)),
        )

    async def report_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        """Report a check-in (members), or open the moderation card (moderators)."""
        guild = guild_of(interaction)
        post = await self.checkins.find_post(guild.id, message.id)
        config = await self.settings.get_or_default(guild.id)
        if is_moderator(interaction.user, config.moderator_role_id):
            await reply_private(
                interaction, embed=render.moderation_embed(post), view=self.moderation_view(post)
            )
            return
        await open_modal(interaction, ReportForm(self, guild.id, message.id))

    def moderation_view(self, post: CheckinPost) -> discord.ui.View:
        """Return Remove / Pause author / Ask to reveal for one check-in."""
        view = discord.ui.View(timeout=None)
        view.add_item(self.item("remove", post.guild_id, post.id))
        view.add_item(self.item("pause", post.guild_id, post.id))
        if post.reveal_possible:
            view.add_item(self.item("reveal", post.guild_id, post.id))
        return view

    async def reported(
        self, interaction: discord.Interaction, guild_id: int, message_id: int, reason: str
    ) -> None:
        """Tell the moderators in the alerts channel; one card per check-in, updated."""
        channel = await self.require_alerts_channel(guild_id)
        post = await self.checkins.report(guild_id, message_id)
        embed = render.alert_embed(post, reason.strip() or None)
        view = self.moderation_view(post)
        if post.report_message_id:
            try:
                await edit(
                    channel.get_partial_message(post.report_message_id), embed=embed, view=view
                )
            except discord.NotFound:
                post = await self._new_report_card(channel, post, embed, view)
        else:
            post = await self._new_report_card(channel, post, embed, view)
        await reply_private(
            interaction,
            "Thank you. The moderators have been told, privately. Your name wasn't shared with "
            "them, and the author won't know who reported it.",
        )

    async def _new_report_card(
        self,
        channel: discord.TextChannel,
        post: CheckinPost,
        embed: discord.Embed,
        view: discord.ui.View,
    ) -> CheckinPost:
        sent = await send(channel, embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        await self.checkins.record_report_card(post.id, sent.id)
        return post

    async def remove(
        self, interaction: discord.Interaction, guild_id: int, checkin_id: int, reason: str
    ) -> None:
        """Remove a check-in: delete the post and its thread, tell the author privately."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        post = await self.checkins.remove(guild_id, checkin_id, interaction.user.id, reason)
        if post.channel_id and post.message_id:
            with contextlib.suppress(discord.NotFound):
                await self.bot.http.delete_message(post.channel_id, post.message_id)
            if post.thread_id:
                try:
                    await self.bot.http.delete_channel(post.thread_id, reason="Check-in removed")
                except discord.HTTPException:
                    log.warning("Could not delete the thread of removed check-in %s", post.id)
        await reply_private(
            interaction,
            f"Removed check-in {post.ref}. Its author will be told privately the next time they "
            "use Hearth here; nobody learned who they are.",
        )

    async def pause(
        self,
        interaction: discord.Interaction,
        guild_id: int,
        checkin_id: int,
        days: int,
        reason: str,
    ) -> None:
        """Pause a check-in's author without learning who they are."""
        paused = await self.checkins.pause(guild_id, checkin_id, interaction.user.id, days, reason)
        shortened = (
            " (shortened: the pause can't outlast the grace period that still recognises them)"
            if paused.shortened
            else ""
        )
        await reply_private(
            interaction,
            f"Paused the author of check-in {paused.post.ref} until {render.ts(paused.until)}"
            f"{shortened}. They will be told privately; nobody learned who they are.",
        )

    async def request_reveal(
        self, interaction: discord.Interaction, guild_id: int, checkin_id: int, reason: str
    ) -> None:
        """Post a reveal request for a second moderator to approve or decline."""
        channel = await self.require_alerts_channel(guild_id)
        request = await self.checkins.request_reveal(
            guild_id, checkin_id, interaction.user.id, reason
        )
        view = discord.ui.View(timeout=None)
        view.add_item(self.item("approve", guild_id, request.id))
        view.add_item(self.item("decline", guild_id, request.id))
        embed = discord.Embed(
            title="Reveal requested",
            description=(
                f"<@{interaction.user.id}> asks to reveal who wrote check-in "
                f"{request.post.ref}.\n**Reason**: {neutralise(request.reason)}\n\n"
                "A *different* moderator must approve. The author will be told, and it is "
                f"written to the moderator log. Possible until {render.ts(request.expires_at)}."
            ),
            colour=WARM,
        )
        await send(channel, embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        await reply_private(
            interaction, "Your request is in the alerts channel, waiting for a second moderator."
        )

    async def approve_reveal(
        self, interaction: discord.Interaction, guild_id: int, reveal_id: int
    ) -> None:
        """Reveal to the two moderators; log it; tell the author."""
        revealed = await self.checkins.approve_reveal(guild_id, reveal_id, interaction.user.id)
        request = revealed.request
        await update(
            interaction,
            embed=discord.Embed(
                title="Reveal approved",
                description=(
                    f"<@{request.requested_by}> asked and <@{revealed.approved_by}> approved "
                    f"revealing who wrote check-in {request.post.ref}. Only they were told; "
                    "the author has been told too."
                ),
                colour=WARM,
            ),
            view=None,
        )
        who = (
            f"Check-in {request.post.ref} ({request.post.pseudonym}) was written by "
            f"<@{revealed.author_id}>. Please handle this with care."
        )
        await reply_private(interaction, who)
        await self._dm(request.requested_by, who)
        told = await self._dm(
            revealed.author_id,
            f"For someone's safety, two moderators of {interaction.guild.name if interaction.guild else 'your server'} "
            f"found out that you wrote your anonymous check-in {request.post.ref}, as the server's "
            f"settings allowed when you posted it. Their reason: {request.reason}",
        )
        if not told:
            await self.checkins.leave_notice(
                request.post.id,
                f"Two moderators found out that you wrote your anonymous check-in "
                f"{request.post.ref}, as this server's settings allowed. Their reason: {request.reason}",
            )

    async def decline_reveal(
        self, interaction: discord.Interaction, guild_id: int, reveal_id: int
    ) -> None:
        """Decline a reveal request."""
        ref = await self.checkins.decline_reveal(guild_id, reveal_id, interaction.user.id)
        await update(
            interaction,
            embed=discord.Embed(
                title="Reveal declined",
                description=f"<@{interaction.user.id}> declined revealing who wrote check-in {ref}.",
                colour=WARM,
            ),
            view=None,
        )

    async def _dm(self, user_id: int, text: str) -> bool:
        try:
            channel = await self.bot.create_dm(discord.Object(id=user_id))
            await send(channel, text, allowed_mentions=NO_MENTIONS)
        except TRANSIENT:
            return False
        return True

    async def moderator_action(
        self, interaction: discord.Interaction, guild_id: int, form: discord.ui.Modal
    ) -> None:
        """Open a moderator's form after checking they are one."""
        await self.require_moderator(interaction, guild_id)
        await open_modal(interaction, form)


class CheckinForm(HearthModal, title="Check in"):
    """The check-in form: mood, an optional note, and whether someone should reach out."""

    def __init__(self, cog: CheckinsCog, guild_id: int, opening: Opening) -> None:
        super().__init__(timeout=20 * 60, custom_id=modal_id("form"))
        self.cog, self.guild_id = cog, guild_id
        reveal_enabled = opening.reveal_enabled
        self.mood: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="mood",
            placeholder="Choose one",
            options=[
                discord.SelectOption(label=m.word.capitalize(), value=str(m.value), emoji=m.emoji)
                for m in MOODS
            ],
        )
        self.note = discord.ui.TextInput(
            custom_id="note",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
            placeholder="A few words, if you like. Your name isn't shown.",
        )
        self.reach: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="reach",
            required=False,
            min_values=0,
            options=[
                discord.SelectOption(label="No, thank you", value="no"),
                discord.SelectOption(label="Yes, please reach out to me", value="yes"),
            ],
        )
        self.add_item(discord.ui.Label(text="How are you doing?", component=self.mood))
        self.add_item(discord.ui.Label(text="A few words (optional)", component=self.note))
        self.add_item(
            discord.ui.Label(
                text="Would you like someone to reach out?",
                description="If yes, the moderators get your name, not this check-in.",
                component=self.reach,
            )
        )
        self.add_item(
            discord.ui.TextDisplay(
                "Posted under a pseudonym after a short random delay. "
                + (
                    "**Reveal is on here**: for a short time, two moderators together could find "
                    "out who wrote it, for someone's safety (you would be told)."
                    if reveal_enabled
                    else "**Reveal is off here**: nobody, moderators included, can find out who wrote it."
                )
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Queue the check-in."""
        values = self.mood.values
        if not values or not values[0].isdigit():
            raise InvalidInput("Please choose how you're doing.")
        await self.cog.submitted(
            interaction,
            self.guild_id,
            int(values[0]),
            self.note.value or None,
            self.reach.values == ["yes"],
        )


class ReportForm(HearthModal, title="Report a check-in"):
    """A member's report: an optional reason; who reports is not kept."""

    def __init__(self, cog: CheckinsCog, guild_id: int, message_id: int) -> None:
        super().__init__(timeout=10 * 60, custom_id=modal_id("report"))
        self.cog, self.guild_id, self.message_id = cog, guild_id, message_id
        self.reason = discord.ui.TextInput(
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=300,
        )
        self.add_item(discord.ui.Label(text="What worries you? (optional)", component=self.reason))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Pass the report on."""
        await self.cog.reported(interaction, self.guild_id, self.message_id, self.reason.value)


class ReasonForm(HearthModal):
    """A moderator's reason (and, to pause, how many days)."""

    def __init__(
        self,
        cog: CheckinsCog,
        action: str,
        guild_id: int,
        target_id: int,
        *,
        ask_days: bool = False,
    ) -> None:
        titles = {
            "remove": "Remove this check-in",
            "pause": "Pause its author",
            "reveal": "Ask to reveal",
        }
        super().__init__(
            title=titles[action],
            timeout=10 * 60,
            custom_id=modal_id(action),
        )
        self.cog, self.action, self.guild_id, self.target_id = cog, action, guild_id, target_id
        self.days = discord.ui.TextInput(custom_id="days", default="3", max_length=1)
        if ask_days:
            self.add_item(discord.ui.Label(text="For how many days? (1 to 7)", component=self.days))
        self.reason = discord.ui.TextInput(
            custom_id="reason",
            style=discord.TextStyle.paragraph,
            required=action == "reveal",
            max_length=300,
        )
        self.add_item(
            discord.ui.Label(
                text="Reason (the author is told; it is logged)", component=self.reason
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Carry out the moderator's action."""
        await self.cog.require_moderator(interaction, self.guild_id)
        if self.action == "remove":
            await self.cog.remove(interaction, self.guild_id, self.target_id, self.reason.value)
        elif self.action == "pause":
            if not (self.days.value.isascii() and self.days.value.isdigit()):
                raise InvalidInput("Please give the number of days, 1 to 7.")
            await self.cog.pause(
                interaction, self.guild_id, self.target_id, int(self.days.value), self.reason.value
            )
        else:
            await self.cog.request_reveal(
                interaction, self.guild_id, self.target_id, self.reason.value
            )


def _make_items(cog: CheckinsCog) -> dict[str, type[discord.ui.DynamicItem[Any]]]:
    """Build the persistent components, bound to the loaded cog."""

    def button(
        name: str,
        label: str | Callable[[tuple[int, ...]], str],
        style: discord.ButtonStyle,
        fields: tuple[str, ...],
    ) -> type[discord.ui.DynamicItem[Any]]:
        pattern = "".join(f":(?P<{f}>\\d+)" for f in fields)

        class Item(
            discord.ui.DynamicItem[discord.ui.Button], template=rf"hearth:checkin:{name}{pattern}"
        ):
            def __init__(self, *values: int) -> None:
                super().__init__(
                    discord.ui.Button(
                        label=label if isinstance(label, str) else label(values),
                        style=style,
                        custom_id=f"hearth:checkin:{name}" + "".join(f":{int(v)}" for v in values),
                    )
                )
                self.values = tuple(int(v) for v in values)

            @classmethod
            async def from_custom_id(
                cls, interaction: discord.Interaction, item: discord.ui.Button, match: Any
            ) -> Item:
                return cls(*(int(match[f]) for f in fields))

            async def callback(self, interaction: discord.Interaction) -> None:
                await guarded(interaction, ACTIONS[name](interaction, *self.values))

        Item.__name__ = Item.__qualname__ = f"Checkin{name.title().replace('_', '')}Button"
        return Item

    async def keep(interaction: discord.Interaction, guild_id: int, keep: int) -> None:
        await cog.keep_history(interaction, guild_id, bool(keep))

    async def remove(interaction: discord.Interaction, guild_id: int, checkin_id: int) -> None:
        await cog.moderator_action(
            interaction, guild_id, ReasonForm(cog, "remove", guild_id, checkin_id)
        )

    async def pause(interaction: discord.Interaction, guild_id: int, checkin_id: int) -> None:
        form = ReasonForm(cog, "pause", guild_id, checkin_id, ask_days=True)
        await cog.moderator_action(interaction, guild_id, form)

    async def reveal(interaction: discord.Interaction, guild_id: int, checkin_id: int) -> None:
        await cog.moderator_action(
            interaction, guild_id, ReasonForm(cog, "reveal", guild_id, checkin_id)
        )

    async def approve(interaction: discord.Interaction, guild_id: int, reveal_id: int) -> None:
        await cog.require_moderator(interaction, guild_id)
        await cog.approve_reveal(interaction, guild_id, reveal_id)

    async def decline(interaction: discord.Interaction, guild_id: int, reveal_id: int) -> None:
        await cog.require_moderator(interaction, guild_id)
        await cog.decline_reveal(interaction, guild_id, reveal_id)

    ACTIONS: dict[str, Any] = {
        "undo": cog.undo,
        "keep": keep,
        "open": cog.open_form,
        "remind_off": cog.stop_reminders,
        "remove": remove,
        "pause": pause,
        "reveal": reveal,
        "approve": approve,
        "decline": decline,
    }
    danger, grey, primary = (
        discord.ButtonStyle.danger,
        discord.ButtonStyle.secondary,
        discord.ButtonStyle.primary,
    )
    return {
        "undo": button("undo", "Undo", grey, ("guild", "id")),
        "keep": button(
            "keep",
            lambda v: "Keep my history" if v[1] else "Stop and erase my history",
            primary,
            ("guild", "on"),
        ),
        "open": button("open", "Check in", primary, ("guild",)),
        "remind_off": button("remind_off", "Stop these reminders", grey, ("guild",)),
        "remove": button("remove", "Remove check-in", danger, ("guild", "id")),
        "pause": button("pause", "Pause author", grey, ("guild", "id")),
        "reveal": button("reveal", "Ask to reveal", grey, ("guild", "id")),
        "approve": button("approve", "Approve reveal", danger, ("guild", "id")),
        "decline": button("decline", "Decline", grey, ("guild", "id")),
    }


async def setup(bot: HearthBot) -> None:
    """Load the check-ins cog, its persistent buttons and its jobs."""
    services = bot.services
    # The crisis service is handed in here: the reach-out card and the crisis card are shared
    # UI (bot/ui), not another cog.
    cog = CheckinsCog(
        bot, services.checkins, services.checkin_delivery, services.settings, services.crisis
    )
    bot.add_dynamic_items(*cog.items.values())
    bot.scheduler.every(DELIVER_JOB, 5, cog.deliver_due)
    bot.scheduler.every(REMIND_JOB, 60, cog.remind)
    bot.scheduler.every(TIDY_JOB, 300, cog.tidy)
    await bot.add_cog(cog)

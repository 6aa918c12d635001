"""Holding a circle on Discord: the talking order, the text lane, feedback and circle settings.

Mixed into CirclesCog so these are `/circle` subcommands too:

    /circle hand [circle]                raise your hand in the open circle (again: lower it)
    /circle next [circle]                pass to the next raised hand (facilitators)
    /circle note [circle]                read the next written note, privately (facilitators)
    /circle feedback <circle>            the last meeting's anonymous feedback, in aggregate
    /circle settings [events] [feedback_min]   server settings (moderators)

The talking order is ONE message, posted when the room opens in the voice channel's own text
chat (where the people in the circle are), or in the circles channel if Hearth can't post there,
and edited as the queue changes. It shows display names and pings nobody.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import InvalidInput, UserError
from bot.services.circle_room import (
    MAX_FEEDBACK_MIN,
    MAX_FEEDBACK_WORDS,
    MAX_NOTE,
    MIN_FEEDBACK_MIN,
    FeedbackResults,
    TalkingOrder,
)
from bot.services.circles import HoldOutcome
from bot.ui import (
    NO_MENTIONS,
    HearthModal,
    StoredId,
    edit,
    find_own_message,
    guild_of,
    open_modal,
    reply_private,
    require_moderator,
    send,
)

if TYPE_CHECKING:
    from bot.client import HearthBot
    from bot.services.circles import CircleService
    from bot.services.settings import SettingsService

log = logging.getLogger(__name__)

ANONYMOUS, NAMED = "anonymous", "named"
STARS = "★"


def display_name(guild: discord.Guild | None, user_id: int) -> str:
    """Return a member's display name as plain text that can never ping."""
    member = guild.get_member(user_id) if guild else None
    if member is None:
        return f"<@{user_id}>"  # shown as their name in Discord; allowed_mentions none
    return discord.utils.escape_mentions(discord.utils.escape_markdown(member.display_name))


def order_text(order: TalkingOrder, guild: discord.Guild | None) -> str:
    """Render the public talking order: names only, in order."""
    lines = [f"**Talking order — {order.title}**"]
    if not order.is_open:
        lines.append("The circle has closed. Thank you for listening to each other. 💛")
        return "\n".join(lines)
    speaker = display_name(guild, order.speaker_id) if order.speaker_id else "nobody yet"
    lines.append(f"🎙️ Speaking now: {speaker}")
    if order.waiting:
        lines.append("Waiting:")
        lines += [f"{n}. {display_name(guild, uid)}" for n, uid in enumerate(order.waiting, 1)]
    else:
        lines.append("Nobody is waiting. Raise your hand with **Raise my hand** or `/circle hand`.")
    if order.notes_waiting:
        s = "" if order.notes_waiting == 1 else "s"
        lines.append(f"✍️ {order.notes_waiting} written note{s} waiting for the facilitator")
    lines.append(
        "-# Rather not speak? **Write instead**: the facilitator reads your words aloud, "
        "with your name or without."
    )
    return "\n".join(lines)[:2000]


def results_text(results: FeedbackResults, minimum: int) -> str:
    """Render feedback for a facilitator: only the aggregate, or why not yet."""
    head = f"**Feedback for {results.title}** ({results.local_date.isoformat()})"
    when = f"<t:{int(results.closes_at.timestamp())}:R>"
    if results.needed:
        return (
            f"{head}\n{results.count} answered so far. Feedback is shown only once at least "
            f"{minimum} people have answered, so nobody can be picked out: "
            f"{results.needed} more needed (feedback closes {when})."
        )
    if not results.ready:
        return (
            f"{head}\n{results.count} answered. The results show once feedback closes {when}, "
            "so no single answer can be picked out as it arrives."
        )
    lines = [head, f"{results.count} answers · average **{results.average:.1f}** / 5"]
    lines += [f"{n} {STARS * n}: {results.ratings[n - 1]}" for n in range(5, 0, -1)]
    if results.words:
        lines += ["", "**In their words** (in random order):"]
        lines += [f"> {' '.join(w.split())}" for w in results.words]
    return "\n".join(lines)[:2000]


class NoteForm(HearthModal, title="Write to the facilitator"):
    """A few words the facilitator reads aloud, with the member's name or without."""

    def __init__(self, cog: RoomCommands, circle_id: int, index: int) -> None:
        super().__init__(
            timeout=20 * 60, custom_id=f"hearth:circle:noteform:{secrets.token_hex(8)}"
        )
        self.cog, self.circle_id, self.index = cog, circle_id, index
        self.words = discord.ui.TextInput(
            custom_id="words",
            style=discord.TextStyle.paragraph,
            max_length=MAX_NOTE,
            placeholder="What you'd like the circle to hear.",
        )
        self.who: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="who",
            required=False,
            min_values=0,
            options=[
                discord.SelectOption(label="Anonymous: don't say who wrote it", value=ANONYMOUS),
                discord.SelectOption(label="Say it's from me", value=NAMED),
            ],
        )
        self.add_item(discord.ui.Label(text="A few words", component=self.words))
        self.add_item(
            discord.ui.Label(
                text="Read with your name?",
                description="If you choose nothing, it stays anonymous.",
                component=self.who,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store the note and tell the member privately that it reached the facilitators."""
        await self.cog.note_submitted(
            interaction, self.circle_id, self.index, self.words.value, self.who.values != [NAMED]
        )


class FeedbackForm(HearthModal, title="How was the circle?"):
    """Anonymous feedback: a rating from 1 to 5 and optional words."""

    def __init__(self, cog: RoomCommands, circle_id: int, index: int) -> None:
        super().__init__(timeout=20 * 60, custom_id=f"hearth:circle:fbform:{secrets.token_hex(8)}")
        self.cog, self.circle_id, self.index = cog, circle_id, index
        self.rating: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="rating",
            placeholder="Choose one",
            options=[
                discord.SelectOption(label=f"{n} {STARS * n}", value=str(n))
                for n in range(5, 0, -1)
            ],
        )
        self.words = discord.ui.TextInput(
            custom_id="words",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=MAX_FEEDBACK_WORDS,
            placeholder="Anything you'd like the facilitators to know (optional).",
        )
        self.add_item(discord.ui.Label(text="How was it for you?", component=self.rating))
        self.add_item(discord.ui.Label(text="A few words (optional)", component=self.words))
        self.add_item(
            discord.ui.TextDisplay(
                "Anonymous: facilitators only ever see totals and shuffled words, and only once "
                "enough people have answered."
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Count the answer."""
        values = self.rating.values
        if not values or not values[0].isdigit():
            raise InvalidInput("Please choose a rating from 1 to 5.")
        await self.cog.feedback_submitted(
            interaction, self.circle_id, self.index, int(values[0]), self.words.value or None
        )


class RoomCommands:
    """The `/circle` subcommands and buttons for holding a circle (mixed into CirclesCog)."""

    bot: HearthBot
    circles: CircleService
    settings: SettingsService
    _queue_locks: dict[int, asyncio.Lock]
    _queue_dirty: set[int]

    async def require_facilitator(
        self, interaction: discord.Interaction
    ) -> int:  # pragma: no cover
        """Return the guild id if the member may run circles (defined by CirclesCog)."""
        raise NotImplementedError

    # ----- the one talking-order message -------------------------------------------------------
    def queue_view(self, order: TalkingOrder) -> discord.ui.View:
        """Return the persistent buttons under the talking order."""
        raise NotImplementedError  # CirclesCog builds it from its persistent buttons

    async def post_queue(self, guild: discord.Guild, order: TalkingOrder) -> None:
        """Post the talking order where the circle is held (the voice channel's chat).

        A talking order a stopped process posted but never recorded is found (by its buttons)
        and brought up to date instead of posting a second one.
        """
        content = order_text(order, guild)
        targets = [guild.get_channel(order.voice_channel_id)]
        config = await self.settings.get_or_default(guild.id)
        targets.append(guild.get_channel(config.circles_channel_id or 0))
        channels = [c for c in targets if isinstance(c, discord.VoiceChannel | discord.TextChannel)]
        wanted = self.queue_view(order).children[0]
        for channel in channels:
            found = await find_own_message(self.bot, channel, getattr(wanted, "custom_id", ""))
            if found is not None:
                await self.circles.record_queue_message(order.occurrence_id, channel.id, found)
                await self.refresh_queue(guild, order.occurrence_id)
                return
        for channel in channels:
            try:
                message = await send(
                    channel, content, view=self.queue_view(order), allowed_mentions=NO_MENTIONS
                )
            except discord.HTTPException:
                log.warning("Could not post the talking order in a channel of guild %s", guild.id)
                continue
            await self.circles.record_queue_message(order.occurrence_id, channel.id, message.id)
            return

    async def refresh_queue(
        self, guild: discord.Guild, occurrence_id: int, *, mark: bool = True
    ) -> None:
        """Edit the talking-order message from fresh state.

        One edit at a time per meeting, and changes that arrive during an edit are folded into
        one more edit after it (Discord rate-limits edits, and a burst of hands is common).
        """
        if mark:
            self._queue_dirty.add(occurrence_id)
        lock = self._queue_locks.setdefault(occurrence_id, asyncio.Lock())
        if lock.locked():
            return  # the edit under way will run once more and show this change
        async with lock:
            while occurrence_id in self._queue_dirty:
                self._queue_dirty.discard(occurrence_id)
                await self._edit_queue(guild, occurrence_id)

    async def _edit_queue(self, guild: discord.Guild, occurrence_id: int) -> None:
        order = await self.circles.talking_order(occurrence_id)
        if order is None or order.queue_message_id is None:
            return
        channel = guild.get_channel(order.queue_channel_id or 0)
        if not isinstance(channel, discord.VoiceChannel | discord.TextChannel):
            return
        try:
            await edit(
                channel.get_partial_message(order.queue_message_id),
                content=order_text(order, guild),
                view=self.queue_view(order) if order.is_open else None,
            )
        except discord.HTTPException:
            log.warning("Could not update the talking order in guild %s", guild.id)

    async def reply_then_refresh(
        self,
        interaction: discord.Interaction,
        text: str,
        guild: discord.Guild,
        occurrence_id: int,
    ) -> None:
        """Answer the member privately first, then bring the talking order up to date."""
        self._queue_dirty.add(occurrence_id)  # an edit is owed from this moment
        try:
            await reply_private(interaction, text)
        finally:
            # An edit that started meanwhile may already show this change; then none is owed.
            await self.refresh_queue(guild, occurrence_id, mark=False)

    def queue_settled(self) -> bool:
        """Say whether no talking-order edit is under way or waiting (for tests and shutdown)."""
        return not self._queue_dirty and not any(
            lock.locked() for lock in self._queue_locks.values()
        )

    # ----- talking order -----------------------------------------------------------------------
    @app_commands.command(
        name="hand", description="Raise your hand in the open circle (again to lower it)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle, if more than one is open")
    async def hand(self, interaction: discord.Interaction, circle: StoredId | None = None) -> None:
        """Raise or lower the member's hand and show their place privately."""
        await self._hand(interaction, circle, None)

    async def hand_button(
        self, interaction: discord.Interaction, circle_id: int, index: int, *, up: bool
    ) -> None:
        """Raise or lower a hand from the buttons under the talking order."""
        await self._hand(interaction, circle_id, up)

    async def _hand(
        self, interaction: discord.Interaction, circle_id: int | None, up: bool | None
    ) -> None:
        guild = guild_of(interaction)
        # Hands often go up together when someone finishes; answer Discord in time.
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.circles.hand(
            guild.id,
            interaction.user.id,
            circle_id=circle_id,
            channel_id=interaction.channel_id,
            raise_hand=up,
        )
        if outcome.raised:
            ahead = outcome.place - 1 if outcome.place else 0
            text = (
                f"✋ Your hand is up in **{outcome.order.title}**: you're number {outcome.place}"
                + (f", with {ahead} before you." if ahead else ", next to speak.")
                + " Use `/circle hand` again or **Lower my hand** if you change your mind."
            )
        else:
            text = f"Your hand is down in **{outcome.order.title}**. That's fine too. 💛"
        await self.reply_then_refresh(interaction, text, guild, outcome.order.occurrence_id)

    @app_commands.command(name="next", description="Pass to the next raised hand (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle, if more than one is open")
    async def next_(self, interaction: discord.Interaction, circle: StoredId | None = None) -> None:
        """Pass to the first raised hand; tell the facilitator privately who and what waits."""
        guild_id = await self.require_facilitator(interaction)
        outcome = await self.circles.next_speaker(
            guild_id, circle_id=circle, channel_id=interaction.channel_id
        )
        guild = guild_of(interaction)
        order = outcome.order
        if outcome.speaker_id is None:
            text = "Nobody has a hand up right now."
        else:
            text = f"Passing to **{display_name(guild, outcome.speaker_id)}**."
            text += f" {len(order.waiting)} waiting after them." if order.waiting else ""
        if order.notes_waiting:
            text += (
                f"\n✍️ {order.notes_waiting} written note(s) waiting: `/circle note` shows the "
                "next one to you privately."
            )
        await self.reply_then_refresh(interaction, text, guild, order.occurrence_id)

    # ----- text lane ---------------------------------------------------------------------------
    async def write_button(
        self, interaction: discord.Interaction, circle_id: int, index: int
    ) -> None:
        """Open the note form (checked first, so nobody writes into a closed circle)."""
        order = await self.circles.meeting_order(guild_of(interaction).id, circle_id, index)
        if not order.is_open:
            raise InvalidInput(
                "This circle has closed, so there's nobody to read a note aloud now."
            )
        await open_modal(interaction, NoteForm(self, circle_id, index))

    async def note_submitted(
        self,
        interaction: discord.Interaction,
        circle_id: int,
        index: int,
        words: str,
        anonymous: bool,
    ) -> None:
        """Store the note; on any refusal, hand the member's words back so nothing is lost."""
        guild = guild_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            receipt = await self.circles.add_note(
                guild.id, interaction.user.id, circle_id, index, words, anonymous=anonymous
            )
        except UserError as error:
            quoted = "\n".join(f"> {line}" for line in words.strip().splitlines())[:1500]
            await reply_private(
                interaction,
                f"{error.message}\n\nHere is what you wrote, so it isn't lost:\n{quoted}",
            )
            return
        how = "without your name" if receipt.anonymous else "with your name"
        await self.reply_then_refresh(
            interaction,
            f"Your words reached the facilitators of **{receipt.title}**. They'll read them "
            f"aloud {how} when there's a moment. 💛",
            guild,
            receipt.order.occurrence_id,
        )

    @app_commands.command(
        name="note", description="Read the next written note privately (facilitators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle, if more than one is open")
    async def note(self, interaction: discord.Interaction, circle: StoredId | None = None) -> None:
        """Show the facilitator the oldest unread note, privately, and mark it read."""
        guild_id = await self.require_facilitator(interaction)
        note = await self.circles.next_note(
            guild_id, circle_id=circle, channel_id=interaction.channel_id
        )
        if note is None:
            await reply_private(interaction, "No written notes are waiting.")
            return
        guild = guild_of(interaction)
        who = (
            "Anonymous" if note.author_id is None else f"From {display_name(guild, note.author_id)}"
        )
        quoted = "\n".join(f"> {line}" for line in note.text.splitlines())
        more = f"\n\n{note.remaining} more waiting." if note.remaining else ""
        text = f"**{who}**, to read aloud:\n{quoted}{more}"
        if note.order is None:
            await reply_private(interaction, text)
        else:
            await self.reply_then_refresh(interaction, text, guild, note.order.occurrence_id)

    async def hand_back_notes(self, interaction: discord.Interaction, held: HoldOutcome) -> None:
        """Show the closing facilitator the notes nobody read, privately (they are then erased)."""
        if not held.unread:
            return
        guild = guild_of(interaction)
        parts = []
        for note in held.unread:
            who = "Anonymous" if note.author_id is None else display_name(guild, note.author_id)
            parts.append(f"**{who}:**\n" + "\n".join(f"> {ln}" for ln in note.text.splitlines()))
        text = "These notes came in but weren't read aloud:\n\n" + "\n\n".join(parts)
        for start in range(0, len(text), 1900):
            await reply_private(interaction, text[start : start + 1900])

    # ----- feedback ----------------------------------------------------------------------------
    async def feedback_button(
        self, interaction: discord.Interaction, circle_id: int, index: int
    ) -> None:
        """Open the feedback form if this member may still answer."""
        guild_id = guild_of(interaction).id
        await self.circles.check_feedback(guild_id, circle_id, index, interaction.user.id)
        await open_modal(interaction, FeedbackForm(self, circle_id, index))

    async def feedback_submitted(
        self,
        interaction: discord.Interaction,
        circle_id: int,
        index: int,
        rating: int,
        words: str | None,
    ) -> None:
        """Count the answer and thank the member privately."""
        guild_id = guild_of(interaction).id
        # Many answer right after the closing message; answer Discord in time.
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.circles.give_feedback(
            guild_id, circle_id, index, interaction.user.id, rating, words
        )
        minimum = (await self.circles.circle_settings(guild_id)).feedback_min_answers
        await reply_private(
            interaction,
            "Thank you. Your answer is anonymous: facilitators only see totals and shuffled "
            f"words, and only once at least {minimum} people have answered. 💛",
        )

    @app_commands.command(
        name="feedback", description="See a circle's anonymous feedback in aggregate (facilitators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def feedback(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """Show the latest closed meeting's feedback, only in aggregate and only from k answers."""
        guild_id = await self.require_facilitator(interaction)
        results = await self.circles.feedback_results(guild_id, circle)
        minimum = (await self.circles.circle_settings(guild_id)).feedback_min_answers
        await reply_private(interaction, results_text(results, minimum))

    # ----- settings ----------------------------------------------------------------------------
    @app_commands.command(
        name="settings", description="Circle settings for this server (moderators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(
        events="Mirror meetings as Discord scheduled events (on by default)",
        feedback_min=f"Answers needed before facilitators see feedback ({MIN_FEEDBACK_MIN}-{MAX_FEEDBACK_MIN})",
    )
    async def settings_(
        self,
        interaction: discord.Interaction,
        events: bool | None = None,
        feedback_min: app_commands.Range[int, MIN_FEEDBACK_MIN, MAX_FEEDBACK_MIN] | None = None,
    ) -> None:
        """Show or change the server's circle settings; events off removes the mirrored ones."""
        await require_moderator(interaction, self.settings)
        guild = guild_of(interaction)
        if events is None and feedback_min is None:
            config = await self.circles.circle_settings(guild.id)
        else:
            config = await self.circles.change_settings(
                guild.id,
                interaction.user.id,
                events_enabled=events,
                feedback_min_answers=feedback_min,
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        note = ""
        if events is False:
            removed = await self.remove_events(guild)
            note = f"\nRemoved {removed} Discord event(s) of coming meetings."
        elif events is True:
            added = await self.restore_events(guild)
            note = f"\nAdded {added} Discord event(s) for announced meetings." if added else ""
        await reply_private(
            interaction,
            f"Circle settings: Discord events **{'on' if config.events_enabled else 'off'}**; "
            f"facilitators see feedback from **{config.feedback_min_answers}** answers.{note}",
        )

    async def remove_events(self, guild: discord.Guild) -> int:
        """Delete the Discord events mirroring meetings that have not happened yet."""
        removed = 0
        for circle_id, index, event_id in await self.circles.mirrored_events(guild.id):
            try:
                event = await guild.fetch_scheduled_event(event_id)
                await event.delete()
            except discord.NotFound:
                pass
            except discord.HTTPException:
                log.warning("Could not remove a scheduled event in guild %s", guild.id)
                continue
            await self.circles.forget_event(circle_id, index)
            removed += 1
        return removed

    async def restore_events(self, guild: discord.Guild) -> int:
        """Mirror announced coming meetings as Discord events again."""
        raise NotImplementedError  # CirclesCog knows how to create one

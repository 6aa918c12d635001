"""Holding a circle on Discord: opening and closing, the talking order, notes and feedback.

Mixed into CirclesCog so these are `/circle` subcommands too:

    /circle open <circle>                let members into the voice room (facilitators)
    /circle close <circle>               lock it again, invite anonymous feedback (facilitators)
    /circle hand [circle]                raise your hand in the open circle (again: lower it)
    /circle next [circle]                pass to the next raised hand (facilitators)
    /circle note [circle]                read the next written note, privately (facilitators)
    /circle feedback <circle>            the last meeting's anonymous feedback, in aggregate
    /circle settings [events] [feedback_min]   server settings (moderators)

The talking order is ONE message (`TalkingOrderBoard`), edited as the queue changes. It shows
display names and pings nobody.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInput, UserError
from bot.i18n import N_, language, server_language
from bot.services.circles import (
    MAX_FEEDBACK_MIN,
    MIN_FEEDBACK_MIN,
    Announcer,
    CircleHolding,
    CircleService,
    HoldOutcome,
    TalkingOrderBoard,
)
from bot.services.settings import SettingsService
from bot.ui import (
    NO_MENTIONS,
    StoredId,
    choices_fitted,
    defer,
    guild_of,
    open_modal,
    reply_private,
    require_moderator,
    send,
)
from bot.ui.limits import CHOICE_LIMIT, CHOICES_LIMIT
from cogs.circles import _render
from cogs.circles._views import FeedbackForm, NoteForm, backup_view

log = logging.getLogger(__name__)

NOTE_QUOTED = 1500  # characters of a refused note handed back to its writer


class RoomCommands(commands.Cog):
    """The `/circle` subcommands and buttons for holding a circle (mixed into CirclesCog)."""

    circles: CircleService
    settings: SettingsService
    announcer: Announcer
    board: TalkingOrderBoard
    holding: CircleHolding

    async def require_facilitator(self, interaction: discord.Interaction) -> int:
        """Return the guild id if the member may run circles (CirclesCog decides)."""
        raise NotImplementedError

    # ----- opening and closing ---------------------------------------------------------------
    @app_commands.command(
        name="open", description="Open the voice room for a meeting (facilitators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def open_(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """Let members (or those who said yes) in, post the opening and the talking order."""
        guild_id = await self.require_facilitator(interaction)
        config = await self.settings.require(guild_id, "member_role_id")
        held = await self.circles.room.hold(guild_id, interaction.user.id, circle, opening=True)
        await defer(interaction)
        await self.holding.opened(held, config.member_role_id)
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _render.opened_text(_, held.meeting, yes_only=held.yes_only),
            view=backup_view(_, held.meeting.circle_id),
        )

    @app_commands.command(name="close", description="Close the voice room (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def close(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """Lock the room, clear the talking order, post a closing message inviting feedback."""
        guild_id = await self.require_facilitator(interaction)
        await self.settings.require(guild_id, "member_role_id")
        held = await self.circles.room.hold(guild_id, interaction.user.id, circle, opening=False)
        await defer(interaction)
        await self.holding.closed(held)
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _("%(room)s is closed again.", room=f"<#{held.meeting.voice_channel_id}>"),
        )
        await self.hand_back_notes(interaction, held)

    async def hand_back_notes(self, interaction: discord.Interaction, held: HoldOutcome) -> None:
        """Show the closing facilitator the notes nobody read, privately (they are then erased)."""
        if held.unread:
            _ = language(interaction.locale)
            for part in _render.unread_parts(_, held.unread, guild_of(interaction)):
                await reply_private(interaction, part)

    async def need_backup(self, interaction: discord.Interaction, circle_id: int) -> None:
        """Post a quiet request for help in the moderator-alerts channel."""
        guild_id = await self.require_facilitator(interaction)
        circle = await self.circles.get(guild_id, circle_id)
        config = await self.settings.require(guild_id, "alerts_channel_id")
        channel = guild_of(interaction).get_channel(config.alerts_channel_id or 0)
        if not isinstance(channel, discord.TextChannel):
            raise InvalidInput(
                N_(
                    "I couldn't find the moderator-alerts channel. A moderator can check "
                    "`/setup show`."
                )
            )
        public = server_language(interaction.guild_locale, chosen=config.language)
        await send(
            channel,
            public(
                "%(member)s is holding **%(title)s** in %(room)s and would like a moderator's "
                "backup when you can.",
                member=interaction.user.mention,
                title=circle.title,
                room=f"<#{circle.voice_channel_id}>",
            ),
            allowed_mentions=NO_MENTIONS,
        )
        await reply_private(
            interaction, language(interaction.locale)("I've let the moderators know, quietly. 💛")
        )

    # ----- talking order ---------------------------------------------------------------------
    @app_commands.command(
        name="hand", description="Raise your hand in the open circle (again to lower it)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle, if more than one is open")
    async def hand(self, interaction: discord.Interaction, circle: StoredId | None = None) -> None:
        """Raise or lower the member's hand and show their place privately."""
        await self._hand(interaction, circle, None)

    async def raise_button(
        self, interaction: discord.Interaction, circle_id: int, index: int
    ) -> None:
        """Raise a hand from the button under the talking order."""
        await self._hand(interaction, circle_id, True)

    async def lower_button(
        self, interaction: discord.Interaction, circle_id: int, index: int
    ) -> None:
        """Lower a hand from the button under the talking order."""
        await self._hand(interaction, circle_id, False)

    async def _hand(
        self, interaction: discord.Interaction, circle_id: int | None, up: bool | None
    ) -> None:
        guild = guild_of(interaction)
        # Hands often go up together when someone finishes; answer Discord in time.
        await defer(interaction)
        outcome = await self.circles.room.hand(
            guild.id,
            interaction.user.id,
            circle_id=circle_id,
            channel_id=interaction.channel_id,
            raise_hand=up,
        )
        text = _render.hand_text(language(interaction.locale), outcome)
        await self.board.after(outcome.order.occurrence_id, reply_private(interaction, text))

    @app_commands.command(name="next", description="Pass to the next raised hand (facilitators)")
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle, if more than one is open")
    async def next_(self, interaction: discord.Interaction, circle: StoredId | None = None) -> None:
        """Pass to the first raised hand; tell the facilitator privately who and what waits."""
        guild_id = await self.require_facilitator(interaction)
        outcome = await self.circles.room.next_speaker(
            guild_id, circle_id=circle, channel_id=interaction.channel_id
        )
        text = _render.next_text(
            language(interaction.locale), outcome.speaker_id, outcome.order, guild_of(interaction)
        )
        await self.board.after(outcome.order.occurrence_id, reply_private(interaction, text))

    # ----- text lane -------------------------------------------------------------------------
    async def write_button(
        self, interaction: discord.Interaction, circle_id: int, index: int
    ) -> None:
        """Open the note form (checked first, so nobody writes into a closed circle)."""
        order = await self.circles.room.meeting_order(guild_of(interaction).id, circle_id, index)
        if not order.is_open:
            raise InvalidInput(
                N_("This circle has closed, so there's nobody to read a note aloud now.")
            )
        form = NoteForm(language(interaction.locale), circle_id, index, self.note_submitted)
        await open_modal(interaction, form)

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
        _ = language(interaction.locale)
        await defer(interaction)
        try:
            receipt = await self.circles.room.add_note(
                guild.id, interaction.user.id, circle_id, index, words, anonymous=anonymous
            )
        except UserError as error:
            await reply_private(
                interaction,
                error.said(_)
                + "\n\n"
                + _("Here is what you wrote, so it isn't lost:")
                + "\n"
                + _render.quoted(words.strip())[:NOTE_QUOTED],
            )
            return
        text = _(
            N_(
                "Your words reached the facilitators of **%(title)s**. They'll read them aloud "
                "without your name when there's a moment. 💛"
            )
            if receipt.anonymous
            else N_(
                "Your words reached the facilitators of **%(title)s**. They'll read them aloud "
                "with your name when there's a moment. 💛"
            ),
            title=receipt.title,
        )
        await self.board.after(receipt.order.occurrence_id, reply_private(interaction, text))

    @app_commands.command(
        name="note", description="Read the next written note privately (facilitators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle, if more than one is open")
    async def note(self, interaction: discord.Interaction, circle: StoredId | None = None) -> None:
        """Show the facilitator the oldest unread note, privately, and mark it read."""
        guild_id = await self.require_facilitator(interaction)
        note = await self.circles.room.next_note(
            guild_id, circle_id=circle, channel_id=interaction.channel_id
        )
        _ = language(interaction.locale)
        if note is None:
            await reply_private(interaction, _("No written notes are waiting."))
            return
        text = _render.note_text(_, note, guild_of(interaction))
        if note.order is None:
            await reply_private(interaction, text)
        else:
            await self.board.after(note.order.occurrence_id, reply_private(interaction, text))

    # ----- feedback --------------------------------------------------------------------------
    async def feedback_button(
        self, interaction: discord.Interaction, circle_id: int, index: int
    ) -> None:
        """Open the feedback form if this member may still answer."""
        guild_id = guild_of(interaction).id
        await self.circles.feedback.check_feedback(guild_id, circle_id, index, interaction.user.id)
        form = FeedbackForm(language(interaction.locale), circle_id, index, self.feedback_submitted)
        await open_modal(interaction, form)

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
        await defer(interaction)
        feedback = self.circles.feedback
        await feedback.give_feedback(guild_id, circle_id, index, interaction.user.id, rating, words)
        minimum = (await feedback.circle_settings(guild_id)).feedback_min_answers
        _ = language(interaction.locale)
        await reply_private(
            interaction,
            _(
                "Thank you. Your answer is anonymous: facilitators only see totals and shuffled "
                "words, and only once at least %(minimum)s people have answered. 💛",
                minimum=_.number(minimum),
            ),
        )

    @app_commands.command(
        name="feedback", description="See a circle's anonymous feedback in aggregate (facilitators)"
    )
    @app_commands.guild_only()
    @app_commands.describe(circle="Which circle")
    async def feedback(self, interaction: discord.Interaction, circle: StoredId) -> None:
        """Show the latest closed meeting's feedback, only in aggregate and only from k answers."""
        guild_id = await self.require_facilitator(interaction)
        results = await self.circles.feedback.feedback_results(guild_id, circle)
        minimum = (await self.circles.feedback.circle_settings(guild_id)).feedback_min_answers
        await reply_private(
            interaction, _render.results_text(language(interaction.locale), results, minimum)
        )

    @open_.autocomplete("circle")
    @close.autocomplete("circle")
    @hand.autocomplete("circle")
    @next_.autocomplete("circle")
    @note.autocomplete("circle")
    @feedback.autocomplete("circle")
    @choices_fitted
    async def circle_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """Suggest the server's running circles by title."""
        return await self.running_circles(interaction, current)

    async def running_circles(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """Return the server's running circles whose title (or id) matches what was typed."""
        if interaction.guild_id is None:
            return []
        seen: dict[int, str] = {}
        for meeting in await self.circles.upcoming(interaction.guild_id, limit=CHOICES_LIMIT):
            seen.setdefault(meeting.circle_id, meeting.title)
        needle = current.strip().lower()
        return [
            app_commands.Choice(name=f"{title} ({circle_id})"[:CHOICE_LIMIT], value=circle_id)
            for circle_id, title in seen.items()
            if needle in title.lower() or needle == str(circle_id)
        ][:CHOICES_LIMIT]

    # ----- settings --------------------------------------------------------------------------
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
            config = await self.circles.feedback.circle_settings(guild.id)
        else:
            config = await self.circles.feedback.change_settings(
                guild.id,
                interaction.user.id,
                events_enabled=events,
                feedback_min_answers=feedback_min,
            )
        await defer(interaction)
        _ = language(interaction.locale)
        note = ""
        if events is False:
            removed = await self.announcer.remove_events(guild.id)
            note = "\n" + _.plural(
                "Removed %(count)s Discord event of coming meetings.",
                "Removed %(count)s Discord events of coming meetings.",
                removed,
            )
        elif events is True:
            added = await self.announcer.restore_events(guild.id)
            note = (
                "\n"
                + _.plural(
                    "Added %(count)s Discord event for announced meetings.",
                    "Added %(count)s Discord events for announced meetings.",
                    added,
                )
                if added
                else ""
            )
        settings_text = (
            N_(
                "Circle settings: Discord events **on**; facilitators see feedback from "
                "**%(minimum)s** answers."
            )
            if config.events_enabled
            else N_(
                "Circle settings: Discord events **off**; facilitators see feedback from "
                "**%(minimum)s** answers."
            )
        )
        await reply_private(
            interaction,
            _(settings_text, minimum=_.number(config.feedback_min_answers)) + note,
        )

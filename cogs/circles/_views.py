"""The circles cog's persistent buttons, the views they sit in, and its two forms."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.errors import InvalidInput
from bot.i18n import N_, NC_, Language
from bot.services.circles import MAX_FEEDBACK_WORDS, MAX_NOTE, TOP_RATING, Meeting, TalkingOrder
from bot.ui import HearthModal
from bot.ui.components import ButtonSpec, carried

CIRCLE, MEETING = "circle", "index"

YES = ButtonSpec(
    "hearth:circle:yes",
    NC_("button", "I'll be there"),
    discord.ButtonStyle.success,
    (CIRCLE, MEETING),
)
NO = ButtonSpec(
    "hearth:circle:no",
    NC_("button", "Can't make it"),
    discord.ButtonStyle.secondary,
    (CIRCLE, MEETING),
)
BACKUP = ButtonSpec(
    "hearth:circle:backup", NC_("button", "Need backup"), discord.ButtonStyle.secondary, (CIRCLE,)
)
RAISE = ButtonSpec(
    "hearth:circle:raise",
    NC_("button", "Raise my hand"),
    discord.ButtonStyle.primary,
    (CIRCLE, MEETING),
)
LOWER = ButtonSpec(
    "hearth:circle:lower",
    NC_("button", "Lower my hand"),
    discord.ButtonStyle.secondary,
    (CIRCLE, MEETING),
)
WRITE = ButtonSpec(
    "hearth:circle:write",
    NC_("button", "Write instead"),
    discord.ButtonStyle.secondary,
    (CIRCLE, MEETING),
)
FEEDBACK = ButtonSpec(
    "hearth:circle:feedback",
    NC_("button", "Share feedback (anonymous)"),
    discord.ButtonStyle.primary,
    (CIRCLE, MEETING),
)

ANONYMOUS, NAMED = "anonymous", "named"
STARS = "★"
FORM_TIMEOUT = 20 * 60  # seconds a form stays usable


def _view(*buttons: discord.ui.Button[Any]) -> discord.ui.View:
    return carried(*buttons)


def rsvp_view(_: Language, meeting: Meeting) -> discord.ui.View:
    """Return the RSVP buttons under a meeting's announcement (in the server's language)."""
    return _view(
        YES.button(meeting.circle_id, meeting.index, words=_),
        NO.button(meeting.circle_id, meeting.index, words=_),
    )


def queue_view(_: Language, order: TalkingOrder) -> discord.ui.View:
    """Return the buttons under the talking order (in the server's language)."""
    return _view(
        RAISE.button(order.circle_id, order.index, words=_),
        LOWER.button(order.circle_id, order.index, words=_),
        WRITE.button(order.circle_id, order.index, words=_),
    )


def backup_view(_: Language, circle_id: int) -> discord.ui.View:
    """Return the facilitator's quiet Need backup button (in their language)."""
    return _view(BACKUP.button(circle_id, words=_))


def feedback_view(_: Language, meeting: Meeting) -> discord.ui.View:
    """Return the anonymous feedback button under the closing message (the server's language)."""
    return _view(FEEDBACK.button(meeting.circle_id, meeting.index, words=_))


NoteSubmitted = Callable[[discord.Interaction, int, int, str, bool], Awaitable[None]]
FeedbackSubmitted = Callable[[discord.Interaction, int, int, int, str | None], Awaitable[None]]


class NoteForm(HearthModal):
    """A few words the facilitator reads aloud, with the member's name or without."""

    def __init__(self, _: Language, circle_id: int, index: int, submitted: NoteSubmitted) -> None:
        super().__init__(
            title=_.context("form title", "Write to the facilitator"),
            timeout=FORM_TIMEOUT,
            custom_id=f"hearth:circle:noteform:{secrets.token_hex(8)}",
        )
        self.circle_id, self.index, self.submitted = circle_id, index, submitted
        self.words: discord.ui.TextInput[NoteForm] = discord.ui.TextInput(
            custom_id="words",
            style=discord.TextStyle.paragraph,
            max_length=MAX_NOTE,
            placeholder=_.context("placeholder", "What you'd like the circle to hear."),
        )
        self.who: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="who",
            required=False,
            min_values=0,
            options=[
                discord.SelectOption(
                    label=_.context("select option", "Anonymous: don't say who wrote it"),
                    value=ANONYMOUS,
                ),
                discord.SelectOption(
                    label=_.context("select option", "Say it's from me"), value=NAMED
                ),
            ],
        )
        self.add_item(
            discord.ui.Label(text=_.context("field label", "A few words"), component=self.words)
        )
        self.add_item(
            discord.ui.Label(
                text=_.context("field label", "Read with your name?"),
                description=_.context(
                    "field description", "If you choose nothing, it stays anonymous."
                ),
                component=self.who,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store the note and tell the member privately that it reached the facilitators."""
        await self.submitted(
            interaction, self.circle_id, self.index, self.words.value, self.who.values != [NAMED]
        )


class FeedbackForm(HearthModal):
    """Anonymous feedback: a rating from 1 to 5 and optional words."""

    def __init__(
        self, _: Language, circle_id: int, index: int, submitted: FeedbackSubmitted
    ) -> None:
        super().__init__(
            title=_.context("form title", "How was the circle?"),
            timeout=FORM_TIMEOUT,
            custom_id=f"hearth:circle:fbform:{secrets.token_hex(8)}",
        )
        self.circle_id, self.index, self.submitted = circle_id, index, submitted
        self.rating: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="rating",
            placeholder=_.context("placeholder", "Choose one"),
            options=[
                discord.SelectOption(label=f"{n} {STARS * n}", value=str(n))
                for n in range(TOP_RATING, 0, -1)
            ],
        )
        self.words: discord.ui.TextInput[FeedbackForm] = discord.ui.TextInput(
            custom_id="words",
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=MAX_FEEDBACK_WORDS,
            placeholder=_.context(
                "placeholder", "Anything you'd like the facilitators to know (optional)."
            ),
        )
        self.add_item(
            discord.ui.Label(
                text=_.context("field label", "How was it for you?"), component=self.rating
            )
        )
        self.add_item(
            discord.ui.Label(
                text=_.context("field label", "A few words (optional)"), component=self.words
            )
        )
        self.add_item(
            discord.ui.TextDisplay(
                _(
                    "Anonymous: facilitators only ever see totals and shuffled words, and only "
                    "once enough people have answered."
                )
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Count the answer."""
        values = self.rating.values
        if not values or not values[0].isdigit():
            raise InvalidInput(N_("Please choose a rating from 1 to %(top)s."), top=TOP_RATING)
        await self.submitted(
            interaction, self.circle_id, self.index, int(values[0]), self.words.value or None
        )

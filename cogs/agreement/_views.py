"""The agreement cog's persistent components and the moderators' editor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import N_, NC_, Language
from bot.services.agreement import AgreementText
from bot.ui import HearthModal, read_agreement_button
from bot.ui.components import ButtonSpec, SelectSpec, carried

if TYPE_CHECKING:
    from cogs.agreement._cog import AgreementCog

READ = read_agreement_button()
ACCEPT = ButtonSpec(
    "hearth:agreement:accept",
    NC_("button", "Accept"),
    discord.ButtonStyle.success,
    ("guild", "number"),
)
NOT_NOW = ButtonSpec(
    "hearth:agreement:notnow", NC_("button", "Not now"), discord.ButtonStyle.secondary
)
QUIZ = SelectSpec(
    "hearth:agreement:quiz", NC_("placeholder", "Choose an answer"), ("guild", "number")
)
EDITOR_TITLE = NC_("form title", "Group agreement")
DEFAULT_TITLE = N_("Our group agreement")
POINTS_EXAMPLE = NC_("placeholder", "We listen without judging.\nWhat is shared here stays here.")
TITLE_LABEL = NC_("field label", "Title")
POINTS_LABEL = NC_("field label", "Points (one per line; markdown is fine)")


def card_view(guild_id: int, number: int, words: Language) -> discord.ui.View:
    """Return Accept / Not now buttons for one version, in the member's language."""
    return carried(ACCEPT.button(guild_id, number, words=words), NOT_NOW.button(words=words))


def read_view(guild_id: int | None, words: Language) -> discord.ui.View:
    """Return the "Read the agreement" button (naming the server, for use in DMs)."""
    return carried(READ.button(guild_id, words=words))


def quiz_view(
    guild_id: int, number: int, answers: Sequence[str], words: Language
) -> discord.ui.View:
    """Return the quiz question's answers as a select; each option's value is its index."""
    options = [discord.SelectOption(label=a[:100], value=str(i)) for i, a in enumerate(answers)]
    return carried(QUIZ.select(guild_id, number, options=options, words=words))


def persistent_items(cog: AgreementCog) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
    """Return the component classes to register, each bound to the cog's handler."""
    return (
        READ.handled_by(cog.read_clicked),
        ACCEPT.handled_by(cog.start_accept),
        NOT_NOW.handled_by(cog.not_now),
        QUIZ.handled_by(cog.answer),
    )


class AgreementEditor(HearthModal):
    """The moderators' editor: a title and one point per line, in the moderator's language."""

    def __init__(
        self, cog: AgreementCog, current: AgreementText | None, kind: str, words: Language
    ) -> None:
        # No fixed custom_id: discord.py keys open modals by it, so two moderators editing at
        # once would otherwise take each other's editor.
        super().__init__(title=words.context("form title", EDITOR_TITLE), timeout=30 * 60)
        self.cog, self.kind = cog, kind
        self.heading: discord.ui.TextInput[AgreementEditor] = discord.ui.TextInput(
            max_length=100,
            default=current.title if current else words(DEFAULT_TITLE),
            custom_id="title",
        )
        self.body: discord.ui.TextInput[AgreementEditor] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=4000,
            default="\n".join(current.points) if current else None,
            placeholder=words.context("placeholder", POINTS_EXAMPLE),
            custom_id="points",
        )
        self.add_item(
            discord.ui.Label(text=words.context("field label", TITLE_LABEL), component=self.heading)
        )
        self.add_item(
            discord.ui.Label(text=words.context("field label", POINTS_LABEL), component=self.body)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Save the new version."""
        await self.cog.saved(interaction, self.heading.value, self.body.value, self.kind)

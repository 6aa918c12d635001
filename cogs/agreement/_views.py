"""The agreement cog's persistent components and the moderators' editor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.services.agreement import AgreementText
from bot.ui import HearthModal, read_agreement_button
from bot.ui.components import ButtonSpec, SelectSpec

if TYPE_CHECKING:
    from cogs.agreement._cog import AgreementCog

READ = read_agreement_button()
ACCEPT = ButtonSpec(
    "hearth:agreement:accept", "Accept", discord.ButtonStyle.success, ("guild", "number")
)
NOT_NOW = ButtonSpec("hearth:agreement:notnow", "Not now", discord.ButtonStyle.secondary)
QUIZ = SelectSpec("hearth:agreement:quiz", "Choose an answer", ("guild", "number"))


def card_view(guild_id: int, number: int) -> discord.ui.View:
    """Return Accept / Not now buttons for one version."""
    view = discord.ui.View(timeout=None)
    view.add_item(ACCEPT.button(guild_id, number))
    view.add_item(NOT_NOW.button())
    return view


def read_view(guild_id: int | None) -> discord.ui.View:
    """Return the "Read the agreement" button (naming the server, for use in DMs)."""
    view = discord.ui.View(timeout=None)
    view.add_item(READ.button(guild_id))
    return view


def quiz_view(guild_id: int, number: int, answers: Sequence[str]) -> discord.ui.View:
    """Return the quiz question's answers as a select; each option's value is its index."""
    view = discord.ui.View(timeout=None)
    options = [discord.SelectOption(label=a[:100], value=str(i)) for i, a in enumerate(answers)]
    view.add_item(QUIZ.select(guild_id, number, options=options))
    return view


def persistent_items(cog: AgreementCog) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
    """Return the component classes to register, each bound to the cog's handler."""
    return (
        READ.handled_by(cog.read_clicked),
        ACCEPT.handled_by(cog.start_accept),
        NOT_NOW.handled_by(cog.not_now),
        QUIZ.handled_by(cog.answer),
    )


class AgreementEditor(HearthModal, title="Group agreement"):
    """The moderators' editor: a title and one point per line."""

    def __init__(self, cog: AgreementCog, current: AgreementText | None, kind: str) -> None:
        # No fixed custom_id: discord.py keys open modals by it, so two moderators editing at
        # once would otherwise take each other's editor.
        super().__init__(timeout=30 * 60)
        self.cog, self.kind = cog, kind
        self.heading: discord.ui.TextInput[AgreementEditor] = discord.ui.TextInput(
            max_length=100,
            default=current.title if current else "Our group agreement",
            custom_id="title",
        )
        self.body: discord.ui.TextInput[AgreementEditor] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            max_length=4000,
            default="\n".join(current.points) if current else None,
            placeholder="We listen without judging.\nWhat is shared here stays here.",
            custom_id="points",
        )
        self.add_item(discord.ui.Label(text="Title", component=self.heading))
        self.add_item(
            discord.ui.Label(text="Points (one per line; markdown is fine)", component=self.body)
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Save the new version."""
        await self.cog.saved(interaction, self.heading.value, self.body.value, self.kind)

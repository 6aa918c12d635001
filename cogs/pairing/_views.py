"""Pairing's persistent components (through `bot.ui.components`) and its report form.

Each component's custom_id carries its state, so invitations, follow-ups, the report button in
a pair thread and the topic select keep working after restarts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.i18n import NC_, Language
from bot.ui import HearthModal, carried
from bot.ui.components import ButtonSpec, SelectSpec

if TYPE_CHECKING:
    from cogs.pairing._cog import PairingCog

ACCEPT = ButtonSpec(
    "hearth:pair:accept",
    NC_("button", "Yes, let's meet"),
    discord.ButtonStyle.success,
    ("member",),
)
SKIP = ButtonSpec(
    "hearth:pair:skip", NC_("button", "Skip this round"), discord.ButtonStyle.secondary, ("member",)
)
REPORT = ButtonSpec(
    "hearth:pair:report",
    NC_("button", "Tell a moderator"),
    discord.ButtonStyle.secondary,
    ("thread",),
)
# "Did you connect?": each answer's button, in the order they are shown.
CONNECTED = {
    "yes": ButtonSpec(
        "hearth:pair:connected:yes", NC_("button", "Yes"), discord.ButtonStyle.success, ("member",)
    ),
    "not_yet": ButtonSpec(
        "hearth:pair:connected:notyet",
        NC_("button", "Not yet"),
        discord.ButtonStyle.secondary,
        ("member",),
    ),
    "no": ButtonSpec(
        "hearth:pair:connected:no", NC_("button", "No"), discord.ButtonStyle.secondary, ("member",)
    ),
}
TOPICS = SelectSpec("hearth:pair:topics", NC_("placeholder", "Choose your topics"), ("guild",))


def invitation_buttons(row_id: int, words: Language) -> discord.ui.View:
    """Return Yes, let's meet / Skip this round for one invitation."""
    return carried(ACCEPT.button(row_id, words=words), SKIP.button(row_id, words=words))


def followup_buttons(row_id: int, words: Language) -> discord.ui.View:
    """Return the "Did you connect?" answers for one member of a group."""
    return carried(*(spec.button(row_id, words=words) for spec in CONNECTED.values()))


def report_button(thread_id: int, words: Language) -> discord.ui.View:
    """Return the "Tell a moderator" button for a pair thread."""
    return carried(REPORT.button(thread_id, words=words))


def topic_picker(guild_id: int, topics: tuple[str, ...], words: Language) -> discord.ui.View:
    """Return the private multi-select of the server's topics."""
    options = [discord.SelectOption(label=t[:100], value=t[:100]) for t in topics]
    select = TOPICS.select(
        guild_id,
        words=words,
        options=options or [discord.SelectOption(label="-", value="-")],
        min_values=0,
        max_values=max(1, len(topics)),
    )
    return carried(select)


def persistent_items(cog: PairingCog) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
    """Return the component classes to register, each bound to the cog's handler."""
    return (
        ACCEPT.handled_by(cog.accepted),
        SKIP.handled_by(cog.skipped),
        REPORT.handled_by(cog.report_clicked),
        *(spec.handled_by(cog.followup_answer(answer)) for answer, spec in CONNECTED.items()),
        TOPICS.handled_by(cog.topics_chosen),
    )


ReportSender = Callable[[discord.Interaction, tuple[int, ...], int | None, str], Awaitable[None]]


class ReportModal(HearthModal):
    """A private note to the moderators about a pairing."""

    def __init__(
        self, send: ReportSender, about: tuple[int, ...], thread_id: int | None, _: Language
    ) -> None:
        super().__init__(title=_.context("form title", "Tell the moderators"))
        self.send_report, self.about, self.thread_id = send, about, thread_id
        self.what: discord.ui.TextInput[Any] = discord.ui.TextInput(
            custom_id="what",
            style=discord.TextStyle.paragraph,
            max_length=1000,
            placeholder=_.context("placeholder", "Only the moderators will see this."),
        )
        label = _.context("field label", "What happened?")
        self.add_item(discord.ui.Label(text=label, component=self.what))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Post the card in moderator alerts and thank the member."""
        await self.send_report(interaction, self.about, self.thread_id, self.what.value)

"""Data rights: `/privacy` explains, `/mydata export` hands over, `/mydata delete` erases."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import HearthBot
from bot.errors import NotAllowed
from bot.i18n import N_, NC_, language
from bot.services.data_rights import DataRightsService, ExportChoice
from bot.ui import (
    WARM,
    defer,
    reply_private,
    update,
)
from bot.ui.components import ButtonSpec, carried

log = logging.getLogger(__name__)

PRIVACY_INTRO = N_(
    "Hearth keeps as little as it can, only to run this community's features. It never sells or "
    "shares anything, keeps no record of messages you write in channels, and never puts your "
    "name on an anonymous post. Here is what it stores:"
)
PRIVACY_RIGHTS = N_(
    "You can see everything stored about you with `/mydata export`, and erase it with "
    "`/mydata delete`. The export counts your recent check-ins and their moods per day, but "
    "leaves out their words, references and pseudonyms unless you ask for them: a file with "
    "those would show anyone who sees it which posts are yours. Discord itself also keeps "
    "data under its own policy."
)
EXPORT_DONE = N_("Here is everything Hearth stores about you, across every server that uses it.")
EXPORT_WITHOUT_WORDS = N_(
    "It leaves out the words, references and pseudonyms of your check-ins, so it can't point "
    "at your posts. To include them, use `/mydata export include_checkin_words:True` (anyone "
    "who sees that file will know which posts are yours)."
)
EXPORT_WITH_WORDS = N_(
    "It includes the words of your recent check-ins and which posts they are. Keep it "
    "somewhere only you can open: anyone who sees it will know which posts are yours."
)


class PrivacyCog(commands.Cog):
    """Explaining, exporting and deleting what Hearth stores about a member."""

    mydata = app_commands.Group(
        name="mydata", description="See or erase what Hearth stores about you"
    )

    def __init__(self, data_rights: DataRightsService) -> None:
        self.data_rights = data_rights
        self.confirm_button, self.cancel_button = _make_items(self)

    @app_commands.command(
        name="privacy", description="What Hearth stores, for how long, and who sees it"
    )
    async def privacy(self, interaction: discord.Interaction) -> None:
        """Explain privately what Hearth stores."""
        _ = language(interaction.locale)
        embed = discord.Embed(
            title=_("Your privacy with Hearth"), description=_(PRIVACY_INTRO), colour=WARM
        )
        for part in self.data_rights.describe():
            embed.add_field(name="\u200b", value=_(part), inline=False)
        embed.add_field(name=_("Your rights"), value=_(PRIVACY_RIGHTS), inline=False)
        await reply_private(interaction, embed=embed)

    @mydata.command(name="export", description="Get a file with everything Hearth stores about you")
    @app_commands.describe(
        include_checkin_words=(
            "Include the words of my check-ins: anyone who sees the file will know which posts "
            "are mine"
        )
    )
    async def export(
        self, interaction: discord.Interaction, include_checkin_words: bool = False
    ) -> None:
        """Send the member a JSON file of their data, privately."""
        _ = language(interaction.locale)
        await defer(interaction)
        choice = ExportChoice(checkin_words=include_checkin_words)
        data = await self.data_rights.export(interaction.user.id, choice)
        data["about"] = _(data["about"])
        payload = json.dumps(data, indent=2, ensure_ascii=False).encode()
        words = EXPORT_WITH_WORDS if include_checkin_words else EXPORT_WITHOUT_WORDS
        await reply_private(
            interaction,
            f"{_(EXPORT_DONE)} {_(words)}",
            file=discord.File(io.BytesIO(payload), filename="hearth-my-data.json"),
        )

    @mydata.command(name="delete", description="Erase everything Hearth stores about you")
    async def delete(self, interaction: discord.Interaction) -> None:
        """Ask for confirmation before erasing."""
        _ = language(interaction.locale)
        view = carried(
            CONFIRM.button(interaction.user.id, words=_),
            CANCEL.button(interaction.user.id, words=_),
        )
        erases = _(
            "This erases everything Hearth stores about you, in every server that uses it: "
            "your agreement acceptances and anything else listed in `/privacy`. It can't be "
            "undone. Roles you already have stay as they are, but you may be asked to accept "
            "the group agreement again."
        )
        go_ahead = _("Do you want to go ahead?")
        await reply_private(interaction, f"{erases}\n\n{go_ahead}", view=view)

    async def confirmed(self, interaction: discord.Interaction, user_id: int) -> None:
        """Erase the member's data after they confirmed."""
        if interaction.user.id != user_id:
            raise NotAllowed(N_("Only the person who asked can confirm this."))
        await defer(interaction, thinking=False)
        report = await self.data_rights.delete(user_id)
        log.info("Erased personal data on request (%d records)", report.total)
        _ = language(interaction.locale)
        await update(
            interaction,
            content=_("Done. Everything Hearth stored about you has been erased."),
            view=None,
        )

    async def cancelled(self, interaction: discord.Interaction, user_id: int) -> None:
        """Leave everything as it was."""
        _ = language(interaction.locale)
        await update(interaction, content=_("Okay, nothing was erased."), view=None)


CONFIRM = ButtonSpec(
    "hearth:mydata:delete",
    NC_("button", "Yes, erase my data"),
    discord.ButtonStyle.danger,
    ("user",),
)
CANCEL = ButtonSpec(
    "hearth:mydata:keep", NC_("button", "No, keep it"), discord.ButtonStyle.secondary, ("user",)
)


def _make_items(cog: PrivacyCog) -> tuple[type[discord.ui.DynamicItem[Any]], ...]:
    """Bind the persistent confirmation buttons to the loaded cog."""
    return CONFIRM.handled_by(cog.confirmed), CANCEL.handled_by(cog.cancelled)


async def setup(bot: HearthBot) -> None:
    """Load the privacy cog and its persistent buttons."""
    cog = PrivacyCog(bot.services.data_rights)
    bot.add_dynamic_items(cog.confirm_button, cog.cancel_button)
    await bot.add_cog(cog)

"""The one error pipeline: a kind private reply for every failure, a log line for bugs."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.errors import AgreementRequired, UserError, Words
from bot.i18n import N_, NC_, Language, language
from bot.ui.replies import reply_private

if TYPE_CHECKING:
    from bot.ui.components import ButtonSpec

log = logging.getLogger(__name__)

READ_AGREEMENT_ID = "hearth:agreement:read"


def read_agreement_button() -> ButtonSpec:
    """Return the persistent "Read the agreement" button (its field: the server, if from a DM)."""
    # Imported here: bot.ui.components imports `guarded` from this module.
    from bot.ui.components import ButtonSpec

    return ButtonSpec(
        READ_AGREEMENT_ID,
        NC_("button", "Read the agreement"),
        discord.ButtonStyle.primary,
        ("guild",),
        ("guild",),
    )


def read_agreement_view(guild_id: int | None = None, words: Words | None = None) -> discord.ui.View:
    """Return a view with the persistent "Read the agreement" button (in `words`' language)."""
    view = discord.ui.View(timeout=None)
    view.add_item(read_agreement_button().button(guild_id, words=words))
    view.stop()  # only carries a persistent button: discord.py keeps nothing per message
    return view


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and (
        error.__cause__ is not None or getattr(error, "original", None) is not None
    ):
        error = getattr(error, "original", None) or error.__cause__  # type: ignore[assignment]
    return error


ONLY_IN_A_SERVER = N_("This only works inside a server, not in direct messages.")


def _check_message(error: app_commands.CheckFailure, _: Language) -> str:
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return _(
            "This is for moderators: it needs the %(permission)s permission.", permission=needed
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return _(ONLY_IN_A_SERVER)
    if isinstance(error, app_commands.CommandOnCooldown):
        return _.plural(
            "Please wait %(count)s second and try again.",
            "Please wait %(count)s seconds and try again.",
            round(error.retry_after),
        )
    return _("You can't use this here.")


def _conversion_message(
    interaction: discord.Interaction, error: app_commands.TransformerError, _: Language
) -> str:
    """Say kindly why a picked option could not be used (Discord sends people who left, too)."""
    if interaction.guild is None:
        return _(ONLY_IN_A_SERVER)
    if error.type in (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable):
        return _(
            "I couldn't find that person in this server (they may have left). "
            "Please pick someone who is here."
        )
    return _("I couldn't use what you picked there. Please pick again from the list.")


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Turn any failure into a kind private reply; log the unexpected ones with an error id."""
    error = _unwrap(error)
    _ = language(interaction.locale)
    view: discord.ui.View | None = None
    outcome = "refused"
    if isinstance(error, AgreementRequired):
        message, view = error.said(_), read_agreement_view(words=_)
    elif isinstance(error, UserError):
        message = error.said(_)
    elif isinstance(error, app_commands.CheckFailure):
        message = _check_message(error, _)
    elif isinstance(error, app_commands.TransformerError):
        message = _conversion_message(interaction, error, _)
    else:
        error_id, outcome = secrets.token_hex(4), "error"
        command = interaction.command.qualified_name if interaction.command else "component"
        log.error("Unexpected error %s in %s", error_id, command, exc_info=error)
        message = _(
            "Sorry, something went wrong on our side and nothing was changed. "
            "If it keeps happening, tell a moderator this code: `%(code)s`.",
            code=error_id,
        )
    metrics = getattr(interaction.client, "metrics", None)
    if metrics is not None:
        metrics.outcome(interaction, outcome)
    try:
        if view is None:
            await reply_private(interaction, message)
        else:
            await reply_private(interaction, message, view=view)
    except discord.HTTPException:
        log.warning("Could not tell the member about an error", exc_info=True)


async def guarded(interaction: discord.Interaction, work: Awaitable[None]) -> None:
    """Run a component callback through the same error pipeline as commands."""
    try:
        await work
    except Exception as error:
        await report_error(interaction, error)


class HearthModal(discord.ui.Modal):
    """A modal whose failures go through the error pipeline."""

    # discord.py's own Modal.on_error drops BaseView's `item` parameter; this matches Modal's.
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """Report the failure kindly."""
        await report_error(interaction, error)


class HearthView(discord.ui.View):
    """A view whose failures go through the error pipeline."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        """Report the failure kindly."""
        await report_error(interaction, error)

"""Discord-side helpers every cog shares: private replies and the one error pipeline."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import discord
from discord import app_commands

from bot.domain.zones import zones_matching
from bot.errors import AgreementRequired, NotAllowed, UserError
from bot.services.settings import GuildConfig, SettingsService

log = logging.getLogger(__name__)

READ_AGREEMENT_ID = "hearth:agreement:read"
NO_MENTIONS = discord.AllowedMentions.none()
WARM = discord.Colour.from_rgb(222, 140, 90)


def read_agreement_view() -> discord.ui.View:
    """Return a view with the persistent "Read the agreement" button."""
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label="Read the agreement",
            style=discord.ButtonStyle.primary,
            custom_id=READ_AGREEMENT_ID,
        )
    )
    return view


async def reply_private(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer privately, whether or not the interaction was already answered."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and (
        error.__cause__ is not None or getattr(error, "original", None) is not None
    ):
        error = getattr(error, "original", None) or error.__cause__  # type: ignore[assignment]
    return error


def _check_message(error: app_commands.CheckFailure) -> str:
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"This is for moderators: it needs the {needed} permission."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This only works inside a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Please wait {error.retry_after:.0f} seconds and try again."
    return str(error) or "You can't use this here."


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Turn any failure into a kind private reply; log the unexpected ones with an error id."""
    error = _unwrap(error)
    view: discord.ui.View | None = None
    if isinstance(error, AgreementRequired):
        message, view = error.message, read_agreement_view()
    elif isinstance(error, UserError):
        message = error.message
    elif isinstance(error, app_commands.CheckFailure):
        message = _check_message(error)
    else:
        error_id = secrets.token_hex(4)
        command = interaction.command.qualified_name if interaction.command else "component"
        log.error("Unexpected error %s in %s", error_id, command, exc_info=error)
        message = (
            "Sorry, something went wrong on our side and nothing was changed. "
            f"If it keeps happening, tell a moderator this code: `{error_id}`."
        )
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

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:
        """Report the failure kindly."""
        await report_error(interaction, error)


class HearthView(discord.ui.View):
    """A view whose failures go through the error pipeline."""

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        """Report the failure kindly."""
        await report_error(interaction, error)


def is_moderator(member: discord.Member | discord.User, moderator_role_id: int | None) -> bool:
    """Say whether a member may use moderator commands (Manage Server or the moderator role)."""
    if not isinstance(member, discord.Member):
        return False
    if member.guild_permissions.manage_guild:
        return True
    return moderator_role_id is not None and any(r.id == moderator_role_id for r in member.roles)


def guild_of(interaction: discord.Interaction) -> discord.Guild:
    """Return the server the interaction came from, or explain that this needs one."""
    if interaction.guild is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild


ClickHandler = Callable[..., Awaitable[None]]


def persistent_button(
    prefix: str,
    *,
    label: str,
    style: discord.ButtonStyle,
    on_click: ClickHandler,
    fields: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
    """Make a button that keeps working after restarts: its state is numbers in its custom_id.

    The custom_id is `prefix:field1:field2...`; `on_click(interaction, *fields)` runs through the
    error pipeline. Fields named in `optional` may be left out (they arrive as None).
    """
    pattern = prefix + "".join(
        rf"(?::(?P<{name}>\d+))?" if name in optional else rf":(?P<{name}>\d+)" for name in fields
    )

    class PersistentButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=pattern):
        def __init__(self, *values: int | None) -> None:
            if len(values) != len(fields):
                raise TypeError(f"{prefix} takes {len(fields)} values")
            self.values = values
            custom_id = prefix + "".join(f":{value}" for value in values if value is not None)
            super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))

        @classmethod
        async def from_custom_id(
            cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
        ) -> PersistentButton:
            return cls(*(int(match[name]) if match[name] else None for name in fields))

        async def callback(self, interaction: discord.Interaction) -> None:
            await guarded(interaction, on_click(interaction, *self.values))

    PersistentButton.__qualname__ = PersistentButton.__name__ = f"Button[{prefix}]"
    return PersistentButton


async def require_moderator(
    interaction: discord.Interaction, settings: SettingsService
) -> GuildConfig:
    """Return the server's settings if the member is a moderator; otherwise explain kindly."""
    config = await settings.get_or_default(guild_of(interaction).id)
    if not is_moderator(interaction.user, config.moderator_role_id):
        raise NotAllowed("This is for moderators: it needs Manage Server or the moderator role.")
    return config


def ts(moment: datetime, style: str = "F") -> str:
    """Return a Discord timestamp, shown in each reader's own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    """Autocomplete: up to 25 IANA zones matching what the member typed (city names first)."""
    return [app_commands.Choice(name=z, value=z) for z in zones_matching(current)]

"""Discord-side helpers every cog shares: private replies and the one error pipeline."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import discord
from discord import app_commands

from bot.domain.text import shorten
from bot.domain.zones import zones_matching
from bot.errors import AgreementRequired, NotAllowed, UserError
from bot.services.settings import GuildConfig, SettingsService

log = logging.getLogger(__name__)

READ_AGREEMENT_ID = "hearth:agreement:read"
NO_MENTIONS = discord.AllowedMentions.none()
WARM = discord.Colour.from_rgb(222, 140, 90)
# Hearth's own ids (circles, resources...) are 32-bit integers on PostgreSQL: an option or typed
# number naming one is bounded to them, so Discord refuses anything larger before Hearth sees it.
MAX_STORED_ID = 2**31 - 1
StoredId = app_commands.Range[int, 1, MAX_STORED_ID]


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


async def reply(
    interaction: discord.Interaction, content: str | None = None, *, ephemeral: bool, **kwargs: Any
) -> None:
    """Answer an interaction (first answer or follow-up), fitted to Discord's limits."""
    kwargs = fitted({"content": content, **kwargs})
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


async def reply_private(
    interaction: discord.Interaction, content: str | None = None, **kwargs: Any
) -> None:
    """Answer privately, whether or not the interaction was already answered."""
    await reply(interaction, content, ephemeral=True, **kwargs)


async def update(interaction: discord.Interaction, **kwargs: Any) -> None:
    """Change the message a component sits on (or the deferred original), fitted."""
    kwargs = fitted(kwargs)
    if interaction.response.is_done():
        await interaction.edit_original_response(**kwargs)
    else:
        await interaction.response.edit_message(**kwargs)


async def open_modal(interaction: discord.Interaction, modal: discord.ui.Modal) -> None:
    """Open a form, fitted to Discord's limits (this must be the first answer)."""
    await interaction.response.send_modal(fit_modal(modal))


async def send(
    target: discord.abc.Messageable, content: str | None = None, **kwargs: Any
) -> discord.Message:
    """Post to a channel, thread or member's DMs, fitted, with mentions off unless given."""
    return await target.send(**fitted({"content": content, **kwargs}))


async def edit(
    message: discord.Message | discord.PartialMessage | discord.InteractionMessage, **kwargs: Any
) -> discord.Message:
    """Edit a message Hearth sent, fitted, with mentions off unless given."""
    return await message.edit(**fitted(kwargs))


# ----- Discord's limits: everything Hearth sends passes through these ----------------------------
# https://discord.com/developers/docs/resources/message#create-message (content, embeds),
# .../interactions/message-components (labels, options), .../application-commands (choices).
CONTENT_LIMIT = 2000
EMBEDS_LIMIT = 10
EMBED_TOTAL_LIMIT = 6000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
BUTTON_LABEL_LIMIT = 80
SELECT_OPTIONS_LIMIT = 25
SELECT_OPTION_LIMIT = 100
PLACEHOLDER_LIMIT = 150
MODAL_TITLE_LIMIT = 45
INPUT_LABEL_LIMIT = 45
INPUT_PLACEHOLDER_LIMIT = 100
INPUT_VALUE_LIMIT = 4000
LABEL_DESCRIPTION_LIMIT = 100
TEXT_DISPLAY_LIMIT = 4000
CHOICES_LIMIT = 25
CHOICE_LIMIT = 100
THREAD_NAME_LIMIT = 100


def fit_content(content: str | None) -> str | None:
    """Return message content cut to Discord's 2,000 characters."""
    return None if content is None else shorten(str(content), CONTENT_LIMIT)


def _embed_pieces(data: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Return the (holder, key) of every text that counts towards an embed's 6,000 characters."""
    pieces = [(data, key) for key in ("title", "description") if data.get(key)]
    pieces += [
        (data[key], part)
        for key, part in (("footer", "text"), ("author", "name"))
        if isinstance(data.get(key), dict) and data[key].get(part)
    ]
    for field in data.get("fields", []):
        pieces += [(field, "name"), (field, "value")]
    return pieces


def _fit_embed_dict(data: dict[str, Any]) -> dict[str, Any]:
    for key, limit in (("title", EMBED_TITLE_LIMIT), ("description", EMBED_DESCRIPTION_LIMIT)):
        if data.get(key):
            data[key] = shorten(str(data[key]), limit)
    for key, part, limit in (("footer", "text", FOOTER_LIMIT), ("author", "name", AUTHOR_LIMIT)):
        if isinstance(data.get(key), dict) and data[key].get(part):
            data[key][part] = shorten(str(data[key][part]), limit)
    fields = data.get("fields", [])[:EMBED_FIELDS_LIMIT]
    for field in fields:
        field["name"] = shorten(str(field.get("name") or "\u200b"), FIELD_NAME_LIMIT)
        field["value"] = shorten(str(field.get("value") or "\u200b"), FIELD_VALUE_LIMIT)
    if fields:
        data["fields"] = fields
    return data


def _shrink_to_total(embeds: list[dict[str, Any]], total: int) -> None:
    """Cut the longest texts first until all embeds together hold at most `total` characters."""
    pieces = [piece for data in embeds for piece in _embed_pieces(data)]
    size = sum(len(holder[key]) for holder, key in pieces)
    while size > total and pieces:
        holder, key = max(pieces, key=lambda piece: len(piece[0][piece[1]]))
        text = holder[key]
        keep = max(1, len(text) - (size - total))
        holder[key] = shorten(text, keep)
        size -= len(text) - len(holder[key])
        if len(holder[key]) <= 1:
            pieces.remove((holder, key))


def fit_embeds(embeds: Sequence[discord.Embed]) -> list[discord.Embed]:
    """Return copies of at most 10 embeds that keep every per-part and combined limit."""
    dicts = [_fit_embed_dict(embed.to_dict()) for embed in embeds[:EMBEDS_LIMIT]]
    _shrink_to_total(dicts, EMBED_TOTAL_LIMIT)
    return [discord.Embed.from_dict(data) for data in dicts]


def fit_view(view: discord.ui.View) -> discord.ui.View:
    """Cut button labels, select placeholders and option texts to Discord's limits (in place)."""
    for item in view.walk_children() if hasattr(view, "walk_children") else view.children:
        if isinstance(item, discord.ui.Button) and item.label:
            item.label = shorten(item.label, BUTTON_LABEL_LIMIT)
        elif isinstance(item, discord.ui.Select):
            if item.placeholder:
                item.placeholder = shorten(item.placeholder, PLACEHOLDER_LIMIT)
            item.options = item.options[:SELECT_OPTIONS_LIMIT]
            for option in item.options:
                option.label = shorten(option.label, SELECT_OPTION_LIMIT)
                if option.description:
                    option.description = shorten(option.description, SELECT_OPTION_LIMIT)
            item.max_values = min(item.max_values, max(len(item.options), 1))
    return view


def fit_modal(modal: discord.ui.Modal) -> discord.ui.Modal:
    """Cut a modal's title, labels, placeholders and prefilled values to Discord's limits."""
    modal.title = shorten(modal.title, MODAL_TITLE_LIMIT)
    for item in modal.walk_children():
        if isinstance(item, discord.ui.Label):
            item.text = shorten(item.text, INPUT_LABEL_LIMIT)
            if item.description:
                item.description = shorten(item.description, LABEL_DESCRIPTION_LIMIT)
        elif isinstance(item, discord.ui.TextInput):
            if item.placeholder:
                item.placeholder = shorten(item.placeholder, INPUT_PLACEHOLDER_LIMIT)
            if item.default:
                item.default = item.default[
                    : min(item.max_length or INPUT_VALUE_LIMIT, INPUT_VALUE_LIMIT)
                ]
        elif isinstance(item, discord.ui.TextDisplay):
            item.content = shorten(item.content, TEXT_DISPLAY_LIMIT)
        elif isinstance(item, discord.ui.Select):
            if item.placeholder:
                item.placeholder = shorten(item.placeholder, PLACEHOLDER_LIMIT)
            for option in item.options:
                option.label = shorten(option.label, SELECT_OPTION_LIMIT)
    return modal


def fit_choices(choices: Iterable[app_commands.Choice[Any]]) -> list[app_commands.Choice[Any]]:
    """Return at most 25 autocomplete choices, names cut to 100; values too long are left out."""
    fitted = []
    for choice in choices:
        if isinstance(choice.value, str) and len(choice.value) > CHOICE_LIMIT:
            continue  # a cut value would mean something else
        fitted.append(
            app_commands.Choice(name=shorten(choice.name, CHOICE_LIMIT) or "…", value=choice.value)
        )
        if len(fitted) == CHOICES_LIMIT:
            break
    return fitted


AutocompleteCallback = Callable[..., Awaitable[list[app_commands.Choice[Any]]]]


def choices_fitted(callback: AutocompleteCallback) -> AutocompleteCallback:
    """Decorate an autocomplete callback so its answer always fits Discord's limits."""

    @functools.wraps(callback)
    async def fitted_callback(*args: Any, **kwargs: Any) -> list[app_commands.Choice[Any]]:
        return fit_choices(await callback(*args, **kwargs))

    return fitted_callback


def fit_thread_name(name: str) -> str:
    """Return a thread name Discord accepts (1 to 100 characters, one line)."""
    return shorten(" ".join(name.split()), THREAD_NAME_LIMIT) or "…"


def fitted(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Return message keyword arguments with content, embeds and view fitted, mentions off."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    if kwargs.get("content") is not None:
        kwargs["content"] = fit_content(kwargs["content"])
    if "embed" in kwargs or "embeds" in kwargs:
        embed = kwargs.pop("embed", None)
        embeds = kwargs.pop("embeds", None) or ([] if embed is None else [embed])
        kwargs["embeds"] = fit_embeds(embeds)
    if isinstance(kwargs.get("view"), discord.ui.View):
        fit_view(kwargs["view"])
    return kwargs


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


def _conversion_message(
    interaction: discord.Interaction, error: app_commands.TransformerError
) -> str:
    """Say kindly why a picked option could not be used (Discord sends people who left, too)."""
    if interaction.guild is None:
        return "This only works inside a server, not in direct messages."
    if error.type in (discord.AppCommandOptionType.user, discord.AppCommandOptionType.mentionable):
        return (
            "I couldn't find that person in this server (they may have left). "
            "Please pick someone who is here."
        )
    return "I couldn't use what you picked there. Please pick again from the list."


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
    elif isinstance(error, app_commands.TransformerError):
        message = _conversion_message(interaction, error)
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
    return fit_choices(app_commands.Choice(name=z, value=z) for z in zones_matching(current))

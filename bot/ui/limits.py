"""Discord's documented limits, and the functions that fit whatever Hearth sends to them."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

import discord
from discord import app_commands

from bot.domain.text import shorten

NO_MENTIONS = discord.AllowedMentions.none()

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
    dicts = [_fit_embed_dict(dict(embed.to_dict())) for embed in embeds[:EMBEDS_LIMIT]]
    _shrink_to_total(dicts, EMBED_TOTAL_LIMIT)
    return [discord.Embed.from_dict(data) for data in dicts]


def _fit_select(item: discord.ui.Select[Any]) -> None:
    if item.placeholder:
        item.placeholder = shorten(item.placeholder, PLACEHOLDER_LIMIT)
    item.options = item.options[:SELECT_OPTIONS_LIMIT]
    for option in item.options:
        option.label = shorten(option.label, SELECT_OPTION_LIMIT)
        if option.description:
            option.description = shorten(option.description, SELECT_OPTION_LIMIT)
    item.max_values = min(item.max_values, max(len(item.options), 1))


def _fit_text_input(item: discord.ui.TextInput[Any]) -> None:
    if item.placeholder:
        item.placeholder = shorten(item.placeholder, INPUT_PLACEHOLDER_LIMIT)
    if item.default:
        item.default = item.default[: min(item.max_length or INPUT_VALUE_LIMIT, INPUT_VALUE_LIMIT)]


def _fit_label(item: discord.ui.Label[Any]) -> None:
    item.text = shorten(item.text, INPUT_LABEL_LIMIT)
    if item.description:
        item.description = shorten(item.description, LABEL_DESCRIPTION_LIMIT)


def fit_view(view: discord.ui.View) -> discord.ui.View:
    """Cut button labels, select placeholders and option texts to Discord's limits (in place)."""
    for item in view.walk_children():
        if isinstance(item, discord.ui.Button) and item.label:
            item.label = shorten(item.label, BUTTON_LABEL_LIMIT)
        elif isinstance(item, discord.ui.Select):
            _fit_select(item)
    return view


def fit_modal(modal: discord.ui.Modal) -> discord.ui.Modal:
    """Cut a modal's title, labels, placeholders and prefilled values to Discord's limits."""
    modal.title = shorten(modal.title, MODAL_TITLE_LIMIT)
    for item in modal.walk_children():
        if isinstance(item, discord.ui.Label):
            _fit_label(item)
        elif isinstance(item, discord.ui.TextInput):
            _fit_text_input(item)
        elif isinstance(item, discord.ui.TextDisplay):
            item.content = shorten(item.content, TEXT_DISPLAY_LIMIT)
        elif isinstance(item, discord.ui.Select):
            _fit_select(item)
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
_Callback = TypeVar("_Callback", bound=AutocompleteCallback)


def choices_fitted(callback: _Callback) -> _Callback:
    """Decorate an autocomplete callback so its answer always fits Discord's limits."""

    @functools.wraps(callback)
    async def fitted_callback(*args: Any, **kwargs: Any) -> list[app_commands.Choice[Any]]:
        return fit_choices(await callback(*args, **kwargs))

    return cast(_Callback, fitted_callback)  # the same signature, answers fitted


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

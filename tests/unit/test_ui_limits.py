"""bot/ui fits whatever Hearth sends to Discord's limits; the emulator's validators judge."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ui import fit_choices, fit_modal, fit_thread_name, fit_view, fitted
from emulator.errors import ApiError
from emulator.validation import validate_autocomplete, validate_message_body, validate_modal

# Long, odd text in any script: what a member or moderator might type, in any language.
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=7000
)
LONG = st.sampled_from(["a" * 6000, "é" * 5000, "说" * 3000, "\u202e" + "x" * 4100, "\n" * 2500])
ANY_TEXT = st.one_of(TEXT, LONG)


def accepted(body: dict[str, Any]) -> bool:
    """Return whether Discord (the emulator's rules) would accept the message body."""
    try:
        validate_message_body(body, has_files=False, context="test")
    except ApiError:
        return False
    return True


def body_of(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON body discord.py would send for these keyword arguments."""
    body: dict[str, Any] = {}
    if kwargs.get("content") is not None:
        body["content"] = kwargs["content"]
    if kwargs.get("embeds"):
        body["embeds"] = [embed.to_dict() for embed in kwargs["embeds"]]
    if kwargs.get("view") is not None:
        body["components"] = kwargs["view"].to_components()
    return body


@settings(max_examples=60, deadline=None)
@given(
    content=ANY_TEXT,
    title=ANY_TEXT,
    description=ANY_TEXT,
    fields=st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=30),
    footer=ANY_TEXT,
    author=ANY_TEXT,
    count=st.integers(1, 12),
)
def test_any_message_is_fitted_to_discords_limits(
    content: str,
    title: str,
    description: str,
    fields: list[tuple[str, str]],
    footer: str,
    author: str,
    count: int,
) -> None:
    """Content, up to 12 embeds with 30 fields of any length: the fitted message is accepted."""
    embeds = []
    for _ in range(count):
        embed = discord.Embed(title=title, description=description)
        for name, value in fields:
            embed.add_field(name=name, value=value)
        embed.set_footer(text=footer)
        embed.set_author(name=author)
        embeds.append(embed)
    assert accepted(body_of(fitted({"content": content, "embeds": embeds})))


def test_a_short_message_is_left_as_it_is() -> None:
    """Nothing within the limits is changed."""
    embed = discord.Embed(title="Hello", description="All fine").add_field(name="a", value="b")
    kwargs = fitted({"content": "hi", "embed": embed})
    assert kwargs["content"] == "hi"
    assert kwargs["embeds"][0].to_dict() == embed.to_dict()
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}


def test_a_cut_text_says_so() -> None:
    """A cut content ends with an ellipsis, so nobody reads half a sentence as whole."""
    assert fitted({"content": "a" * 6000})["content"].endswith("…")


@settings(max_examples=40, deadline=None)
@given(label=ANY_TEXT, placeholder=ANY_TEXT, options=st.lists(ANY_TEXT, min_size=1, max_size=25))
def test_any_view_is_fitted(label: str, placeholder: str, options: list[str]) -> None:
    """Button labels, select placeholders and option labels of any length fit."""
    view = discord.ui.View()
    view.add_item(discord.ui.Button(label=label, custom_id="b"))
    select: discord.ui.Select[Any] = discord.ui.Select(custom_id="s", placeholder=placeholder)
    for i, text in enumerate(options):
        select.add_option(label=text, value=str(i), description=text)
    select.max_values = len(select.options)
    view.add_item(select)
    assert accepted(body_of({"content": "x", "view": fit_view(view)}))


@settings(max_examples=40, deadline=None)
@given(title=ANY_TEXT, label=ANY_TEXT, description=ANY_TEXT, default=ANY_TEXT, shown=ANY_TEXT)
def test_any_modal_is_fitted(
    title: str, label: str, description: str, default: str, shown: str
) -> None:
    """A modal's title, labels, descriptions, prefilled values and text fit."""
    modal = discord.ui.Modal(title=title, custom_id="m")
    modal.add_item(discord.ui.TextDisplay(shown))
    field: discord.ui.TextInput[Any] = discord.ui.TextInput(
        custom_id="t", default=default, max_length=500, placeholder=label
    )
    modal.add_item(discord.ui.Label(text=label, description=description, component=field))
    validate_modal(fit_modal(modal).to_dict(), "test")


@given(names=st.lists(ANY_TEXT, max_size=40))
def test_any_autocomplete_answer_is_fitted(names: list[str]) -> None:
    """At most 25 choices with names and values of at most 100 characters."""
    choices = [app_commands.Choice(name=name, value=name[:150]) for name in names]
    payload = [{"name": c.name, "value": c.value} for c in fit_choices(choices)]
    validate_autocomplete({"choices": payload}, "test")


def test_a_choice_whose_value_is_too_long_is_left_out() -> None:
    """A value cut short would mean something else, so that choice is not offered."""
    kept = fit_choices([app_commands.Choice(name="x", value="v" * 101)])
    assert kept == []


@pytest.mark.parametrize("name", ["", "a" * 300, "line\nbreak"])
def test_thread_names_fit(name: str) -> None:
    """Thread names are one line of 1 to 100 characters."""
    fitted_name = fit_thread_name(name)
    assert 1 <= len(fitted_name) <= 100
    assert "\n" not in fitted_name

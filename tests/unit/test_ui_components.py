"""The persistent-component factory: custom_ids carry numbers, flags and text, and read back."""

from __future__ import annotations

import asyncio
import re

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ui.components import ButtonSpec, SelectSpec, flag, text, whole

PLAIN = ButtonSpec("t:plain", "Go", discord.ButtonStyle.primary, ("guild", "number"))
OPTIONAL = ButtonSpec("t:opt", "Go", discord.ButtonStyle.primary, ("guild",), ("guild",))
MIXED = ButtonSpec(
    "t:mixed",
    "Go",
    discord.ButtonStyle.primary,
    (whole("guild", missing="0"), flag("shared"), text("code", "[A-Z]{2}", missing="-")),
)
PICK = SelectSpec("t:pick", "Choose", (whole("guild", missing="0"), flag("shared"), "page"))


async def ignore(*args: object) -> None:
    """Do nothing (a handler the tests never call)."""


def read_back(spec: ButtonSpec | SelectSpec, custom_id: str) -> tuple[object, ...]:
    """Return the values the registered DynamicItem parses out of custom_id."""
    return asyncio.run(_read_back(spec, custom_id))


async def _read_back(spec: ButtonSpec | SelectSpec, custom_id: str) -> tuple[object, ...]:
    item_class = spec.handled_by(ignore)
    match = re.fullmatch(spec.template, custom_id)
    assert match is not None, custom_id
    base: discord.ui.Button[discord.ui.View] = discord.ui.Button(custom_id=custom_id)
    item = await item_class.from_custom_id(None, base, match)  # type: ignore[arg-type]
    return tuple(item.values)


def test_whole_number_ids_are_unchanged() -> None:
    """A button with plain fields writes the same custom_id and template as before."""
    assert PLAIN.custom_id(12, 3) == "t:plain:12:3"
    assert PLAIN.template == r"t:plain:(?P<guild>\d+):(?P<number>\d+)"
    assert OPTIONAL.custom_id(None) == "t:opt"
    assert OPTIONAL.template == r"t:opt(?::(?P<guild>\d+))?"


def test_an_optional_field_left_out_reads_back_as_none() -> None:
    """A field named in `optional` may be left out of the custom_id and arrives as None."""
    assert read_back(OPTIONAL, "t:opt") == (None,)
    assert read_back(OPTIONAL, "t:opt:7") == (7,)


def test_flags_text_and_markers_are_written_as_before() -> None:
    """Flags are 0/1; a None guild is 0; a missing country code is a dash."""
    assert MIXED.custom_id(5, True, "GB") == "t:mixed:5:1:GB"
    assert MIXED.custom_id(None, False, None) == "t:mixed:0:0:-"


@given(
    guild=st.none() | st.integers(min_value=1, max_value=2**63),
    shared=st.booleans(),
    code=st.none() | st.from_regex(r"[A-Z]{2}", fullmatch=True),
)
def test_every_value_reads_back_as_it_was_written(
    guild: int | None, shared: bool, code: str | None
) -> None:
    """Whatever the values, the handler gets back exactly what the button carried."""
    custom_id = MIXED.custom_id(guild, shared, code)
    assert len(custom_id) <= 100
    assert read_back(MIXED, custom_id) == (guild, shared, code)


def test_a_value_that_its_template_would_not_match_is_refused() -> None:
    """A custom_id that no handler would match is never built (the button would be dead)."""
    with pytest.raises(ValueError, match="code"):
        MIXED.custom_id(1, True, "gb")


def test_a_select_carries_its_fields_and_offers_its_options() -> None:
    """A select gets the custom_id from its fields, the spec's placeholder and its options."""
    options = [discord.SelectOption(label="Ghana", value="GH")]
    select = PICK.select(None, True, 2, options=options)
    assert select.custom_id == "t:pick:0:1:2"
    assert select.placeholder == "Choose"
    assert [option.value for option in select.options] == ["GH"]


async def test_a_select_read_back_keeps_the_messages_options() -> None:
    """The select rebuilt from a message keeps that message's options."""
    options = [discord.SelectOption(label="Ghana", value="GH")]
    item_class = PICK.handled_by(ignore)
    base = PICK.select(4, False, 0, options=options)
    match = re.fullmatch(PICK.template, base.custom_id)
    item = await item_class.from_custom_id(None, base, match)  # type: ignore[arg-type]
    assert item.values == (4, False, 0)
    assert [option.value for option in item.item.options] == ["GH"]

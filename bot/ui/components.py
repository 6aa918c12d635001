"""Persistent components: their state lives in the custom_id, so they work after restarts.

A custom_id is `prefix:value1:value2...`. Each value is a field: a whole number by default (a
plain name), or a `Field` made by `whole`, `flag` or `text` for other kinds, any of which may
stand for "none" with a marker (`whole("guild", missing="0")`, `text("code", "[A-Z]{2}",
missing="-")`). Buttons are described by `ButtonSpec`, selects by `SelectSpec`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from bot.errors import Words
from bot.ui.errors import guarded

ClickHandler = Callable[..., Awaitable[None]]
FieldValue = int | str | bool | None


@dataclass(frozen=True)
class Field:
    """One value in a custom_id: its name, the pattern its text matches, and its kind."""

    name: str
    pattern: str = r"\d+"
    kind: type[int] | type[str] | type[bool] = int
    missing: str | None = None
    """The text that stands for None (a whole number 0, a `-`), if None may be carried."""

    def encode(self, value: FieldValue) -> str:
        """Return the text that carries value in a custom_id."""
        if value is None:
            if self.missing is None:
                raise TypeError(f"{self.name} has no marker for None")
            return self.missing
        text = str(int(value)) if isinstance(value, bool) else str(value)
        if not re.fullmatch(self.pattern, text):
            raise ValueError(f"{self.name}={text!r} does not match {self.pattern!r}")
        return text

    def decode(self, text: str) -> FieldValue:
        """Return the value a custom_id's text carries."""
        if text == self.missing:
            return None
        if self.kind is bool:
            return text == "1"
        return int(text) if self.kind is int else text

    @property
    def regex(self) -> str:
        """Return the pattern for this field's text, the "none" marker included."""
        marker = f"|{re.escape(self.missing)}" if self.missing is not None else ""
        return f"(?P<{self.name}>{self.pattern}{marker})"


def whole(name: str, *, missing: str | None = None) -> Field:
    """Return a whole-number field (what a plain name means)."""
    return Field(name, r"\d+", int, missing)


def flag(name: str) -> Field:
    """Return a yes/no field, carried as `1` or `0`."""
    return Field(name, "[01]", bool)


def text(name: str, pattern: str, *, missing: str | None = None) -> Field:
    """Return a text field whose value matches pattern (a country code, a kind of answer)."""
    return Field(name, pattern, str, missing)


@dataclass(frozen=True)
class _Ids:
    """How one kind of component's custom_ids are written and read back."""

    prefix: str
    fields: tuple[Field, ...]
    optional: frozenset[str]

    @classmethod
    def of(cls, prefix: str, fields: Sequence[str | Field], optional: Sequence[str]) -> _Ids:
        made = tuple(whole(f) if isinstance(f, str) else f for f in fields)
        return cls(prefix, made, frozenset(optional))

    def custom_id(self, values: Sequence[FieldValue]) -> str:
        if len(values) != len(self.fields):
            raise TypeError(f"{self.prefix} takes {len(self.fields)} values")
        # A None without a "none" marker is left out (a field named in `optional`).
        parts = [
            field.encode(value)
            for field, value in zip(self.fields, values, strict=True)
            if value is not None or field.missing is not None
        ]
        return self.prefix + "".join(f":{part}" for part in parts)

    @property
    def template(self) -> str:
        return self.prefix + "".join(
            f"(?::{field.regex})?" if field.name in self.optional else f":{field.regex}"
            for field in self.fields
        )

    def values(self, match: re.Match[str]) -> tuple[FieldValue, ...]:
        return tuple(
            None if match[field.name] is None else field.decode(match[field.name])
            for field in self.fields
        )


@dataclass(frozen=True)
class ButtonSpec:
    """A persistent button's look and custom_id (see the module's docstring for fields).

    Any feature may build the button (`button`); the feature that owns it registers the one
    handler (`handled_by`), which discord.py finds by the custom_id on any message, after
    restarts too. Fields named in `optional` may be left out (they arrive as None).
    """

    prefix: str
    label: str
    style: discord.ButtonStyle
    fields: tuple[str | Field, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def _ids(self) -> _Ids:
        return _Ids.of(self.prefix, self.fields, self.optional)

    def custom_id(self, *values: FieldValue) -> str:
        """Return the custom_id that carries these values."""
        return self._ids.custom_id(values)

    def button(
        self, *values: FieldValue, words: Words | None = None, **changes: Any
    ) -> discord.ui.Button[Any]:
        """Return the button for these values, its label in `words`' language (English if none).

        `label`, `disabled`... may be changed; a changed label is used as given.
        """
        label = words.context("button", self.label) if words is not None else self.label
        options: dict[str, Any] = {"label": label, "style": self.style, **changes}
        return discord.ui.Button(custom_id=self.custom_id(*values), **options)

    @property
    def template(self) -> str:
        """Return the pattern discord.py matches custom_ids against."""
        return self._ids.template

    def handled_by(
        self, on_click: ClickHandler
    ) -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
        """Return the DynamicItem to register: `on_click(interaction, *values)`, guarded."""
        spec, ids = self, self._ids

        class PersistentButton(
            discord.ui.DynamicItem[discord.ui.Button[Any]], template=ids.template
        ):
            def __init__(self, *values: FieldValue) -> None:
                self.values = values
                super().__init__(spec.button(*values))

            @classmethod
            async def from_custom_id(
                cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
            ) -> PersistentButton:
                return cls(*ids.values(match))

            async def callback(self, interaction: discord.Interaction) -> None:
                await guarded(interaction, on_click(interaction, *self.values))

        PersistentButton.__qualname__ = PersistentButton.__name__ = f"Button[{spec.prefix}]"
        return PersistentButton


@dataclass(frozen=True)
class SelectSpec:
    """A persistent select: its placeholder and custom_id; the options come with each message.

    `handled_by(on_pick)` calls `on_pick(interaction, picked, *values)`, where `picked` is the
    list of option values the member chose. A select read back from a message keeps that
    message's options.
    """

    prefix: str
    placeholder: str
    fields: tuple[str | Field, ...] = ()
    optional: tuple[str, ...] = ()

    @property
    def _ids(self) -> _Ids:
        return _Ids.of(self.prefix, self.fields, self.optional)

    def custom_id(self, *values: FieldValue) -> str:
        """Return the custom_id that carries these values."""
        return self._ids.custom_id(values)

    def select(
        self,
        *values: FieldValue,
        options: Sequence[discord.SelectOption],
        words: Words | None = None,
        **changes: Any,
    ) -> discord.ui.Select[Any]:
        """Return the select for these values, offering options, its placeholder in `words`."""
        placeholder = (
            words.context("placeholder", self.placeholder)
            if words is not None and self.placeholder
            else None
        )
        settings: dict[str, Any] = {"placeholder": placeholder or self.placeholder, **changes}
        return discord.ui.Select(
            custom_id=self.custom_id(*values), options=list(options), **settings
        )

    @property
    def template(self) -> str:
        """Return the pattern discord.py matches custom_ids against."""
        return self._ids.template

    def handled_by(
        self, on_pick: ClickHandler
    ) -> type[discord.ui.DynamicItem[discord.ui.Select[Any]]]:
        """Return the DynamicItem to register: `on_pick(interaction, picked, *values)`, guarded."""
        spec, ids = self, self._ids

        class PersistentSelect(
            discord.ui.DynamicItem[discord.ui.Select[Any]], template=ids.template
        ):
            def __init__(
                self, *values: FieldValue, options: Sequence[discord.SelectOption] = ()
            ) -> None:
                self.values = values
                # Discord refuses a select without options; one read back always has its own.
                shown = options or [discord.SelectOption(label="-", value="-")]
                super().__init__(spec.select(*values, options=shown))

            @classmethod
            async def from_custom_id(
                cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
            ) -> PersistentSelect:
                options = item.options if isinstance(item, discord.ui.Select) else ()
                return cls(*ids.values(match), options=options)

            async def callback(self, interaction: discord.Interaction) -> None:
                picked = list(self.item.values)
                await guarded(interaction, on_pick(interaction, picked, *self.values))

        PersistentSelect.__qualname__ = PersistentSelect.__name__ = f"Select[{spec.prefix}]"
        return PersistentSelect


def persistent_button(
    prefix: str,
    *,
    label: str,
    style: discord.ButtonStyle,
    on_click: ClickHandler,
    fields: tuple[str | Field, ...] = (),
    optional: tuple[str, ...] = (),
) -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
    """Make a button that keeps working after restarts (see ButtonSpec), with its handler."""
    return ButtonSpec(prefix, label, style, fields, optional).handled_by(on_click)


def carried(*buttons: discord.ui.Item[Any]) -> discord.ui.View:
    """Return a view that only carries persistent components.

    Their handlers are the DynamicItems registered at start-up, which answer clicks on any
    message; the view is stopped so discord.py keeps nothing per message sent.
    """
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(button)
    view.stop()
    return view

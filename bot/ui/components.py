"""Persistent components: their state lives in the custom_id, so they work after restarts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.ui.errors import guarded

ClickHandler = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class ButtonSpec:
    """A persistent button's look and custom_id: `prefix:field1:field2...`, whole numbers.

    Any feature may build the button (`button`); the feature that owns it registers the one
    handler (`handled_by`), which discord.py finds by the custom_id on any message, after
    restarts too. Fields named in `optional` may be left out (they arrive as None).
    """

    prefix: str
    label: str
    style: discord.ButtonStyle
    fields: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()

    def custom_id(self, *values: int | None) -> str:
        """Return the custom_id that carries these values."""
        if len(values) != len(self.fields):
            raise TypeError(f"{self.prefix} takes {len(self.fields)} values")
        return self.prefix + "".join(f":{value}" for value in values if value is not None)

    def button(self, *values: int | None, **changes: Any) -> discord.ui.Button[Any]:
        """Return the button for these values (`label`, `disabled`... may be changed)."""
        options: dict[str, Any] = {"label": self.label, "style": self.style, **changes}
        return discord.ui.Button(custom_id=self.custom_id(*values), **options)

    @property
    def template(self) -> str:
        """Return the pattern discord.py matches custom_ids against."""
        return self.prefix + "".join(
            rf"(?::(?P<{name}>\d+))?" if name in self.optional else rf":(?P<{name}>\d+)"
            for name in self.fields
        )

    def handled_by(
        self, on_click: ClickHandler
    ) -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
        """Return the DynamicItem to register: `on_click(interaction, *values)`, guarded."""
        spec = self

        class PersistentButton(
            discord.ui.DynamicItem[discord.ui.Button[Any]], template=spec.template
        ):
            def __init__(self, *values: int | None) -> None:
                self.values = values
                super().__init__(spec.button(*values))

            @classmethod
            async def from_custom_id(
                cls, interaction: discord.Interaction, item: discord.ui.Button[Any], match: Any
            ) -> PersistentButton:
                return cls(*(int(match[name]) if match[name] else None for name in spec.fields))

            async def callback(self, interaction: discord.Interaction) -> None:
                await guarded(interaction, on_click(interaction, *self.values))

        PersistentButton.__qualname__ = PersistentButton.__name__ = f"Button[{spec.prefix}]"
        return PersistentButton


def persistent_button(
    prefix: str,
    *,
    label: str,
    style: discord.ButtonStyle,
    on_click: ClickHandler,
    fields: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
) -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
    """Make a button that keeps working after restarts (see ButtonSpec), with its handler."""
    return ButtonSpec(prefix, label, style, fields, optional).handled_by(on_click)

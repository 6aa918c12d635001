"""Persistent components: their state lives in the custom_id, so they work after restarts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.ui.errors import guarded

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

"""Command names, descriptions, options and choices in the client's language.

discord.py passes every string of the command schema through the tree's translator when it
syncs; Discord then shows each member the strings of their client's language. Names are looked
up under the context "command name", "option name"... so a word can be translated differently
as a name (lowercase, no spaces) and as text. A context menu's name ("Share support resources")
is shown as written, capitals and spaces included, so it has its own context, "menu name".
"""

from __future__ import annotations

from collections.abc import Iterator

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.i18n.catalogs import ENGLISH, SHIPPED, language

CONTEXTS = {
    Where.command_name: "command name",
    Where.command_description: "command description",
    Where.group_name: "command name",
    Where.group_description: "command description",
    Where.parameter_name: "option name",
    Where.parameter_description: "option description",
    Where.choice_name: "choice",
}


class HearthTranslator(app_commands.Translator):
    """Look command strings up in Hearth's catalogs."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        """Return the string in the locale's language (even where it is spelled the same), else None."""
        words = language(locale)
        where = CONTEXTS.get(context.location)
        if isinstance(context.data, app_commands.ContextMenu):
            where = "menu name"
        if words.code == ENGLISH or where is None or not words.knows(where, string.message):
            return None
        return words.context(where, string.message)


def shipped_locales() -> list[discord.Locale]:
    """Return the Discord locales Hearth has catalogs for (English aside)."""
    return [
        discord.Locale(value)
        for code, values in SHIPPED.items()
        if code != ENGLISH
        for value in values
    ]


def command_strings(tree: app_commands.CommandTree) -> Iterator[tuple[str, str, str]]:
    """Yield (module, context, text) for every translatable string of the tree's commands."""
    for command in tree.get_commands():
        yield from _strings(command)


def _strings(command: object) -> Iterator[tuple[str, str, str]]:
    module = str(getattr(command, "module", "") or "")
    if isinstance(command, app_commands.ContextMenu):
        yield module, "menu name", command.name
        return
    if isinstance(command, app_commands.Group | app_commands.Command):
        yield module, "command name", command.name
        yield module, "command description", command.description
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            yield from _strings(child)
    elif isinstance(command, app_commands.Command):
        for parameter in command.parameters:
            yield module, "option name", parameter.name
            yield module, "option description", parameter.description
            for choice in parameter.choices:
                yield module, "choice", choice.name

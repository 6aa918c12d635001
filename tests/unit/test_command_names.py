"""Every command, in every shipped language, has a name Discord accepts."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.i18n import language
from bot.i18n.commands import shipped_locales
from bot.i18n.extract import tree_messages

# Discord's rule for slash command and option names (letters of any script), lowercase.
NAME = re.compile(r"^[-_\w]{1,32}$")


@pytest.fixture(scope="module")
def strings() -> list[tuple[str, str, str]]:
    """Every (module, context, text) of the command tree, as HearthTranslator sees it."""
    return asyncio.run(tree_messages())


@pytest.mark.parametrize("locale", [locale.value for locale in shipped_locales()])
def test_localized_names_follow_discords_rules(
    strings: list[tuple[str, str, str]], locale: str
) -> None:
    """Slash command and option names: lowercase, at most 32, Discord's pattern; menus: 1-32."""
    words = language(locale)
    for _module, context, text in strings:
        if not words.knows(context, text):
            continue
        name = words.context(context, text)
        if context in ("command name", "option name"):
            assert NAME.match(name) and name == name.lower(), f"{locale}: bad name {name!r}"
        elif context == "menu name":
            assert 1 <= len(name) <= 32, f"{locale}: bad menu name {name!r}"

"""Hearth in the reader's language: gettext catalogs (Babel) under locales/, English as source.

- `language(locale)`: the `Language` for a Discord locale (`interaction.locale`,
  `guild_locale`, or a server's `/setup language` choice); English where Hearth has no
  complete catalog.
- `N_(text)`: marks text for translation where it is defined (constants, services' errors);
  it is translated where it is shown, in the reader's language.
- `HearthTranslator`: discord.py's `app_commands.Translator`, for command names, descriptions,
  options and choices in the client's language.

Messages use Python's %-style named placeholders (`%(zone)s`), which Babel's checkers verify
in every catalog.
"""

from bot.i18n.catalogs import (
    ENGLISH,
    N_,
    SHIPPED,
    Language,
    language,
    language_code,
)
from bot.i18n.commands import HearthTranslator

__all__ = [
    "ENGLISH",
    "N_",
    "SHIPPED",
    "HearthTranslator",
    "Language",
    "language",
    "language_code",
]

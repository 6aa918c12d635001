"""Hearth in the reader's language: gettext catalogs (Babel) under locales/<language>/LC_MESSAGES/<feature>.po, English as source.

- `language(locale)`: the `Language` for a Discord locale (`interaction.locale`,
  `guild_locale`, or a server's `/setup language` choice); English where Hearth has no
  complete catalog.
- `server_language(guild_locale, chosen)`: the language of a server's public posts (moderator
  cards, announcements): a moderator's chosen language, else the server's Discord locale.
- `N_(text)`: marks text for translation where it is defined (constants, services' errors);
  it is translated where it is shown, in the reader's language. `NC_(context, text)` marks a
  short text of a kind Discord limits ("button", "form title", "field label", "placeholder",
  "select option": CONTEXT_LIMITS), translated with `_.context(context, text)`.
- `HearthTranslator`: discord.py's `app_commands.Translator`, for command names, descriptions,
  options and choices in the client's language.

Messages use Python's %-style named placeholders (`%(zone)s`), which Babel's checkers verify
in every catalog.
"""

from bot.i18n.catalogs import (
    CONTEXT_LIMITS,
    DOMAINS,
    ENGLISH,
    N_,
    NC_,
    SHIPPED,
    Language,
    language,
    language_code,
    server_language,
)
from bot.i18n.commands import HearthTranslator

__all__ = [
    "CONTEXT_LIMITS",
    "DOMAINS",
    "ENGLISH",
    "NC_",
    "N_",
    "SHIPPED",
    "HearthTranslator",
    "Language",
    "language",
    "language_code",
    "server_language",
]

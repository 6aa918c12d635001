"""Loading the catalogs (once per process: they are files shipped with Hearth) and using them."""

from __future__ import annotations

import gettext
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
ENGLISH = "en"
# One catalog per feature (and one for what they share), so each can be kept on its own.
DOMAINS = ("core", "agreement", "checkins", "circles", "crisis", "pairing", "setup")
# Hearth's languages, by Babel code, and the Discord locales that read each one.
SHIPPED: dict[str, tuple[str, ...]] = {
    "en": ("en-US", "en-GB"),
    "es": ("es-ES", "es-419"),
    "fr": ("fr",),
    "de": ("de",),
    "pt_BR": ("pt-BR",),
}
_BY_DISCORD = {discord: code for code, locales in SHIPPED.items() for discord in locales}


def N_(text: str) -> str:
    """Mark text for translation where it is defined; it is translated where it is shown."""
    return text


def NC_(context: str, text: str) -> str:
    """Mark text with its context ("button", "form title"...); translated with that context."""
    return text


# Short texts whose kind Discord limits, by the context they are marked with (see NC_).
CONTEXT_LIMITS = {
    "button": 80,
    "select option": 100,
    "placeholder": 100,
    "form title": 45,
    "field label": 45,
    "field description": 100,
    "command name": 32,
    "menu name": 32,
    "option name": 32,
    "command description": 100,
    "option description": 100,
    "choice": 100,
}


def language_code(locale: object) -> str:
    """Return the shipped language for a Discord locale (or a language code), else English."""
    value = str(getattr(locale, "value", locale) or "")
    if value in SHIPPED:
        return value
    return _BY_DISCORD.get(value, _BY_DISCORD.get(value.split("-")[0], ENGLISH))


@dataclass(frozen=True)
class Language:
    """One language's words and formats."""

    code: str
    translations: gettext.NullTranslations
    known: frozenset[tuple[str | None, str]] = frozenset()
    """The (context, message) pairs its catalogs translate, even where the words stay the same."""

    @property
    def babel(self) -> Locale:
        """Return Babel's locale, for dates and numbers."""
        return Locale.parse(self.code)

    def __call__(self, message: str, **values: Any) -> str:
        """Return the message in this language, with `%(name)s` placeholders filled in."""
        text = self.translations.gettext(message)
        return text % values if values else text

    def plural(self, singular: str, plural: str, count: int, **values: Any) -> str:
        """Return the singular or plural form for `count` (also given as `%(count)s`)."""
        text = self.translations.ngettext(singular, plural, count)
        return text % {"count": self.number(count), **values}

    def context(self, context: str, message: str, **values: Any) -> str:
        """Return the message as translated for a context (e.g. a command's name)."""
        text = self.translations.pgettext(context, message)
        return text % values if values else text

    def knows(self, context: str | None, message: str) -> bool:
        """Return whether this language's catalogs translate the message (in that context)."""
        return (context, message) in self.known

    def number(self, value: float) -> str:
        """Return a number written as this language writes it (1,000 / 1.000 / 1 000)."""
        return format_decimal(value, locale=self.babel)

    def listing(self, items: Sequence[str], style: str = "standard") -> str:
        """Return items joined as this language joins them ("a, b and c"; style "or": "a or b")."""
        return format_list(list(items), style=style, locale=self.babel)  # type: ignore[arg-type]

    def day(self, value: date, style: str = "long") -> str:
        """Return a date written out as this language writes it."""
        return format_date(value, format=style, locale=self.babel)

    def moment(self, value: datetime, style: str = "medium") -> str:
        """Return a date and time written out as this language writes it."""
        return format_datetime(value, format=style, locale=self.babel)


def catalog_path(code: str, domain: str) -> Path:
    """Return where a language's catalog of one domain lives."""
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{domain}.po"


def _compiled(path: Path, code: str) -> tuple[gettext.GNUTranslations, set[tuple[str | None, str]]]:
    with path.open("rb") as file:
        catalog = read_po(file, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    known = {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }
    return gettext.GNUTranslations(compiled), known


@cache
def _load(code: str) -> Language:
    """Compile a language's .po files in memory (no build step; once per process)."""
    if code == ENGLISH:
        return Language(code, gettext.NullTranslations())
    translations: gettext.NullTranslations = gettext.NullTranslations()
    known: set[tuple[str | None, str]] = set()
    found = False
    for domain in reversed(DOMAINS):  # the first domain is asked first
        path = catalog_path(code, domain)
        if path.exists():
            layer, translated = _compiled(path, code)
            layer.add_fallback(translations)
            translations, found = layer, True
            known |= translated
    if not found:
        raise FileNotFoundError(f"no catalog for {code}")
    return Language(code, translations, frozenset(known))


def language(locale: object) -> Language:
    """Return the Language for a Discord locale; English when Hearth does not speak it."""
    code = language_code(locale)
    try:
        return _load(code)
    except FileNotFoundError:
        return _load(ENGLISH)


def server_language(guild_locale: object, chosen: str | None = None) -> Language:
    """Return the language of a server's public posts: its `/setup language` choice, else its own.

    `guild_locale` is Discord's community locale (`guild.preferred_locale`,
    `interaction.guild_locale`); `chosen`, a language code a moderator picked, overrides it.
    """
    return language(chosen or guild_locale)

"""Every message Hearth shows has a translation in every shipped language, and it fits."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n import CONTEXT_LIMITS, DOMAINS, ENGLISH, SHIPPED
from bot.i18n.catalogs import catalog_path
from bot.i18n.extract import templates

LANGUAGES = [code for code in SHIPPED if code != ENGLISH]
# The catalogs translated so far (each feature's is added as its words are marked and translated).
TRANSLATED = [
    domain
    for domain in DOMAINS
    if domain in ("core", "agreement", "checkins", "circles", "crisis", "pairing", "setup")
]
# Discord's rule for command and option names, in every language (letters of any script).
NAME = re.compile(r"^[-_\w]{1,32}$")
CONTENT_LIMIT = 2000


@pytest.fixture(scope="module")
def template() -> dict[str, Catalog]:
    """Every message the code and the command tree use, per catalog."""
    return templates()


def catalog(code: str, domain: str) -> Catalog:
    """Read a language's catalog of one domain."""
    with catalog_path(code, domain).open("rb") as file:
        return read_po(file, locale=code)


def entries(found: Catalog) -> Iterator[Message]:
    """Yield the catalog's messages (not its header)."""
    return (message for message in found if message.id)


def key(message: Message) -> tuple[str | None, str]:
    """Return what identifies a message: its context and its (singular) English text."""
    return message.context, message.id[0] if isinstance(message.id, tuple) else message.id


def forms(message: Message) -> list[str]:
    """Return every translated form of a message."""
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@pytest.mark.parametrize("domain", TRANSLATED)
@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated_completely(
    template: dict[str, Catalog], code: str, domain: str
) -> None:
    """The catalog holds exactly the code's messages, every form filled, none fuzzy."""
    found = catalog(code, domain)
    wanted = {key(m) for m in entries(template[domain])}
    have = {key(m) for m in entries(found)}
    assert wanted - have == set(), f"{code}/{domain}.po lacks messages: run bot.i18n.extract"
    untranslated = [key(m) for m in entries(found) if key(m) in wanted and not all(forms(m))]
    assert untranslated == [], f"{code}/{domain}.po: untranslated {untranslated[:5]}"
    fuzzy = [key(m) for m in entries(found) if m.fuzzy]
    assert fuzzy == [], f"{code}/{domain}.po: fuzzy {fuzzy[:5]}"


@pytest.mark.parametrize("domain", TRANSLATED)
@pytest.mark.parametrize("code", LANGUAGES)
def test_placeholders_and_plurals_pass_babels_checkers(code: str, domain: str) -> None:
    """Each translation has the English placeholders (%(name)s) and the language's plurals."""
    problems = [
        f"{key(message)}: {'; '.join(str(e) for e in errors)}"
        for message, errors in catalog(code, domain).check()
        if errors
    ]
    assert problems == []


@pytest.mark.parametrize("domain", TRANSLATED)
@pytest.mark.parametrize("code", LANGUAGES)
def test_no_translation_breaks_a_discord_limit(code: str, domain: str) -> None:
    """Names follow Discord's rules; buttons, titles, labels and texts fit their limits."""
    for message in entries(catalog(code, domain)):
        for text in forms(message):
            if message.context in ("command name", "option name"):
                assert NAME.match(text) and text == text.lower(), f"bad name {text!r}"
            limit = CONTEXT_LIMITS.get(message.context or "", CONTENT_LIMIT)
            assert len(text) <= limit, f"{key(message)} in {code}: {len(text)} > {limit}"

"""`python -m bot.i18n.extract`: gather every message into locales/hearth.pot, update catalogs.

Messages in the code are found by Babel's extractor (the calls `_("…")`, `N_("…")`,
`_.plural("…", "…", n)` and `_.context("ctx", "…")`); command names, descriptions, options
and choices come from the command tree itself, under the contexts HearthTranslator uses. Then
each shipped language's .po gains the new messages (empty, for translators) and loses the
ones no longer used. Run it after changing any user-facing text; the tests fail until every
language has a translation of every message.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogs import DOMAIN, ENGLISH, LOCALES_DIR, SHIPPED, catalog_path
from bot.i18n.commands import command_strings

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "plural": (1, 2), "context": ((1, "c"), 2)}
SOURCES = ("bot", "cogs")
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"


def code_messages(catalog: Catalog) -> None:
    """Add the messages marked in Hearth's code."""
    for folder in SOURCES:
        found = extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, line, message, comments, context in found:
            catalog.add(
                message,
                locations=[(f"{folder}/{filename}", line)],
                auto_comments=comments,
                context=context,
            )


async def tree_messages(catalog: Catalog) -> None:
    """Add every command string, loading the cogs into a bot that never connects."""
    from bot.app import build
    from bot.client import EXTENSIONS
    from bot.config import Settings

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            discord_token="not-used",  # noqa: S106 - never connects
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'h.db'}",
            data_dir=Path(folder),
        )
        hearth = build(settings, autostart_jobs=False)
        for extension in EXTENSIONS:
            await hearth.bot.load_extension(extension)
        for context, text in command_strings(hearth.bot.tree):
            catalog.add(text, context=context, locations=[("commands", 0)])
        await hearth.engine.dispose()


def template() -> Catalog:
    """Return the catalog of every message Hearth shows."""
    catalog = Catalog(project="Hearth", domain=DOMAIN, fuzzy=False)
    code_messages(catalog)
    asyncio.run(tree_messages(catalog))
    return catalog


def main() -> int:
    """Write the template and update every language's catalog."""
    pot = template()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as file:
        write_po(file, pot, width=100, omit_header=False, sort_output=True)
    for code in SHIPPED:
        if code == ENGLISH:
            continue
        path = catalog_path(code)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as file:
                catalog = read_po(file, locale=code)
        else:
            catalog = Catalog(locale=code, project="Hearth", domain=DOMAIN, fuzzy=False)
        catalog.update(pot, no_fuzzy_matching=True)
        with path.open("wb") as file:
            write_po(file, catalog, width=100, sort_output=True, ignore_obsolete=True)
        missing = sum(1 for message in catalog if message.id and not message.string)
        print(f"{code}: {len(pot)} messages, {missing} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())

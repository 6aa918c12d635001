"""`python -m bot.i18n.extract`: gather every message into locales/<feature>.pot, update catalogs.

Messages in the code are found by Babel's extractor (the calls `_("…")`, `N_("…")`,
`_.plural("…", "…", n)` and `_.context("ctx", "…")`); command names, descriptions, options
and choices come from the command tree itself, under the contexts HearthTranslator uses. Each
message goes to the catalog of the feature whose files use it (FEATURE_FILES), the rest to
`core`. Then every shipped language's .po files gain the new messages (empty, for translators)
and lose the ones no longer used. Run it after changing any user-facing text: the tests fail
until every language has a translation of every message.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogs import DOMAINS, ENGLISH, LOCALES_DIR, SHIPPED, catalog_path
from bot.i18n.commands import command_strings

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "_": None,
    "N_": None,
    "NC_": ((1, "c"), 2),
    "plural": (1, 2),
    "context": ((1, "c"), 2),
}
SOURCES = ("bot", "cogs")
MAPPING = ROOT / "babel.cfg"  # Babel's extraction config, shared with `pybabel extract`
# Which feature's catalog a file's messages belong to (by path prefix); the rest are "core".
FEATURE_FILES = {
    "agreement": ("bot/services/agreement", "cogs/agreement", "bot/domain/agreement"),
    "checkins": (
        "bot/services/checkins",
        "cogs/checkins",
        "bot/domain/checkins",
        "bot/domain/pseudonyms",
    ),
    "circles": (
        "bot/services/circles",
        "cogs/circles",
        "bot/domain/recurrence",
        "bot/domain/circle",
        "bot/domain/room_",
    ),
    "crisis": (
        "bot/services/crisis",
        "cogs/crisis",
        "bot/ui/crisis_card",
        "bot/ui/alerts",
        "bot/domain/helplines",
        "bot/domain/crisis",
    ),
    "pairing": ("bot/services/pairing", "cogs/pairing", "bot/domain/pairing"),
    "setup": (
        "cogs/setup",
        "cogs/privacy",
        "bot/services/settings",
        "bot/services/data_rights",
        "bot/services/audit",
        "bot/services/modlog",
        "bot/domain/setup",
    ),
}


def domain_of(path: str) -> str:
    """Return the catalog a file's messages go to (a path like cogs/checkins/_cog.py)."""
    for domain, prefixes in FEATURE_FILES.items():
        if path.startswith(prefixes):
            return domain
    return "core"


def code_messages() -> Iterator[tuple[str, str | tuple[str, ...], str | None, int, list[str]]]:
    """Yield (path, message, context, line, comments) for every message marked in the code.

    A plural message is the tuple of its singular and plural forms.
    """
    with MAPPING.open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file, filename=str(MAPPING))
    for folder in SOURCES:
        found = extract_from_dir(
            ROOT / folder,
            method_map=method_map,
            options_map=options_map,
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, line, message, comments, context in found:
            yield f"{folder}/{filename}", message, context, line, comments


async def tree_messages() -> list[tuple[str, str, str]]:
    """Return (module path, context, text) for every command string of every loaded cog."""
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
        found = [
            (module.replace(".", "/"), context, text)
            for module, context, text in command_strings(hearth.bot.tree)
        ]
        await hearth.engine.dispose()
    return found


def templates() -> dict[str, Catalog]:
    """Return, per domain, the catalog of every message Hearth shows."""
    catalogs = {domain: Catalog(project="Hearth", domain=domain, fuzzy=False) for domain in DOMAINS}
    for path, message, context, line, comments in code_messages():
        catalogs[domain_of(path)].add(
            message, locations=[(path, line)], auto_comments=comments, context=context
        )
    for module, context, text in asyncio.run(tree_messages()):
        catalogs[domain_of(module)].add(text, context=context, locations=[(module, 0)])
    return catalogs


def update(code: str, domain: str, template: Catalog) -> int:
    """Bring one language's catalog of one domain up to the template; return what is missing."""
    path = catalog_path(code, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open("rb") as file:
            catalog = read_po(file, locale=code)
    else:
        catalog = Catalog(locale=code, project="Hearth", domain=domain, fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, sort_output=True, ignore_obsolete=True)
    return sum(1 for message in catalog if message.id and not message.string)


def main() -> int:
    """Write the templates and update every language's catalogs."""
    LOCALES_DIR.mkdir(parents=True, exist_ok=True)
    for domain, template in templates().items():
        with (LOCALES_DIR / f"{domain}.pot").open("wb") as file:
            write_po(file, template, width=100, omit_header=True, sort_output=True)
        for code in SHIPPED:
            if code != ENGLISH:
                missing = update(code, domain, template)
                print(f"{domain} {code}: {len(template)} messages, {missing} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())

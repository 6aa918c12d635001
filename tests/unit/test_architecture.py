"""The layers stay honest: domain is pure, every extension loads, command names are unique."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_DOMAIN = {
    "discord",
    "sqlalchemy",
    "aiosqlite",
    "alembic",
    "apscheduler",
    "yaml",
    "cogs",
    "emulator",
}


def imported_modules(path: Path) -> set[str]:
    """Return the top-level names of the modules a file imports."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "path",
    [p for p in sorted((ROOT / "bot" / "domain").glob("*.py")) if p.name != "helplines_loader.py"],
    ids=lambda p: p.name,
)
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    """bot/domain imports no Discord, database or YAML library."""
    bad = imported_modules(path) & FORBIDDEN_IN_DOMAIN
    assert not bad, f"{path.name} imports {bad}"
    third_party = {
        name
        for name in imported_modules(path)
        if name not in sys.stdlib_module_names and name not in {"bot", "__future__"}
    }
    assert not third_party, f"{path.name} imports {third_party}"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "bot" / "services").glob("*.py")), ids=lambda p: p.name
)
def test_services_do_not_talk_discord(path: Path) -> None:
    """Services decide; they never import discord or the cogs."""
    assert not imported_modules(path) & {"discord", "cogs"}


async def test_every_extension_loads_and_command_names_are_unique(tmp_path: Path) -> None:
    """All cogs load into a bot without Discord, and no two commands share a name."""
    from bot.app import build
    from bot.client import EXTENSIONS
    from bot.config import Settings

    settings = Settings(
        discord_token="x",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'h.db'}",
        data_dir=tmp_path,
    )
    hearth = build(settings, autostart_jobs=False)
    for extension in EXTENSIONS:
        await hearth.bot.load_extension(extension)
    names = [c.name for c in hearth.bot.tree.get_commands()]
    assert len(names) == len(set(names))
    assert {"setup", "agreement", "privacy", "mydata"} <= set(names)
    await hearth.engine.dispose()

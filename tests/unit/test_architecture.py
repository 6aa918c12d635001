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
    "path",
    sorted((ROOT / "bot" / "services").rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT / "bot" / "services")),
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


# Every message, edit, modal and autocomplete answer goes through bot/ui/, which fits it to
# Discord's limits. These are the discord.py calls that would go around it.
SENDING_METHODS = {"send", "send_message", "edit_message", "send_modal", "edit_original_response"}
MESSAGE_EDIT_KEYWORDS = {"content", "embed", "embeds", "view", "attachments"}


def _sends_around_ui(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        keywords = {k.arg for k in node.keywords}
        is_http = isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "http"
        if (name in SENDING_METHODS and not is_http) or (
            name == "edit" and keywords & MESSAGE_EDIT_KEYWORDS
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{name}(")
    return found


def test_every_message_goes_through_the_fitting_helpers() -> None:
    """Cogs send, edit, open modals and answer only through bot/ui/replies.py."""
    files = [*sorted((ROOT / "cogs").rglob("*.py")), *sorted((ROOT / "bot").rglob("*.py"))]
    found = [
        hit
        for path in files
        if path != ROOT / "bot" / "ui" / "replies.py"
        for hit in _sends_around_ui(path)
    ]
    assert not found, "send through bot.ui (send, edit, reply, update, open_modal): " + ", ".join(
        found
    )


def _decorators(function: ast.AsyncFunctionDef) -> list[str]:
    return [ast.unparse(d) for d in function.decorator_list]


def test_every_autocomplete_answer_is_fitted() -> None:
    """Each autocomplete callback is wrapped by bot.ui.choices_fitted (25 choices of 100)."""
    unfitted = []
    for path in sorted((ROOT / "cogs").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.AsyncFunctionDef):
                decorators = _decorators(node)
                if any(".autocomplete(" in d for d in decorators) and (
                    "choices_fitted" not in decorators
                ):
                    unfitted.append(f"{path.name}:{node.name}")
    assert not unfitted, f"autocomplete without @choices_fitted: {unfitted}"

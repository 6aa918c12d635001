"""The layers stay honest: domain is pure, cogs are apart and thin, files short, checks on."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path
from typing import Any

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


# ----- habits: file sizes, cogs apart, wiring in setup(), the lint and type checks ----------------

MAX_LINES = 600
HABIT_FOLDERS = ("bot", "cogs", "emulator", "bench", "tests")
# Files allowed over MAX_LINES, each with its reason (none today).
LONG_FILES: dict[str, str] = {}


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_file_is_over_600_lines() -> None:
    """No Python file in bot/, cogs/, emulator/, bench/ or tests/ is over 600 lines."""
    long = {
        _relative(path): lines
        for path in _python_files(*HABIT_FOLDERS)
        if (lines := _line_count(path)) > MAX_LINES and _relative(path) not in LONG_FILES
    }
    assert not long, f"split these files (at most {MAX_LINES} lines each): {long}"


def test_the_long_files_allowlist_has_no_stale_entries() -> None:
    """Every file allowed to be long still exists and still needs it."""
    stale = [
        name
        for name in LONG_FILES
        if not (ROOT / name).exists() or _line_count(ROOT / name) <= MAX_LINES
    ]
    assert not stale, f"remove from LONG_FILES: {stale}"


def _cog_of(path: Path) -> str | None:
    """Return the cog a file under cogs/ belongs to: its package or its single module."""
    parts = path.relative_to(ROOT / "cogs").parts
    if len(parts) == 1:
        return None if parts[0] == "__init__.py" else parts[0].removesuffix(".py")
    return parts[0]


def _cogs_imported(path: Path) -> set[str]:
    """Return every cog a file under cogs/ imports, however it spells the import."""
    package = ["cogs", *path.relative_to(ROOT / "cogs").parts[:-1]]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            modules = [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "cogs" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("path", _python_files("cogs"), ids=_relative)
def test_no_cog_imports_another_cog(path: Path) -> None:
    """A module of one cog never imports another cog (features cooperate through setup())."""
    own = _cog_of(path)
    others = {cog for cog in _cogs_imported(path) if cog != own}
    assert not others, f"{_relative(path)} imports cogs {sorted(others)}"


def _reaches_around_constructor(node: ast.AST) -> str | None:
    """Say what a node does that only setup() may do: read bot.services, get_cog, .http."""
    if isinstance(node, ast.Attribute):
        owner = ast.unparse(node.value)
        if node.attr == "services" and owner.endswith(("bot", "client")):
            return f"{owner}.services"
        if node.attr == "http":
            return f"{owner}.http"
        if node.attr == "get_cog":
            return f"{owner}.get_cog"
    if isinstance(node, ast.Name) and node.id == "get_cog":
        return "get_cog"
    return None


def _outside_setup(path: Path) -> list[str]:
    """Return what a cog file does with bot.services, get_cog or .http outside its setup()."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    setup_may_wire = path.name == "__init__.py" or path.parent == ROOT / "cogs"
    allowed = {
        id(inner)
        for node in tree.body
        if setup_may_wire and isinstance(node, ast.AsyncFunctionDef) and node.name == "setup"
        for inner in ast.walk(node)
    }
    return [
        f"{_relative(path)}:{node.lineno} {what}"
        for node in ast.walk(tree)
        if id(node) not in allowed and (what := _reaches_around_constructor(node))
    ]


@pytest.mark.parametrize("path", _python_files("cogs"), ids=_relative)
def test_cogs_get_their_collaborators_through_setup(path: Path) -> None:
    """Only a cog package's setup() reads bot.services, calls get_cog or touches .http."""
    found = _outside_setup(path)
    assert not found, "pass these to the cog's constructor in setup(): " + ", ".join(found)


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_ruff_checks_complexity_and_private_access() -> None:
    """Ruff selects C901 (complexity at most 10) and SLF001; only tests may look at privates."""
    lint = _pyproject()["tool"]["ruff"]["lint"]
    assert {"C901", "SLF001"} <= set(lint["select"])
    assert lint["mccabe"]["max-complexity"] == 10
    for pattern, codes in lint.get("per-file-ignores", {}).items():
        if "SLF001" in codes:
            assert pattern == "tests/**", f"SLF001 ignored for {pattern}"
        assert "C901" not in codes, f"C901 ignored for {pattern}: split it, or noqa one function"


def test_mypy_checks_the_code_and_the_suite_runs_it() -> None:
    """mypy covers bot/, cogs/ and emulator/, skips no module, and test.sh runs it."""
    mypy = _pyproject()["tool"]["mypy"]
    assert set(mypy["files"]) == {"bot", "cogs", "emulator"}
    assert not [o for o in mypy.get("overrides", []) if o.get("ignore_errors")]
    assert ".venv/bin/mypy" in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")

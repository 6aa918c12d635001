"""The emulator's modules import each other one way, stay small, and pass the complexity lint."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "emulator"
MAX_LINES = 600


def module_files() -> dict[str, Path]:
    """Return every emulator module by dotted name (a package by its own name)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, modules: set[str]) -> set[str]:
    """Return the emulator modules a module imports anywhere: top level, functions, TYPE_CHECKING."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *base.split(".")])
                base = base.rstrip(".")
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif base in modules:
                    found.add(base)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Return {module: the emulator modules it imports}."""
    files = module_files()
    return {name: imported(name, path, set(files)) for name, path in files.items()}


def test_the_import_graph_has_no_cycle() -> None:
    """No emulator module imports, even only for type checking, one that imports it back."""
    graph = import_graph()
    assert "emulator.core" in graph and "emulator.driver" in graph
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"emulator modules import each other in a circle: {error.args[1]}")


def test_the_layers_below_the_driver_do_not_know_it() -> None:
    """REST routes, messages, the gateway and snapshots see the core, never the test driver."""
    graph = import_graph()
    driver_side = {"emulator", "emulator.driver", "emulator.driving", "emulator.building"}
    for name in ("emulator.core", "emulator.gateway", "emulator.messages", "emulator.snapshot"):
        assert not graph[name] & driver_side, f"{name} imports {graph[name] & driver_side}"
    for name in [n for n in graph if n.startswith("emulator.routes")]:
        assert not graph[name] & driver_side, f"{name} imports {graph[name] & driver_side}"


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_module_is_over_600_lines(path: Path) -> None:
    """Every emulator module stays under 600 lines: split by responsibility before it grows."""
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def test_no_function_is_too_complex_and_no_private_access() -> None:
    """Ruff's complexity (C901) and private-member (SLF001) rules pass on the emulator."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    result = subprocess.run(
        [ruff, "check", "--quiet", "--select", "C901,SLF001", str(PACKAGE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_page_names_the_numbers_as_the_emulator_does() -> None:
    """web/static/kinds.js gives every name it has the number emulator/enums.py gives it."""
    from emulator import enums

    source = (PACKAGE / "web" / "static" / "kinds.js").read_text()
    tables = re.findall(r"export const (\w+) = Object\.freeze\(\{(.*?)\}\);", source, re.S)
    assert len(tables) >= 8
    for table, body in tables:
        python = getattr(enums, table)
        for name, value in re.findall(r"(\w+): ([^,\n]+)", body):
            shift = re.fullmatch(r"1 << (\d+)", value.strip())
            number = 1 << int(shift.group(1)) if shift else int(value)
            assert getattr(python, name) == number, f"{table}.{name}"

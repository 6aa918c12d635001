"""Read the shipped YAML data files and hand them to the pure validators."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # The same rules as yaml.safe_load, in C when libyaml is present (about ten times faster).
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment, unused-ignore]  # (with PyYAML stubs)

from bot.domain.crisis_detection import PhraseSet, PhraseSetError, parse_phrase_set
from bot.domain.helplines import DatasetError, HelplineDirectory
from bot.domain.helplines_schema import validate_dataset

__all__ = [
    "HELPLINES_FILE",
    "PHRASES_FILE",
    "CrisisData",
    "load_crisis_data",
    "load_crisis_phrases",
    "load_helplines",
]

HELPLINES_FILE = "helplines.yaml"
PHRASES_FILE = "crisis_phrases.yaml"


@dataclass(frozen=True, slots=True)
class CrisisData:
    """The validated helplines directory and crisis phrase list, loaded together at start-up."""

    helplines: HelplineDirectory
    phrases: PhraseSet


def _read_yaml(path: Path, error: type[DatasetError | PhraseSetError]) -> Any:
    """Parse a YAML file safely, reporting an unreadable or malformed file as error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error([f"{path.name}: cannot read {path}: {exc.strerror or exc}"]) from exc
    try:
        return yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise error([f"{path.name}: not valid YAML: {exc}"]) from exc


def load_helplines(path: str | Path) -> HelplineDirectory:
    """Load and validate the helplines dataset at path."""
    path = Path(path)
    return validate_dataset(_read_yaml(path, DatasetError), origin=path.name)


def load_crisis_phrases(path: str | Path) -> PhraseSet:
    """Load and parse the crisis phrase list at path."""
    path = Path(path)
    return parse_phrase_set(_read_yaml(path, PhraseSetError), origin=path.name)


def load_crisis_data(folder: str | Path) -> CrisisData:
    """Load and validate both crisis data files in folder; raise on the first bad file."""
    folder = Path(folder)
    return CrisisData(
        helplines=load_helplines(folder / HELPLINES_FILE),
        phrases=load_crisis_phrases(folder / PHRASES_FILE),
    )

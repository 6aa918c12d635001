"""Unit tests for the helplines schema check: each malformed dataset is named, and the loader."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.helplines import DatasetError
from bot.domain.helplines_loader import load_helplines
from bot.domain.helplines_schema import validate_dataset


def _minimal() -> dict[str, Any]:
    return {
        "meta": {"title": "test"},
        "display_rules": ["Show the emergency number first."],
        "international_fallback": [
            {"name": "Find A Helpline", "url": "https://findahelpline.com", "source": ["x"]},
        ],
        "countries": [
            {
                "code": "IN",
                "name": "India",
                "emergency": "112",
                "emergency_source": ["x"],
                "services": [
                    {"name": "Tele MANAS", "phone": "14416", "hours": "24/7", "source": ["x"]},
                ],
            },
            {
                "code": "NO",
                "name": "Norway",
                "emergency": "113",
                "emergency_source": ["x"],
                "services": [{"name": "Kirkens SOS", "phone": "22 40 00 40", "source": ["x"]}],
            },
        ],
    }


def _tele_manas(data: dict[str, Any]) -> dict[str, Any]:
    return data["countries"][0]["services"][0]


Breakage = Callable[[dict[str, Any]], None]

BREAKAGES: list[tuple[str, Breakage, str]] = [
    (
        "phone-as-number",
        lambda d: _tele_manas(d).update(phone=14416),
        "helplines.yaml: countries[0] (IN) service 'Tele MANAS': 'phone' must be a string",
    ),
    (
        "leading-zero-number-read-as-octal",
        lambda d: _tele_manas(d).update(phone=20),
        "'phone' must be a string, got the number 20 (put it in quotes",
    ),
    (
        "unquoted-no-code",
        lambda d: d["countries"][1].update(code=False),
        "helplines.yaml: countries[1]: 'code' must be a string, got the boolean false",
    ),
    (
        "lower-case-code",
        lambda d: d["countries"][1].update(code="no"),
        "countries[1]: 'code' must be two capital letters",
    ),
    (
        "missing-emergency",
        lambda d: d["countries"][0].pop("emergency"),
        "countries[0] (IN): 'emergency' is required",
    ),
    (
        "misspelt-verify",
        lambda d: _tele_manas(d).update(verfiy=True),
        "service 'Tele MANAS': unknown key 'verfiy' (did you mean 'verify'?)",
    ),
    (
        "verify-as-string",
        lambda d: _tele_manas(d).update(verify="true"),
        "service 'Tele MANAS': 'verify' must be true or false",
    ),
    (
        "bad-url",
        lambda d: _tele_manas(d).update(url="www.example.org"),
        "service 'Tele MANAS': 'url' must be an http(s) URL",
    ),
    (
        "words-in-number",
        lambda d: _tele_manas(d).update(phone="0508 TAUTOKO"),
        "service 'Tele MANAS': 'phone' must be a number written with digits",
    ),
    (
        "no-way-to-reach",
        lambda d: _tele_manas(d).pop("phone"),
        "service 'Tele MANAS': needs at least one way to reach it",
    ),
    (
        "missing-source",
        lambda d: _tele_manas(d).pop("source"),
        "service 'Tele MANAS': 'source' is required",
    ),
    (
        "empty-hours",
        lambda d: _tele_manas(d).update(hours="  "),
        "service 'Tele MANAS': 'hours' must not be empty",
    ),
    (
        "phone-alt-not-a-list",
        lambda d: _tele_manas(d).update(phone_alt="1-800-891-4416"),
        "service 'Tele MANAS': 'phone_alt' must be a non-empty list of strings",
    ),
    (
        "nameless-service",
        lambda d: _tele_manas(d).pop("name"),
        "countries[0] (IN) services[0]: 'name' is required",
    ),
    (
        "services-not-a-list",
        lambda d: d["countries"][0].update(services={"name": "x"}),
        "countries[0] (IN): 'services' must be a list",
    ),
    (
        "duplicate-code",
        lambda d: d["countries"][1].update(code="IN", name="India again"),
        "countries[1] (IN): code also used by countries[0]",
    ),
    (
        "duplicate-service-name",
        lambda d: d["countries"][0]["services"].append(dict(_tele_manas(d))),
        "countries[0] (IN): service name 'Tele MANAS' is used twice",
    ),
    (
        "pair-with-unknown-service",
        lambda d: _tele_manas(d).update(paired_with=["Nope"]),
        "'paired_with' names 'Nope', which is not a service of this country",
    ),
    (
        "alias-clash",
        lambda d: d["countries"][1].update(aliases=["India"]),
        "NO name or alias 'India' is already used by IN",
    ),
    (
        "missing-fallback",
        lambda d: d.pop("international_fallback"),
        "'international_fallback' must be a non-empty list",
    ),
    (
        "fallback-without-url",
        lambda d: d["international_fallback"][0].pop("url"),
        "international_fallback[0]: 'url' is required",
    ),
    (
        "unknown-top-level-key",
        lambda d: d.update(helplines=[]),
        "top level: unknown key 'helplines'",
    ),
]


def test_minimal_dataset_is_valid() -> None:
    """The base for the breakage tests validates, so each breakage is the only fault."""
    directory = validate_dataset(_minimal())
    assert directory.codes == ("IN", "NO")


@pytest.mark.parametrize(
    ("breakage", "message"),
    [pytest.param(fn, message, id=name) for name, fn, message in BREAKAGES],
)
def test_malformed_dataset_names_the_entry(breakage: Breakage, message: str) -> None:
    """A broken dataset raises DatasetError whose message names the file and the entry."""
    data = copy.deepcopy(_minimal())
    breakage(data)
    with pytest.raises(DatasetError) as caught:
        validate_dataset(data)
    assert message in str(caught.value)


def test_all_problems_are_reported_at_once() -> None:
    """Several faults are listed together, one per line."""
    data = _minimal()
    _tele_manas(data)["phone"] = 14416
    data["countries"][1]["emergency"] = 113
    with pytest.raises(DatasetError) as caught:
        validate_dataset(data)
    assert len(caught.value.problems) == 2
    assert str(caught.value).count("\n") == 1


@pytest.mark.parametrize("raw_data", [None, [], "countries: []"])
def test_top_level_must_be_a_mapping(raw_data: object) -> None:
    """Anything but a mapping at the top level is rejected."""
    with pytest.raises(DatasetError, match="top level must be a mapping"):
        validate_dataset(raw_data)


def test_loader_reports_invalid_yaml(tmp_path: Path) -> None:
    """A file that is not YAML raises DatasetError naming the file."""
    path = tmp_path / "broken.yaml"
    path.write_text("countries: [\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^broken\.yaml: not valid YAML"):
        load_helplines(path)


def test_loader_reports_missing_file(tmp_path: Path) -> None:
    """A missing file raises DatasetError, not a bare OSError."""
    with pytest.raises(DatasetError, match=r"missing\.yaml: cannot read"):
        load_helplines(tmp_path / "missing.yaml")


def test_loader_names_the_file_in_schema_errors(tmp_path: Path) -> None:
    """Schema problems are prefixed with the loaded file's name."""
    data = _minimal()
    _tele_manas(data)["phone"] = 14416
    path = tmp_path / "helplines.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"^helplines\.yaml: countries\[0\] \(IN\) service"):
        load_helplines(path)

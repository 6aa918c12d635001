"""The emulator checks command localizations as Discord does: known locales, names, lengths."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.errors import ApiError
from emulator.validation import validate_commands


def _command(**extra: Any) -> dict[str, Any]:
    return {
        "type": 1,
        "name": "crisis",
        "description": "Where to turn",
        "options": [{"type": 3, "name": "country", "description": "Country", **extra}],
    }


def _problem(command: dict[str, Any]) -> str:
    with pytest.raises(ApiError) as caught:
        validate_commands([command], "sync")
    assert caught.value.code == 50035
    return caught.value.problem or ""


def test_good_localizations_pass() -> None:
    command = _command(
        name_localizations={"es-ES": "país", "pt-BR": "país"},
        choices=[{"name": "Spain", "value": "ES", "name_localizations": {"es-ES": "España"}}],
    )
    command["name_localizations"] = {"de": "krise", "fr": "crise"}
    command["description_localizations"] = {"de": "Wohin du dich wenden kannst"}
    validate_commands([command], "sync")


def test_unknown_locale_is_refused() -> None:
    command = _command()
    command["name_localizations"] = {"es": "crisis"}
    assert "not a valid locale" in _problem(command)


def test_localized_slash_name_follows_the_name_rules() -> None:
    assert "invalid" in _problem(_command(name_localizations={"de": "Land Name"}))


def test_localized_description_and_choice_lengths() -> None:
    command = _command(description_localizations={"fr": "x" * 101})
    assert "between 1 and 100" in _problem(command)
    choice = {"name": "Spain", "value": "ES", "name_localizations": {"es-ES": "E" * 101}}
    assert "1 to 100" in _problem(_command(choices=[choice]))


def test_context_menu_names_may_have_capitals_and_spaces_but_not_33_characters() -> None:
    menu = {"type": 3, "name": "Report post", "name_localizations": {"de": "Beitrag melden"}}
    validate_commands([menu], "sync")
    menu["name_localizations"] = {"de": "B" * 33}
    assert "1 to 32" in _problem(menu)

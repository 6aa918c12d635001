"""Reading a typed time zone: any text gives a zone or kind suggestions, never an exception."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.zones import MAX_ZONE_LENGTH, find_zone, suggest_zones, zone_names, zones_matching
from bot.services.zones import UnknownZone, require_zone

HOSTILE = [
    "a" * 6000,
    "../../etc/passwd",
    "/etc/localtime",
    "Europe/London\x00",
    "\u202eEurope/London",
    "Europe/" + "x" * 300,
    "localtime",
    "Factory",
    "'; DROP TABLE checkins; --",
    "<@123456789012345678>",
    "@everyone",
    "",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_zone_text_is_not_a_zone(text: str) -> None:
    """Overlong names, paths, control characters and non-places are refused without raising."""
    assert find_zone(text) is None
    with pytest.raises(UnknownZone) as raised:
        require_zone(text)
    assert len(raised.value.message) < 300


@given(st.text(max_size=7000))
def test_any_text_gives_a_zone_or_a_kind_refusal(text: str) -> None:
    """Whatever is typed, the answer is a ZoneInfo or UnknownZone with a short message."""
    try:
        assert isinstance(require_zone(text), ZoneInfo)
    except UnknownZone as error:
        assert len(error.message) < 300
        assert "time zone" in error.message


def test_names_are_read_in_any_case_and_with_spaces() -> None:
    """`europe/london`, `America/New York` and a unique city name all find their zone."""
    assert find_zone("europe/london") == ZoneInfo("Europe/London")
    assert find_zone(" America/New York ") == ZoneInfo("America/New_York")
    assert find_zone("kolkata") == ZoneInfo("Asia/Kolkata")
    assert find_zone("UTC") == ZoneInfo("UTC")


def test_a_misspelt_zone_gets_suggestions() -> None:
    """A typo is answered with the zone it was probably meant to be."""
    assert "Europe/London" in suggest_zones("Londno")
    assert "Europe/London" in UnknownZone("Europe/Londn").message


def test_autocomplete_puts_city_names_first_and_stays_within_discords_limits() -> None:
    """Up to 25 names of at most 100 characters, cities starting with the text first."""
    assert zones_matching("lon")[0] in {"Europe/London", "Arctic/Longyearbyen"}
    for text in ("", "a", "x" * 6000, "\u200b"):
        found = zones_matching(text)
        assert len(found) <= 25
        assert all(len(name) <= 100 for name in found)


def test_every_offered_zone_loads() -> None:
    """Every name offered in autocomplete is found and is short."""
    for name in zone_names():
        assert len(name) <= MAX_ZONE_LENGTH
        assert find_zone(name) == ZoneInfo(name)

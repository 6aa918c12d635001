"""Unit tests for the shipped helplines dataset, lookups and card structure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.helplines import (
    HOURS_NOT_CONFIRMED,
    Country,
    HelplineDirectory,
    Service,
    build_card,
    pair_groups,
    visible_services,
)
from bot.domain.helplines_loader import load_helplines

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "data" / "helplines.yaml"


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """Return the shipped dataset as parsed YAML."""
    return yaml.load(DATASET.read_text(encoding="utf-8"), Loader=SafeLoader)


@pytest.fixture(scope="module")
def directory() -> HelplineDirectory:
    """Return the shipped dataset, loaded the way the bot loads it."""
    return load_helplines(DATASET)


def _country(directory: HelplineDirectory, code: str) -> Country:
    country = directory.by_code(code)
    assert country is not None, code
    return country


def _raw_country(raw: dict[str, Any], code: str) -> dict[str, Any]:
    return next(entry for entry in raw["countries"] if entry["code"] == code)


# --- The shipped file ----------------------------------------------------------------------


def test_shipped_dataset_validates(directory: HelplineDirectory) -> None:
    """The shipped data/helplines.yaml passes the schema check with every entry kept."""
    assert len(directory.countries) == 47
    assert sum(len(country.services) for country in directory.countries) == 96
    assert directory.display_rules
    assert [link.url for link in directory.fallback] == [
        "https://findahelpline.com",
        "https://www.befrienders.org/find-a-helpline",
    ]


def test_shipped_numbers_are_kept_verbatim(
    directory: HelplineDirectory, raw: dict[str, Any]
) -> None:
    """Every number in the model is the exact string written in the YAML."""
    for raw_country in raw["countries"]:
        country = _country(directory, raw_country["code"])
        assert country.emergency == raw_country["emergency"]
        for raw_service, service in zip(raw_country["services"], country.services, strict=True):
            assert service.phone == raw_service.get("phone")
            assert service.phone_alt == tuple(raw_service.get("phone_alt", ()))
            assert service.sms == raw_service.get("sms")


def test_flagged_entries_stay_in_the_model(directory: HelplineDirectory) -> None:
    """Entries with verify: true are kept (for maintainers) but marked."""
    flagged = [s.name for c in directory.countries for s in c.services if s.verify]
    assert len(flagged) == 21
    assert "The Trevor Project (TrevorLifeline)" in flagged


def test_flagged_entries_are_never_visible(directory: HelplineDirectory) -> None:
    """No country shows a verify: true service, in visible_services or on the card."""
    for country in directory.countries:
        assert not any(service.verify for service in visible_services(country))
        flagged = {service.name for service in country.services if service.verify}
        shown = {service.name for service in build_card(country, directory.fallback).services}
        assert not flagged & shown, country.code


def test_us_card_hides_unverified_lines(directory: HelplineDirectory) -> None:
    """The US card leaves out the Trevor Project and Trans Lifeline until re-checked."""
    names = [s.name for s in build_card(_country(directory, "US"), directory.fallback).services]
    assert names == ["988 Suicide & Crisis Lifeline", "Crisis Text Line"]


def test_us_988_press_3_trap(directory: HelplineDirectory) -> None:
    """988 is printed as '988' and nothing shown advertises the closed 'press 3' LGBTQ+ line."""
    lifeline = _country(directory, "US").services[0]
    assert (lifeline.phone, lifeline.sms) == ("988", "988")
    assert lifeline.notes is not None
    assert "Press 3" in lifeline.notes
    assert "shut down in July 2025" in lifeline.notes
    card = build_card(_country(directory, "US"), directory.fallback)
    shown = " ".join(
        f"{contact.value} {contact.instructions or ''}"
        for service in card.services
        for contact in service.contacts
    ).casefold()
    assert "press 3" not in shown
    assert "pride" not in shown


def test_uk_samaritans_number(directory: HelplineDirectory) -> None:
    """Samaritans is 116 123; the retired 08457 numbers appear nowhere in the dataset."""
    samaritans = _country(directory, "GB").services[0]
    assert samaritans.name == "Samaritans"
    assert samaritans.phone == "116 123"
    assert not samaritans.verify
    numbers = [
        number
        for country in directory.countries
        for service in country.services
        for number in (service.phone, service.sms, *service.phone_alt)
        if number
    ]
    assert not [number for number in numbers if number.replace(" ", "").startswith("08457")]


# --- The five countries the issue names ---------------------------------------------------

EXPECTED_CARDS: dict[str, tuple[str, list[tuple[str, list[tuple[str, str]]]]]] = {
    "US": (
        "911",
        [
            (
                "988 Suicide & Crisis Lifeline",
                [("call", "988"), ("text", "988"), ("chat", "https://988lifeline.org")],
            ),
            ("Crisis Text Line", [("text", "741741"), ("web", "https://www.crisistextline.org")]),
        ],
    ),
    "GB": (
        "999",
        [
            (
                "Samaritans",
                [
                    ("call", "116 123"),
                    ("web", "https://www.samaritans.org"),
                    ("email", "jo@samaritans.org"),
                ],
            ),
            ("Shout 85258", [("text", "85258"), ("web", "https://giveusashout.org")]),
        ],
    ),
    "AU": (
        "000",
        [
            (
                "Lifeline Australia",
                [
                    ("call", "13 11 14"),
                    ("text", "0477 13 11 14"),
                    ("web", "https://www.lifeline.org.au"),
                ],
            ),
            ("Kids Helpline", [("call", "1800 55 1800"), ("web", "https://kidshelpline.com.au")]),
            (
                "Suicide Call Back Service",
                [("call", "1300 659 467"), ("web", "https://www.suicidecallbackservice.org.au")],
            ),
            ("Beyond Blue", [("call", "1300 22 4636")]),
        ],
    ),
    "SG": (
        "995",
        [
            ("Samaritans of Singapore (SOS)", [("call", "1767"), ("text", "9151 1767")]),
            ("National Mindline 1771", [("call", "1771"), ("text", "6669 1771")]),
            ("IMH Mental Health Helpline", [("call", "6389 2222")]),
        ],
    ),
    "IN": (
        "112",
        [
            (
                "Tele-MANAS (National Tele Mental Health Programme)",
                [("call", "14416"), ("call", "1-800-891-4416")],
            ),
        ],
    ),
}


@pytest.mark.parametrize("code", sorted(EXPECTED_CARDS))
def test_card_for_named_countries(directory: HelplineDirectory, code: str) -> None:
    """The card has the right emergency number and verified lines, numbers printed verbatim."""
    emergency, services = EXPECTED_CARDS[code]
    card = build_card(_country(directory, code), directory.fallback)
    assert card.emergency == emergency
    assert [
        (service.name, [(contact.kind, contact.value) for contact in service.contacts])
        for service in card.services
    ] == services


@pytest.mark.parametrize("code", sorted(EXPECTED_CARDS))
def test_card_numbers_match_the_yaml_text(
    directory: HelplineDirectory, raw: dict[str, Any], code: str
) -> None:
    """Each number on the card is one of the strings written for that service in the YAML."""
    raw_services = {entry["name"]: entry for entry in _raw_country(raw, code)["services"]}
    card = build_card(_country(directory, code), directory.fallback)
    assert card.emergency == _raw_country(raw, code)["emergency"]
    for service in card.services:
        written = raw_services[service.name]
        allowed = {written.get("phone"), written.get("sms"), *written.get("phone_alt", ())}
        for contact in service.contacts:
            if contact.kind in ("call", "text"):
                assert contact.value in allowed


def test_card_hours_and_audience(directory: HelplineDirectory) -> None:
    """Known hours are shown as written; unknown hours say 'hours not confirmed'."""
    au = build_card(_country(directory, "AU"), directory.fallback).services
    kids = next(service for service in au if service.name == "Kids Helpline")
    assert (kids.hours, kids.hours_confirmed, kids.audience) == ("24/7", True, "ages 5-25")
    taiwan = build_card(_country(directory, "TW"), directory.fallback).services
    lifeline = next(service for service in taiwan if service.name == "生命線 Lifeline Taiwan")
    assert lifeline.hours == HOURS_NOT_CONFIRMED == "hours not confirmed"
    assert not lifeline.hours_confirmed


def test_card_carries_fallback_links(directory: HelplineDirectory) -> None:
    """Every card ends with the international fallback directories."""
    card = build_card(_country(directory, "SG"), directory.fallback)
    assert [link.name for link in card.fallback] == [
        "Find A Helpline (ThroughLine)",
        "Befrienders Worldwide - find a helpline",
    ]


def test_text_instructions_go_with_the_text_number(directory: HelplineDirectory) -> None:
    """A keyword ('Text HOME to 741741') is attached to the SMS number it belongs to."""
    crisis_text_line = _country(directory, "US").services[1]
    assert crisis_text_line.contact_methods[0].kind == "text"
    assert crisis_text_line.contact_methods[0].instructions == "Text HOME to 741741"


def test_dialling_instructions_go_with_the_call(directory: HelplineDirectory) -> None:
    """Without an SMS number, the instructions ('Call 15 and press 7') go with the call."""
    punjab = next(s for s in _country(directory, "PK").services if s.phone == "15")
    assert punjab.contact_methods[0].kind == "call"
    assert punjab.contact_methods[0].instructions == "Call 15 and press 7"


def test_same_chat_and_web_link_shown_once(directory: HelplineDirectory) -> None:
    """988's chat and web links are the same address, so it is listed once, as chat."""
    kinds = [contact.kind for contact in _country(directory, "US").services[0].contact_methods]
    assert kinds == ["call", "text", "chat"]


def test_countries_with_nothing_verified_still_get_a_card(directory: HelplineDirectory) -> None:
    """A country whose lines are all unverified shows the emergency number and the fallback."""
    card = build_card(_country(directory, "TR"), directory.fallback)
    assert card.emergency == "112"
    assert card.groups == ()
    assert card.fallback


# --- Lookups -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("US", "US"),
        ("us", "US"),
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("united states of america", "US"),
        ("America", "US"),
        ("GB", "GB"),
        ("gb", "GB"),
        ("UK", "GB"),
        ("the UK", "GB"),
        ("United Kingdom", "GB"),
        ("Britain", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("🇬🇧", "GB"),
        ("au", "AU"),
        ("Australia", "AU"),
        ("sg", "SG"),
        ("Singapore", "SG"),
        ("in", "IN"),
        ("India", "IN"),
        ("Bharat", "IN"),
        ("Deutschland", "DE"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("turkiye", "TR"),
        ("Holland", "NL"),
        ("The Netherlands", "NL"),
        ("China", "CN"),
        ("Hong Kong", "HK"),
        ("Korea", "KR"),
        ("NO", "NO"),
        ("Norge", "NO"),
        ("  méxico ", "MX"),
    ],
)
def test_find_country(directory: HelplineDirectory, query: str, code: str) -> None:
    """Codes, names and common aliases find the country, ignoring case and accents."""
    country = directory.find_country(query)
    assert country is not None
    assert country.code == code


@pytest.mark.parametrize("query", ["", "   ", "Atlantis", "United", "XX", "Ireland, Northern"])
def test_find_country_unknown(directory: HelplineDirectory, query: str) -> None:
    """An unknown or ambiguous query finds nothing rather than guessing."""
    assert directory.find_country(query) is None


def test_every_code_and_name_round_trips(directory: HelplineDirectory) -> None:
    """Each country is found by its own code (any case) and by its own name."""
    for country in directory.countries:
        assert directory.by_code(country.code.lower()) is country
        assert directory.find_country(country.name) is country
        assert directory.find_country(country.code) is country


def test_by_code_unknown(directory: HelplineDirectory) -> None:
    """An unknown code returns None."""
    assert directory.by_code("ZZ") is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("uni", ["AE", "GB", "US"]),
        ("united k", ["GB"]),
        ("in", ["IN", "ID"]),
        ("ind", ["IN", "ID"]),
        ("kingdom", ["GB"]),
        ("ire", ["IE", "GB"]),
        ("zea", ["NZ"]),
        ("sing", ["SG"]),
        ("usa", ["US"]),
    ],
)
def test_search_countries_ranking(
    directory: HelplineDirectory, query: str, expected: list[str]
) -> None:
    """Exact codes come first, then name prefixes, alias and word prefixes, then substrings."""
    found = [country.code for country in directory.search_countries(query)]
    assert found[: len(expected)] == expected


def test_search_countries_code_beats_substring(directory: HelplineDirectory) -> None:
    """For 'in', India (code) leads; names merely containing 'in' come after prefixes."""
    found = [country.code for country in directory.search_countries("in")]
    assert found.index("IN") < found.index("ID") < found.index("AR")


def test_search_countries_empty_query_lists_alphabetically(directory: HelplineDirectory) -> None:
    """An empty query lists countries by name, capped at Discord's 25 choices."""
    found = directory.search_countries("")
    assert len(found) == 25
    assert found[0].code == "AR"
    names = [country.name.casefold() for country in found]
    assert names == sorted(names)


def test_search_countries_limit(directory: HelplineDirectory) -> None:
    """The limit caps the result, and a zero limit returns nothing."""
    assert len(directory.search_countries("a", limit=3)) == 3
    assert directory.search_countries("a", limit=0) == ()


@settings(max_examples=40, deadline=None)
@given(query=st.text(max_size=30))
def test_search_countries_never_fails(directory: HelplineDirectory, query: str) -> None:
    """Any text, however odd, gives at most 25 countries and no error."""
    assert len(directory.search_countries(query)) <= 25
    directory.find_country(query)


# --- Pairs ---------------------------------------------------------------------------------


def _service(name: str, *, verify: bool = False, paired_with: tuple[str, ...] = ()) -> Service:
    return Service(
        name=name,
        source=("https://example.org",),
        phone="123",
        verify=verify,
        paired_with=paired_with,
    )


def _country_of(*services: Service) -> Country:
    return Country(
        code="XA", name="Testland", emergency="112", emergency_source=("x",), services=services
    )


def test_pair_is_shown_together() -> None:
    """Two verified services listed as a pair form one group, placed at the first one."""
    country = _country_of(
        _service("Before"),
        _service("Adult line", paired_with=("Youth line",)),
        _service("Between"),
        _service("Youth line"),
    )
    card = build_card(country, ())
    assert [[s.name for s in group.services] for group in card.groups] == [
        ["Before"],
        ["Adult line", "Youth line"],
        ["Between"],
    ]
    assert [group.is_pair for group in card.groups] == [False, True, False]


def test_pair_with_unverified_half_is_not_shown() -> None:
    """If either half of a pair is unverified, neither is shown."""
    country = _country_of(
        _service("Dutch line", paired_with=("French line",)),
        _service("French line", verify=True),
        _service("Other"),
    )
    assert [service.name for service in visible_services(country)] == ["Other"]
    assert [s.name for s in build_card(country, ()).services] == ["Other"]


def test_pairs_chain_into_one_group() -> None:
    """Pair links are followed both ways, so A-B and B-C make one group."""
    country = _country_of(
        _service("A", paired_with=("B",)),
        _service("B"),
        _service("C", paired_with=("B",)),
    )
    assert [[s.name for s in group] for group in pair_groups(country)] == [["A", "B", "C"]]

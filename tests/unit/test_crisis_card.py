"""The crisis card as rendered for Discord: order, pairs, hidden entries, limits, the picker."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.config import SHIPPED_DATA_DIR
from bot.domain.helplines import Country, FallbackLink, Service, build_card
from bot.domain.helplines_loader import load_crisis_data
from bot.services.crisis import CrisisAnswer, LocalResource
from bot.ui.crisis_card import (
    MAX_COUNTRY_SELECTS,
    OPTIONS_PER_SELECT,
    card_embed,
    country_pages,
    picker_embed,
    service_lines,
)

DATA = load_crisis_data(SHIPPED_DATA_DIR)
FALLBACK = (FallbackLink("Find A Helpline", "https://findahelpline.com"),)


def service(name: str, **fields: object) -> Service:
    """Return a service with a source and the given fields."""
    fields.setdefault("phone", "0800 000")
    return Service(name=name, source=("test",), **fields)  # type: ignore[arg-type]


def country(*services: Service, code: str = "ZZ") -> Country:
    """Return a made-up country with these services."""
    return Country(code, "Testland", "112", ("test",), tuple(services))


def text_of(embed: dict) -> str:
    """Return all the text of an embed."""
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def resource(i: int, country_code: str | None = None) -> LocalResource:
    """Return a local resource."""
    return LocalResource(
        i, 1, f"Resource {i}", "r" * 200, "d" * 200, country_code, datetime(2026, 1, 1, tzinfo=UTC)
    )


def test_emergency_number_comes_first_then_lines_then_local_then_fallback() -> None:
    """The description ends with the emergency line; fields: services, local resources, links."""
    card = build_card(country(service("Line A", hours="24/7"), service("Line B")), FALLBACK)
    embed = card_embed(card, [resource(1)]).to_dict()
    assert embed["description"].endswith("**If you are in immediate danger, call `112`.**")
    names = [f["name"] for f in embed["fields"]]
    assert names == ["Line A", "Line B", "In this community", "🏠 Resource 1", "Somewhere else?"]
    assert "🕒 24/7" in embed["fields"][0]["value"]
    assert "🕒 Hours not confirmed" in embed["fields"][1]["value"]


def test_paired_services_are_shown_together_in_one_block() -> None:
    """A pair is one field holding both services; an unrelated line stays separate."""
    card = build_card(
        country(
            service("Adult line", paired_with=("Youth line",)),
            service("Other line"),
            service("Youth line", phone="0800 111", audience="under 25s"),
        ),
        FALLBACK,
    )
    fields = card_embed(card).to_dict()["fields"]
    assert fields[0]["name"] == "Adult line · Youth line"
    assert "**Adult line**" in fields[0]["value"] and "**Youth line**" in fields[0]["value"]
    assert "`0800 111`" in fields[0]["value"] and "👤 For under 25s" in fields[0]["value"]
    assert fields[1]["name"] == "Other line"


def test_flagged_entries_and_their_pairs_are_never_shown() -> None:
    """verify: true hides a service, and a pair with a flagged half is hidden whole."""
    card = build_card(
        country(
            service("Checked", phone="111"),
            service("Unchecked", phone="222", verify=True),
            service("Half", phone="333", paired_with=("Other half",)),
            service("Other half", phone="444", verify=True),
        ),
        FALLBACK,
    )
    text = text_of(card_embed(card).to_dict())
    assert "`111`" in text
    for hidden in ("Unchecked", "222", "Half", "333", "444"):
        assert hidden not in text


def test_contacts_are_printed_verbatim_with_their_instructions() -> None:
    """Calls, texts with keywords, chat, web and email are listed, numbers untouched."""
    lines = service_lines(
        build_card(
            country(
                service(
                    "All ways",
                    phone="1-800 (273) *8255#",
                    phone_alt=("0800.12/34",),
                    sms="741741",
                    text_instructions="Text HOME to 741741",
                    chat_url="https://chat.example",
                    url="https://example.org",
                    email="help@example.org",
                    languages=("en", "fr"),
                )
            ),
            FALLBACK,
        ).services[0]
    )
    assert lines == [
        "📞 Call `1-800 (273) *8255#` or `0800.12/34`",
        "💬 Text `741741` · Text HOME to 741741",
        "🗨️ Chat: https://chat.example",
        "🌐 https://example.org",
        "✉️ help@example.org",
        "🕒 Hours not confirmed",
        "🗣️ Languages: English and French",
    ]


def test_a_country_without_checked_lines_still_gets_the_number_and_links() -> None:
    """With no verified service, the card keeps the emergency number and the world links."""
    card = build_card(country(service("Unchecked", verify=True)), FALLBACK)
    embed = card_embed(card).to_dict()
    assert (
        "call `112`" in embed["description"]
        and "don't have a checked helpline" in embed["description"]
    )
    assert "https://findahelpline.com" in text_of(embed)


def test_card_stays_inside_discord_limits_and_keeps_the_links() -> None:
    """Many lines and resources are cut before Discord's limits; the links always stay."""
    many = [service(f"Line {i}", phone=f"{i:04}", audience="x" * 200) for i in range(40)]
    card = build_card(country(*many), FALLBACK)
    embed = card_embed(card, [resource(i) for i in range(10)])
    assert len(embed.fields) <= 25 and len(embed) <= 6000
    assert embed.fields[-1].name == "Somewhere else?"
    assert embed.fields[-2].name == "More"


@pytest.mark.parametrize("code", DATA.helplines.codes)
def test_every_shipped_card_fits_and_names_no_methods(code: str) -> None:
    """Every country's card fits whole, and nothing on it talks about methods or judges."""
    card = build_card(DATA.helplines.by_code(code), DATA.helplines.fallback)  # type: ignore[arg-type]
    embed = card_embed(card)
    assert len(embed) <= 6000 and len(embed.fields) == len(card.groups) + 1
    words = set(re.findall(r"[a-z]+", text_of(embed.to_dict()).lower()))
    assert not words & {"method", "methods", "overdose", "pills", "hang", "jump", "weak", "selfish"}


def test_country_pages_cover_the_dataset_in_at_most_four_selects() -> None:
    """The shipped countries fit the picker's selects, evenly split and sorted by name."""
    pages = country_pages(DATA.helplines.countries)
    assert len(pages) <= MAX_COUNTRY_SELECTS
    assert all(len(page) <= OPTIONS_PER_SELECT for page in pages)
    flat = [c.code for page in pages for c in page]
    assert sorted(flat) == sorted(DATA.helplines.codes)
    names = [c.name for page in pages for c in page]
    assert names == sorted(names)


def test_country_pages_truncate_beyond_what_discord_can_show() -> None:
    """More than 100 countries are cut to four full selects (the rest are typed instead)."""
    countries = [Country(f"A{i:03}", f"Country {i:03}", "1", ("x",), ()) for i in range(130)]
    pages = country_pages(countries)
    assert [len(page) for page in pages] == [25, 25, 25, 25]


def test_picker_says_what_was_not_found_safely() -> None:
    """An unknown country is echoed back with markdown and mentions neutralised."""
    answer = CrisisAnswer(None, "none", "**@everyone**", (), None)
    embed = picker_embed(answer, FALLBACK).to_dict()
    assert "**@everyone**" not in embed["description"]
    assert "call your local emergency number" in embed["description"]
    assert embed["fields"][-1]["value"] == "[Find A Helpline](https://findahelpline.com)"

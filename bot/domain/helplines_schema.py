"""The helplines dataset's schema check: parsed YAML in, a HelplineDirectory out, or every problem.

Pure: standard library only. Each problem names the entry it is about, so a maintainer can find
it in ``data/helplines.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.domain.helplines import (
    Country,
    DatasetError,
    FallbackLink,
    HelplineDirectory,
    Service,
    alias_clashes,
)
from bot.domain.schema import SchemaChecker, describe_value

__all__ = ["validate_dataset"]


_TOP_KEYS = frozenset({"meta", "display_rules", "international_fallback", "countries"})
_FALLBACK_KEYS = frozenset({"name", "url", "notes", "source"})
_COUNTRY_KEYS = frozenset(
    {"code", "name", "emergency", "emergency_note", "emergency_source", "notes", "services"}
    | {"aliases"}
)
_SERVICE_KEYS = frozenset(
    {"name", "phone", "phone_alt", "sms", "text_instructions", "chat_url", "url", "email"}
    | {"hours", "audience", "languages", "topics", "notes", "source", "verify", "paired_with"}
)
_CONTACT_KEYS = ("phone", "sms", "chat_url", "url", "email")

_CODE = re.compile(r"[A-Z]{2}")
_NUMBER = re.compile(r"[0-9 +()*#./-]*[0-9][0-9 +()*#./-]*")
_URL = re.compile(r"https?://[^\s/]+\S*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class _Checker(SchemaChecker):
    """Schema checks for the helplines file."""

    def text(
        self, raw: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = raw.get(key)
        if value is None:
            if required or key in raw:
                self.add(where, f"{key!r} is required and must be a non-empty string")
            return None
        if not isinstance(value, str):
            hint = ""
            if isinstance(value, bool | int | float):
                hint = " (put it in quotes so YAML keeps it as written)"
            self.add(where, f"{key!r} must be a string, got {describe_value(value)}{hint}")
            return None
        if not value.strip():
            self.add(where, f"{key!r} must not be empty")
            return None
        return value

    def matching(
        self,
        raw: Mapping[str, Any],
        key: str,
        where: str,
        pattern: re.Pattern[str],
        expected: str,
        *,
        required: bool = False,
    ) -> str | None:
        value = self.text(raw, key, where, required=required)
        if value is not None and not pattern.fullmatch(value):
            self.add(where, f"{key!r} must be {expected}, got {value!r}")
            return None
        return value

    def text_list(
        self,
        raw: Mapping[str, Any],
        key: str,
        where: str,
        *,
        required: bool = False,
        item: re.Pattern[str] | None = None,
        expected: str = "",
    ) -> tuple[str, ...]:
        value = raw.get(key)
        if value is None:
            if required or key in raw:
                self.add(where, f"{key!r} is required and must be a non-empty list of strings")
            return ()
        if not isinstance(value, list) or not value:
            self.add(
                where, f"{key!r} must be a non-empty list of strings, got {describe_value(value)}"
            )
            return ()
        items: list[str] = []
        for i, element in enumerate(value):
            if not isinstance(element, str) or not element.strip():
                self.add(
                    where, f"{key}[{i}] must be a non-empty string, got {describe_value(element)}"
                )
            elif item is not None and not item.fullmatch(element):
                self.add(where, f"{key}[{i}] must be {expected}, got {element!r}")
            else:
                items.append(element)
        return tuple(items)


_NUMBER_EXPECTED = "a number written with digits, spaces and + - ( ) * # . / only"


def _check_service(raw: object, country: str, index: int, chk: _Checker) -> Service | None:
    where = f"{country} services[{index}]"
    if not isinstance(raw, dict):
        chk.add(where, f"must be a mapping, got {describe_value(raw)}")
        return None
    name = raw.get("name")
    if isinstance(name, str) and name.strip():
        where = f"{country} service {name!r}"
    before = len(chk.problems)
    chk.keys(raw, _SERVICE_KEYS, where)
    name = chk.text(raw, "name", where, required=True)
    phone = chk.matching(raw, "phone", where, _NUMBER, _NUMBER_EXPECTED)
    phone_alt = chk.text_list(raw, "phone_alt", where, item=_NUMBER, expected=_NUMBER_EXPECTED)
    sms = chk.matching(raw, "sms", where, _NUMBER, _NUMBER_EXPECTED)
    text_instructions = chk.text(raw, "text_instructions", where)
    chat_url = chk.matching(raw, "chat_url", where, _URL, "an http(s) URL")
    url = chk.matching(raw, "url", where, _URL, "an http(s) URL")
    email = chk.matching(raw, "email", where, _EMAIL, "an email address")
    hours = chk.text(raw, "hours", where)
    audience = chk.text(raw, "audience", where)
    languages = chk.text_list(raw, "languages", where)
    topics = chk.text_list(raw, "topics", where)
    notes = chk.text(raw, "notes", where)
    source = chk.text_list(raw, "source", where, required=True)
    paired_with = chk.text_list(raw, "paired_with", where)
    verify = raw.get("verify", False)
    if not isinstance(verify, bool):
        chk.add(where, f"'verify' must be true or false, got {describe_value(verify)}")
    if not any(raw.get(key) is not None for key in _CONTACT_KEYS):
        chk.add(where, "needs at least one way to reach it: " + ", ".join(_CONTACT_KEYS))
    if "phone_alt" in raw and "phone" not in raw:
        chk.add(where, "'phone_alt' needs a 'phone' to go with it")
    if "text_instructions" in raw and "sms" not in raw and "phone" not in raw:
        chk.add(where, "'text_instructions' needs an 'sms' or 'phone' to go with it")
    if len(chk.problems) > before or name is None:
        return None
    return Service(
        name=name,
        source=source,
        phone=phone,
        phone_alt=phone_alt,
        sms=sms,
        text_instructions=text_instructions,
        chat_url=chat_url,
        url=url,
        email=email,
        hours=hours,
        audience=audience,
        languages=languages,
        topics=topics,
        notes=notes,
        verify=verify is True,
        paired_with=paired_with,
    )


def _country_where(raw: Mapping[str, Any], where: str, chk: _Checker) -> str:
    """Check the country's code; return where its problems are reported (with the code)."""
    code = raw.get("code")
    if isinstance(code, str) and _CODE.fullmatch(code):
        return f"{where} ({code})"
    if isinstance(code, bool):
        chk.add(
            where, f"'code' must be a string, got {describe_value(code)} (quote codes such as 'NO')"
        )
    else:
        chk.matching(raw, "code", where, _CODE, "two capital letters (ISO 3166-1)", required=True)
    return where


def _check_services(raw: Mapping[str, Any], where: str, chk: _Checker) -> list[Service]:
    """Check a country's services, their names and pairs."""
    services: list[Service] = []
    raw_services = raw.get("services")
    if not isinstance(raw_services, list):
        got = describe_value(raw_services)
        chk.add(where, f"'services' must be a list (it may be empty), got {got}")
        raw_services = []
    for i, raw_service in enumerate(raw_services):
        service = _check_service(raw_service, where, i, chk)
        if service is not None:
            services.append(service)
    seen: set[str] = set()
    for service in services:
        if service.name.casefold() in seen:
            chk.add(where, f"service name {service.name!r} is used twice")
        seen.add(service.name.casefold())
    _check_pairs(services, where, chk)
    return services


def _check_pairs(services: list[Service], where: str, chk: _Checker) -> None:
    """Check that each `paired_with` names another service of the same country."""
    names = {service.name for service in services}
    for service in services:
        for other in service.paired_with:
            if other == service.name:
                chk.add(f"{where} service {service.name!r}", "'paired_with' names itself")
            elif other not in names:
                chk.add(
                    f"{where} service {service.name!r}",
                    f"'paired_with' names {other!r}, which is not a service of this country",
                )


def _check_country(raw: object, index: int, chk: _Checker) -> Country | None:
    where = f"countries[{index}]"
    if not isinstance(raw, dict):
        chk.add(where, f"must be a mapping, got {describe_value(raw)}")
        return None
    before = len(chk.problems)
    where = _country_where(raw, where, chk)
    code = raw.get("code")
    chk.keys(raw, _COUNTRY_KEYS, where)
    name = chk.text(raw, "name", where, required=True)
    emergency = chk.matching(raw, "emergency", where, _NUMBER, _NUMBER_EXPECTED, required=True)
    emergency_note = chk.text(raw, "emergency_note", where)
    emergency_source = chk.text_list(raw, "emergency_source", where, required=True)
    notes = chk.text(raw, "notes", where)
    aliases = chk.text_list(raw, "aliases", where)
    services = _check_services(raw, where, chk)
    if len(chk.problems) > before or not isinstance(code, str) or name is None or not emergency:
        return None
    return Country(
        code=code,
        name=name,
        emergency=emergency,
        emergency_source=emergency_source,
        services=tuple(services),
        emergency_note=emergency_note,
        notes=notes,
        aliases=aliases,
    )


def _check_fallback(raw: object, index: int, chk: _Checker) -> FallbackLink | None:
    where = f"international_fallback[{index}]"
    if not isinstance(raw, dict):
        chk.add(where, f"must be a mapping, got {describe_value(raw)}")
        return None
    before = len(chk.problems)
    chk.keys(raw, _FALLBACK_KEYS, where)
    name = chk.text(raw, "name", where, required=True)
    url = chk.matching(raw, "url", where, _URL, "an http(s) URL", required=True)
    notes = chk.text(raw, "notes", where)
    source = chk.text_list(raw, "source", where)
    if len(chk.problems) > before or name is None or url is None:
        return None
    return FallbackLink(name=name, url=url, notes=notes, source=source)


def _check_fallbacks(raw: Mapping[str, Any], chk: _Checker) -> list[FallbackLink]:
    fallback: list[FallbackLink] = []
    raw_fallback = raw.get("international_fallback")
    if not isinstance(raw_fallback, list) or not raw_fallback:
        chk.add("top level", "'international_fallback' must be a non-empty list")
        raw_fallback = []
    for i, raw_link in enumerate(raw_fallback):
        link = _check_fallback(raw_link, i, chk)
        if link is not None:
            fallback.append(link)
    return fallback


def _check_countries(raw: Mapping[str, Any], chk: _Checker) -> list[Country]:
    countries: list[Country] = []
    raw_countries = raw.get("countries")
    if not isinstance(raw_countries, list) or not raw_countries:
        chk.add("top level", "'countries' must be a non-empty list")
        raw_countries = []
    for i, raw_country in enumerate(raw_countries):
        country = _check_country(raw_country, i, chk)
        if country is not None:
            countries.append(country)
    codes: dict[str, int] = {}
    for i, raw_country in enumerate(raw_countries):
        code = raw_country.get("code") if isinstance(raw_country, dict) else None
        if isinstance(code, str):
            if code in codes:
                chk.add(f"countries[{i}] ({code})", f"code also used by countries[{codes[code]}]")
            codes.setdefault(code, i)
    for clash in alias_clashes(countries):
        chk.add("countries", clash)
    return countries


def validate_dataset(raw: object, *, origin: str = "helplines.yaml") -> HelplineDirectory:
    """Check the parsed dataset against its schema and build the directory, or raise."""
    chk = _Checker(origin)
    if not isinstance(raw, dict):
        chk.add("", f"the top level must be a mapping, got {describe_value(raw)}")
        raise DatasetError(chk.problems)
    chk.keys(raw, _TOP_KEYS, "top level")
    if "meta" in raw and not isinstance(raw["meta"], dict):
        chk.add("meta", f"must be a mapping, got {describe_value(raw['meta'])}")
    display_rules = chk.text_list(raw, "display_rules", "top level", required=True)
    fallback = _check_fallbacks(raw, chk)
    countries = _check_countries(raw, chk)
    if chk.problems:
        raise DatasetError(chk.problems)
    return HelplineDirectory(
        countries=tuple(countries),
        display_rules=display_rules,
        fallback=tuple(fallback),
    )

"""Crisis helplines: the dataset's model, its schema check, lookups and the card structure.

Pure: standard library only. Turning YAML text into a ``dict`` happens in
``bot.domain.helplines_loader``; everything here works on plain Python objects.

Numbers are kept as the exact strings in the data and are never reformatted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from bot.domain.schema import SchemaChecker, describe_value

__all__ = [
    "HOURS_NOT_CONFIRMED",
    "CardGroup",
    "CardService",
    "ContactKind",
    "ContactMethod",
    "Country",
    "CrisisCard",
    "DatasetError",
    "FallbackLink",
    "HelplineDirectory",
    "Service",
    "build_card",
    "normalise_query",
    "pair_groups",
    "validate_dataset",
    "visible_services",
]

HOURS_NOT_CONFIRMED = "hours not confirmed"

ContactKind = Literal["call", "text", "chat", "web", "email"]


class DatasetError(ValueError):
    """The helplines dataset does not match its schema; each problem names the entry."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class ContactMethod:
    """One way to reach a service: a number, address or link, printed verbatim."""

    kind: ContactKind
    value: str
    instructions: str | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """A helpline as written in the dataset (field names follow the YAML keys)."""

    name: str
    source: tuple[str, ...]
    phone: str | None = None
    phone_alt: tuple[str, ...] = ()
    sms: str | None = None
    text_instructions: str | None = None
    chat_url: str | None = None
    url: str | None = None
    email: str | None = None
    hours: str | None = None
    audience: str | None = None
    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    notes: str | None = None
    verify: bool = False
    paired_with: tuple[str, ...] = ()

    @property
    def contact_methods(self) -> tuple[ContactMethod, ...]:
        """Return how to reach the service: calls, then text, chat, web and email."""
        numbers = (self.phone, *self.phone_alt) if self.phone else ()
        calls = [ContactMethod("call", number) for number in numbers]
        methods: list[ContactMethod] = []
        if self.sms:
            methods.append(ContactMethod("text", self.sms, self.text_instructions))
        elif self.text_instructions and calls:
            # Without an SMS number the instructions are about dialling ("Call 15 and press 7").
            calls[0] = ContactMethod("call", calls[0].value, self.text_instructions)
        if self.chat_url:
            methods.append(ContactMethod("chat", self.chat_url))
        if self.url and self.url != self.chat_url:
            methods.append(ContactMethod("web", self.url))
        if self.email:
            methods.append(ContactMethod("email", self.email))
        return (*calls, *methods)


@dataclass(frozen=True, slots=True)
class Country:
    """A country's emergency number and its helplines, in dataset order."""

    code: str
    name: str
    emergency: str
    emergency_source: tuple[str, ...]
    services: tuple[Service, ...]
    emergency_note: str | None = None
    notes: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FallbackLink:
    """An international directory to send people to when their country is unknown."""

    name: str
    url: str
    notes: str | None = None
    source: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CardService:
    """A verified service as the card shows it."""

    name: str
    contacts: tuple[ContactMethod, ...]
    hours: str
    hours_confirmed: bool
    audience: str | None
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CardGroup:
    """Services shown together: a single service, or a pair that is shown whole."""

    services: tuple[CardService, ...]

    @property
    def is_pair(self) -> bool:
        """Return whether this group holds paired services."""
        return len(self.services) > 1


@dataclass(frozen=True, slots=True)
class CrisisCard:
    """Everything the crisis card shows, ordered by the dataset's display rules."""

    country_code: str
    country_name: str
    emergency: str
    groups: tuple[CardGroup, ...]
    fallback: tuple[FallbackLink, ...]

    @property
    def services(self) -> tuple[CardService, ...]:
        """Return the shown services in display order, pairs flattened."""
        return tuple(service for group in self.groups for service in group.services)


# --- Lookups -------------------------------------------------------------------------------

# Common names, ISO alpha-3 codes and native names. Applied only to codes present in the data;
# a name, code or `aliases` entry in the data wins over these on a clash.
_BUILTIN_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "AE": ("ARE", "UAE", "Emirates", "The Emirates"),
        "AR": ("ARG",),
        "AT": ("AUT", "Österreich"),
        "AU": ("AUS",),
        "BE": ("BEL", "België", "Belgique", "Belgien"),
        "BR": ("BRA", "Brasil"),
        "CA": ("CAN",),
        "CH": ("CHE", "Schweiz", "Suisse", "Svizzera", "Swiss Confederation"),
        "CL": ("CHL",),
        "CN": ("CHN", "China", "Mainland China", "PRC", "People's Republic of China", "中国"),
        "CO": ("COL",),
        "CZ": ("CZE", "Czech Republic", "Česko", "Česká republika"),
        "DE": ("DEU", "Deutschland"),
        "DK": ("DNK", "Danmark"),
        "ES": ("ESP", "España"),
        "FI": ("FIN", "Suomi"),
        "FR": ("FRA",),
        "GB": (
            "GBR",
            "UK",
            "Great Britain",
            "Britain",
            "England",
            "Scotland",
            "Wales",
            "Northern Ireland",
        ),
        "GR": ("GRC", "Hellas", "Ελλάδα"),
        "HK": ("HKG", "Hong Kong", "香港"),
        "HU": ("HUN", "Magyarország"),
        "ID": ("IDN",),
        "IE": ("IRL", "Éire", "Republic of Ireland"),
        "IL": ("ISR",),
        "IN": ("IND", "Bharat", "भारत"),
        "IT": ("ITA", "Italia"),
        "JP": ("JPN", "Nippon", "Nihon", "日本"),
        "KE": ("KEN",),
        "KR": ("KOR", "Korea", "Republic of Korea", "대한민국", "한국"),
        "LK": ("LKA",),
        "MX": ("MEX", "México"),
        "MY": ("MYS",),
        "NG": ("NGA",),
        "NL": ("NLD", "Holland", "Nederland"),
        "NO": ("NOR", "Norge"),
        "NZ": ("NZL", "Aotearoa"),
        "PH": ("PHL", "Pilipinas"),
        "PK": ("PAK",),
        "PL": ("POL", "Polska"),
        "PT": ("PRT",),
        "SE": ("SWE", "Sverige"),
        "SG": ("SGP",),
        "TH": ("THA", "ประเทศไทย"),
        "TR": ("TUR", "Turkey", "Turkiye"),
        "TW": ("TWN", "台灣", "臺灣"),
        "US": (
            "USA",
            "United States of America",
            "America",
            "The States",
        ),
        "ZA": ("ZAF", "RSA"),
    }
)

_REGIONAL_INDICATOR_A = 0x1F1E6
_DROPPED_IN_QUERIES = re.compile(r"['’.]")
_NON_WORD = re.compile(r"[\W_]+")


def normalise_query(text: str) -> str:
    """Fold a country query or name for matching: case, accents, dots and punctuation."""
    text = unicodedata.normalize("NFKC", text).strip()
    if len(text) == 2 and all(
        _REGIONAL_INDICATOR_A <= ord(ch) <= _REGIONAL_INDICATOR_A + 25 for ch in text
    ):
        # A flag emoji is two regional-indicator letters: 🇬🇧 -> "gb".
        return "".join(chr(ord(ch) - _REGIONAL_INDICATOR_A + ord("a")) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not _is_latin_mark(ch))
    folded = unicodedata.normalize("NFC", stripped)
    folded = _NON_WORD.sub(" ", _DROPPED_IN_QUERIES.sub("", folded)).strip()
    return folded.removeprefix("the ").strip()


def _is_latin_mark(ch: str) -> bool:
    # Combining marks on Latin letters are accents; on other scripts they carry meaning.
    return unicodedata.category(ch) == "Mn" and 0x0300 <= ord(ch) <= 0x036F


@dataclass(frozen=True, slots=True)
class _SearchEntry:
    country: Country
    name: str
    code: str
    aliases: tuple[str, ...]


def _index(
    countries: Sequence[Country],
) -> tuple[dict[str, Country], dict[str, Country], list[_SearchEntry], list[str]]:
    """Build the code and name/alias indexes; return clashes between data entries."""
    by_code = {country.code: country for country in countries}
    by_key: dict[str, Country] = {}
    clashes: list[str] = []
    for country in countries:
        for label in (country.code, country.name, *country.aliases):
            key = normalise_query(label)
            owner = by_key.get(key)
            if owner is not None and owner.code != country.code:
                clashes.append(
                    f"{country.code} name or alias {label!r} is already used by {owner.code}"
                )
            elif key:
                by_key[key] = country
    entries: list[_SearchEntry] = []
    for country in countries:
        builtin = [
            alias
            for alias in _BUILTIN_ALIASES.get(country.code, ())
            if by_key.setdefault(normalise_query(alias), country) is country
        ]
        aliases = tuple(dict.fromkeys(normalise_query(a) for a in (*country.aliases, *builtin)))
        entries.append(
            _SearchEntry(country, normalise_query(country.name), country.code.lower(), aliases)
        )
    return by_code, by_key, entries, clashes


def _rank(entry: _SearchEntry, query: str) -> int | None:
    """Return how well a country matches a normalised query (lower is better), or None."""
    name, aliases = entry.name, entry.aliases
    checks = (
        entry.code == query,
        name == query or query in aliases,
        name.startswith(query),
        any(alias.startswith(query) for alias in aliases),
        any(word.startswith(query) for word in name.split()),
        any(word.startswith(query) for alias in aliases for word in alias.split()),
        query in name,
        any(query in alias for alias in aliases),
    )
    return next((tier for tier, hit in enumerate(checks) if hit), None)


@dataclass(frozen=True, slots=True)
class HelplineDirectory:
    """The validated dataset with lookups by code, name and alias."""

    countries: tuple[Country, ...]
    display_rules: tuple[str, ...]
    fallback: tuple[FallbackLink, ...]
    _by_code: Mapping[str, Country] = field(init=False, repr=False, compare=False)
    _by_key: Mapping[str, Country] = field(init=False, repr=False, compare=False)
    _entries: tuple[_SearchEntry, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code, by_key, entries, clashes = _index(self.countries)
        if clashes:
            raise DatasetError(clashes)
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))
        object.__setattr__(self, "_by_key", MappingProxyType(by_key))
        object.__setattr__(self, "_entries", tuple(entries))

    @property
    def codes(self) -> tuple[str, ...]:
        """Return every ISO code in dataset order."""
        return tuple(country.code for country in self.countries)

    def by_code(self, code: str) -> Country | None:
        """Return the country with this ISO 3166-1 alpha-2 code, ignoring case."""
        return self._by_code.get(code.strip().upper())

    def find_country(self, query: str) -> Country | None:
        """Return the country whose code, name or alias is exactly the query, ignoring case."""
        return self._by_key.get(normalise_query(query))

    def search_countries(self, query: str, limit: int = 25) -> tuple[Country, ...]:
        """Return countries matching a partial query for autocomplete, best first."""
        if limit <= 0:
            return ()
        folded = normalise_query(query)
        if not folded:
            ranked = sorted(self._entries, key=lambda entry: entry.name)
            return tuple(entry.country for entry in ranked[:limit])
        hits: list[tuple[int, str, Country]] = []
        for entry in self._entries:
            tier = _rank(entry, folded)
            if tier is not None:
                hits.append((tier, entry.name, entry.country))
        hits.sort(key=lambda hit: (hit[0], hit[1]))
        return tuple(country for _, _, country in hits[:limit])


# --- Display -------------------------------------------------------------------------------


def pair_groups(country: Country) -> tuple[tuple[Service, ...], ...]:
    """Group a country's services by `paired_with` links, each group in dataset order."""
    services = country.services
    position = {service.name: i for i, service in enumerate(services)}
    parent = list(range(len(services)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, service in enumerate(services):
        for other in service.paired_with:
            j = position.get(other)
            if j is not None:
                parent[root(j)] = root(i)
    groups: dict[int, list[Service]] = {}
    for i, service in enumerate(services):
        groups.setdefault(root(i), []).append(service)
    return tuple(tuple(group) for group in groups.values())


def visible_services(country: Country) -> tuple[Service, ...]:
    """Return the services members may see: no `verify: true`, no pair with a hidden half."""
    return tuple(
        service
        for group in pair_groups(country)
        if not any(member.verify for member in group)
        for service in group
    )


def _card_service(service: Service) -> CardService:
    return CardService(
        name=service.name,
        contacts=service.contact_methods,
        hours=service.hours or HOURS_NOT_CONFIRMED,
        hours_confirmed=service.hours is not None,
        audience=service.audience,
        languages=service.languages,
    )


def build_card(country: Country, fallback: Iterable[FallbackLink]) -> CrisisCard:
    """Return the card content: emergency number, verified services and pairs, fallback links."""
    groups = tuple(
        CardGroup(tuple(_card_service(service) for service in group))
        for group in pair_groups(country)
        if not any(member.verify for member in group)
    )
    return CrisisCard(
        country_code=country.code,
        country_name=country.name,
        emergency=country.emergency,
        groups=groups,
        fallback=tuple(fallback),
    )


# --- Schema --------------------------------------------------------------------------------

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


def _check_country(raw: object, index: int, chk: _Checker) -> Country | None:
    where = f"countries[{index}]"
    if not isinstance(raw, dict):
        chk.add(where, f"must be a mapping, got {describe_value(raw)}")
        return None
    before = len(chk.problems)
    code = raw.get("code")
    if isinstance(code, str) and _CODE.fullmatch(code):
        where = f"{where} ({code})"
    elif isinstance(code, bool):
        chk.add(
            where, f"'code' must be a string, got {describe_value(code)} (quote codes such as 'NO')"
        )
    else:
        chk.matching(raw, "code", where, _CODE, "two capital letters (ISO 3166-1)", required=True)
    chk.keys(raw, _COUNTRY_KEYS, where)
    name = chk.text(raw, "name", where, required=True)
    emergency = chk.matching(raw, "emergency", where, _NUMBER, _NUMBER_EXPECTED, required=True)
    emergency_note = chk.text(raw, "emergency_note", where)
    emergency_source = chk.text_list(raw, "emergency_source", where, required=True)
    notes = chk.text(raw, "notes", where)
    aliases = chk.text_list(raw, "aliases", where)

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

    fallback: list[FallbackLink] = []
    raw_fallback = raw.get("international_fallback")
    if not isinstance(raw_fallback, list) or not raw_fallback:
        chk.add("top level", "'international_fallback' must be a non-empty list")
        raw_fallback = []
    for i, raw_link in enumerate(raw_fallback):
        link = _check_fallback(raw_link, i, chk)
        if link is not None:
            fallback.append(link)

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
    for clash in _index(countries)[3]:
        chk.add("countries", clash)

    if chk.problems:
        raise DatasetError(chk.problems)
    return HelplineDirectory(
        countries=tuple(countries),
        display_rules=display_rules,
        fallback=tuple(fallback),
    )

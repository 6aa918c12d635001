"""Crisis helplines: the dataset's model, lookups and the card structure.

Pure: standard library only. The schema check that builds a directory from parsed YAML is
``bot.domain.helplines_schema``; reading the file is ``bot.domain.helplines_loader``.

Numbers are kept as the exact strings in the data and are never reformatted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

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
    "alias_clashes",
    "build_card",
    "normalise_query",
    "pair_groups",
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


def alias_clashes(countries: Sequence[Country]) -> tuple[str, ...]:
    """Return each name or alias that two countries in the data both claim."""
    return tuple(_index(countries)[3])


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

"""Reading a time zone that someone typed: any text in, a known IANA zone or suggestions out.

Pure: standard library only. `ZoneInfo(text)` on raw input can raise ValueError,
ZoneInfoNotFoundError, OSError (a name too long for a file) or worse, so nothing here passes text
to it that is not already one of the system's zone names.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

__all__ = ["MAX_ZONE_LENGTH", "find_zone", "suggest_zones", "zone_names", "zones_matching"]

MAX_ZONE_LENGTH = 64
"""No IANA zone name is longer than this (the longest is about 32 characters)."""

# Keys that load on some machines but are not places people live.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """The Area/City zones worth offering (no Etc/ or bare aliases), sorted."""
    return tuple(
        sorted(
            name
            for name in available_timezones() - _NOT_PLACES
            if "/" in name and not name.startswith(("Etc/", "SystemV/"))
        )
    )


@lru_cache(maxsize=1)
def _by_lower_name() -> dict[str, str]:
    """Every loadable zone key (aliases such as UTC included), by its lower-case name."""
    return {name.lower(): name for name in available_timezones() - _NOT_PLACES}


def _cleaned(text: object) -> str:
    """Return the text as a zone is written: trimmed, spaces as underscores, bounded in length."""
    if not isinstance(text, str):
        return ""
    return "_".join(text.strip()[: MAX_ZONE_LENGTH * 2].split())


@lru_cache(maxsize=1)
def _by_city() -> dict[str, str]:
    """Offered zones by their lower-case city name, for cities only one zone is named after."""
    cities: dict[str, list[str]] = {}
    for name in zone_names():
        cities.setdefault(name.lower().rsplit("/", 1)[-1], []).append(name)
    return {city: names[0] for city, names in cities.items() if len(names) == 1}


def find_zone(text: object) -> ZoneInfo | None:
    """Return the zone the text names, or None; never raises.

    Any case works, spaces stand for underscores, and a city only one zone is named after
    stands for that zone ("new york" is America/New_York).
    """
    cleaned = _cleaned(text).lower()
    if not cleaned or len(cleaned) > MAX_ZONE_LENGTH:
        return None
    name = _by_lower_name().get(cleaned) or _by_city().get(cleaned)
    return ZoneInfo(name) if name else None


def zones_matching(text: object, limit: int = 25) -> tuple[str, ...]:
    """Return up to `limit` offered zones containing the text (city names first), for autocomplete."""
    needle = _cleaned(text).lower()[:MAX_ZONE_LENGTH]
    if not needle:
        return zone_names()[:limit]
    cities = [z for z in zone_names() if z.lower().rsplit("/", 1)[-1].startswith(needle)]
    anywhere = [z for z in zone_names() if needle in z.lower() and z not in cities]
    return tuple([*cities, *anywhere][:limit])


def suggest_zones(text: object, limit: int = 3) -> tuple[str, ...]:
    """Return a few zones the person may have meant (by city name, then by spelling)."""
    needle = _cleaned(text).lower()[:MAX_ZONE_LENGTH]
    if not needle:
        return ()
    found = list(zones_matching(needle, limit))
    if len(found) < limit:
        by_city = {z.lower().rsplit("/", 1)[-1]: z for z in zone_names()}
        city = needle.rsplit("/", 1)[-1]
        for close in difflib.get_close_matches(city, list(by_city), n=limit, cutoff=0.75):
            if by_city[close] not in found:
                found.append(by_city[close])
    return tuple(found[:limit])

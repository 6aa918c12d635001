"""The one way services read a time zone that someone typed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.text import excerpt
from bot.domain.zones import find_zone, suggest_zones
from bot.errors import InvalidInput
from bot.i18n import N_

# Whole sentences, so each language can say them its own way.
_UNKNOWN = {
    (True, True): N_(
        "I don't know the time zone “%(zone)s”. Did you mean %(zones)s? "
        "The list suggests zones as you type."
    ),
    (True, False): N_(
        "I don't know the time zone “%(zone)s”. Use a name like Europe/London or "
        "America/New_York. The list suggests zones as you type."
    ),
    (False, True): N_(
        "I don't know that time zone. Did you mean %(zones)s? The list suggests zones as you type."
    ),
    (False, False): N_(
        "I don't know that time zone. Use a name like Europe/London or America/New_York. "
        "The list suggests zones as you type."
    ),
}


class UnknownZone(InvalidInput):
    """The text is not a time zone Hearth knows; the message offers a few it may have meant."""

    def __init__(self, text: object) -> None:
        self.suggestions = suggest_zones(text)
        shown = excerpt(text)
        message = _UNKNOWN[(bool(shown), bool(self.suggestions))]
        super().__init__(message, zone=shown, zones=", ".join(self.suggestions))


def require_zone(text: object) -> ZoneInfo:
    """Return the zone the text names, or raise UnknownZone (for any text at all)."""
    zone = find_zone(text)
    if zone is None:
        raise UnknownZone(text)
    return zone

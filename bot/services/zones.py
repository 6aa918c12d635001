"""The one way services read a time zone that someone typed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.text import excerpt
from bot.domain.zones import find_zone, suggest_zones
from bot.errors import InvalidInput


class UnknownZone(InvalidInput):
    """The text is not a time zone Hearth knows; the message offers a few it may have meant."""

    def __init__(self, text: object) -> None:
        self.suggestions = suggest_zones(text)
        shown = excerpt(text)
        message = (
            f"I don't know the time zone “{shown}”." if shown else "I don't know that time zone."
        )
        if self.suggestions:
            message += f" Did you mean {' or '.join(self.suggestions)}?"
        else:
            message += " Use a name like Europe/London or America/New_York."
        super().__init__(message + " The list suggests zones as you type.")


def require_zone(text: object) -> ZoneInfo:
    """Return the zone the text names, or raise UnknownZone (for any text at all)."""
    zone = find_zone(text)
    if zone is None:
        raise UnknownZone(text)
    return zone

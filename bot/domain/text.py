"""Quoting what someone typed back to them: short, on one line, and unable to reorder the reply."""

from __future__ import annotations

import unicodedata

__all__ = ["EXCERPT_LENGTH", "excerpt", "shorten"]

EXCERPT_LENGTH = 40
"""How many characters of someone's input a reply may quote."""

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """Return the text cut to at most `limit` characters, ending in … when it was cut."""
    if limit < 1:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def _shown(ch: str) -> bool:
    # Format characters (Cf: zero-width spaces and joiners, bidi overrides and isolates) and
    # control characters would hide or reorder the words around the quote.
    return unicodedata.category(ch) not in ("Cf", "Cc")


def excerpt(text: object, limit: int = EXCERPT_LENGTH) -> str:
    """Return a short, one-line piece of the input, safe to quote inside a reply."""
    raw = text if isinstance(text, str) else str(text)
    # Look at a bounded prefix only: the input may be many thousand characters long.
    visible = "".join(
        " " if ch.isspace() else ch for ch in raw[: limit * 4] if _shown(ch) or ch.isspace()
    )
    one_line = " ".join(visible.split())
    cut = shorten(one_line, limit)
    return cut if len(raw) <= limit * 4 or cut.endswith(ELLIPSIS) else cut + ELLIPSIS

"""Marking the domain's sentences for the catalogs without importing them (the domain stays stdlib).

`N_` here is the same marker as `bot.i18n.N_`: the extractor finds its calls by name, and the
text is translated where it is shown, in the reader's language.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark text for translation where it is defined; it is translated where it is shown."""
    return text

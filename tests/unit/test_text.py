"""Quoting input back to people: short, one line, no hidden characters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import EXCERPT_LENGTH, excerpt, shorten


def test_shorten_cuts_with_an_ellipsis() -> None:
    """A cut text ends in … and is exactly the limit long."""
    assert shorten("abcdef", 4) == "abc…"
    assert shorten("abc", 4) == "abc"


def test_excerpt_of_long_input_is_short() -> None:
    """6,000 letters become at most EXCERPT_LENGTH characters, marked as cut."""
    quoted = excerpt("a" * 6000)
    assert len(quoted) <= EXCERPT_LENGTH + 1
    assert quoted.endswith("…")


def test_excerpt_drops_characters_that_hide_or_reorder_text() -> None:
    """Zero-width and right-to-left controls and newlines do not reach the reply."""
    assert excerpt("a\u200bb\u202ec\nd") == "abc d"


@given(st.text(max_size=10000))
def test_excerpt_is_always_short_and_on_one_line(text: str) -> None:
    """Whatever the input, the excerpt fits in a line of a reply."""
    quoted = excerpt(text)
    assert len(quoted) <= EXCERPT_LENGTH + 1
    assert "\n" not in quoted

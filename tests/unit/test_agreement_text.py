"""Agreement text: points, rendering and the readable diff."""

from __future__ import annotations

import pytest

from bot.domain.agreement import diff_points, parse_points, render_points, validate_agreement
from bot.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "points"),
    [
        ("We listen.\nWe care.", ("We listen.", "We care.")),
        ("1. We listen.\n2) We care.", ("We listen.", "We care.")),
        ("- We listen.\n\n* We **care**.", ("We listen.", "We **care**.")),
        ("   \n", ()),
    ],
)
def test_parse_points_strips_numbering_and_blank_lines(text: str, points: tuple[str, ...]) -> None:
    """One point per line; numbering, bullets and blank lines are dropped, markdown kept."""
    assert parse_points(text) == points


def test_render_numbers_points() -> None:
    """Points render as a numbered markdown list."""
    assert render_points(("A", "B")) == "1. A\n2. B"


def test_diff_shows_removed_and_added_points() -> None:
    """The diff marks removed points with - and added ones with +."""
    diff = diff_points(("We listen.", "Old rule."), ("We listen.", "New rule.", "Another."))
    assert diff.splitlines() == ["- Old rule.", "+ New rule.", "+ Another."]


def test_diff_of_identical_points_says_so() -> None:
    """Only formatting changes are described as such."""
    assert diff_points(("A",), ("A",)) == "(only formatting changed)"


@pytest.mark.parametrize(
    ("title", "points", "message"),
    [
        ("", ("A",), "needs a title"),
        ("T" * 101, ("A",), "under 100"),
        ("Title", (), "at least one point"),
        ("Title", tuple(f"p{i}" for i in range(31)), "30 points"),
        ("Title", ("x" * 601,), "Point 1 is long"),
    ],
)
def test_validation_explains_what_to_change(
    title: str, points: tuple[str, ...], message: str
) -> None:
    """Bad agreements are refused with a kind, specific message."""
    with pytest.raises(InvalidInput) as refused:
        validate_agreement(title, points)
    assert message in refused.value.message

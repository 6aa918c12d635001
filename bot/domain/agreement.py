"""The group agreement as text: parsing numbered points, rendering, and a readable diff."""

from __future__ import annotations

import difflib
import re

from bot.domain.words import N_
from bot.errors import InvalidInput

MAX_TITLE = 100
MAX_POINTS = 30
MAX_POINT_LENGTH = 600
MAX_RENDERED = 4000
_NUMBERING = re.compile(r"^\s*(?:\d{1,3}[.)]|[-*•])\s+")


def parse_points(text: str) -> tuple[str, ...]:
    """Split the editor's text into points: one per line, numbering and bullets stripped."""
    points = []
    for line in text.splitlines():
        cleaned = _NUMBERING.sub("", line).strip()
        if cleaned:
            points.append(cleaned)
    return tuple(points)


def validate_agreement(title: str, points: tuple[str, ...]) -> str:
    """Check a title and points are usable; return the cleaned title."""
    title = " ".join(title.split())
    if not title:
        raise InvalidInput(N_("The agreement needs a title."))
    if len(title) > MAX_TITLE:
        raise InvalidInput(N_("Please keep the title under %(count)s characters."), count=MAX_TITLE)
    if not points:
        raise InvalidInput(N_("The agreement needs at least one point: write one per line."))
    if len(points) > MAX_POINTS:
        raise InvalidInput(
            N_("Please keep the agreement to %(count)s points or fewer."), count=MAX_POINTS
        )
    for number, point in enumerate(points, start=1):
        if len(point) > MAX_POINT_LENGTH:
            raise InvalidInput(
                N_("Point %(number)s is long; please keep each point under %(count)s characters."),
                number=number,
                count=MAX_POINT_LENGTH,
            )
    if len(render_points(points)) > MAX_RENDERED:
        raise InvalidInput(
            N_(
                "The agreement is too long to show in one card: please keep it under "
                "%(count)s characters in all."
            ),
            count=MAX_RENDERED,
        )
    return title


def render_points(points: tuple[str, ...]) -> str:
    """Render points as a numbered markdown list."""
    return "\n".join(f"{number}. {point}" for number, point in enumerate(points, start=1))


def editor_text(points: tuple[str, ...]) -> str:
    """Return the text that pre-fills the editor: one point per line."""
    return "\n".join(points)


def diff_points(old: tuple[str, ...], new: tuple[str, ...]) -> str:
    """Describe what changed between two versions, as a readable `diff` block body."""
    lines: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lines.extend(f"- {point}" for point in old[i1:i2])
        lines.extend(f"+ {point}" for point in new[j1:j2])
    return "\n".join(lines) if lines else "(only formatting changed)"

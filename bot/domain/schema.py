"""Shared pieces for checking hand-edited data files: every problem named with its entry."""

from __future__ import annotations

import difflib
from collections.abc import Mapping


def describe_value(value: object, *, quoting_hints: bool = False) -> str:
    """Describe a YAML value the way a maintainer would recognise it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        hint = " (quote words such as 'no', 'on', 'off', 'yes')" if quoting_hints else ""
        return f"the boolean {str(value).lower()}{hint}"
    if isinstance(value, int | float):
        return f"the number {value!r}{' (quote it)' if quoting_hints else ''}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"a {type(value).__name__}"


class SchemaChecker:
    """Collect problems, each prefixed with the file and the entry it is about."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        """Record one problem."""
        prefix = f"{self.origin}: {where}" if where else self.origin
        self.problems.append(f"{prefix}: {message}")

    def keys(self, raw: Mapping[object, object], allowed: frozenset[str], where: str) -> None:
        """Report unknown keys, suggesting the closest allowed one."""
        for key in raw:
            if key in allowed:
                continue
            if not isinstance(key, str):
                self.add(where, f"key {key!r} must be a string")
                continue
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.add(where, f"unknown key {key!r}{hint}")

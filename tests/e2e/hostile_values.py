"""Values Discord would let a member send for an option or a modal field, the hostile ones first.

Everything here is read from the schema Hearth syncs (option type, min/max length and value,
choices, channel types) and from the emulator's world (real and unknown users, roles,
channels); nothing names a command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER = 3, 4, 5, 6, 7, 8, 9, 10
# Discord lets a string option carry up to 6,000 characters where the command sets no maximum.
OPTION_TEXT_LIMIT = 6000
# Integer options are limited to +-2^53 on Discord.
INTEGER_LIMIT = 2**53
TEXT_INPUT_LIMIT = 4000

ZERO_WIDTH_AND_BIDI = (
    "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202d\u202e\u2066\u2067\u2068\u2069"
)


@dataclass(frozen=True)
class Targets:
    """Ids in the world that hostile text can point at and entity options can pick."""

    users: tuple[int, ...]
    roles: tuple[int, ...]
    channels: tuple[tuple[int, int], ...]  # (channel id, channel type)
    mention: str  # mention syntax for a real member, role and channel, and @everyone/@here


def hostile_texts(mention: str) -> tuple[str, ...]:
    """Return short hostile strings: mentions, SQL, bidi, zones, times, dates, markup, scripts."""
    return (
        mention,
        "@everyone @here",
        "'; DROP TABLE checkins; -- \" OR '1'='1' /*",
        f"\u202eevil\u202c {ZERO_WIDTH_AND_BIDI} x",
        "\u200b",
        "Mars/Olympus_Mons",
        "../../../../etc/passwd",
        "UTC+25:99",
        "25:99",
        "24:00",
        "-1:30",
        "99999999999999999999",
        "2147483648",  # one past a 32-bit integer (PostgreSQL INTEGER)
        "²",
        "①٣",
        "0001-01-01",
        "9999-12-31",
        "2031-02-30",
        "**bold** __under__ `code` ||spoiler|| > quote [link](https://example.invalid) # big",
        "مرحبا بكم שלום 你好 👩‍👩‍👧‍👦 ẞÅÄÖ",
        "%s %n {0} ${jndi:ldap://x} {{7*7}} <script>alert(1)</script>",
    )


def long_texts(length: int) -> tuple[str, ...]:
    """Return the longest texts of a given length: plain, accented, emoji, bidi and mentions."""
    return (
        "a" * length,
        ("é" * length)[:length],
        ("👩‍👩‍👧‍👦" * length)[:length],
        ("\u202eevil\u200b" * length)[:length],
        ("@everyone " * length)[:length],
    )


def fit(text: str, low: int, high: int) -> str:
    """Cut or pad text to what the field allows; Discord trims the ends, so never blank ends."""
    text = text.strip()[:high].strip()
    if len(text) < max(low, 1):
        text = (text + "x" * max(low, 1))[: max(low, 1)]
    return text


def example_in(description: str, now: datetime) -> str | None:
    """Return the example a field's description gives ("like 19:00"), dates moved after now."""
    found = re.search(
        r"(?:like|such as|For example:)\s+'?([^'(),]+?)'?(?:\s+or\b|\s*\(|,|$)", description
    )
    if found is None:
        return None
    example = found.group(1).strip()
    return re.sub(r"\b\d{4}(-\d\d-\d\d)\b", lambda m: f"{now.year + 1}{m.group(1)}", example)


def text_bounds(option: dict[str, Any]) -> tuple[int, int]:
    """Return the (min, max) length Discord allows for a string option."""
    low = int(option.get("min_length") or 0)
    high = int(option.get("max_length") or OPTION_TEXT_LIMIT)
    return low, high


def number_bounds(option: dict[str, Any]) -> tuple[int, int]:
    """Return the (min, max) value Discord allows for an integer or number option."""
    low = option.get("min_value")
    high = option.get("max_value")
    return (
        int(low) if low is not None else -INTEGER_LIMIT,
        int(high) if high is not None else INTEGER_LIMIT,
    )


def allowed_channels(option: dict[str, Any], targets: Targets) -> list[int]:
    """Return the channels a member could pick for a channel option (its channel_types)."""
    types = option.get("channel_types")
    return [cid for cid, ctype in targets.channels if not types or ctype in types]


def fixed_texts(option: dict[str, Any], targets: Targets, now: datetime) -> list[str]:
    """Return a text option's fixed values: its example, its longest texts and the hostile ones."""
    low, high = text_bounds(option)
    texts = [*long_texts(high), *hostile_texts(targets.mention)]
    example = example_in(option.get("description") or "", now)
    if example:
        texts.insert(0, example)
    return list(dict.fromkeys(fit(t, low, high) for t in texts))


def fixed_numbers(option: dict[str, Any]) -> list[float]:
    """Return a number option's fixed values: its limits and the small values within them."""
    low, high = number_bounds(option)
    values: list[float] = [low, high, *(v for v in (0, 1, -1) if low <= v <= high)]
    if option["type"] == NUMBER:
        values += [v for v in (0.5, -0.000001) if low <= v <= high]
    return list(dict.fromkeys(values))


def fixed_values(option: dict[str, Any], targets: Targets, now: datetime) -> list[Any]:
    """Return the values every sweep sends for an option: its limits and the hostile catalogue."""
    kind = option["type"]
    if option.get("choices"):
        return [choice["value"] for choice in option["choices"]]
    if kind == STRING:
        return fixed_texts(option, targets, now)
    if kind in (INTEGER, NUMBER):
        return fixed_numbers(option)
    if kind == BOOLEAN:
        return [True, False]
    if kind == USER:
        return list(targets.users)
    if kind == ROLE:
        return list(targets.roles)
    if kind == MENTIONABLE:
        return [*targets.users, *targets.roles]
    if kind == CHANNEL:
        return allowed_channels(option, targets)
    raise AssertionError(f"the sweep has no values for option type {kind}")


def plausible(option: dict[str, Any], targets: Targets, now: datetime) -> Any:
    """Return a value Hearth would likely accept, so other options' checks are reached."""
    if option.get("choices"):
        return option["choices"][0]["value"]
    if option["type"] == STRING:
        low, high = text_bounds(option)
        return fit(example_in(option.get("description") or "", now) or "hello there", low, high)
    return fixed_values(option, targets, now)[0 if option["type"] != BOOLEAN else 1]


def option_strategy(
    option: dict[str, Any], targets: Targets, now: datetime
) -> st.SearchStrategy[Any]:
    """Return a hypothesis strategy for one option: the fixed values or anything in its limits."""
    fixed = st.sampled_from(fixed_values(option, targets, now))
    kind = option["type"]
    if option.get("choices") or kind in (BOOLEAN, USER, ROLE, CHANNEL, MENTIONABLE):
        return fixed
    if kind == STRING:
        low, high = text_bounds(option)
        free = st.text(
            st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
            min_size=max(low, 1),
            max_size=min(high, 300),
        ).map(lambda text: fit(text, low, high))
        return st.one_of(fixed, free)
    low, high = number_bounds(option)
    if kind == INTEGER:
        return st.one_of(fixed, st.integers(low, high))
    return st.one_of(fixed, st.floats(low, high, allow_nan=False, allow_infinity=False))


def modal_inputs(layout: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the text inputs and selects of a modal, in order."""
    found: list[dict[str, Any]] = []
    for item in layout:
        if item.get("type") == 1:
            found.extend(modal_inputs(item.get("components") or []))
        elif item.get("type") == 18:
            found.extend(modal_inputs([item["component"]]))
        elif item.get("type") in (3, 4, 21, 23):
            found.append(item)
    return found


def modal_field_values(field: dict[str, Any], mention: str) -> list[str]:
    """Return the fixed values a sweep types into a text input, within its limits."""
    low = int(field.get("min_length") or (1 if field.get("required", True) else 0))
    high = int(field.get("max_length") or TEXT_INPUT_LIMIT)
    texts = [*long_texts(high), *hostile_texts(mention)]
    if field.get("style") == 2:
        texts.append(("line\n" * high)[:high])
    return list(dict.fromkeys(fit_input(t, low, high) for t in texts))


def plausible_form(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Return values that fill a form's required fields plainly (selects: their first option)."""
    values: dict[str, Any] = {}
    for field in fields:
        options = [o["value"] for o in field.get("options") or []]
        if field["type"] == 3 and options:
            values[field["custom_id"]] = options[:1]
        elif field["type"] == 21 and options:
            values[field["custom_id"]] = options[0]
        elif field["type"] == 4 and field.get("required", True):
            low = int(field.get("min_length") or 1)
            values[field["custom_id"]] = fit_input(
                "okay", low, int(field.get("max_length") or 4000)
            )
    return values


def modal_field_strategy(field: dict[str, Any], mention: str) -> st.SearchStrategy[Any]:
    """Return what a member could put in one form field, within its declared limits."""
    kind = field["type"]
    if kind in (3, 21):
        options = [o["value"] for o in field.get("options") or []]
        if kind == 21:
            return st.sampled_from(options)
        low = field.get("min_values", 1 if field.get("required", True) else 0)
        high = field.get("max_values", 1)
        return st.lists(st.sampled_from(options), min_size=max(low, 1), max_size=high, unique=True)
    if kind == 23:
        return st.booleans()
    low = int(field.get("min_length") or (1 if field.get("required", True) else 0))
    high = int(field.get("max_length") or TEXT_INPUT_LIMIT)
    categories = ("Cs",) if field.get("style") == 2 else ("Cc", "Cs")
    free = st.text(
        st.characters(codec="utf-8", exclude_categories=categories),
        min_size=low,
        max_size=min(high, 300),
    ).map(lambda text: fit_input(text, low, high))
    return st.one_of(st.sampled_from(modal_field_values(field, mention)), free)


def fit_input(text: str, low: int, high: int) -> str:
    """Cut or pad a modal value to its min and max length."""
    text = text[:high]
    if len(text) < low:
        text = (text + "x" * low)[:low]
    return text

"""Components on messages: find a button or select the way a user would, and what choosing sends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from emulator.enums import ButtonStyle, ComponentType
from emulator.errors import EmulatorUsageError
from emulator.ids import as_id
from emulator.options import OptionBuilder

# Buttons that open a link or a purchase: clicking them sends the bot nothing.
_SILENT_STYLES = frozenset({ButtonStyle.LINK, ButtonStyle.PREMIUM})


def walk_components(components: list[dict]) -> Iterator[dict]:
    """Yield every component in a message or modal layout, depth first."""
    for comp in components or []:
        yield comp
        if comp.get("components"):
            yield from walk_components(comp["components"])
        if comp.get("component"):
            yield from walk_components([comp["component"]])
        if comp.get("accessory"):
            yield from walk_components([comp["accessory"]])


def locate_component(
    message: dict[str, Any], *, custom_id: str | None, label: str | None, types: frozenset[int]
) -> dict[str, Any]:
    """Find a component on a message by custom_id or label; raise if absent or disabled."""
    candidates = [
        c for c in walk_components(message.get("components") or []) if c.get("type") in types
    ]
    for comp in candidates:
        if custom_id is not None and comp.get("custom_id") == custom_id:
            break
        if custom_id is None and label is not None and comp.get("label") == label:
            break
        if custom_id is None and label is None and len(candidates) == 1:
            break
    else:
        known = [(c.get("custom_id"), c.get("label")) for c in candidates]
        wanted = custom_id if custom_id is not None else label
        raise EmulatorUsageError(f"no component {wanted!r} on message {message['id']}; has {known}")
    if comp.get("disabled"):
        raise EmulatorUsageError(f"component {comp.get('custom_id')!r} is disabled")
    if comp.get("type") == ComponentType.BUTTON and comp.get("style") in _SILENT_STYLES:
        raise EmulatorUsageError("link and premium buttons do not send interactions")
    return comp


def select_data(comp: dict[str, Any], values: list[Any], builder: OptionBuilder) -> dict[str, Any]:
    """Return the interaction data for choosing values in a select, resolving users/roles/channels.

    String selects take option values; the others take ids (or objects with .id), which the
    builder adds to its resolved data.
    """
    ctype = comp["type"]
    where = f"select {comp['custom_id']!r}"
    if ctype == ComponentType.STRING_SELECT:
        wire_values = list(_option_values(comp, values, where))
    else:
        wire_values = [_resolve_choice(comp, value, builder, where) for value in values]
    data: dict[str, Any] = {
        "custom_id": comp["custom_id"],
        "component_type": ctype,
        "values": wire_values,
    }
    if builder.resolved:
        data["resolved"] = builder.resolved
    return data


def _option_values(comp: dict[str, Any], values: list[Any], where: str) -> list[Any]:
    allowed = [o["value"] for o in comp.get("options") or []]
    for value in values:
        if value not in allowed:
            raise EmulatorUsageError(f"{where}: {value!r} not among options {allowed}")
    return list(values)


def _resolve_choice(comp: dict[str, Any], value: Any, builder: OptionBuilder, where: str) -> str:
    """Resolve one chosen user, role or channel (a mentionable is a role if one has that id)."""
    ctype = comp["type"]
    target = as_id(value, where)
    is_role = target in builder.emu.world.roles
    if ctype == ComponentType.USER_SELECT or (
        ctype == ComponentType.MENTIONABLE_SELECT and not is_role
    ):
        builder.resolve_user(target, where)
    elif ctype in (ComponentType.ROLE_SELECT, ComponentType.MENTIONABLE_SELECT):
        builder.resolve_role(target, where)
    else:
        builder.resolve_channel(target, where, comp.get("channel_types"))
    return str(target)

"""Submitting a modal: the components a user's client sends back, checked like Discord's client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.components import select_data
from emulator.enums import SELECT_TYPES, ComponentType
from emulator.errors import EmulatorUsageError
from emulator.options import OptionBuilder


def modal_components(
    layout: list[dict], values: dict[str, Any], builder: OptionBuilder
) -> list[dict]:
    """Return the submitted components for a modal layout, taking each input's value from values.

    Values are popped as they are used, so what is left over names inputs the modal lacks.
    """
    result: list[dict] = []
    for comp in layout:
        ctype = comp.get("type")
        if ctype == ComponentType.ACTION_ROW:
            inner = modal_components(comp.get("components") or [], values, builder)
            result.append({"type": ComponentType.ACTION_ROW, "components": inner})
        elif ctype == ComponentType.LABEL:
            child = modal_components([comp["component"]], values, builder)[0]
            item: dict[str, Any] = {"type": ComponentType.LABEL, "component": child}
            if comp.get("id") is not None:
                item["id"] = comp["id"]
            result.append(item)
        elif ctype == ComponentType.TEXT_DISPLAY:
            result.append({"type": ComponentType.TEXT_DISPLAY, "id": comp.get("id")})
        else:
            result.append(_modal_input(comp, values, builder))
    return result


class _Input:
    """One modal input being submitted: its schema and what the user gave for it."""

    def __init__(self, comp: dict[str, Any], values: dict[str, Any]) -> None:
        self.comp = comp
        self.custom_id = comp.get("custom_id", "")
        self.where = f"modal input {self.custom_id!r}"
        self.required = comp.get("required", True)
        self.given = self.custom_id in values
        self.raw = values.pop(self.custom_id, None)

    def options(self) -> list[Any]:
        return [o["value"] for o in self.comp.get("options") or []]


def _modal_input(comp: dict[str, Any], values: dict[str, Any], builder: OptionBuilder) -> dict:
    ctype: Any = comp.get("type")
    field = _Input(comp, values)
    out: dict[str, Any] = {"type": ctype, "custom_id": field.custom_id}
    if comp.get("id") is not None:
        out["id"] = comp["id"]
    if ctype in SELECT_TYPES or ctype in _MULTI_VALUE:
        out["values"] = _chosen_values(field, builder)
        return out
    submit = _SINGLE_VALUE.get(ctype)
    if submit is None:
        raise EmulatorUsageError(f"{field.where}: unsupported modal component type {ctype}")
    out["value"] = submit(field)
    return out


def _text(field: _Input) -> str:
    comp = field.comp
    text = field.raw if field.given else comp.get("value") or ""
    if not isinstance(text, str):
        raise EmulatorUsageError(f"{field.where}: expected a string, got {text!r}")
    if field.required and not text:
        raise EmulatorUsageError(f"{field.where} is required")
    low, high = comp.get("min_length"), comp.get("max_length", 4000)
    if text and low is not None and len(text) < low:
        raise EmulatorUsageError(f"{field.where}: shorter than min_length {low}")
    if high is not None and len(text) > high:
        raise EmulatorUsageError(f"{field.where}: longer than max_length {high}")
    return text


def _radio(field: _Input) -> Any:
    allowed = field.options()
    if field.required and field.raw is None:
        raise EmulatorUsageError(f"{field.where} is required")
    if field.raw is not None and field.raw not in allowed:
        raise EmulatorUsageError(f"{field.where}: {field.raw!r} not among {allowed}")
    return field.raw


def _checkbox(field: _Input) -> bool:
    return bool(field.raw) if field.given else bool(field.comp.get("default"))


_SINGLE_VALUE: dict[int, Callable[[_Input], Any]] = {
    ComponentType.TEXT_INPUT: _text,
    ComponentType.RADIO_GROUP: _radio,
    ComponentType.CHECKBOX: _checkbox,
}
_MULTI_VALUE = frozenset({ComponentType.FILE_UPLOAD, ComponentType.CHECKBOX_GROUP})
_OPTION_VALUED = frozenset({ComponentType.STRING_SELECT, ComponentType.CHECKBOX_GROUP})


def _chosen_values(field: _Input, builder: OptionBuilder) -> list[Any]:
    """Check the values chosen in a select, file upload or checkbox group; return their wire form."""
    comp = field.comp
    chosen = list(field.raw) if field.given and field.raw is not None else []
    low = comp.get("min_values", 1 if field.required else 0)
    high = comp.get("max_values", 1)
    if field.required and not chosen:
        raise EmulatorUsageError(f"{field.where} is required")
    if chosen and not low <= len(chosen) <= high:
        raise EmulatorUsageError(f"{field.where}: takes {low}..{high} values")
    ctype = comp.get("type")
    if ctype == ComponentType.FILE_UPLOAD:
        return [str(builder.resolve_attachment(v, field.where)) for v in chosen]
    if ctype in _OPTION_VALUED:
        allowed = field.options()
        for value in chosen:
            if value not in allowed:
                raise EmulatorUsageError(f"{field.where}: {value!r} not among {allowed}")
        return chosen
    # A user, role, mentionable or channel select: resolved into the modal's data.resolved.
    return select_data({**comp, "custom_id": field.custom_id}, chosen, builder)["values"]

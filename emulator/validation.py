"""Discord's limits on message bodies, components, modals and commands."""

from __future__ import annotations

import re
from typing import Any

from emulator.enums import (
    DISCORD_LOCALES,
    INTERACTIVE_TYPES,
    LABELLED_INPUT_TYPES,
    SELECT_TYPES,
    SUBCOMMAND_TYPES,
    ButtonStyle,
    CommandType,
    ComponentType,
    MessageFlag,
    OptionType,
    TextInputStyle,
)
from emulator.errors import ApiError, FormErrors

SENDABLE_FLAGS = (
    MessageFlag.SUPPRESS_EMBEDS
    | MessageFlag.SUPPRESS_NOTIFICATIONS
    | MessageFlag.IS_COMPONENTS_V2
    | MessageFlag.IS_VOICE_MESSAGE
)
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def _too_long(errors: FormErrors, path: str, value: Any, limit: int) -> None:
    if isinstance(value, str) and len(value) > limit:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _required(errors: FormErrors, path: str, value: Any) -> bool:
    if value is None or value == "":
        errors.add(path, "BASE_TYPE_REQUIRED", "This field is required")
        return False
    return True


def _bad_length(errors: FormErrors, path: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, str) and not low <= len(value) <= high:
        errors.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")


def validate_message_body(
    body: dict[str, Any],
    *,
    has_files: bool,
    context: str,
    allow_ephemeral: bool = False,
    editing: bool = False,
    prefix: str = "",
) -> None:
    """Raise ApiError (50006 or 50035, recorded as a problem) if Discord would refuse the body.

    prefix is where the message sits in the request ("data" in an interaction callback,
    "message" in a forum post), so the errors object names the same paths Discord's does.
    """
    errors = FormErrors(prefix)
    content = body.get("content")
    embeds = body.get("embeds") or []
    components = body.get("components") or []
    flags = int(body.get("flags") or 0)
    if not editing and not (
        content or embeds or components or has_files or body.get("sticker_ids") or body.get("poll")
    ):
        raise ApiError(
            400, 50006, "Cannot send an empty message", problem=f"{context}: empty message"
        )
    if content is not None and not isinstance(content, str):
        errors.add("content", "BASE_TYPE_STRING", "Must be a string.")
    _too_long(errors, "content", content, 2000)
    allowed = SENDABLE_FLAGS | (MessageFlag.EPHEMERAL if allow_ephemeral else 0)
    if flags & ~allowed:
        errors.add("flags", "MESSAGE_FLAGS_INVALID", f"Flags {flags & ~allowed} cannot be set.")
    if flags & MessageFlag.IS_COMPONENTS_V2:
        if content or embeds:
            errors.add(
                "content",
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "The 'content' and 'embeds' fields cannot be used with IS_COMPONENTS_V2.",
            )
        validate_components_v2(errors, components)
    else:
        validate_action_rows(errors, components)
    validate_embeds(errors, embeds)
    validate_allowed_mentions(errors, body.get("allowed_mentions"))
    errors.raise_if_any(context)


def is_empty_message(message: dict[str, Any]) -> bool:
    """Say whether a message (as stored, or as it would be after an edit) shows nothing."""
    return not (
        message.get("content")
        or message.get("embeds")
        or message.get("components")
        or message.get("attachments")
        or message.get("sticker_items")
        or message.get("poll")
    )


def validate_embeds(errors: FormErrors, embeds: list[dict]) -> None:
    """Check Discord's embed limits (10 embeds, 6000 characters in all, per-field limits)."""
    if len(embeds) > 10:
        errors.add("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = sum(_validate_embed(errors, f"embeds.{i}", embed) for i, embed in enumerate(embeds))
    if total > 6000:
        errors.add("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def _validate_embed(errors: FormErrors, path: str, embed: dict[str, Any]) -> int:
    """Check one embed's fields; return how many characters count towards the 6000."""
    total = 0
    for key, limit in (("title", 256), ("description", 4096)):
        _too_long(errors, f"{path}.{key}", embed.get(key), limit)
        total += len(embed.get(key) or "")
    footer = embed.get("footer") or {}
    _too_long(errors, f"{path}.footer.text", footer.get("text"), 2048)
    total += len(footer.get("text") or "")
    author = embed.get("author") or {}
    _too_long(errors, f"{path}.author.name", author.get("name"), 256)
    total += len(author.get("name") or "")
    fields = embed.get("fields") or []
    if len(fields) > 25:
        errors.add(f"{path}.fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for j, fld in enumerate(fields):
        fpath = f"{path}.fields.{j}"
        if _required(errors, f"{fpath}.name", fld.get("name")):
            _too_long(errors, f"{fpath}.name", fld.get("name"), 256)
        if _required(errors, f"{fpath}.value", fld.get("value")):
            _too_long(errors, f"{fpath}.value", fld.get("value"), 1024)
        total += len(fld.get("name") or "") + len(fld.get("value") or "")
    url = embed.get("url")
    if url is not None and not re.match(r"^https?://", str(url)):
        errors.add(f"{path}.url", "URL_TYPE_INVALID_URL", "Not a well formed URL.")
    color = embed.get("color")
    if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
        errors.add(f"{path}.color", "NUMBER_TYPE_MAX", "int value should be <= 16777215.")
    return total


def validate_allowed_mentions(errors: FormErrors, allowed: Any) -> None:
    """Check an allowed_mentions object."""
    if allowed is None:
        return
    parse = allowed.get("parse") or []
    for i, item in enumerate(parse):
        if item not in ("users", "roles", "everyone"):
            errors.add(f"allowed_mentions.parse.{i}", "BASE_TYPE_CHOICES", "Value must be one of.")
    if "users" in parse and allowed.get("users"):
        errors.add(
            "allowed_mentions",
            "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
            'parse:["users"] and users: [ids...] are mutually exclusive.',
        )
    if "roles" in parse and allowed.get("roles"):
        errors.add(
            "allowed_mentions",
            "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
            'parse:["roles"] and roles: [ids...] are mutually exclusive.',
        )


def validate_action_rows(errors: FormErrors, components: list[dict]) -> None:
    """Check classic components: up to 5 action rows of 5 buttons or one select."""
    if len(components) > 5:
        errors.add("components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[Any] = set()
    for i, row in enumerate(components):
        path = f"components.{i}"
        if row.get("type") != ComponentType.ACTION_ROW:
            errors.add(f"{path}.type", "UNION_TYPE_CHOICES", "Top-level components must be rows.")
            continue
        children = row.get("components") or []
        if not children:
            errors.add(f"{path}.components", "BASE_TYPE_MIN_LENGTH", "Must be 1 or more.")
        if len(children) > 5:
            errors.add(f"{path}.components", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer.")
        if any(c.get("type") in SELECT_TYPES for c in children) and len(children) > 1:
            errors.add(
                f"{path}.components",
                "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                "The specified component exceeds the maximum width",
            )
        for j, child in enumerate(children):
            validate_interactive(errors, f"{path}.components.{j}", child, seen)


def validate_interactive(errors: FormErrors, path: str, comp: dict, seen: set[Any]) -> None:
    """Check a button or select component."""
    ctype = comp.get("type")
    if ctype == ComponentType.BUTTON:
        _validate_button(errors, path, comp)
    elif ctype in SELECT_TYPES:
        _validate_select(errors, path, comp)
    else:
        errors.add(f"{path}.type", "UNION_TYPE_CHOICES", f"Component type {ctype} not allowed here")
        return
    custom_id = comp.get("custom_id")
    if custom_id:
        _too_long(errors, f"{path}.custom_id", custom_id, 100)
        if custom_id in seen:
            errors.add(
                f"{path}.custom_id",
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id cannot be duplicated",
            )
        seen.add(custom_id)


def _validate_button(errors: FormErrors, path: str, comp: dict) -> None:
    style = comp.get("style")
    custom_id = comp.get("custom_id")
    if style not in tuple(ButtonStyle):
        errors.add(f"{path}.style", "BASE_TYPE_CHOICES", "Value must be one of (1..6).")
    if style == ButtonStyle.LINK:
        if not comp.get("url"):
            errors.add(f"{path}.url", "BASE_TYPE_REQUIRED", "Link buttons need a url")
        if custom_id:
            errors.add(
                f"{path}.custom_id",
                "BUTTON_COMPONENT_CUSTOM_ID_CANNOT_BE_SET",
                "Link buttons cannot have a custom_id",
            )
    elif style != ButtonStyle.PREMIUM and not custom_id:
        errors.add(f"{path}.custom_id", "BASE_TYPE_REQUIRED", "This field is required")
    _too_long(errors, f"{path}.label", comp.get("label"), 80)
    if not comp.get("label") and not comp.get("emoji") and style != ButtonStyle.PREMIUM:
        errors.add(f"{path}.label", "BASE_TYPE_REQUIRED", "A button needs a label or emoji")


def _validate_select(errors: FormErrors, path: str, comp: dict) -> None:
    if not comp.get("custom_id"):
        errors.add(f"{path}.custom_id", "BASE_TYPE_REQUIRED", "This field is required")
    _too_long(errors, f"{path}.placeholder", comp.get("placeholder"), 150)
    low, high = comp.get("min_values", 1), comp.get("max_values", 1)
    if not (0 <= low <= 25) or not (1 <= high <= 25) or low > high:
        errors.add(f"{path}.min_values", "NUMBER_TYPE_MAX", "min/max_values out of range")
    if comp.get("type") != ComponentType.STRING_SELECT:
        return
    options = comp.get("options") or []
    if not 1 <= len(options) <= 25:
        errors.add(f"{path}.options", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25")
    if high > len(options) and options:
        errors.add(f"{path}.max_values", "NUMBER_TYPE_MAX", "More than options")
    values = set()
    for k, opt in enumerate(options):
        opath = f"{path}.options.{k}"
        if _required(errors, f"{opath}.label", opt.get("label")):
            _too_long(errors, f"{opath}.label", opt.get("label"), 100)
        if _required(errors, f"{opath}.value", opt.get("value")):
            _too_long(errors, f"{opath}.value", opt.get("value"), 100)
        _too_long(errors, f"{opath}.description", opt.get("description"), 100)
        if opt.get("value") in values:
            errors.add(f"{opath}.value", "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "dup")
        values.add(opt.get("value"))


def validate_components_v2(errors: FormErrors, components: list[dict]) -> None:
    """Check a components-v2 layout: at most 40 components, valid interactive parts."""
    seen: set[Any] = set()
    count = 0

    def walk(items: list[dict], path: str) -> None:
        nonlocal count
        for i, comp in enumerate(items):
            count += 1
            cpath = f"{path}.{i}"
            ctype = comp.get("type")
            if ctype in INTERACTIVE_TYPES:
                validate_interactive(errors, cpath, comp, seen)
            elif ctype == ComponentType.TEXT_DISPLAY:
                _too_long(errors, f"{cpath}.content", comp.get("content"), 4000)
            if comp.get("components"):
                walk(comp["components"], f"{cpath}.components")
            if comp.get("accessory"):
                walk([comp["accessory"]], f"{cpath}.accessory")

    walk(components, "components")
    if count > 40:
        errors.add("components", "BASE_TYPE_MAX_LENGTH", "Must be 40 or fewer components.")


def validate_modal(data: dict[str, Any], context: str) -> None:
    """Raise ApiError 50035 (recorded as a problem) if Discord would refuse the modal."""
    errors = FormErrors()
    if _required(errors, "data.title", data.get("title")):
        _too_long(errors, "data.title", data.get("title"), 45)
    if _required(errors, "data.custom_id", data.get("custom_id")):
        _too_long(errors, "data.custom_id", data.get("custom_id"), 100)
    components = data.get("components") or []
    if not 1 <= len(components) <= 5:
        errors.add("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    seen: set[Any] = set()
    for i, comp in enumerate(components):
        _validate_modal_part(errors, f"data.components.{i}", comp, seen)
    errors.raise_if_any(context)


def _validate_modal_part(errors: FormErrors, path: str, comp: dict, seen: set[Any]) -> None:
    """Check one top-level modal component: a row, a label or a text display."""
    ctype = comp.get("type")
    if ctype == ComponentType.ACTION_ROW:
        inner = comp.get("components") or []
        if len(inner) != 1 or inner[0].get("type") != ComponentType.TEXT_INPUT:
            errors.add(path, "MODAL_ROW_INVALID", "A modal row holds exactly one text input")
        for j, child in enumerate(inner):
            _validate_modal_input(errors, f"{path}.components.{j}", child, seen, labelled=False)
    elif ctype == ComponentType.LABEL:
        if _required(errors, f"{path}.label", comp.get("label")):
            _too_long(errors, f"{path}.label", comp.get("label"), 45)
        _too_long(errors, f"{path}.description", comp.get("description"), 100)
        child = comp.get("component") or {}
        _validate_modal_input(errors, f"{path}.component", child, seen, labelled=True)
    elif ctype == ComponentType.TEXT_DISPLAY:
        _too_long(errors, f"{path}.content", comp.get("content"), 4000)
    else:
        errors.add(f"{path}.type", "UNION_TYPE_CHOICES", f"Type {ctype} not allowed in modals")


def _validate_modal_input(
    errors: FormErrors, path: str, comp: dict, seen: set[Any], *, labelled: bool
) -> None:
    ctype = comp.get("type")
    custom_id = comp.get("custom_id")
    if _required(errors, f"{path}.custom_id", custom_id):
        _too_long(errors, f"{path}.custom_id", custom_id, 100)
        if custom_id in seen:
            errors.add(f"{path}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED", "Duplicated id")
        seen.add(custom_id)
    if ctype == ComponentType.TEXT_INPUT:
        if not labelled and _required(errors, f"{path}.label", comp.get("label")):
            _too_long(errors, f"{path}.label", comp.get("label"), 45)
        if comp.get("style") not in tuple(TextInputStyle):
            errors.add(f"{path}.style", "BASE_TYPE_CHOICES", "Value must be one of (1, 2).")
        low, high = comp.get("min_length"), comp.get("max_length")
        if low is not None and not 0 <= low <= 4000:
            errors.add(f"{path}.min_length", "NUMBER_TYPE_MAX", "Must be between 0 and 4000")
        if high is not None and not 1 <= high <= 4000:
            errors.add(f"{path}.max_length", "NUMBER_TYPE_MAX", "Must be between 1 and 4000")
        _too_long(errors, f"{path}.placeholder", comp.get("placeholder"), 100)
        _too_long(errors, f"{path}.value", comp.get("value"), 4000)
    elif ctype in LABELLED_INPUT_TYPES:
        if not labelled:
            errors.add(f"{path}.type", "UNION_TYPE_CHOICES", "Selects in modals need a label")
    else:
        errors.add(f"{path}.type", "UNION_TYPE_CHOICES", f"Type {ctype} not allowed in modals")


def validate_autocomplete(data: dict[str, Any], context: str) -> None:
    """Raise ApiError 50035 if the autocomplete choices break Discord's limits."""
    errors = FormErrors()
    choices = data.get("choices")
    if choices is None:
        errors.add("data.choices", "BASE_TYPE_REQUIRED", "This field is required")
        choices = []
    if len(choices) > 25:
        errors.add("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for i, choice in enumerate(choices):
        if _required(errors, f"data.choices.{i}.name", choice.get("name")):
            _bad_length(errors, f"data.choices.{i}.name", choice.get("name"), 1, 100)
        _too_long(errors, f"data.choices.{i}.value", choice.get("value"), 100)
    errors.raise_if_any(context)


def validate_commands(commands: list[dict[str, Any]], context: str) -> None:
    """Raise ApiError 50035 if a bulk command registration breaks Discord's rules."""
    errors = FormErrors()
    seen: set[tuple[str, int]] = set()
    counts = dict.fromkeys(CommandType, 0)
    for i, cmd in enumerate(commands):
        path = str(i)
        ctype = cmd.get("type", CommandType.CHAT_INPUT)
        counts[ctype] = counts.get(ctype, 0) + 1
        name = cmd.get("name") or ""
        key = (name, ctype)
        if key in seen:
            errors.add(f"{path}.name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Duplicate name")
        seen.add(key)
        if ctype == CommandType.CHAT_INPUT:
            _check_option_name(errors, f"{path}.name", name)
            _check_description(errors, f"{path}.description", cmd.get("description"))
            _check_localizations(errors, path, cmd, strict_names=True)
            _validate_options(errors, f"{path}.options", cmd.get("options") or [], depth=0)
        else:
            if not 1 <= len(name) <= 32:
                errors.add(f"{path}.name", "BASE_TYPE_BAD_LENGTH", "Must be 1 to 32 long")
            _check_localizations(errors, path, cmd, strict_names=False)
            if cmd.get("description"):
                errors.add(
                    f"{path}.description",
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have a description",
                )
    if counts.get(CommandType.CHAT_INPUT, 0) > 100:
        errors.add("", "APPLICATION_COMMAND_TOO_MANY", "Max 100 slash commands")
    for ctype in (CommandType.USER, CommandType.MESSAGE):
        if counts.get(ctype, 0) > 15:
            errors.add("", "APPLICATION_COMMAND_TOO_MANY", "Max 15 context menu commands")
    errors.raise_if_any(context)


def _check_option_name(errors: FormErrors, path: str, name: str) -> None:
    if not _COMMAND_NAME.match(name or "") or name != name.lower():
        errors.add(path, "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")


def _check_localizations(
    errors: FormErrors, path: str, item: dict[str, Any], *, strict_names: bool
) -> None:
    """Check name_localizations / description_localizations as Discord does (each locale)."""
    for key in ("name_localizations", "description_localizations"):
        localized = item.get(key) or {}
        if not isinstance(localized, dict):
            errors.add(f"{path}.{key}", "DICT_TYPE_CONVERT", "Only dictionaries may be used")
            continue
        for locale, text in localized.items():
            where = f"{path}.{key}.{locale}"
            if locale not in DISCORD_LOCALES:
                errors.add(where, "LOCALE_INVALID", f"{locale!r} is not a valid locale")
            elif key == "description_localizations":
                _check_description(errors, where, text)
            elif strict_names:
                _check_option_name(errors, where, text)
            elif not isinstance(text, str) or not 1 <= len(text) <= 32:
                errors.add(where, "BASE_TYPE_BAD_LENGTH", "Must be 1 to 32 long")


def _check_description(errors: FormErrors, path: str, description: Any) -> None:
    if not description or not 1 <= len(description) <= 100:
        errors.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")


def _check_choices(errors: FormErrors, path: str, choices: list[dict]) -> None:
    if len(choices) > 25:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer.")
    for k, choice in enumerate(choices):
        for locale, text in (choice.get("name_localizations") or {}).items():
            where = f"{path}.{k}.name_localizations.{locale}"
            if locale not in DISCORD_LOCALES:
                errors.add(where, "LOCALE_INVALID", f"{locale!r} is not a valid locale")
            elif not isinstance(text, str) or not 1 <= len(text) <= 100:
                errors.add(where, "BASE_TYPE_BAD_LENGTH", "Must be 1 to 100 long")


def _validate_options(errors: FormErrors, path: str, options: list[dict], depth: int) -> None:
    if len(options) > 25:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    names: set[Any] = set()
    for i, opt in enumerate(options):
        opath = f"{path}.{i}"
        otype = opt.get("type")
        _check_option_name(errors, f"{opath}.name", opt.get("name") or "")
        _check_description(errors, f"{opath}.description", opt.get("description"))
        _check_localizations(errors, opath, opt, strict_names=True)
        if opt.get("name") in names:
            errors.add(f"{opath}.name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "dup")
        names.add(opt.get("name"))
        if otype in SUBCOMMAND_TYPES:
            if depth >= (1 if otype == OptionType.SUB_COMMAND_GROUP else 2):
                errors.add(opath, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Nested too deep")
            _validate_options(errors, f"{opath}.options", opt.get("options") or [], depth + 1)
            continue
        if opt.get("required"):
            if seen_optional:
                errors.add(
                    opath,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        _check_choices(errors, f"{opath}.choices", choices)
        if choices and opt.get("autocomplete"):
            errors.add(opath, "APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE", "Not both")

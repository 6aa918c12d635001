"""Discord's documented payload limits, on every path a bot sends a message, modal or choices by.

Each case sends a body one over a limit (refused with 400 / 50035, the errors object naming the
field as Discord does, and recorded as a problem so the test that caused it fails) and then the
same body exactly at the limit (accepted).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from discord import app_commands

from emulator.enums import (
    ButtonStyle,
    CallbackType,
    ChannelType,
    ComponentType,
    MessageFlag,
    TextInputStyle,
)
from tests.emulator.stage import Stage, error_codes, staged

pytestmark = pytest.mark.asyncio(loop_scope="module")

Send = Callable[[dict[str, Any]], Awaitable[tuple[int, Any]]]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stage() -> AsyncIterator[Stage]:
    """One emulator and test bot for the whole table."""
    async with staged(with_bot=True) as started:
        yield started


# ------------------------------------------------------------------ the limits
@dataclass(frozen=True)
class Limit:
    """A body at a limit, one over it, and where Discord's errors object points."""

    name: str
    at: dict[str, Any]
    over: dict[str, Any]
    path: str
    code: str = "BASE_TYPE_MAX_LENGTH"


def _embed(**fields: Any) -> dict[str, Any]:
    return {"embeds": [fields]}


def _fields(count: int, name: str = "n", value: str = "v") -> dict[str, Any]:
    return _embed(fields=[{"name": name, "value": value} for _ in range(count)])


def _row(*children: dict[str, Any]) -> dict[str, Any]:
    return {"type": ComponentType.ACTION_ROW, "components": list(children)}


def _button(label: str = "ok", custom_id: str = "b") -> dict[str, Any]:
    return {
        "type": ComponentType.BUTTON,
        "style": ButtonStyle.PRIMARY,
        "label": label,
        "custom_id": custom_id,
    }


def _rows(count: int) -> dict[str, Any]:
    return {"components": [_row(_button(custom_id=f"b{i}")) for i in range(count)]}


def _select(*, placeholder: str = "pick", count: int = 1, **option: str) -> dict[str, Any]:
    options = [{"label": f"o{i}", "value": f"v{i}"} for i in range(count)]
    options[0].update(option)
    select = {
        "type": ComponentType.STRING_SELECT,
        "custom_id": "s",
        "placeholder": placeholder,
        "options": options,
    }
    return {"components": [_row(select)]}


def _total(size: int) -> dict[str, Any]:
    # title 256 + description 4096 + footer: the 6,000 counts every text field together.
    return _embed(title="t" * 256, description="d" * 4096, footer={"text": "f" * (size - 4352)})


MESSAGE_LIMITS = [
    Limit("content 2000", {"content": "x" * 2000}, {"content": "x" * 2001}, "content"),
    Limit("embed title 256", _embed(title="t" * 256), _embed(title="t" * 257), "embeds.0.title"),
    Limit(
        "embed description 4096",
        _embed(description="d" * 4096),
        _embed(description="d" * 4097),
        "embeds.0.description",
    ),
    Limit(
        "field name 256",
        _fields(1, name="n" * 256),
        _fields(1, name="n" * 257),
        "embeds.0.fields.0.name",
    ),
    Limit(
        "field value 1024",
        _fields(1, value="v" * 1024),
        _fields(1, value="v" * 1025),
        "embeds.0.fields.0.value",
    ),
    Limit("25 fields", _fields(25), _fields(26), "embeds.0.fields"),
    Limit(
        "footer 2048",
        _embed(footer={"text": "f" * 2048}),
        _embed(footer={"text": "f" * 2049}),
        "embeds.0.footer.text",
    ),
    Limit(
        "author name 256",
        _embed(author={"name": "a" * 256}),
        _embed(author={"name": "a" * 257}),
        "embeds.0.author.name",
    ),
    Limit("6000 in all embeds", _total(6000), _total(6001), "embeds", "MAX_EMBED_SIZE_EXCEEDED"),
    Limit(
        "10 embeds",
        {"embeds": [{"title": "t"}] * 10},
        {"embeds": [{"title": "t"}] * 11},
        "embeds",
    ),
    Limit("5 action rows", _rows(5), _rows(6), "components"),
    Limit(
        "button label 80",
        {"components": [_row(_button("l" * 80))]},
        {"components": [_row(_button("l" * 81))]},
        "components.0.components.0.label",
    ),
    Limit(
        "custom_id 100",
        {"components": [_row(_button(custom_id="c" * 100))]},
        {"components": [_row(_button(custom_id="c" * 101))]},
        "components.0.components.0.custom_id",
    ),
    Limit(
        "select option label 100",
        _select(label="l" * 100),
        _select(label="l" * 101),
        "components.0.components.0.options.0.label",
    ),
    Limit(
        "select option value 100",
        _select(value="v" * 100),
        _select(value="v" * 101),
        "components.0.components.0.options.0.value",
    ),
    Limit(
        "select option description 100",
        _select(description="d" * 100),
        _select(description="d" * 101),
        "components.0.components.0.options.0.description",
    ),
    Limit(
        "select placeholder 150",
        _select(placeholder="p" * 150),
        _select(placeholder="p" * 151),
        "components.0.components.0.placeholder",
    ),
    Limit(
        "25 select options",
        _select(count=25),
        _select(count=26),
        "components.0.components.0.options",
        "BASE_TYPE_BAD_LENGTH",
    ),
]


# ------------------------------------------------------------------ the paths
async def _held(stage: Stage) -> Any:
    """Run /hold: an interaction the test bot leaves for the test to answer."""
    return await stage.emu.slash(stage.river.id, "hold", guild_id=stage.guild.id)


async def _callback(stage: Stage, handle: Any, body: dict[str, Any]) -> tuple[int, Any]:
    return await stage.rest("POST", f"/interactions/{handle.id}/{handle.token}/callback", body)


async def _answered(stage: Stage, data: dict[str, Any], rtype: int = 4) -> Any:
    handle = await _held(stage)
    status, reply = await _callback(stage, handle, {"type": rtype, "data": data})
    assert status == 200, reply
    return handle


def _hook(stage: Stage, handle: Any, tail: str = "") -> str:
    return f"/webhooks/{stage.emu.application_id}/{handle.token}{tail}"


async def interaction_response(stage: Stage) -> Send:
    """The first answer to a slash command (type 4)."""
    handle = await _held(stage)
    return lambda body: _callback(
        stage, handle, {"type": CallbackType.CHANNEL_MESSAGE, "data": body}
    )


async def component_update(stage: Stage) -> Send:
    """The first answer to a button, updating its message (type 7)."""
    button = _row(_button("Press", "held"))
    message = await stage.post(stage.channel.id, {"content": "panel", "components": [button]})
    handle = await stage.emu.click(stage.river.id, message, custom_id="held")
    return lambda body: _callback(
        stage, handle, {"type": CallbackType.UPDATE_MESSAGE, "data": body}
    )


async def followup(stage: Stage) -> Send:
    """A followup after a deferred answer."""
    handle = await _answered(
        stage, {"flags": MessageFlag.EPHEMERAL}, rtype=CallbackType.DEFERRED_CHANNEL_MESSAGE
    )
    return lambda body: stage.rest("POST", _hook(stage, handle, "?wait=true"), body)


async def original_edit(stage: Stage) -> Send:
    """An edit of the original answer (PATCH @original)."""
    handle = await _answered(stage, {"content": "first"})
    return lambda body: stage.rest("PATCH", _hook(stage, handle, "/messages/@original"), body)


async def followup_edit(stage: Stage) -> Send:
    """An edit of a followup message by its id."""
    handle = await _answered(stage, {"content": "first"})
    status, sent = await stage.rest("POST", _hook(stage, handle, "?wait=true"), {"content": "f"})
    assert status == 200, sent
    path = _hook(stage, handle, f"/messages/{sent['id']}")
    return lambda body: stage.rest("PATCH", path, body)


async def channel_message(stage: Stage) -> Send:
    """A message posted in a channel."""
    return lambda body: stage.rest("POST", f"/channels/{stage.channel.id}/messages", body)


async def channel_edit(stage: Stage) -> Send:
    """An edit of the bot's own channel message."""
    message = await stage.post(stage.channel.id, {"content": "first"})
    path = f"/channels/{stage.channel.id}/messages/{message['id']}"
    return lambda body: stage.rest("PATCH", path, body)


async def direct_message(stage: Stage) -> Send:
    """A DM to a member."""
    status, dm = await stage.rest("POST", "/users/@me/channels", {"recipient_id": stage.river.id})
    assert status == 200, dm
    return lambda body: stage.rest("POST", f"/channels/{dm['id']}/messages", body)


async def forum_post(stage: Stage) -> Send:
    """A forum post's first message."""
    path = f"/channels/{stage.forum.id}/threads"
    return lambda body: stage.rest("POST", path, {"name": "a post", "message": body})


PATHS: dict[str, tuple[Callable[[Stage], Awaitable[Send]], str]] = {
    "interaction response": (interaction_response, "data"),
    "component update": (component_update, "data"),
    "followup": (followup, ""),
    "@original edit": (original_edit, ""),
    "followup edit": (followup_edit, ""),
    "channel message": (channel_message, ""),
    "channel message edit": (channel_edit, ""),
    "DM": (direct_message, ""),
    "forum post": (forum_post, "message"),
}


def _refused(stage: Stage, status: int, reply: Any, path: str, code: str) -> None:
    assert status == 400, reply
    assert reply["code"] == 50035 and reply["message"] == "Invalid Form Body"
    assert code in error_codes(reply, path), reply
    assert len(stage.emu.take_problems(path)) == 1


@pytest.mark.parametrize("limit", MESSAGE_LIMITS, ids=lambda limit: limit.name)
@pytest.mark.parametrize("where", list(PATHS))
async def test_message_limit(stage: Stage, where: str, limit: Limit) -> None:
    """One over the limit is refused (400 50035, the field named, a problem); at it is sent."""
    prepare, prefix = PATHS[where]
    send = await prepare(stage)
    status, reply = await send(limit.over)
    _refused(stage, status, reply, f"{prefix}.{limit.path}".lstrip("."), limit.code)
    status, reply = await send(limit.at)
    assert status in (200, 201), reply


# ------------------------------------------------------------------ modals
def _modal(
    *,
    title: str = "Check in",
    custom_id: str = "modal",
    label: str = "Note",
    placeholder: str = "",
    value: str = "",
    max_length: int = 100,
    inputs: int = 1,
) -> dict[str, Any]:
    text = {
        "type": ComponentType.TEXT_INPUT,
        "custom_id": "note",
        "style": TextInputStyle.PARAGRAPH,
        "label": label,
        "max_length": max_length,
    }
    if placeholder:
        text["placeholder"] = placeholder
    if value:
        text["value"] = value
    rows = [_row({**text, "custom_id": f"note{i}"}) for i in range(inputs)]
    return {"title": title, "custom_id": custom_id, "components": rows}


def _labelled(label: str) -> dict[str, Any]:
    text = {"type": ComponentType.TEXT_INPUT, "custom_id": "note", "style": TextInputStyle.SHORT}
    return {
        "title": "Check in",
        "custom_id": "modal",
        "components": [{"type": ComponentType.LABEL, "label": label, "component": text}],
    }


MODAL_LIMITS = [
    Limit("title 45", _modal(title="t" * 45), _modal(title="t" * 46), "data.title"),
    Limit(
        "custom_id 100", _modal(custom_id="c" * 100), _modal(custom_id="c" * 101), "data.custom_id"
    ),
    Limit(
        "text input label 45",
        _modal(label="l" * 45),
        _modal(label="l" * 46),
        "data.components.0.components.0.label",
    ),
    Limit("label 45", _labelled("l" * 45), _labelled("l" * 46), "data.components.0.label"),
    Limit(
        "placeholder 100",
        _modal(placeholder="p" * 100),
        _modal(placeholder="p" * 101),
        "data.components.0.components.0.placeholder",
    ),
    Limit(
        "prefilled value 4000",
        _modal(value="v" * 4000, max_length=4000),
        _modal(value="v" * 4001, max_length=4000),
        "data.components.0.components.0.value",
    ),
    Limit(
        "max_length 4000",
        _modal(max_length=4000),
        _modal(max_length=4001),
        "data.components.0.components.0.max_length",
        "NUMBER_TYPE_MAX",
    ),
    Limit(
        "5 inputs", _modal(inputs=5), _modal(inputs=6), "data.components", "BASE_TYPE_BAD_LENGTH"
    ),
]


@pytest.mark.parametrize("limit", MODAL_LIMITS, ids=lambda limit: limit.name)
async def test_modal_limit(stage: Stage, limit: Limit) -> None:
    """A modal one over a limit is refused like Discord refuses it; at the limit it opens."""
    handle = await _held(stage)
    status, reply = await _callback(stage, handle, {"type": CallbackType.MODAL, "data": limit.over})
    _refused(stage, status, reply, limit.path, limit.code)
    status, reply = await _callback(stage, handle, {"type": CallbackType.MODAL, "data": limit.at})
    assert status == 200, reply
    assert handle.modal == limit.at


# ------------------------------------------------------------------ autocomplete
def _choices(count: int = 1, name: str = "n", value: str = "v") -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=name, value=f"{value}{'' if i == 0 else i}") for i in range(count)
    ]


AUTOCOMPLETE_LIMITS = [
    Limit("25 choices", {"choices": _choices(25)}, {"choices": _choices(26)}, "data.choices"),
    Limit(
        "choice name 100",
        {"choices": _choices(name="n" * 100)},
        {"choices": _choices(name="n" * 101)},
        "data.choices.0.name",
        "BASE_TYPE_BAD_LENGTH",
    ),
    Limit(
        "choice value 100",
        {"choices": _choices(value="v" * 100)},
        {"choices": _choices(value="v" * 101)},
        "data.choices.0.value",
    ),
]


@pytest.mark.parametrize("limit", AUTOCOMPLETE_LIMITS, ids=lambda limit: limit.name)
async def test_autocomplete_limit(stage: Stage, limit: Limit) -> None:
    """Choices one over a limit are refused like Discord refuses them; at the limit they arrive."""
    assert stage.bot is not None
    stage.bot.autocomplete_script = [limit.over["choices"], limit.at["choices"]]
    stage.bot.autocomplete_outcomes = []
    stage.bot.autocomplete_done.clear()
    choices = await stage.emu.autocomplete(
        stage.river.id, "hold", focused="text", guild_id=stage.guild.id, text="an"
    )
    async with asyncio.timeout(5):
        await stage.bot.autocomplete_done.wait()
    refused, accepted = stage.bot.autocomplete_outcomes
    assert refused is not None and refused.status == 400 and refused.code == 50035
    assert accepted is None
    assert len(choices) == len(limit.at["choices"])
    refusal = next(r for r in reversed(stage.emu.requests) if r.status == 400)
    assert limit.code in error_codes(refusal.response, limit.path), refusal.response
    assert len(stage.emu.take_problems(limit.path)) == 1


# ------------------------------------------------------------------ thread names
async def test_thread_name_limit(stage: Stage) -> None:
    """A thread's name is 1 to 100 characters, from a message or without one."""
    message = await stage.post(stage.channel.id, {"content": "root"})
    from_message = f"/channels/{stage.channel.id}/messages/{message['id']}/threads"
    status, reply = await stage.rest("POST", from_message, {"name": "n" * 101})
    _refused(stage, status, reply, "name", "BASE_TYPE_BAD_LENGTH")
    status, reply = await stage.rest("POST", from_message, {"name": "n" * 100})
    assert status == 201, reply
    bare = f"/channels/{stage.channel.id}/threads"
    status, reply = await stage.rest("POST", bare, {"name": "", "type": ChannelType.PUBLIC_THREAD})
    _refused(stage, status, reply, "name", "BASE_TYPE_BAD_LENGTH")
    status, reply = await stage.rest("PATCH", f"/channels/{message['id']}", {"name": "n" * 101})
    _refused(stage, status, reply, "name", "BASE_TYPE_BAD_LENGTH")


async def test_edit_that_empties_a_message_is_refused(stage: Stage) -> None:
    """An edit leaving a message with nothing to show is 400 50006, as on Discord."""
    message = await stage.post(stage.channel.id, {"content": "only words"})
    path = f"/channels/{stage.channel.id}/messages/{message['id']}"
    status, reply = await stage.rest("PATCH", path, {"content": ""})
    assert status == 400 and reply["code"] == 50006
    assert len(stage.emu.take_problems("edit leaves it empty")) == 1
    status, reply = await stage.rest("PATCH", path, {"content": "", "embeds": [{"title": "t"}]})
    assert status == 200, reply

"""Buttons on persistent views, modals (classic and label layout), context menus."""

from __future__ import annotations

import pytest

from emulator import Emulator, EmulatorUsageError
from emulator.enums import CallbackType, ComponentType
from tests.emulator.conftest import SmallWorld
from tests.emulator.testbot import ProbeBot


async def test_persistent_button_click_updates_channel_message(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A click on a persistent view's button edits the message in the world (type 7)."""
    h = await emu.slash(world.river.id, "panel", guild_id=world.guild.id)
    await h.response()
    panel = await emu.wait_for_message(world.channel.id)
    assert panel["content"] == "panel" and not h.ephemeral
    click = await emu.click(world.sky.id, panel, custom_id="test:ack")
    assert (await click.response())["type"] == CallbackType.UPDATE_MESSAGE
    stored = emu.channel_messages(world.channel.id)[-1]
    assert stored["id"] == panel["id"]
    assert stored["content"] == "acknowledged"
    assert stored["components"] == []


async def test_button_opens_modal_and_submit_is_answered(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A button answers with a modal; submitting it reaches the modal's on_submit."""
    h = await emu.slash(world.river.id, "panel", guild_id=world.guild.id)
    await h.response()
    click = await emu.click(world.river.id, h.message, label="Write a note")
    await click.response()
    assert click.modal is not None and click.modal["title"] == "Leave a note"
    with pytest.raises(EmulatorUsageError, match="required"):
        await emu.submit_modal(world.river.id, click.modal, values={})
    submit = await emu.submit_modal(world.river.id, click.modal, values={"note": "thanks"})
    await submit.response()
    assert submit.ephemeral and submit.content == "noted: thanks"


async def test_label_modal_with_select(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """Modals in the label (type 18) layout accept selects and optional text inputs."""
    h = await emu.slash(world.river.id, "checkin", guild_id=world.guild.id)
    await h.response()
    assert h.modal["components"][0]["type"] == ComponentType.LABEL
    submit = await emu.submit_modal(world.river.id, h, values={"mood": ["low"]})
    await submit.response()
    assert submit.content == "mood=low words=''"


async def test_message_context_menu(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """A message command gets the target message through data.resolved.messages."""
    posted = emu.post_message(world.sky.id, world.channel.id, "I had a hard day")
    h = await emu.message_command(world.river.id, "Report message", target=posted)
    await h.response()
    assert h.content == f"reported {posted['id']} by {world.sky.id}: I had a hard day"


async def test_autocomplete_returns_choices(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """Autocomplete sends the focused option and returns the bot's choices."""
    choices = await emu.autocomplete(
        world.river.id, "crisis", focused="country", guild_id=world.guild.id, country="ind"
    )
    assert [c["value"] for c in choices] == ["india", "indonesia"]
    h = await emu.slash(world.river.id, "crisis", guild_id=world.guild.id, country="india")
    await h.response()
    assert h.content == "helpline for india"


async def test_slash_validation_errors(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """Unknown commands/options, missing required options and bad values raise in the test."""
    gid = world.guild.id
    with pytest.raises(EmulatorUsageError, match="no registered command"):
        await emu.slash(world.river.id, "nope", guild_id=gid)
    with pytest.raises(EmulatorUsageError, match="choose a subcommand"):
        await emu.slash(world.river.id, "setup", guild_id=gid)
    with pytest.raises(EmulatorUsageError, match="required option 'level'"):
        await emu.slash(
            world.river.id, "setup role", guild_id=gid, member=world.sky, role=world.member_role
        )
    with pytest.raises(EmulatorUsageError, match="above max_value"):
        await emu.slash(
            world.river.id,
            "setup role",
            guild_id=gid,
            member=world.sky,
            role=world.member_role,
            level=9,
        )
    with pytest.raises(EmulatorUsageError, match="not one of the choices"):
        await emu.slash(
            world.river.id,
            "setup role",
            guild_id=gid,
            member=world.sky,
            role=world.member_role,
            level=2,
            tone="loud",
        )
    with pytest.raises(EmulatorUsageError, match="unknown option"):
        await emu.slash(world.river.id, "ping", guild_id=gid, extra=1)


async def test_deferred_answer_filled_by_followup(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """After defer(ephemeral) the first followup fills the thinking message; the next is new."""
    h = await emu.slash(world.river.id, "later", guild_id=world.guild.id)
    assert (await h.response())["type"] == CallbackType.DEFERRED_CHANNEL_MESSAGE
    original = await h.original()
    assert original["content"] == "done later" and h.ephemeral
    second = await h.followup(1)
    assert second["content"] == "and a second one"
    assert emu.channel_messages(world.channel.id) == []


async def test_dm_slash_command(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """A global command used in DMs carries user instead of member."""
    h = await emu.slash(world.river.id, "hello")
    await h.response()
    assert "member" not in h.payload and h.payload["user"]["id"] == str(world.river.id)
    assert h.content == "hello river"
    assert emu.dm_messages(world.river.id)[-1]["content"] == "hello river"


async def test_ephemeral_view_select_and_deferred_update(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """Components on an ephemeral message work from the handle's message dict."""
    h = await emu.slash(world.river.id, "mood", guild_id=world.guild.id)
    await h.response()
    assert h.ephemeral and emu.channel_messages(world.channel.id) == []
    with pytest.raises(EmulatorUsageError, match="ephemeral"):
        await emu.click(world.sky.id, h.message, custom_id="mood-done")
    with pytest.raises(EmulatorUsageError, match="not among options"):
        await emu.select(world.river.id, h.message, ["angry"])
    picked = await emu.select(world.river.id, h.message, ["tense"])
    assert (await picked.response())["type"] == CallbackType.UPDATE_MESSAGE
    assert h.content == "picked tense"
    done = await emu.click(world.river.id, h.message, label="Done")
    assert (await done.response())["type"] == CallbackType.DEFERRED_UPDATE_MESSAGE
    closed = await done.original()
    assert closed["content"] == "closed" and closed["components"] == []
    assert h.content == "closed"


async def test_webhook_post_is_anonymous(emu: Emulator, world: SmallWorld, bot: ProbeBot) -> None:
    """A channel webhook posts under its own name and id, not the bot's or the member's."""
    h = await emu.slash(world.river.id, "anon", guild_id=world.guild.id, text="it gets better")
    await h.response()
    posted = await emu.wait_for_message(world.channel.id)
    assert posted["content"] == "it gets better"
    assert posted["author"]["username"] == "A peer"
    assert posted["author"]["id"] == posted["webhook_id"] != str(world.river.id)


async def test_user_select_resolves_members(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A user select sends ids plus data.resolved users and members."""
    h = await emu.slash(world.river.id, "pair", guild_id=world.guild.id)
    await h.response()
    picked = await emu.select(world.river.id, h.message, [world.sky])
    await picked.response()
    assert picked.content == "paired with sky (Member)"
    assert picked.payload["data"]["values"] == [str(world.sky.id)]

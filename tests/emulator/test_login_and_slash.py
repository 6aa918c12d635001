"""Login, command sync and a slash command answered ephemerally."""

from __future__ import annotations

from emulator import Emulator
from emulator.enums import CallbackType
from tests.emulator.conftest import SmallWorld
from tests.emulator.testbot import ProbeBot


async def test_login_syncs_commands_and_answers_subcommand(
    emu: Emulator, world: SmallWorld, bot: ProbeBot
) -> None:
    """A subcommand with typed options reaches the bot and is answered ephemerally."""
    names = {c["name"] for c in emu.world.commands[world.guild.id]}
    assert {"setup", "ping", "Report message"} <= names
    assert {c["name"] for c in emu.world.commands[None]} == {"hello"}
    h = await emu.slash(
        world.river.id,
        "setup role",
        guild_id=world.guild.id,
        member=world.sky.id,
        role=world.member_role,
        level=3,
        tone="plain",
    )
    response = await h.response()
    assert response["type"] == CallbackType.CHANNEL_MESSAGE
    assert h.ephemeral
    assert h.content == "sky|Member|3|plain|False|Member"
    assert emu.channel_messages(world.channel.id) == []

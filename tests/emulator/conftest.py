"""Fixtures: a fresh emulator with a small world, and a running test bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from emulator import Channel, Emulator, Guild, Permissions, Role, User
from tests.emulator.testbot import ProbeBot, running


@dataclass
class SmallWorld:
    """A guild with a text channel, a member role and two members."""

    guild: Guild
    channel: Channel
    member_role: Role
    river: User
    sky: User


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    """Start an emulator; fail the test if it recorded problems."""
    emulator = Emulator(interaction_deadline=3.0)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
    emulator.assert_no_problems()


@pytest.fixture
def world(emu: Emulator) -> SmallWorld:
    """Build the small world before the bot connects."""
    guild = emu.create_guild("Harbour", bot_permissions=Permissions.ADMIN_FREE_DEFAULT)
    channel = emu.create_channel(guild.id, "welcome")
    member_role = emu.create_role(guild.id, "Member")
    river = emu.create_user("river")
    sky = emu.create_user("sky")
    emu.add_member(guild.id, river.id)
    emu.add_member(guild.id, sky.id, roles=[member_role.id])
    return SmallWorld(guild, channel, member_role, river, sky)


@pytest.fixture
async def bot(emu: Emulator, world: SmallWorld) -> AsyncIterator[ProbeBot]:
    """Run the test bot against the emulator until the test ends."""
    async with running(emu, ProbeBot(world.guild.id)) as started:
        yield started

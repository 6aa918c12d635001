"""World building and permission resolution, without a bot."""

from __future__ import annotations

import pytest

from emulator import Emulator, EmulatorUsageError, Permissions, overwrite


async def test_role_positions_keep_the_bot_on_top(emu: Emulator) -> None:
    """Roles made without a position go below the bot's; position=N inserts exactly."""
    guild = emu.create_guild("Harbour")
    a = emu.create_role(guild.id, "A")
    b = emu.create_role(guild.id, "B")
    assert [r.name for r in guild.roles] == ["@everyone", "A", "B", "Hearth"]
    top = emu.create_role(guild.id, "Top", position=10)
    emu.set_role_position(guild.id, a.id, 3)
    assert [r.name for r in guild.roles] == ["@everyone", "B", "Hearth", "A", "Top"]
    assert [r.position for r in guild.roles] == [0, 1, 2, 3, 4]
    assert b.position < guild.bot_role.position < top.position


async def test_channel_permissions_follow_overwrites(emu: Emulator) -> None:
    """@everyone, role and member overwrites apply in Discord's order; admins bypass them."""
    guild = emu.create_guild("Harbour")
    member_role = emu.create_role(guild.id, "Member")
    river = emu.create_user("river")
    sky = emu.create_user("sky")
    emu.add_member(guild.id, river.id, roles=[member_role])
    emu.add_member(guild.id, sky.id, permissions=Permissions.ADMINISTRATOR)
    private = emu.create_channel(
        guild.id,
        "private",
        overwrites=[
            overwrite(guild.everyone_role, deny=Permissions.VIEW_CHANNEL),
            overwrite(member_role, allow=Permissions.VIEW_CHANNEL),
        ],
    )
    world = emu.world
    assert world.permissions_in(private, river.id) & Permissions.VIEW_CHANNEL
    emu.set_channel_overwrites(
        private.id,
        [
            overwrite(guild.everyone_role, deny=Permissions.VIEW_CHANNEL),
            overwrite(member_role, allow=Permissions.VIEW_CHANNEL),
            overwrite(world.members[(guild.id, river.id)], deny=Permissions.SEND_MESSAGES),
        ],
    )
    perms = world.permissions_in(private, river.id)
    assert perms & Permissions.VIEW_CHANNEL and not perms & Permissions.SEND_MESSAGES
    assert world.permissions_in(private, sky.id) == Permissions.ALL
    assert world.permissions_in(private, guild.owner_id) == Permissions.ALL
    assert emu.world.members[(guild.id, sky.id)].permissions == Permissions.ALL


async def test_driver_refuses_what_discord_would_not_allow(emu: Emulator) -> None:
    """No bot connected, unknown users or non-members raise EmulatorUsageError."""
    guild = emu.create_guild("Harbour")
    emu.create_channel(guild.id, "welcome")
    outsider = emu.create_user("outsider")
    with pytest.raises(EmulatorUsageError, match="not a member"):
        await emu.slash(outsider.id, "ping", guild_id=guild.id)
    with pytest.raises(EmulatorUsageError, match="no registered command"):
        await emu.slash(guild.owner_id, "ping", guild_id=guild.id)
    with pytest.raises(EmulatorUsageError, match="already in"):
        emu.add_member(guild.id, guild.owner_id)

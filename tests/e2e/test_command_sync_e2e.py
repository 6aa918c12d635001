"""Commands are registered with Discord only when they changed, so restarts spend no budget."""

from __future__ import annotations

from emulator import Emulator
from tests.e2e.conftest import Community, StartHearth


def registrations(emu: Emulator) -> int:
    """Return how many bulk command registrations (PUT .../commands) Discord was sent."""
    return sum(1 for r in emu.requests if r.method == "PUT" and r.path.endswith("/commands"))


async def test_a_restart_with_the_same_commands_registers_nothing(
    emu: Emulator, community: Community, start_hearth: StartHearth
) -> None:
    """First start: one registration; a restart with the same commands: none, only a look."""
    await start_hearth()
    assert registrations(emu) == 1
    await start_hearth()
    assert registrations(emu) == 1
    assert any(r.method == "GET" and r.path.endswith("/commands") for r in emu.requests)


async def test_commands_missing_on_discord_are_registered_again(
    emu: Emulator, community: Community, start_hearth: StartHearth
) -> None:
    """If Discord lost the commands (deleted by hand), the next start registers them again."""
    await start_hearth()
    emu.world.commands.clear()
    await start_hearth()
    assert registrations(emu) == 2

"""A local Discord (REST + gateway) that the real discord.py logs into, with a test driver."""

from emulator.driver import Emulator
from emulator.errors import ApiError, EmulatorUsageError
from emulator.handle import Choices, InteractionHandle
from emulator.permissions import Permissions
from emulator.recording import RecordedRequest
from emulator.world import Channel, Guild, Member, Role, User, World, overwrite

__all__ = [
    "ApiError",
    "Channel",
    "Choices",
    "Emulator",
    "EmulatorUsageError",
    "Guild",
    "InteractionHandle",
    "Member",
    "Permissions",
    "RecordedRequest",
    "Role",
    "User",
    "World",
    "overwrite",
]

"""A local Discord (REST + gateway) that the real discord.py logs into, with a test driver."""

from emulator.driver import Emulator
from emulator.enums import (
    ButtonStyle,
    CallbackType,
    ChannelType,
    ComponentType,
    InteractionType,
    MessageFlag,
    OptionType,
)
from emulator.errors import ApiError, EmulatorUsageError
from emulator.handle import Choices, InteractionHandle
from emulator.permissions import Permissions
from emulator.recording import RecordedRequest
from emulator.world import Channel, Guild, Member, Role, User, World, overwrite

__all__ = [
    "ApiError",
    "ButtonStyle",
    "CallbackType",
    "Channel",
    "ChannelType",
    "Choices",
    "ComponentType",
    "Emulator",
    "EmulatorUsageError",
    "Guild",
    "InteractionHandle",
    "InteractionType",
    "Member",
    "MessageFlag",
    "OptionType",
    "Permissions",
    "RecordedRequest",
    "Role",
    "User",
    "World",
    "overwrite",
]

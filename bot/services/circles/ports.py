"""The Discord side of the circle workflows, as small ports the circles cog implements.

The workflows (announcing, reminders, the room's doors, the talking order, opening and
closing) decide what happens and record it; a port only posts, edits, finds and changes
overwrites, with discord.py's public API, and says what happened in these terms. Anything
Discord refuses or fails is raised as a `PortError` (so no workflow needs to know discord.py).
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.room_overwrites import Overwrite
from bot.services.circles.values import (
    Cancellation,
    Delivery,
    Meeting,
    PromotionNotice,
    Reminder,
    TalkingOrder,
    TargetKind,
)


class PortError(Exception):
    """Discord did not do what the port was asked to (it failed or refused)."""


class NotThere(PortError):
    """What the port was asked to use (a channel, event, role or member) is not there."""


class NotPermitted(PortError):
    """Discord refused: Hearth lacks a permission for it."""


class AnnouncePort(Protocol):
    """Posts and follows meeting announcements and their Discord scheduled events."""

    def serves(self, guild_id: int) -> bool:
        """Say whether Hearth is in this server (this process can reach it)."""
        ...

    async def post_announcement(self, channel_id: int, meeting: Meeting) -> int:
        """Post a meeting's announcement with its RSVP buttons; return the message id.

        NotThere if the channel is not a text channel Hearth can see.
        """
        ...

    async def find_announcement(self, channel_id: int, meeting: Meeting) -> int | None:
        """Return the id of an announcement of this meeting Hearth already posted, if any.

        NotThere if the channel is not a text channel Hearth can see.
        """
        ...

    async def show_announcement(self, channel_id: int, message_id: int, meeting: Meeting) -> None:
        """Bring an announcement up to date (time, headcount)."""
        ...

    async def cancel_announcement(
        self, channel_id: int, message_id: int, meeting: Meeting, why: Cancellation
    ) -> None:
        """Mark an announcement as not taking place, without its buttons."""
        ...

    async def create_event(self, guild_id: int, meeting: Meeting) -> int:
        """Mirror a meeting as a Discord scheduled event on its voice channel; return its id."""
        ...

    async def find_event(self, guild_id: int, meeting: Meeting) -> int | None:
        """Return the id of a scheduled event Hearth already made for this meeting, if any."""
        ...

    async def move_event(self, guild_id: int, event_id: int, meeting: Meeting) -> None:
        """Bring a scheduled event to the meeting's time."""
        ...

    async def cancel_event(self, guild_id: int, event_id: int) -> None:
        """Cancel a scheduled event."""
        ...

    async def delete_event(self, guild_id: int, event_id: int) -> None:
        """Delete a scheduled event (NotThere if it is gone already)."""
        ...


class ReminderPort(Protocol):
    """Sends members their private circle messages."""

    async def send_reminder(self, reminder: Reminder) -> Delivery:
        """Send one reminder privately, with its nonce."""
        ...

    async def tell_promoted(self, notice: PromotionNotice) -> Delivery:
        """Tell a member privately that a place opened up and it is theirs."""
        ...


class RoomPort(Protocol):
    """Reads and changes a voice room's permission overwrites."""

    async def room_overwrites(
        self, guild_id: int, voice_id: int, *, fresh: bool
    ) -> dict[int, Overwrite] | None:
        """Return the voice room's overwrites by target id (None: no such voice room).

        `fresh` asks Discord rather than the cache.
        """
        ...

    def has_role(self, guild_id: int, role_id: int) -> bool:
        """Say whether the server has this role."""
        ...

    async def write_overwrite(
        self,
        guild_id: int,
        voice_id: int,
        target_id: int,
        kind: TargetKind,
        overwrite: Overwrite | None,
        reason: str,
    ) -> None:
        """Set one overwrite of the room (None removes it)."""
        ...


class BoardPort(Protocol):
    """Posts and edits the one talking-order message of a meeting."""

    async def find_order(self, channel_id: int, order: TalkingOrder) -> int | None:
        """Return the id of a talking order of this meeting Hearth already posted there.

        NotThere if the channel is not one Hearth can post in (a text or voice channel).
        """
        ...

    async def post_order(self, channel_id: int, order: TalkingOrder) -> int:
        """Post the talking order with its buttons; return the message id (NotThere as above)."""
        ...

    async def show_order(self, channel_id: int, message_id: int, order: TalkingOrder) -> None:
        """Bring the talking order up to date (without buttons once the circle closed)."""
        ...


class HoldingPort(Protocol):
    """Posts what the circles channel hears when a meeting opens and closes."""

    async def post_opening(
        self, channel_id: int, meeting: Meeting, *, yes_only: bool, points: tuple[str, ...]
    ) -> None:
        """Post that the room is open, with the agreement in short (NotThere: no such channel)."""
        ...

    async def post_closing(self, channel_id: int, meeting: Meeting, *, minimum: int) -> None:
        """Post that the meeting has closed, with the anonymous feedback button (NotThere too)."""
        ...

"""Opening and closing a circle's voice room on Discord, and giving it back as it was.

Opening changes only View Channel and Connect, in the member role's overwrite (or, for a room
open only to those who said yes, also in one overwrite per yes). Every change is recorded in
the database before it is made (`bot.services.circle_overwrites`), and closing puts back what
is still as opening left it: a room the moderators keep hidden is hidden again, an overwrite
opening added is removed, and whatever a moderator changed meanwhile stays as they set it.
"""

from __future__ import annotations

import contextlib
import logging

import discord

from bot.client import HearthBot
from bot.domain.room_overwrites import CONNECT, VIEW_CHANNEL, Overwrite, opened, restored
from bot.services.circle_overwrites import MEMBER, ROLE, RoomChange
from bot.services.circles import CircleService, HoldOutcome

log = logging.getLogger(__name__)

VoiceRoom = discord.VoiceChannel | discord.StageChannel


def current_overwrites(channel: discord.abc.GuildChannel) -> dict[int, Overwrite]:
    """Return the channel's overwrites by target id, as Discord (or the cache) has them."""
    found = {}
    for target, overwrite in channel.overwrites.items():
        allow, deny = overwrite.pair()
        found[target.id] = Overwrite(allow.value, deny.value)
    return found


class RoomDoors:
    """Open, close and let people into a circle's voice room, recording what it changes."""

    def __init__(self, bot: HearthBot, circles: CircleService) -> None:
        self.bot = bot
        self.circles = circles

    async def _write(
        self, channel_id: int, change: RoomChange, target: Overwrite | None, reason: str
    ) -> None:
        if target is None:
            with contextlib.suppress(discord.NotFound):
                await self.bot.http.delete_channel_permissions(
                    channel_id, change.target_id, reason=reason
                )
            return
        await self.bot.http.edit_channel_permissions(
            channel_id,
            change.target_id,
            str(target.allow),
            str(target.deny),
            change.target_type,  # type: ignore[arg-type]  # 0 role, 1 member
            reason=reason,
        )

    async def open(self, voice: VoiceRoom, held: HoldOutcome, role_id: int) -> None:
        """Let the member role in (or, yes-only, each yes in and the role only see the room)."""
        reason = "Circle opened"
        now = current_overwrites(voice)
        role_bits = (VIEW_CHANNEL, CONNECT) if held.yes_only else (VIEW_CHANNEL | CONNECT, 0)
        changes = [
            RoomChange(role_id, ROLE, now.get(role_id), opened(now.get(role_id), *role_bits))
        ]
        if held.yes_only:
            changes += [
                RoomChange(u, MEMBER, now.get(u), opened(now.get(u), VIEW_CHANNEL | CONNECT, 0))
                for u in held.going
            ]
        await self.circles.record_room_changes(held.order.occurrence_id, changes)
        for change in changes:
            if now.get(change.target_id) != change.written:
                await self._write(voice.id, change, change.written, reason)

    async def let_in(
        self, guild: discord.Guild, occurrence_id: int, voice_id: int, user_ids: tuple[int, ...]
    ) -> None:
        """Give members who said yes late their own way into a room open only to yeses."""
        voice = guild.get_channel(voice_id)
        if voice is None:
            with contextlib.suppress(discord.HTTPException):
                voice = await guild.fetch_channel(voice_id)
        now = current_overwrites(voice) if isinstance(voice, discord.abc.GuildChannel) else {}
        changes = [
            RoomChange(u, MEMBER, now.get(u), opened(now.get(u), VIEW_CHANNEL | CONNECT, 0))
            for u in user_ids
        ]
        await self.circles.record_room_changes(occurrence_id, changes)
        for change in changes:
            if now.get(change.target_id) == change.written:
                continue
            try:
                await self._write(voice_id, change, change.written, "Said yes to an open circle")
            except discord.HTTPException:
                log.warning("Could not let a member into an open circle room")

    async def close(self, voice: VoiceRoom, occurrence_id: int) -> None:
        """Put back what opening changed and nobody has changed since; forget what was put back."""
        reason = "Circle closed"
        now = current_overwrites(voice)
        done: list[int] = []
        try:
            for change in await self.circles.room_changes(occurrence_id):
                current = now.get(change.target_id)
                target = restored(change.before, change.written, current)
                if target != current:
                    # A role or member that is gone has nothing to put back.
                    with contextlib.suppress(discord.NotFound):
                        await self._write(voice.id, change, target, reason)
                done.append(change.target_id)
        finally:
            await self.circles.forget_room_changes(occurrence_id, done)

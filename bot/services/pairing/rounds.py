"""The `pairing.rounds` job: start due rounds, ask (double opt-in), introduce, tell the rest.

Each step on Discord goes through `RoundPort`, which the cog side implements; each is recorded
through the service as it happens, so running a round again after any interruption neither
doubles a thread or a message nor drops a group. Where a step may have happened just before a
stop (a thread made, an invitation sent), Discord is looked at before doing it again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bot.errors import NotConfigured
from bot.services.pairing.service import PairingService
from bot.services.pairing.values import READY, UNREACHABLE, Group, Invitation, Notice, RoundPlan

log = logging.getLogger(__name__)

ROUNDS_JOB = "pairing.rounds"
ROUNDS_SECONDS = 60


class RoundStopped(Exception):
    """Discord refused a step of the round (its HTTP status); the next run resumes it."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Discord answered {status}")
        self.status = status


class RoundPort(Protocol):
    """The Discord side of a round. Methods marked *stops* raise RoundStopped if Discord refuses."""

    def has_guild(self, guild_id: int) -> bool:
        """Say whether Hearth is in the server."""
        ...

    def is_pairing_channel(self, guild_id: int, channel_id: int | None) -> bool:
        """Say whether the channel exists in the server as a text channel."""
        ...

    async def is_member(self, guild_id: int, user_id: int) -> bool:
        """Say whether the person is still in the server (*stops*)."""
        ...

    async def find_thread(self, guild_id: int, thread_id: int) -> int | None:
        """Return the thread's id if it still exists as a thread (*stops*)."""
        ...

    async def find_thread_for(self, guild_id: int, channel_id: int, group: Group) -> int | None:
        """Return the id of the channel's active thread named for the group, if any (*stops*)."""
        ...

    async def open_thread(self, guild_id: int, channel_id: int, group: Group) -> int:
        """Make the group's private thread in the channel and return its id (*stops*)."""
        ...

    async def welcome(
        self, guild_id: int, thread_id: int, group: Group, *, look_first: bool
    ) -> None:
        """Add exactly the group's members and post the introduction (*stops*).

        With `look_first`, an introduction Hearth already posted there is not posted again.
        """
        ...

    async def invitation_sent(self, invitation: Invitation) -> bool:
        """Say whether the member already has this invitation (False if Discord can't tell)."""
        ...

    async def send_invitation(self, invitation: Invitation, group: Group | None) -> str | None:
        """Ask the member privately; return why it could not be sent, or None."""
        ...

    async def send_notice(self, notice: Notice) -> str | None:
        """Tell the member privately; return why it could not be sent, or None."""
        ...


class RoundWork:
    """Carries every round forward, one round at a time, each step once."""

    def __init__(self, pairing: PairingService, port: RoundPort) -> None:
        self._pairing = pairing
        self._port = port
        self._locks: dict[int, asyncio.Lock] = {}
        self._warned: set[int] = set()

    async def run(self) -> None:
        """Start each server's due round, then carry every unfinished round forward."""
        for guild_id, slot in await self._pairing.due_rounds():
            try:
                await self._pairing.start_round(guild_id, slot)
            except NotConfigured:
                continue
        for round_id in await self._pairing.unfinished_rounds():
            await self.process(round_id)

    async def process(self, round_id: int) -> None:
        """Ask, introduce and tell, each step once; safe to run again after any interruption."""
        async with self._locks.setdefault(round_id, asyncio.Lock()):
            plan = await self._pairing.round_plan(round_id)
            if not self._port.has_guild(plan.guild_id):
                return
            if plan.double_opt_in:
                await self._invite_all(plan)
                plan = await self._pairing.round_plan(round_id)
            if not await self._introduce_all(plan):
                return
            for notice in await self._pairing.claim_notices(round_id):
                await self._pairing.record_notice(notice.id, await self._port.send_notice(notice))
            await self._pairing.finish_round(round_id)

    async def _invite_all(self, plan: RoundPlan) -> None:
        called_off: set[int] = set()
        for invitation in await self._pairing.claim_invitations(plan.id):
            if invitation.group_id in called_off:
                continue
            group = next((g for g in plan.groups if g.id == invitation.group_id), None)
            if not await self._invite(invitation, group):
                called_off.add(invitation.group_id)

    async def _invite(self, invitation: Invitation, group: Group | None) -> bool:
        """Ask one member; if they can't be reached, call the match off and return False."""
        if invitation.resumed and await self._port.invitation_sent(invitation):
            await self._pairing.confirm_invitation(invitation.row_id)
            return True  # it went out before Hearth stopped
        failure = await self._port.send_invitation(invitation, group)
        await self._pairing.confirm_invitation(invitation.row_id)
        if failure is not None:
            await self._pairing.respond(invitation.row_id, invitation.user_id, UNREACHABLE)
            return False
        return True

    async def _introduce_all(self, plan: RoundPlan) -> bool:
        """Introduce every group that is ready; return False if the round has to wait."""
        ready = [g for g in plan.groups if g.status == READY]
        if ready and not self._port.is_pairing_channel(plan.guild_id, plan.channel_id):
            if plan.id not in self._warned:
                self._warned.add(plan.id)
                log.warning(
                    "Pairing round %s in guild %s waits: the pairing channel is missing",
                    plan.number,
                    plan.guild_id,
                )
            return False
        channel_id = plan.channel_id or 0
        for group in ready:
            try:
                if group.thread_id is None and await self._drop_departed(group):
                    continue
                await self.introduce(channel_id, group)
            except RoundStopped as error:
                log.warning(
                    "Pairing round %s in guild %s stopped at group %s (HTTP %s); it will resume",
                    plan.number,
                    plan.guild_id,
                    group.position,
                    error.status,
                )
                return False
        return True

    async def _drop_departed(self, group: Group) -> bool:
        """Take members who left the server out of pairing; return whether any had."""
        gone = [u for u in group.user_ids if not await self._port.is_member(group.guild_id, u)]
        for user_id in gone:
            # Their profile goes as with /pair leave; the others are told kindly, first next time.
            await self._pairing.leave(group.guild_id, user_id)
        return bool(gone)

    async def introduce(self, channel_id: int, group: Group) -> None:
        """Make the group's private thread (once), add exactly its members, and introduce them."""
        port, guild_id = self._port, group.guild_id
        thread_id: int | None = None
        resumed = group.thread_id is not None or group.thread_requested
        if group.thread_id is not None:
            thread_id = await port.find_thread(guild_id, group.thread_id)  # None: deleted
        elif group.thread_requested:
            thread_id = await port.find_thread_for(guild_id, channel_id, group)
            if thread_id is not None:
                await self._pairing.record_thread(group.id, thread_id)
        if thread_id is None:
            await self._pairing.request_thread(group.id)
            thread_id = await port.open_thread(guild_id, channel_id, group)
            await self._pairing.record_thread(group.id, thread_id)
        await port.welcome(guild_id, thread_id, group, look_first=resumed)
        await self._pairing.mark_introduced(group.id)

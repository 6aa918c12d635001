"""The delivery workflow: post due check-ins in order, recover after a crash, and tidy.

The service decides what is posted, when to retry, when to give up and tell the author, and how
to finish a check-in a stopped process left half-done (look in the channel before posting
again; a reply thread found is recorded, never doubled). The port (the check-ins cog, on
discord.py's public API) only posts, finds, opens threads and deletes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Protocol

from bot.clock import Clock
from bot.i18n import N_
from bot.ops.refusals import log_failure
from bot.services.checkins.queue import DeliveryQueue
from bot.services.checkins.service import CheckinService
from bot.services.checkins.values import (
    Delivery,
    DeliveryFailure,
    FoundPost,
    Notice,
    Posted,
    PostToDelete,
)

log = logging.getLogger(__name__)

CLOSING_GRACE_SECONDS = 10


class Unreachable(Exception):
    """Discord could not be reached, or refused for now: nothing is known; try again later."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Refused(Exception):
    """Discord refused for good (Hearth lacks a permission): trying again would not help."""


class DeliveryPort(Protocol):
    """What delivering check-ins needs from Discord (the check-ins cog implements it)."""

    def ready(self) -> bool:
        """Return whether Discord is connected, so posting makes sense now."""
        ...

    async def post(self, delivery: Delivery) -> int:
        """Post the check-in in its channel; return the message id, or raise Unreachable."""
        ...

    async def open_thread(self, delivery: Delivery, message_id: int) -> int | None:
        """Open the reply thread under the post; return its id (the one already there, if any).

        None when Discord refused: the post stays without a thread.
        """
        ...

    async def find_post(self, delivery: Delivery) -> FoundPost | None:
        """Look for this check-in among Hearth's recent posts in its channel.

        Raise Unreachable when the channel could not be read (posting again could double it).
        """
        ...

    async def note_for_moderators(self, delivery: Delivery, message_id: int) -> None:
        """Post the content-free note that a check-in may need attention (once, even on retry).

        Raise Refused when there is no private alerts channel, Unreachable when Discord failed.
        """
        ...

    async def tell_author(self, guild_id: int, user_id: int, notice: Notice) -> bool:
        """Send a member a private message (in the server's language); return whether it went."""
        ...

    async def delete_post(self, post: PostToDelete) -> None:
        """Delete a post and its thread (done when already gone); raise Refused or Unreachable."""
        ...


def gave_up_notice(created_at: datetime) -> Notice:
    """Return what the author is told when their check-in could not be posted for a day."""
    return Notice(
        N_(
            "Your anonymous check-in from %(when)s couldn't be posted: Discord kept refusing it "
            "for a day, so Hearth stopped trying. Nothing was posted, and your note has been "
            "erased. You're welcome to try again with `/checkin share`, or let a moderator know "
            "the check-in channel isn't working."
        ),
        {"when": f"<t:{int(created_at.timestamp())}:f>"},
    )


class CheckinDelivery:
    """Posts queued check-ins through the port, one run at a time, and forgets on schedule."""

    def __init__(
        self,
        queue: DeliveryQueue,
        checkins: CheckinService,
        port: DeliveryPort,
        clock: Clock,
        run_job: Callable[[], Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        self._queue = queue
        self._checkins = checkins
        self._port = port
        self._clock = clock
        # How a run is started outside the schedule (the scheduler's run_now, so it is tracked).
        self._run_job = run_job or self.run
        self._delivering = asyncio.Lock()
        self._kicked = False
        self._recovered = False
        self._closing = False
        self._tasks: set[asyncio.Task[None]] = set()

    def queued(self, due_at: datetime) -> None:
        """Deliver a just-queued check-in now if it is due already (no delay in this server)."""
        if due_at <= self._clock.now():
            self.kick()

    def kick(self) -> None:
        """Ask for a delivery run now; a run under way picks the new work up instead."""
        if self._closing:
            return  # claimed on the next start
        if self._delivering.locked():
            self._kicked = True
        else:
            self._spawn(self._run_job())

    async def close(self) -> None:
        """Start no new work; let deliveries under way finish before Discord closes."""
        self._closing = True
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=CLOSING_GRACE_SECONDS)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ----- delivering ------------------------------------------------------------------------
    async def run(self) -> None:
        """Post every due check-in, in order per channel; recover any a restart interrupted."""
        if self._closing or not self._port.ready():
            return  # the scheduler runs every job at start-up; wait for the next turn
        async with self._delivering:
            if not self._recovered:  # claims an earlier process left half-done
                left = [d for d in await self._queue.interrupted() if not await self._recover(d)]
                self._recovered = not left
            done: list[Posted] = []  # posted, marked with the next claim (one commit per run)
            try:
                while not self._closing:
                    self._kicked = False
                    batch = await self._queue.claim_due(posted=done)
                    done = []
                    if not batch and not self._kicked:
                        break
                    await self._post_batch(batch, done)
            finally:
                await self._queue.mark_posted(done)

    async def _post_batch(self, batch: list[Delivery], done: list[Posted]) -> None:
        """Post claimed check-ins in order; behind one that failed, its channel's queue waits."""
        stalled: set[int] = set()
        for delivery in batch:
            if delivery.guild_id in stalled:  # behind one that failed: keep order
                await self._queue.release(delivery.checkin_id, attempted=False)
                continue
            try:
                if not await self._deliver(delivery, done):
                    stalled.add(delivery.guild_id)
            except Exception as error:
                # Left claimed: the next run checks the channel before posting again.
                log_failure(
                    log,
                    logging.ERROR,
                    "Delivering check-in %s failed",
                    delivery.checkin_id,
                    error=error,
                )
                self._recovered = False
                stalled.add(delivery.guild_id)

    async def _recover(self, delivery: Delivery) -> bool:
        """Finish a check-in a previous run claimed: posted already, or back in the queue."""
        found = None
        if delivery.channel_id is not None:
            try:
                found = await self._port.find_post(delivery)
            except Unreachable:
                log.warning(
                    "Could not check whether check-in %s was posted; later", delivery.checkin_id
                )
                return False  # never guess: posting again could post it twice
        if found is None:
            await self._queue.release(delivery.checkin_id)
            return True
        thread_id = found.thread_id
        if thread_id is None:
            thread_id = await self._open_thread(delivery, found.message_id)
        await self._queue.posted(delivery.checkin_id, found.message_id, thread_id)
        await self._after_posting(delivery, found.message_id)
        return True

    async def _deliver(self, delivery: Delivery, done: list[Posted]) -> bool:
        """Post one check-in (and its thread), adding it to `done`; return whether it was posted."""
        try:
            if delivery.channel_id is None:
                raise Unreachable("no check-in channel")
            message_id = await self._port.post(delivery)
        except Unreachable as error:
            log.warning("Posting check-in %s failed (%s)", delivery.checkin_id, error.reason)
            failure = await self._queue.failed(delivery.checkin_id)
            await self._tell_author(failure)
            return failure.gave_up  # given up: the queue behind it moves on
        thread_id = await self._open_thread(delivery, message_id)
        done.append(Posted(delivery.checkin_id, message_id, thread_id))
        await self._after_posting(delivery, message_id)
        return True

    async def _open_thread(self, delivery: Delivery, message_id: int) -> int | None:
        """Open the reply thread under a posted check-in, if the server wants them."""
        if not delivery.threads or delivery.channel_id is None:
            return None
        return await self._port.open_thread(delivery, message_id)

    async def _after_posting(self, delivery: Delivery, message_id: int) -> None:
        """Do what follows a post, however it was found: the moderators' note, if one is owed."""
        if not delivery.alert_moderators:
            return
        if delivery.channel_id:
            try:
                await self._port.note_for_moderators(delivery, message_id)
            except Refused:
                log.warning(
                    "No private alerts channel in guild %s for a detection note", delivery.guild_id
                )
            except Unreachable:
                log.warning("Could not post a detection note for check-in %s", delivery.checkin_id)
        await self._queue.alert_sent(delivery.checkin_id)

    async def _tell_author(self, failure: DeliveryFailure) -> None:
        """After a day of failures, tell the author privately instead of vanishing."""
        if not failure.gave_up:
            return
        notice = gave_up_notice(failure.created_at)
        if failure.author_id is not None and await self._port.tell_author(
            failure.guild_id, failure.author_id, notice
        ):
            return
        await self._checkins.leave_notice(failure.checkin_id, notice)

    # ----- forgetting ------------------------------------------------------------------------
    async def tidy(self) -> None:
        """Forget on schedule: destroy old keys, erase notes, delete posts whose time is up."""
        if not self._port.ready():
            return
        await self._queue.tidy()
        retry = []
        for post in await self._queue.claim_post_deletions():
            try:
                await self._port.delete_post(post)
            except Refused:
                log.warning("Not allowed to delete an expired check-in post %s", post.checkin_id)
            except Unreachable:
                retry.append(post.checkin_id)
        if retry:
            await self._queue.post_deletion_failed(retry)

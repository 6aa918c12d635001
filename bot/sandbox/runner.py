"""Run the real Hearth in the sandbox: start it, restart it, and move its clock ahead."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.app import Hearth, build, migrate
from bot.config import Settings
from bot.domain.helplines_loader import CrisisData
from bot.sandbox.clock import SandboxClock

log = logging.getLogger(__name__)

STEP = timedelta(minutes=15)
"""Skipping ahead moves the clock in steps of this much sandbox time.

Fifteen minutes is the shortest gap Hearth plans around (a circle's last reminder). Jobs that
Hearth runs every minute or more often (delivery, reminders, rounds) run at every step;
housekeeping registered at longer intervals runs every sandbox hour; every job runs at the end.
"""
HOUSEKEEPING = timedelta(hours=1)


def cadence(interval_seconds: float) -> timedelta:
    """Return how often, in sandbox time, a skip runs a job registered at this interval."""
    return max(STEP, min(HOUSEKEEPING, timedelta(seconds=interval_seconds * 12)))


READY_TIMEOUT_S = 60.0
STARTING, READY, RESTARTING, STOPPED = "starting", "ready", "restarting", "stopped"


class HearthFailed(RuntimeError):
    """Hearth stopped or never became ready; the message says why in one line."""


@dataclass(frozen=True)
class SkipReport:
    """What a skip did: where the clock is now and how many job runs it took."""

    now: datetime
    steps: int
    job_runs: int


Progress = Callable[[datetime], None]


class HearthRunner:
    """One Hearth at a time, built exactly as `python -m bot` builds it, on the sandbox's clock."""

    def __init__(
        self,
        settings: Settings,
        clock: SandboxClock,
        crisis_data: CrisisData,
        on_state: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.crisis_data = crisis_data
        self.hearth: Hearth | None = None
        self.state = STOPPED
        self.restarts = 0
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._on_state = on_state or (lambda state: None)

    def _set(self, state: str) -> None:
        self.state = state
        self._on_state(state)

    async def start(self) -> None:
        """Migrate, build and connect Hearth; return once it is ready."""
        async with self._lock:
            self._set(STARTING)
            await self._start()

    async def _start(self) -> None:
        await migrate(self.settings)
        hearth = build(self.settings, clock=self.clock, crisis_data=self.crisis_data)
        task = asyncio.create_task(hearth.bot.start(self.settings.discord_token), name="hearth-bot")
        ready = asyncio.create_task(hearth.bot.wait_until_ready(), name="hearth-ready")
        done, _ = await asyncio.wait(
            {task, ready}, timeout=READY_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            await hearth.close()
            if task.done() and task.exception() is not None:
                error = task.exception()
                raise HearthFailed(f"Hearth stopped while starting ({type(error).__name__})")
            task.cancel()
            raise HearthFailed("Hearth did not become ready in time")
        self.hearth, self._task = hearth, task
        task.add_done_callback(self._stopped_by_itself)
        self._set(READY)

    def _stopped_by_itself(self, task: asyncio.Task[None]) -> None:
        if task is self._task and self.state == READY:
            log.warning("Hearth stopped on its own; use Restart Hearth to start it again")
            self._set(STOPPED)

    async def stop(self) -> None:
        """Close Hearth and wait for it to finish."""
        async with self._lock:
            await self._stop()
            self._set(STOPPED)

    async def _stop(self) -> None:
        hearth, task = self.hearth, self._task
        self.hearth = self._task = None
        if hearth is not None:
            await hearth.close()
        if task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, 10)

    async def restart(self) -> None:
        """Close the running Hearth and start a new one on the same database and world."""
        async with self._lock:
            self._set(RESTARTING)
            await self._stop()
            await self._start()
            self.restarts += 1

    async def skip(self, delta: timedelta, progress: Progress | None = None) -> SkipReport:
        """Move the clock ahead by `delta` in steps, running each job at its cadence and at the end."""
        async with self._lock:
            hearth = self.hearth
            if hearth is None or self.state != READY:
                raise HearthFailed("Hearth isn't running right now")
            scheduler = hearth.scheduler
            every = {job_id: cadence(scheduler.interval(job_id)) for job_id in scheduler.job_ids}
            since = dict.fromkeys(every, timedelta(0))
            remaining = delta
            steps = runs = 0
            while remaining > timedelta(0):
                step = min(STEP, remaining)
                remaining -= step
                self.clock.advance(step)
                for job_id, gap in every.items():
                    since[job_id] += step
                    if since[job_id] >= gap or remaining <= timedelta(0):
                        since[job_id] = timedelta(0)
                        await scheduler.run_now(job_id)
                        runs += 1
                steps += 1
                if progress is not None:
                    progress(self.clock.now())
            return SkipReport(self.clock.now(), steps, runs)

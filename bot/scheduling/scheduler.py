"""APScheduler as a cache of work whose truth lives in the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class JobScheduler:
    """Runs idempotent jobs on intervals; tests run them on demand instead."""

    def __init__(self, *, autostart: bool = True) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._jobs: dict[str, Job] = {}
        self._intervals: dict[str, float] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._autostart = autostart

    def every(self, job_id: str, seconds: float, job: Job) -> None:
        """Register a job to run at start and then every `seconds` (one instance at a time)."""
        if job_id in self._jobs:
            raise ValueError(f"job {job_id!r} registered twice")
        self._jobs[job_id] = self._guard(job_id, job)
        self._intervals[job_id] = seconds
        self._scheduler.add_job(
            self._jobs[job_id],
            "interval",
            seconds=seconds,
            id=job_id,
            name=job_id,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC),
        )

    def _guard(self, job_id: str, job: Job) -> Job:
        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await job()
            except Exception:
                log.exception("Job %s failed; it will run again at its next time", job_id)
            finally:
                if task is not None:
                    self._running.discard(task)

        return run

    async def run_now(self, job_id: str) -> None:
        """Run a job immediately and wait for it (tests, and work that should not wait)."""
        await self._jobs[job_id]()

    def interval(self, job_id: str) -> float:
        """Return the seconds between a job's runs, as registered."""
        return self._intervals[job_id]

    @property
    def job_ids(self) -> list[str]:
        """Return the registered job ids."""
        return sorted(self._jobs)

    def start(self) -> None:
        """Start running jobs (once; a second call does nothing)."""
        if self._autostart and not self._scheduler.running:
            self._scheduler.start()

    async def stop(self, grace: float = 10.0) -> None:
        """Start no new runs, let running jobs finish (up to `grace` seconds), then shut down."""
        if self._scheduler.running:
            self._scheduler.pause()
        running = {task for task in self._running if task is not asyncio.current_task()}
        if running:
            await asyncio.wait(running, timeout=grace)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

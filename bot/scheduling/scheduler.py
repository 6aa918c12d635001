"""APScheduler as a cache of work whose truth lives in the database."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.ops.metrics import Metrics
from bot.ops.refusals import log_failure

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class JobScheduler:
    """Runs idempotent jobs on intervals; tests run them on demand instead."""

    def __init__(self, *, autostart: bool = True, metrics: Metrics | None = None) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._jobs: dict[str, Job] = {}
        self._intervals: dict[str, float] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._autostart = autostart
        self._metrics = metrics
        self._started_at: float | None = None
        self._finished: dict[str, float] = {}  # job id -> when a run last ended (monotonic)
        self._busy: dict[str, int] = {}  # job id -> runs under way

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
            self._busy[job_id] = self._busy.get(job_id, 0) + 1
            began = time.monotonic()
            try:
                await job()
            except Exception as error:
                log_failure(
                    log,
                    logging.ERROR,
                    "Job %s failed; it will run again at its next time",
                    job_id,
                    error=error,
                )
                if self._metrics is not None:
                    self._metrics.job_failures.labels(job_id).inc()
            finally:
                if task is not None:
                    self._running.discard(task)
                self._busy[job_id] -= 1
                self._finished[job_id] = time.monotonic()
                if self._metrics is not None:
                    self._metrics.job_runs.labels(job_id).inc()
                    self._metrics.job_seconds.labels(job_id).observe(time.monotonic() - began)

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
            self._started_at = time.monotonic()

    def overdue(self, slack: float = 60.0) -> list[str]:
        """Return the jobs that have not finished a run for three intervals (plus `slack` s).

        A job still running counts as alive. Empty when jobs do not run on their own (tests).
        """
        if self._started_at is None or not self._scheduler.running:
            return [] if not self._autostart else ["the job scheduler is not running"]
        now = time.monotonic()
        late = []
        for job_id, seconds in self._intervals.items():
            last = self._finished.get(job_id, self._started_at)
            if not self._busy.get(job_id) and now - last > 3 * seconds + slack:
                late.append(f"job {job_id} has not run for {now - last:.0f} s")
        return late

    async def stop(self, grace: float = 10.0) -> None:
        """Start no new runs, let running jobs finish (up to `grace` seconds), then shut down."""
        if self._scheduler.running:
            self._scheduler.pause()
        running = {task for task in self._running if task is not asyncio.current_task()}
        if running:
            await asyncio.wait(running, timeout=grace)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

"""The composition root: settings -> engine (+ migrate) -> services -> scheduler -> bot."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass

import aiohttp
import discord
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.client import EXTENSIONS, HearthBot
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.engine import create_engine, create_read_session_factory, create_session_factory
from bot.db.migrate import upgrade
from bot.domain.helplines_loader import CrisisData
from bot.ops.http import OpsServer
from bot.ops.metrics import Metrics
from bot.scheduling.scheduler import JobScheduler
from bot.services import Services, build_services
from bot.services.crisis import crisis_data_from
from bot.services.pairing import Matcher

log = logging.getLogger(__name__)


@dataclass
class Hearth:
    """Everything one running Hearth is made of."""

    settings: Settings
    engine: AsyncEngine
    services: Services
    scheduler: JobScheduler
    bot: HearthBot
    metrics: Metrics
    ops: OpsServer | None = None

    async def serve_ops(self) -> None:
        """Start the operator's HTTP port, if HEARTH_HTTP_PORT asks for one."""
        if self.settings.http_port is not None and self.ops is None:
            self.ops = OpsServer(
                self.metrics, [self._gateway_problems, self._database_problems, self._job_problems]
            )
            await self.ops.start(self.settings.http_host, self.settings.http_port)

    async def close(self) -> None:
        """Disconnect, let in-flight handlers finish, and release the database."""
        if not self.bot.is_closed():
            await self.bot.close()
        await drain_handlers(grace=5.0)
        await self.services.close()
        if self.ops is not None:
            await self.ops.stop()
        await self.engine.dispose()

    async def _gateway_problems(self) -> list[str]:
        if self.bot.is_closed() or not self.bot.is_ready() or not self.bot.gateway_connected:
            return ["not connected to Discord's gateway"]
        self.metrics.gateway_latency.labels("0").set(self.bot.latency)
        return []

    async def _database_problems(self) -> list[str]:
        try:
            async with self.engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")
        except (DBAPIError, OSError) as error:
            return [f"the database does not answer ({type(error).__name__})"]
        return []

    async def _job_problems(self) -> list[str]:
        return self.scheduler.overdue()


# discord.py runs commands, component callbacks and event listeners as tasks with these names.
HANDLER_TASK_PREFIXES = ("CommandTree-invoker", "discord-ui-", "discord.py: ")


async def drain_handlers(grace: float) -> None:
    """Wait for interaction handlers and listeners still running, so none loses its database."""
    current = asyncio.current_task()
    pending = {
        task
        for task in asyncio.all_tasks()
        if task is not current
        and not task.done()
        and task.get_name().startswith(HANDLER_TASK_PREFIXES)
    }
    if pending:
        await asyncio.wait(pending, timeout=grace)


def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    autostart_jobs: bool = True,
    extensions: tuple[str, ...] = EXTENSIONS,
    crisis_data: CrisisData | None = None,
    matcher: Matcher | None = None,
) -> Hearth:
    """Build Hearth from settings (the database must already be migrated).

    Tests may pass a `matcher` (pairing rounds matched inline, say) instead of the worker process.
    """
    crisis_data = crisis_data or load_data(settings)
    engine = create_engine(settings.database_url)
    services = build_services(
        create_session_factory(engine),
        clock or SystemClock(),
        crisis_data,
        reads=create_read_session_factory(engine),
        matcher=matcher,
    )
    metrics = Metrics()
    scheduler = JobScheduler(autostart=autostart_jobs, metrics=metrics)
    bot = HearthBot(settings, services, scheduler, extensions, metrics=metrics)
    return Hearth(settings, engine, services, scheduler, bot, metrics)


def load_data(settings: Settings) -> CrisisData:
    """Load and validate the crisis datasets; raise DatasetError or PhraseSetError if malformed.

    Call it before the event loop starts, or through `asyncio.to_thread`.
    """
    return crisis_data_from(settings.crisis_data_dir)


async def migrate(settings: Settings) -> None:
    """Apply migrations to head without blocking the event loop."""
    await asyncio.to_thread(upgrade, settings.database_url)


# Waits between attempts while Discord (or a PostgreSQL server) can't be reached at start:
# doubling from 1 s up to a minute, for as long as it takes (a host may boot before its network).
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0


class StartupError(Exception):
    """Start-up cannot go on; the message is one line for the operator, without secrets."""


def _backoff() -> Iterator[float]:
    delay = FIRST_RETRY_SECONDS
    while True:
        yield delay
        delay = min(delay * 2, LONGEST_RETRY_SECONDS)


def _unreachable(error: BaseException) -> str | None:
    """Say why a server could not be reached, or None if the error is something else."""
    if isinstance(error, DBAPIError):
        error = error.orig if isinstance(error.orig, BaseException) else error
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return f"name lookup failed for {error.host}"
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"no connection to {error.host}:{error.port}"
    if isinstance(error, discord.DiscordServerError):
        return f"Discord answered {error.status}"
    if isinstance(error, ConnectionError | TimeoutError | aiohttp.ClientConnectionError):
        return type(error).__name__
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError | PermissionError):
        return error.strerror or type(error).__name__
    return None


async def _wait(seconds: float, stopping: asyncio.Event) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)


async def _migrate_when_reachable(settings: Settings, stopping: asyncio.Event) -> bool:
    """Migrate, retrying while the database server can't be reached; False if stopped first."""
    for delay in _backoff():
        try:
            await migrate(settings)
            return True
        except (DBAPIError, OSError) as error:
            reason = _unreachable(error) if not settings.database_url.startswith("sqlite") else None
            if reason is None:
                detail = error.orig if isinstance(error, DBAPIError) else error
                raise StartupError(f"the database could not be opened ({detail})") from None
            log.warning("Can't reach the database (%s); trying again in %.0f s", reason, delay)
        await _wait(delay, stopping)
        if stopping.is_set():
            return False
    return False  # pragma: no cover - _backoff never ends


async def _serve(hearth: Hearth, stopping: asyncio.Event) -> str | None:
    """Run the bot until stopped; return why Discord was unreachable if it could not log in."""
    await hearth.serve_ops()
    runner = asyncio.create_task(hearth.bot.start(hearth.settings.discord_token), name="hearth-bot")
    waiter = asyncio.create_task(stopping.wait(), name="hearth-stop")
    try:
        done, _ = await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            error = runner.exception()
            if error is None:
                return None
            reason = _unreachable(error)
            if reason is None or hearth.bot.user is not None:
                raise error
            return reason
        log.info("Shutting down")
        return None
    finally:
        waiter.cancel()
        await hearth.close()
        if not runner.done():
            runner.cancel()


async def run(settings: Settings, crisis_data: CrisisData | None = None) -> None:
    """Check the data, migrate, build and run until SIGTERM or SIGINT, then shut down cleanly.

    While Discord or the database server can't be reached, try again with a growing wait
    (one log line per attempt) until they can or Hearth is stopped.
    """
    # Reading and checking the datasets takes tens of milliseconds of Python: not on the loop.
    crisis_data = crisis_data or await asyncio.to_thread(load_data, settings)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    try:
        if not await _migrate_when_reachable(settings, stopping):
            return
        delays = _backoff()
        while not stopping.is_set():
            reason = await _serve(build(settings, crisis_data=crisis_data), stopping)
            if reason is None:
                return
            delay = next(delays)
            log.warning("Can't reach Discord (%s); trying again in %.0f s", reason, delay)
            await _wait(delay, stopping)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)

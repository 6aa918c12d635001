"""The composition root: settings -> engine (+ migrate) -> services -> scheduler -> bot."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.client import EXTENSIONS, HearthBot
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.engine import create_engine, create_read_session_factory, create_session_factory
from bot.db.migrate import upgrade
from bot.domain.helplines_loader import CrisisData
from bot.scheduling.scheduler import JobScheduler
from bot.services import Services, build_services
from bot.services.crisis import crisis_data_from

log = logging.getLogger(__name__)


@dataclass
class Hearth:
    """Everything one running Hearth is made of."""

    settings: Settings
    engine: AsyncEngine
    services: Services
    scheduler: JobScheduler
    bot: HearthBot

    async def close(self) -> None:
        """Disconnect, let in-flight handlers finish, and release the database."""
        if not self.bot.is_closed():
            await self.bot.close()
        await drain_handlers(grace=5.0)
        await self.services.close()
        await self.engine.dispose()


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
) -> Hearth:
    """Build Hearth from settings (the database must already be migrated)."""
    crisis_data = crisis_data or load_data(settings)
    engine = create_engine(settings.database_url)
    services = build_services(
        create_session_factory(engine),
        clock or SystemClock(),
        crisis_data,
        reads=create_read_session_factory(engine),
    )
    scheduler = JobScheduler(autostart=autostart_jobs)
    bot = HearthBot(settings, services, scheduler, extensions)
    return Hearth(settings, engine, services, scheduler, bot)


def load_data(settings: Settings) -> CrisisData:
    """Load and validate the crisis datasets; raise DatasetError or PhraseSetError if malformed."""
    return crisis_data_from(settings.crisis_data_dir)


async def migrate(settings: Settings) -> None:
    """Apply migrations to head without blocking the event loop."""
    await asyncio.to_thread(upgrade, settings.database_url)


async def run(settings: Settings, crisis_data: CrisisData | None = None) -> None:
    """Check the data, migrate, build and run until SIGTERM or SIGINT, then shut down cleanly."""
    crisis_data = crisis_data or load_data(settings)
    await migrate(settings)
    hearth = build(settings, crisis_data=crisis_data)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    runner = asyncio.create_task(hearth.bot.start(settings.discord_token), name="hearth-bot")
    waiter = asyncio.create_task(stopping.wait(), name="hearth-stop")
    try:
        done, _ = await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()
        else:
            log.info("Shutting down")
    finally:
        waiter.cancel()
        await hearth.close()
        if not runner.done():
            runner.cancel()

"""The Discord client: loads the cogs, keeps persistent views, starts and stops the scheduler."""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
from contextlib import suppress

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.i18n import HearthTranslator
from bot.ops.metrics import Metrics
from bot.scheduling.scheduler import JobScheduler
from bot.services import Services
from bot.ui import NO_MENTIONS, keep_deadline, report_error

log = logging.getLogger(__name__)

EXTENSIONS = (
    "cogs.setup",
    "cogs.agreement",
    "cogs.privacy",
    "cogs.crisis",
    "cogs.checkins",
    "cogs.circles",
    "cogs.pairing",
)


def point_library_at(api_base: str | None, gateway_url: str | None) -> None:
    """Send discord.py's REST and gateway traffic to another Discord (the emulator, a demo)."""
    if api_base is None or gateway_url is None:
        return
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class HearthTree(app_commands.CommandTree[commands.Bot]):
    """The command tree: every failed command goes through the one error pipeline."""

    async def on_error(
        self, interaction: discord.Interaction[commands.Bot], error: app_commands.AppCommandError
    ) -> None:
        """Report the failure kindly."""
        await report_error(interaction, error)


class HearthBot(commands.Bot):
    """Hearth's Discord client."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        scheduler: JobScheduler,
        extensions: tuple[str, ...] = EXTENSIONS,
        metrics: Metrics | None = None,
    ) -> None:
        point_library_at(settings.api_base, settings.gateway_url)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            help_command=None,
            tree_cls=HearthTree,
            allowed_mentions=NO_MENTIONS,
            guild_ready_timeout=settings.guild_ready_timeout,
            chunk_guilds_at_startup=False,
        )
        self.settings = settings
        self.services = services
        self.scheduler = scheduler
        self.metrics = metrics or Metrics()
        self.gateway_connected = False  # kept by the connect/disconnect events below
        self._watchdogs: set[asyncio.Task[None]] = set()  # deadline watchdogs in flight
        self._extensions = extensions

    async def setup_hook(self) -> None:
        """Load cogs (they register persistent views and jobs), start jobs, sync commands."""
        await self.tree.set_translator(HearthTranslator())
        for extension in self._extensions:
            await self.load_extension(extension)
        self.scheduler.start()
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Register commands (to DEV_GUILD_ID at once, else globally), only when they changed.

        Discord allows a bot only so many command registrations a day, so the schema's hash is
        remembered (app_state) and a restart with the same commands, still registered, skips it.
        """
        guild_id = self.settings.dev_guild_id
        guild = discord.Object(id=guild_id) if guild_id is not None else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        commands = self.tree.get_commands(guild=guild)
        translator = self.tree.translator
        payload = [
            await command.get_translated_payload(self.tree, translator)
            if translator is not None
            else command.to_dict(self.tree)
            for command in commands
        ]
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        name = f"commands:{self.application_id}:{guild_id or 'global'}"
        if await self.services.app_state.get(name) == digest:
            registered = {
                (c.name, c.type.value) for c in await self.tree.fetch_commands(guild=guild)
            }
            if registered == {(p["name"], p.get("type", 1)) for p in payload}:
                log.info(
                    "Commands unchanged since the last start (%d): not registered again",
                    len(payload),
                )
                return
        synced = await self.tree.sync(guild=guild)
        await self.services.app_state.put(name, digest)
        log.info("Registered %d commands", len(synced))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Count it, and keep Discord's 3 s deadline: defer whatever is not answered soon.

        The watchdog runs as a task of its own (not a listener a shutdown waits for): once
        Hearth closes, Discord can no longer be answered, so closing cancels the watchdogs
        instead of waiting out their 1.5 s.
        """
        self.metrics.received(interaction)
        watchdog = asyncio.create_task(keep_deadline(interaction), name="hearth-deadline")
        self._watchdogs.add(watchdog)
        watchdog.add_done_callback(self._watchdogs.discard)

    async def on_connect(self) -> None:
        """Note that the gateway connection is up."""
        self.gateway_connected = True

    async def on_resumed(self) -> None:
        """Note that the gateway connection is up again."""
        self.gateway_connected = True

    async def on_disconnect(self) -> None:
        """Note that the gateway connection dropped (discord.py reconnects on its own)."""
        self.gateway_connected = False

    async def on_ready(self) -> None:
        """Log that the gateway session is ready (this fires again after reconnects).

        What is alive now (the servers and members Discord sent, the crisis data, the catalogs)
        lives as long as Hearth: `gc.freeze()` takes it out of the garbage collector's full
        passes, which otherwise walk all of it and stall the event loop for hundreds of
        milliseconds now and then (bench/burst.py's "longest GC pause"). Freed objects are still
        freed by reference counting.
        """
        log.info("Connected as %s to %d servers", self.user, len(self.guilds))
        gc.collect()
        gc.freeze()

    async def close(self) -> None:
        """Let running jobs finish, then disconnect."""
        if self.ws is not None and not self.is_ready():
            # Connected but still waiting for the servers to arrive (guild_ready_timeout):
            # closing under discord.py's ready task makes that task fail, so let it finish.
            with suppress(TimeoutError):
                await asyncio.wait_for(
                    self.wait_until_ready(), self.settings.guild_ready_timeout + 2
                )
        await self.scheduler.stop()
        await super().close()
        for watchdog in list(self._watchdogs):
            watchdog.cancel()

"""The Discord client: loads the cogs, keeps persistent views, starts and stops the scheduler."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

import discord
import yarl
from discord.ext import commands

from bot.config import Settings
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


class HearthBot(commands.Bot):
    """Hearth's Discord client."""

    def __init__(
        self,
        settings: Settings,
        services: Services,
        scheduler: JobScheduler,
        extensions: tuple[str, ...] = EXTENSIONS,
    ) -> None:
        point_library_at(settings.api_base, settings.gateway_url)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            help_command=None,
            allowed_mentions=NO_MENTIONS,
            guild_ready_timeout=settings.guild_ready_timeout,
            chunk_guilds_at_startup=False,
        )
        self.settings = settings
        self.services = services
        self.scheduler = scheduler
        self._extensions = extensions
        self.tree.on_error = report_error  # type: ignore[assignment]

    async def setup_hook(self) -> None:
        """Load cogs (they register persistent views and jobs), start jobs, sync commands."""
        for extension in self._extensions:
            await self.load_extension(extension)
        self.scheduler.start()
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Register slash commands: instantly to DEV_GUILD_ID, otherwise globally."""
        guild_id = self.settings.dev_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        else:
            synced = await self.tree.sync()
        log.info("Registered %d commands", len(synced))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Keep Discord's 3 s deadline: defer whatever is not answered soon (see bot.ui)."""
        await keep_deadline(interaction)

    async def on_ready(self) -> None:
        """Log that the gateway session is ready (this fires again after reconnects)."""
        log.info("Connected as %s to %d servers", self.user, len(self.guilds))

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

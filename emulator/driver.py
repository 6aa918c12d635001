"""The Emulator: a local Discord with its test driver (lifecycle, waiting, problems, faults).

The layers, each importing only those below it: `Core` (core.py: world, identity, gateway hub,
recordings) < `WorldBuilder` (building.py) < `InteractionDriver` (driving.py) < `Emulator`.
"""

# ruff: noqa: ASYNC109  (the driver API takes timeout= by contract, see SPEC.md)

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from emulator.core import API_PREFIX, Notifier
from emulator.driving import InteractionDriver
from emulator.gateway import PRIVILEGED_INTENTS
from emulator.ids import Now, as_id
from emulator.recording import Fault, RecordedRequest
from emulator.rest import Router, handle_request
from emulator.routes import build_router

log = logging.getLogger(__name__)


class Emulator(InteractionDriver):
    """A local Discord (REST under /api/v10 and the gateway at /gateway) plus its test driver."""

    def __init__(
        self,
        *,
        interaction_deadline: float = 3.0,
        bot_name: str = "Hearth",
        token: str | None = None,
        privileged_intents: int = PRIVILEGED_INTENTS,
        strict_event_times: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Now | None = None,
    ) -> None:
        super().__init__(
            interaction_deadline=interaction_deadline,
            bot_name=bot_name,
            token=token,
            privileged_intents=privileged_intents,
            strict_event_times=strict_event_times,
            host=host,
            port=port,
            clock=clock,
        )
        self.router: Router = build_router()
        self._taken_requests: set[int] = set()
        self._taken_messages: set[int] = set()
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> Emulator:
        """Bind 127.0.0.1 on a free port and serve REST + gateway."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.hub.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if not self._runner.addresses:
            raise RuntimeError("the emulator's server did not bind a socket")
        self.port = int(self._runner.addresses[0][1])
        self._notifier = Notifier()  # wake-ups on this loop, whatever waited before
        return self

    async def stop(self) -> None:
        """Close websockets, cancel deadline timers and stop the server."""
        for handle in self.interactions.values():
            handle.disarm_deadline()
        await self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        return await handle_request(self, self.router, request)

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        data = self.world.attachment_data.get(int(request.match_info["attachment_id"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    def env(self) -> dict[str, str]:
        """Return the environment variables that point a Hearth subprocess at this emulator."""
        from emulator.client import GATEWAY_ENV, REST_ENV  # imports discord.py: only when asked

        return {
            REST_ENV: self.rest_base,
            GATEWAY_ENV: self.gateway_url,
            "DISCORD_TOKEN": self.token,
        }

    # ------------------------------------------------------------ waiting and recording
    async def wait_until_connected(self, timeout: float = 5.0) -> None:
        """Wait until a bot has identified on the gateway."""
        await self.hub.wait_until_connected(timeout)

    async def wait_until_guild_available(self, guild_id: int, timeout: float = 5.0) -> None:
        """Wait until a connected bot was sent the guild's GUILD_CREATE (written to its socket)."""
        gid = as_id(guild_id)
        await self.wait_until(
            lambda: self.hub.guild_delivered(gid), timeout, f"GUILD_CREATE for {gid} delivered"
        )
        await asyncio.sleep(0.01)

    async def disconnect_gateway(self, *, reconnect: bool = True) -> None:
        """Ask connected bots to reconnect: op 7 (they RESUME) or op 9 (they IDENTIFY anew)."""
        self.hub.reconnect_all(resume=reconnect)
        await asyncio.sleep(0)

    async def wait_for_request(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0
    ) -> RecordedRequest:
        """Return the earliest recorded request matching predicate not returned before (waits)."""

        def find() -> RecordedRequest | None:
            for index, request in enumerate(self.requests):
                if index not in self._taken_requests and predicate(request):
                    self._taken_requests.add(index)
                    return request
            return None

        return await self.wait_until(find, timeout, "a matching request")

    async def _wait_bot_message(
        self,
        channel_id: int,
        predicate: Callable[[dict[str, Any]], bool] | None,
        timeout: float,
        what: str,
    ) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            for message in self.world.messages.get(channel_id, []):
                key = int(message["id"])
                if key in self._taken_messages:
                    continue
                by_bot = int(message["author"]["id"]) == self.bot_user.id or "webhook_id" in message
                if by_bot and (predicate is None or predicate(message)):
                    self._taken_messages.add(key)
                    return message
            return None

        return await self.wait_until(find, timeout, what)

    async def wait_for_message(
        self,
        channel_id: int,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Return the earliest bot message in a channel not returned before (waits for one)."""
        return await self._wait_bot_message(
            as_id(channel_id), predicate, timeout, f"a bot message in channel {channel_id}"
        )

    async def wait_for_dm(
        self,
        user_id: int,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Return the earliest bot DM to a user not returned before (waits for one)."""
        uid = as_id(user_id)
        await self.wait_until(lambda: uid in self.world.dm_channels, timeout, f"a DM to {uid}")
        channel = self.world.dm_channels[uid]
        return await self._wait_bot_message(channel.id, predicate, timeout, f"a DM to user {uid}")

    def forget_old(self, *, keep_requests: int = 1000, interaction_age: float = 900.0) -> None:
        """Drop old recordings so a long-lived emulator stays small (not for tests that wait).

        Keeps the last `keep_requests` recorded requests and the interactions younger than
        `interaction_age` seconds (Discord's interaction tokens last 15 minutes).
        """
        if len(self.requests) > keep_requests:
            del self.requests[: len(self.requests) - keep_requests]
            self._taken_requests.clear()
        cutoff = asyncio.get_running_loop().time() - interaction_age
        for handle in [h for h in self.interactions.values() if h.created_at < cutoff]:
            handle.disarm_deadline()
            del self.interactions[handle.id]
            self.interactions_by_token.pop(handle.token, None)
        for custom_id in [k for k, h in self.modal_origins.items() if h.created_at < cutoff]:
            del self.modal_origins[custom_id]

    # ------------------------------------------------------------ problems and faults
    def assert_no_problems(self) -> None:
        """Raise AssertionError listing every recorded problem."""
        if self.problems:
            listing = "\n  - ".join(self.problems)
            raise AssertionError(
                f"the emulator recorded {len(self.problems)} problem(s):\n  - {listing}"
            )

    def take_problems(self, contains: str | None = None) -> list[str]:
        """Remove and return recorded problems (those containing a substring, if given)."""
        taken = [p for p in self.problems if contains is None or contains in p]
        self.problems = [p for p in self.problems if p not in taken]
        return taken

    def inject_fault(
        self,
        *,
        method: str | None = None,
        route: str | None = None,
        status: int = 500,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        body: dict[str, Any] | None = None,
        after: int = 0,
    ) -> Fault:
        """Answer `times` matching requests with `status` (429 as a real rate limit).

        With `after`, the first `after` matching requests go through normally (e.g. fail the
        third thread a bot creates, not the first).
        """
        fault = Fault(method, route, status, times, retry_after, is_global, body, after)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Drop every pending injected fault."""
        self.faults.clear()

"""The practice client's web server: the static page, its JSON API and a live websocket."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from emulator.driver import Emulator
from emulator.errors import EmulatorUsageError
from emulator.web import views
from emulator.web.actions import Actions, PageError

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
DEBOUNCE_S = 0.05
TIDY_EVERY_S = 60.0
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Host:
    """What a program serving the page adds to the plain emulator (the sandbox overrides it).

    The default has no clock control, no bot to restart and no tour: the page then hides those.
    """

    def people(self, emu: Emulator) -> list[dict[str, Any]]:
        """Return whom the page lets you be: every person in a guild with the bot, by default."""
        seen: dict[int, dict[str, Any]] = {}
        for (_, user_id), member in emu.world.members.items():
            if not member.user.bot and user_id not in seen:
                seen[user_id] = {"id": str(user_id), "name": views.display_name(emu, user_id)}
        return list(seen.values())

    def status(self) -> dict[str, Any]:
        """Return the host's live status for the page (clock, bot state); empty by default."""
        return {}

    def features(self) -> dict[str, bool]:
        """Return which host controls the page may show."""
        return {"skip": False, "restart": False, "tour": False}

    def tour(self) -> list[dict[str, Any]]:
        """Return the guided tour's steps."""
        return []

    async def skip(self, minutes: int) -> dict[str, Any]:
        """Move the bot's clock ahead and run what falls due."""
        raise PageError("This server has no clock to move.")

    async def restart(self) -> dict[str, Any]:
        """Restart the bot against the same world."""
        raise PageError("This server cannot restart the bot.")


class WebUI:
    """Serves the page for one emulator on 127.0.0.1 and pushes changes to open pages."""

    def __init__(self, emu: Emulator, host: Host | None = None) -> None:
        self.emu = emu
        self.host = host or Host()
        self.actions = Actions(emu)
        self.port = 0
        self._sockets: set[web.WebSocketResponse] = set()
        self._pending: asyncio.TimerHandle | None = None
        self._version = 0
        self._runner: web.AppRunner | None = None
        self._tidy: asyncio.Task[None] | None = None

    # ------------------------------------------------------------ lifecycle
    def application(self) -> web.Application:
        """Build the aiohttp application (tests can serve it with a test client)."""
        app = web.Application(middlewares=[self._guard])
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/ui/attachments/{attachment_id}/{filename}", self._attachment)
        app.router.add_get("/ui/api/host", self._host_info)
        app.router.add_get("/ui/api/view", self._view)
        app.router.add_get("/ui/api/commands", self._commands)
        app.router.add_post("/ui/api/act", self._act)
        app.router.add_post("/ui/api/host/skip", self._skip)
        app.router.add_post("/ui/api/host/restart", self._restart)
        app.router.add_get("/ui/api/live", self._live)
        return app

    async def start(self, port: int = 0, host: str = "127.0.0.1") -> int:
        """Listen on 127.0.0.1:port (0 = any free port) and return the port."""
        self.emu.add_listener(self._changed)
        self._runner = web.AppRunner(self.application(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._tidy = asyncio.create_task(self._tidy_loop(), name="emulator-web-tidy")
        return self.port

    async def stop(self) -> None:
        """Close open pages and stop serving."""
        with contextlib.suppress(ValueError):
            self.emu.remove_listener(self._changed)
        if self._pending is not None:
            self._pending.cancel()
        if self._tidy is not None:
            self._tidy.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tidy
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        """Return the page's address."""
        return f"http://127.0.0.1:{self.port}/"

    async def _tidy_loop(self) -> None:
        while True:
            await asyncio.sleep(TIDY_EVERY_S)
            self.emu.forget_old()

    # ------------------------------------------------------------ live updates
    def _changed(self) -> None:
        """Coalesce bursts of changes into one push."""
        if self._pending is None and self._sockets:
            loop = asyncio.get_running_loop()
            self._pending = loop.call_later(DEBOUNCE_S, self._push_change)

    def _push_change(self) -> None:
        self._pending = None
        self._version += 1
        self.broadcast({"type": "changed", "version": self._version})

    def broadcast(self, event: dict[str, Any]) -> None:
        """Send an event to every open page (status, progress, log lines)."""
        text = json.dumps(event)
        for socket in list(self._sockets):
            if socket.closed:
                self._sockets.discard(socket)
                continue
            task = asyncio.ensure_future(socket.send_str(text))
            task.add_done_callback(_ignore_send_errors)

    async def _live(self, request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse(heartbeat=20)
        await socket.prepare(request)
        self._sockets.add(socket)
        await socket.send_str(json.dumps({"type": "status", "status": self.host.status()}))
        try:
            async for message in socket:
                if message.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets.discard(socket)
        return socket

    # ------------------------------------------------------------ guard
    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Answer only pages served from this address (no other site may drive the sandbox)."""
        allowed = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        if request.host not in allowed:
            return web.Response(status=403, text="This page answers only on 127.0.0.1.")
        origin = request.headers.get("Origin")
        if origin is not None and origin.split("://", 1)[-1] not in allowed:
            return web.Response(status=403, text="Requests from other sites are refused.")
        if request.method == "POST" and request.content_type != "application/json":
            return web.Response(status=415, text="Send JSON.")
        return await handler(request)

    # ------------------------------------------------------------ pages and files
    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "no-cache"})

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        try:
            attachment_id = int(request.match_info["attachment_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        data = self.emu.world.attachment_data.get(attachment_id)
        if data is None:
            raise web.HTTPNotFound()
        kind = mimetypes.guess_type(request.match_info["filename"])[0]
        return web.Response(body=data, content_type=kind or "application/octet-stream")

    # ------------------------------------------------------------ the API
    def _user(self, request: web.Request) -> int:
        raw = request.query.get("as", "")
        if not raw.isdigit() or int(raw) not in self.emu.world.users:
            raise web.HTTPBadRequest(text="choose who you are (?as=user id)")
        return int(raw)

    async def _host_info(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {
                "people": self.host.people(self.emu),
                "features": self.host.features(),
                "tour": self.host.tour(),
                "status": self.host.status(),
            }
        )

    async def _view(self, request: web.Request) -> web.StreamResponse:
        user_id = self._user(request)
        data: dict[str, Any] = {
            "state": views.state(self.emu, user_id),
            "status": self.host.status(),
            "version": self._version,
        }
        raw = request.query.get("channel", "")
        if raw.isdigit():
            hidden = self.actions.dismissed.get(user_id, set())
            try:
                data["channel"] = views.messages(self.emu, int(raw), user_id, hidden)
            except EmulatorUsageError:
                data["channel"] = None
        return web.json_response(data)

    async def _commands(self, request: web.Request) -> web.StreamResponse:
        user_id = self._user(request)
        raw = request.query.get("channel", "")
        if not raw.isdigit():
            raise web.HTTPBadRequest(text="which channel?")
        try:
            found = views.commands(self.emu, user_id, int(raw))
        except EmulatorUsageError:
            found = []
        return web.json_response({"commands": found})

    async def _act(self, request: web.Request) -> web.StreamResponse:
        user_id = self._user(request)
        body = await _json(request)
        try:
            result = await self.actions.run(user_id, body)
        except PageError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        except (KeyError, TypeError, ValueError):
            return web.json_response(
                {"ok": False, "error": "That request was incomplete."}, status=400
            )
        return web.json_response(result)

    async def _skip(self, request: web.Request) -> web.StreamResponse:
        body = await _json(request)
        try:
            minutes = int(body.get("minutes", 0))
            if not 1 <= minutes <= 60 * 24 * 31:
                raise PageError("Skip between a minute and a month.")
            result = await self.host.skip(minutes)
        except PageError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        except (TypeError, ValueError):
            return web.json_response({"ok": False, "error": "How many minutes?"}, status=400)
        return web.json_response({"ok": True, **result})

    async def _restart(self, request: web.Request) -> web.StreamResponse:
        try:
            result = await self.host.restart()
        except PageError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)
        return web.json_response({"ok": True, **result})


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="Send a JSON object.") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="Send a JSON object.")
    return body


def _ignore_send_errors(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.debug("A page went away while we wrote to it")

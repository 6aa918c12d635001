"""The operator's HTTP port (HEARTH_HTTP_PORT, on 127.0.0.1 unless HEARTH_HTTP_HOST says else).

- `GET /healthz`: 200 "ok" when the gateway is connected, the database answers and the jobs are
  running; otherwise 503 with the reasons, one per line (no ids, no names).
- `GET /metrics`: Prometheus' text format (see bot/ops/metrics.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.ops.metrics import Metrics

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
Check = Callable[[], Awaitable[list[str]]]


class OpsServer:
    """Serves /healthz and /metrics until stopped."""

    def __init__(self, metrics: Metrics, checks: list[Check]) -> None:
        self._metrics = metrics
        self._checks = checks
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self, host: str, port: int) -> None:
        """Bind `host:port` (0 for a free port) and serve."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound = self._runner.addresses[0]
        self.port = int(bound[1])
        log.info("Health and metrics on http://%s:%d/ (healthz, metrics)", host, self.port)

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def problems(self) -> list[str]:
        """Return what is wrong now (empty when healthy); a check that hangs counts as wrong."""
        found: list[str] = []
        for check in self._checks:
            try:
                found += await asyncio.wait_for(check(), CHECK_SECONDS)
            except TimeoutError:
                found.append(f"a health check took longer than {CHECK_SECONDS:.0f} s")
            except Exception as error:  # a failing check is a finding, not a crash
                found.append(f"a health check failed ({type(error).__name__})")
        return found

    async def _healthz(self, _request: web.Request) -> web.Response:
        problems = await self.problems()
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ok\n")

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        body = generate_latest(self._metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

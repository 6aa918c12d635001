"""The sandbox's side of the page: people, the clock, skipping ahead, restarting, the log."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.sandbox.clock import SandboxClock, describe_offset
from bot.sandbox.community import PERSONAS, Practice
from bot.sandbox.runner import READY, HearthFailed, HearthRunner
from bot.sandbox.tour import tour_steps
from emulator import Emulator
from emulator.web import Host, PageError

if TYPE_CHECKING:
    from emulator.web import WebUI

log = logging.getLogger(__name__)

LOG_LINES = 200
# Hearth's own loggers (which never carry what members wrote) and the emulator's warnings.
SHOWN_LOGGERS = ("bot", "cogs", "emulator")


class LogFeed(logging.Handler):
    """Keep Hearth's recent log lines for the page and push new ones to open pages."""

    def __init__(self, clock: SandboxClock) -> None:
        super().__init__(level=logging.INFO)
        self.clock = clock
        self.lines: deque[dict[str, str]] = deque(maxlen=LOG_LINES)
        self.web: WebUI | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def attach(self, web: WebUI) -> None:
        """Push new lines to this page server (call on the event loop's thread)."""
        self.web = web
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the line (and send it to the page) if it comes from Hearth or the emulator."""
        if not record.name.startswith(SHOWN_LOGGERS) or record.name.startswith("bot.sandbox"):
            return
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            text = str(record.msg)
        line = {
            "time": self.clock.now().strftime("%a %H:%M UTC"),
            "level": record.levelname,
            "text": text,
        }
        self.lines.append(line)
        web, loop = self.web, self._loop
        if web is None or loop is None or loop.is_closed():
            return
        event = {"type": "log", "line": line}
        if threading.get_ident() == self._loop_thread:
            web.broadcast(event)
        else:
            loop.call_soon_threadsafe(web.broadcast, event)


class SandboxHost(Host):
    """Connects the page to the sandbox: its people, clock, Hearth, tour and log."""

    def __init__(
        self,
        emu: Emulator,
        practice: Practice,
        clock: SandboxClock,
        runner: HearthRunner,
        feed: LogFeed,
    ) -> None:
        self.emu = emu
        self.practice = practice
        self.clock = clock
        self.runner = runner
        self.feed = feed
        self.web: WebUI | None = None

    def attach(self, web: WebUI) -> None:
        """Push status changes and log lines to this page server."""
        self.web = web
        self.feed.attach(web)

    def state_changed(self, state: str) -> None:
        """Tell open pages that Hearth is starting, ready, restarting or stopped."""
        if self.web is not None:
            self.web.broadcast({"type": "status", "status": self.status()})

    def people(self, emu: Emulator) -> list[dict[str, Any]]:
        """Return the practice personas, each with a time zone of their own."""
        return [
            {
                "id": str(self.practice.people[p.key]),
                "key": p.key,
                "name": p.name,
                "role": p.role,
                "tz": p.tz,
                "about": f"{p.about} Time zone: {p.tz}.",
            }
            for p in PERSONAS
        ]

    def features(self) -> dict[str, bool]:
        """Offer skipping ahead, restarting Hearth, the tour and Hearth's log."""
        return {"skip": True, "restart": True, "tour": True, "log": True}

    def status(self) -> dict[str, Any]:
        """Return the clock, Hearth's state and the recent log for the page."""
        offset = self.clock.offset
        return {
            "name": "Hearth sandbox",
            "note": "a practice server on this computer · nothing here reaches Discord",
            "bot_name": "Hearth",
            "bot_state": self.runner.state,
            "restarts": self.runner.restarts,
            "clock": {
                "now": self.clock.now().isoformat(),
                "offset_ms": int(offset.total_seconds() * 1000),
                "ahead_text": describe_offset(offset),
            },
            "log": list(self.feed.lines),
            "log_note": (
                "Hearth's own log lines, as a host would see them. They never contain what "
                "members wrote, nor who wrote an anonymous post."
            ),
        }

    def tour(self) -> list[dict[str, Any]]:
        """Return the guided tour for the practice server."""
        return tour_steps(self.practice, self.clock.now())

    async def skip(self, minutes: int) -> dict[str, Any]:
        """Move Hearth's clock ahead and run everything that falls due on the way."""
        if self.runner.state != READY:
            raise PageError("Hearth isn't running right now. Give it a moment.")

        def progress(now: Any) -> None:
            if self.web is not None:
                text = f"Skipping ahead… {now.strftime('%a %d %b %H:%M')} UTC"
                self.web.broadcast({"type": "progress", "text": text})

        try:
            report = await self.runner.skip(timedelta(minutes=minutes), progress)
        except HearthFailed as error:
            raise PageError(str(error)) from None
        log.info(
            "Skipped %d minutes in %d steps (%d job runs)", minutes, report.steps, report.job_runs
        )
        status = self.status()
        if self.web is not None:
            self.web.broadcast({"type": "status", "status": status})
        return {"status": status, "summary": "Hearth ran everything that fell due on the way."}

    async def restart(self) -> dict[str, Any]:
        """Restart Hearth against the same database and the same practice world."""
        if self.runner.state not in (READY, "stopped"):
            raise PageError("Hearth is already starting. Give it a moment.")
        try:
            await self.runner.restart()
        except HearthFailed as error:
            raise PageError(f"{error}. The sandbox's log file says more.") from None
        return {
            "status": self.status(),
            "summary": "Hearth restarted: same database, same server. Everything is still here.",
        }

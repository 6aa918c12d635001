"""`python -m bot sandbox`: the emulator as a practice server, the real Hearth in it, and a page."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.app import load_data
from bot.config import (
    ConfigError,
    Settings,
    check_environment,
    load_settings,
    read_environment,
)
from bot.domain.crisis_detection import PhraseSetError
from bot.domain.helplines import DatasetError
from bot.sandbox.clock import SandboxClock
from bot.sandbox.community import Practice, seed
from bot.sandbox.host import LogFeed, SandboxHost
from bot.sandbox.runner import HearthFailed, HearthRunner
from bot.sandbox.storage import (
    FolderInUse,
    SandboxFiles,
    hold,
    load,
    release,
    sandbox_root,
    save,
    start_over,
)
from emulator import Emulator
from emulator.snapshot import SnapshotError, load_world
from emulator.web import WebUI

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
SAVE_EVERY_S = 2.0
# Settings a person may still choose for the sandbox; everything else is the sandbox's own.
KEPT_SETTINGS = ("LOG_LEVEL", "HEARTH_CRISIS_DATA_DIR")


class SandboxError(Exception):
    """The sandbox cannot start; the message is one line for the terminal."""


@dataclass
class Sandbox:
    """A running sandbox: the emulator, Hearth, the page, and where they keep their data."""

    files: SandboxFiles
    clock: SandboxClock
    emu: Emulator
    practice: Practice
    runner: HearthRunner
    web: WebUI
    feed: LogFeed
    lock: IO[str]

    @property
    def url(self) -> str:
        """Return the page's address."""
        return self.web.url

    async def close(self) -> None:
        """Stop Hearth, save the world, and stop the page and the emulator."""
        try:
            await self.runner.stop()
            self.save()
            await self.web.stop()
            await self.emu.stop()
        finally:
            logging.getLogger().removeHandler(self.feed)
            release(self.lock)

    def save(self) -> None:
        """Save the practice world and the clock next to Hearth's database."""
        save(self.files, self.emu, self.practice, self.clock)


def sandbox_settings(emu: Emulator, files: SandboxFiles, values: Mapping[str, str]) -> Settings:
    """Return Hearth's settings for the sandbox: its own database, pointed at the emulator."""
    env = {key: values[key] for key in KEPT_SETTINGS if values.get(key)}
    env.update(
        DISCORD_TOKEN=emu.token,
        DATABASE_URL=files.database_url,
        HEARTH_DATA_DIR=str(files.root),
        HEARTH_DISCORD_API_BASE=emu.rest_base,
        HEARTH_DISCORD_GATEWAY_URL=emu.gateway_url,
        HEARTH_GUILD_READY_TIMEOUT="0.5",
        HEARTH_DM_INTERVAL="0",
    )
    return load_settings(env=env, dotenv_path=files.root / "no-dotenv")


async def open_sandbox(
    *,
    root: Path,
    port: int | None = None,
    fresh: bool = False,
    values: Mapping[str, str] | None = None,
) -> Sandbox:
    """Start (or resume) the practice world, Hearth in it, and the page; return once ready."""
    values = read_environment() if values is None else values
    files = SandboxFiles(root)
    try:
        lock = hold(files)
    except FolderInUse:
        raise SandboxError(
            f"a sandbox is already running on {root}: open its page, or stop it first"
        ) from None
    try:
        return await _open(files, lock, port, fresh, values)
    except BaseException:
        release(lock)
        raise


async def _open(
    files: SandboxFiles, lock: IO[str], port: int | None, fresh: bool, values: Mapping[str, str]
) -> Sandbox:
    if fresh:
        start_over(files)
    saved = load(files)
    clock = SandboxClock(saved.offset) if saved else SandboxClock()
    emu = Emulator(clock=clock.now)
    if saved is None:
        practice = seed(emu)
    else:
        try:
            load_world(emu, saved.emulator)
            practice = saved.practice
        except SnapshotError:
            log.warning("The saved practice world could not be read: starting over")
            start_over(files)
            clock = SandboxClock()
            emu = Emulator(clock=clock.now)
            practice = seed(emu)
    files.root.mkdir(parents=True, exist_ok=True)
    await emu.start()
    try:
        settings = sandbox_settings(emu, files, values)
        check_environment(settings)
        feed = LogFeed(clock)
        # The emulator already runs on this loop: read the datasets in a worker thread.
        crisis_data = await asyncio.to_thread(load_data, settings)
        runner = HearthRunner(
            settings, clock, crisis_data, on_state=lambda state: host.state_changed(state)
        )
        host = SandboxHost(emu, practice, clock, runner, feed)
        web = WebUI(emu, host)
        host.attach(web)
        await _listen(web, port)
    except BaseException:
        await emu.stop()
        raise
    sandbox = Sandbox(files, clock, emu, practice, runner, web, feed, lock)
    logging.getLogger().addHandler(feed)
    try:
        await runner.start()
    except BaseException:
        logging.getLogger().removeHandler(feed)
        await web.stop()
        await emu.stop()
        raise
    sandbox.save()
    return sandbox


async def _listen(web: WebUI, port: int | None) -> None:
    """Listen on the asked port; without one, on 8765 or else any free port."""
    try:
        await web.start(DEFAULT_PORT if port is None else port)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        if port is not None:
            raise SandboxError(
                f"port {port} is already in use: choose another with --port"
            ) from None
        await web.start(0)


async def keep_saving(sandbox: Sandbox) -> None:
    """Save the world a moment after it changes, until cancelled."""
    changed = asyncio.Event()
    sandbox.emu.add_listener(changed.set)
    try:
        while True:
            await changed.wait()
            await asyncio.sleep(SAVE_EVERY_S)
            changed.clear()
            sandbox.save()
    finally:
        sandbox.emu.remove_listener(changed.set)


async def serve(port: int | None, fresh: bool) -> int:
    """Run the sandbox until Ctrl+C or SIGTERM; return the exit status."""
    values = read_environment()
    try:
        sandbox = await open_sandbox(
            root=sandbox_root(values), port=port, fresh=fresh, values=values
        )
    except (SandboxError, ConfigError) as error:
        print(f"hearth: {error}", file=sys.stderr)
        return 2
    except (DatasetError, PhraseSetError) as error:
        first = " ".join(error.problems[0].split()) if error.problems else "unreadable"
        print(f"hearth: data error: {first}", file=sys.stderr)
        return 2
    except HearthFailed as error:
        print(f"hearth: the sandbox could not start Hearth: {error}", file=sys.stderr)
        return 1
    print(
        f"Hearth sandbox: open {sandbox.url} (a practice server on this computer; Ctrl+C stops it)",
        flush=True,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    saver = asyncio.create_task(keep_saving(sandbox), name="sandbox-save")
    try:
        await stopping.wait()
    finally:
        saver.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await saver
        await sandbox.close()
    return 0


def configure_logging(values: Mapping[str, str], log_file: Path) -> None:
    """Say only warnings in the terminal (unless LOG_LEVEL asks); keep INFO in the log file."""
    chosen = values.get("LOG_LEVEL", "").strip().upper()
    console = logging.getLevelNamesMapping().get(chosen, logging.WARNING)
    fmt = logging.Formatter("%(asctime)s %(levelname)-8s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(min(console, logging.INFO))
    terminal = logging.StreamHandler()
    terminal.setLevel(console)
    terminal.setFormatter(fmt)
    terminal.addFilter(_no_voice_notice)
    root.addHandler(terminal)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    written = logging.FileHandler(log_file, mode="w", encoding="utf-8")
    written.setLevel(logging.INFO)
    written.setFormatter(fmt)
    root.addHandler(written)
    # As in `python -m bot`: never the library's raw traffic, which carries members' identities.
    for name in ("discord.http", "discord.gateway"):
        logging.getLogger(name).setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _no_voice_notice(record: logging.LogRecord) -> bool:
    """Leave out discord.py's notice that voice is not installed (Hearth never uses voice)."""
    return not (
        record.name == "discord.client" and "voice will NOT be supported" in str(record.msg)
    )


def main(port: int | None = None, fresh: bool = False) -> int:
    """Run the sandbox from the command line and return the exit status."""
    values = read_environment()
    configure_logging(values, SandboxFiles(sandbox_root(values)).log)
    try:
        return asyncio.run(serve(port, fresh))
    except KeyboardInterrupt:
        return 0

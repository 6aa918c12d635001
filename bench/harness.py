"""What the benchmarks share: the emulator in this process, Hearth in a process of its own.

`HearthProcess.start(emu, source, folder)` runs `python -m hearth_runner` with the source tree
to measure first on PYTHONPATH, so the same benchmark can measure two versions of Hearth side
by side in one run (`--before PATH`: a checkout of another commit). Server set-up goes through
slash commands and the agreement form, as a moderator would, so it works on every version.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import statistics
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator import Emulator, Permissions

BENCH = Path(__file__).resolve().parent
MANAGE_GUILD = 1 << 5


def percentile(values: Sequence[float], share: float) -> float:
    """Return the nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    """Return the median (0 for no values)."""
    return statistics.median(values) if values else 0.0


@dataclass
class HearthProcess:
    """Hearth running in its own process against the emulator."""

    process: asyncio.subprocess.Process
    stats_path: Path
    log_path: Path

    @classmethod
    async def start(cls, emu: Emulator, source: Path, folder: Path, **env: str) -> HearthProcess:
        """Start Hearth from `source` on a fresh SQLite file in `folder`; wait until it syncs."""
        folder.mkdir(parents=True, exist_ok=True)
        stats, log = folder / "stats.json", folder / "hearth.log"
        environment = {
            k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "HEARTH_"))
        }
        environment.update(
            DISCORD_TOKEN=emu.token,
            HEARTH_DISCORD_API_BASE=emu.rest_base,
            HEARTH_DISCORD_GATEWAY_URL=emu.gateway_url,
            HEARTH_DATA_DIR=str(folder),
            HEARTH_GUILD_READY_TIMEOUT="0.2",
            HEARTH_DM_INTERVAL="0",
            HEARTH_BENCH_STATS=str(stats),
            LOG_LEVEL="WARNING",
            PYTHONPATH=f"{source}{os.pathsep}{BENCH}",
            **env,
        )
        with log.open("wb") as out:
            process = await asyncio.create_subprocess_exec(
                python_of(source),
                "-m",
                "hearth_runner",
                cwd=folder,
                env=environment,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        await emu.wait_for_request(
            lambda r: r.method == "PUT" and r.path.endswith("/commands"), timeout=60
        )
        await emu.wait_until_connected(timeout=30)
        return cls(process, stats, log)

    def rss_kb(self) -> int:
        """Return the process's resident memory in kB (Linux)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1])

    async def stop(self) -> dict[str, Any]:
        """Stop it (SIGTERM) and return what it measured: lag samples and memory."""
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if not self.stats_path.exists():
            raise RuntimeError(f"Hearth did not stop cleanly; see {self.log_path}")
        return json.loads(self.stats_path.read_text())

    def errors(self) -> list[str]:
        """Return the ERROR lines Hearth logged."""
        return [line for line in self.log_path.read_text().splitlines() if " ERROR " in line]


@dataclass
class Server:
    """The benchmark's server, as Hearth was set up in it."""

    guild_id: int
    moderator: int
    member_role: int
    channels: dict[str, int]
    members: list[int]


def build_server(emu: Emulator, members: int) -> Server:
    """Create a server with roles, channels, a moderator and `members` people (not in Hearth)."""
    guild = emu.create_guild("Harbour", bot_permissions=Permissions.ALL)
    mods = emu.create_role(guild.id, "Moderators", permissions=MANAGE_GUILD)
    member_role = emu.create_role(guild.id, "Member")
    names = ("general", "welcome", "check-ins", "circles", "alerts", "log", "pairing")
    channels = {name: emu.create_channel(guild.id, name).id for name in names}
    channels["voice"] = emu.create_channel(guild.id, "Circle room", type=2).id
    emu.set_channel_overwrites(
        channels["alerts"], [{"id": guild.id, "type": 0, "allow": "0", "deny": str(1 << 10)}]
    )
    moderator = emu.add_member(guild.id, emu.create_user("sam").id, roles=[mods.id]).id
    people = [
        emu.add_member(guild.id, emu.create_user(f"member{n}").id).user.id for n in range(members)
    ]
    return Server(guild.id, moderator, member_role.id, channels, people)


async def answered(handle: Any, timeout: float = 60) -> dict[str, Any]:
    """Wait until an interaction is answered and any deferral completed; return the answer."""
    body = await handle.response(timeout)
    if body["type"] in (5, 6):
        await handle.wait_until_done(timeout)
    text = json.dumps(body) + json.dumps(handle.message or {})
    if "Sorry, something went wrong" in text:
        raise RuntimeError(f"Hearth failed: {text[:300]}")
    return body


async def set_up(emu: Emulator, server: Server) -> None:
    """Set Hearth up as a moderator would: roles, channels, the agreement, check-in settings."""
    g, mod, c = server.guild_id, server.moderator, server.channels
    await answered(await emu.slash(mod, "setup roles", guild_id=g, member=server.member_role))
    await answered(
        await emu.slash(
            mod,
            "setup channels",
            guild_id=g,
            welcome=c["welcome"],
            checkin=c["check-ins"],
            circles=c["circles"],
            alerts=c["alerts"],
            modlog=c["log"],
        )
    )
    await write_agreement(emu, server, "We listen without judging.", "minor")
    await answered(
        await emu.slash(
            mod, "checkin settings set", guild_id=g, delay_minutes=0, daily_limit=10, threads=False
        )
    )


async def write_agreement(emu: Emulator, server: Server, points: str, change: str) -> None:
    """Save a new version of the agreement through the editor form."""
    opened = await emu.slash(
        server.moderator, "agreement edit", guild_id=server.guild_id, change=change
    )
    await opened.response()
    saved = await emu.submit_modal(
        server.moderator,
        opened.modal,
        values={"title": "Our agreement", "points": points},
        guild_id=server.guild_id,
    )
    await answered(saved)


async def accept(emu: Emulator, server: Server, who: int) -> None:
    """Read the agreement and press Accept, as a member."""
    card = await emu.slash(who, "agreement read", guild_id=server.guild_id)
    await answered(card)
    await answered(await emu.click(who, card.message, label="Accept"))


def python_of(source: Path) -> str:
    """Return the interpreter for a source tree: its own .venv's (an older checkout may need
    other library versions), else this one."""
    own = source / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def source_tree(value: str) -> Path:
    """Return a source tree to measure (a folder with bot/ and cogs/), for argparse."""
    path = Path(value).resolve()
    if not (path / "bot" / "app.py").is_file():
        raise ValueError(f"{value} is not a Hearth checkout")
    return path

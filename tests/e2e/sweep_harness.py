"""Hearth running once in a background event loop, driven from plain (hypothesis) tests.

The loop thread owns the emulator and the bot; a test calls `sweep.run(coro)` for each
interaction. Every interaction is held to the same rules: answered within Discord's 3 s (or
deferred and then completed), privately, with nothing that pings, no ERROR log record and no
emulator problem.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from bot.app import Hearth, build
from bot.client import EXTENSIONS
from bot.clock import FakeClock
from bot.config import Settings
from emulator import Emulator, InteractionHandle, Permissions, overwrite
from tests.e2e.conftest import Community, ErrorRecords, build_community, configure
from tests.e2e.hostile_values import Targets, fit_input, hostile_texts, long_texts, modal_inputs

T = TypeVar("T")
EPHEMERAL = 64
# The emulator refuses scheduled events in the real past, so Hearth's clock runs years ahead.
NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Leaf:
    """A command a member can run: its path ("checkin reminder set") and its options."""

    path: str
    options: tuple[dict[str, Any], ...]
    in_dms: bool
    needs: int  # default_member_permissions (0: everyone)


@dataclass
class Persona:
    """Someone who runs the commands: a member, a moderator, or someone with no roles."""

    name: str
    user_id: int
    perms: int = 0


@dataclass
class Sweep:
    """The running bot, the world around it, and what the sweep has sent so far."""

    loop: asyncio.AbstractEventLoop
    emu: Emulator
    community: Community
    hearth: Hearth
    targets: Targets
    personas: dict[str, Persona]
    errors: ErrorRecords
    clock: FakeClock
    task: asyncio.Task[None]
    sent: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    # What broke the rules, by command: a few examples each, so one run shows every failure.
    failures: dict[str, list[str]] = field(default_factory=dict)
    _fill: Iterator[int] = field(default_factory=itertools.count)

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine on the bot's loop and return its result."""
        started = time.perf_counter()
        try:
            return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)
        finally:
            self.seconds += time.perf_counter() - started

    def attempt(self, where: str, work: Coroutine[Any, Any, T]) -> T | None:
        """Run one interaction; keep what broke the rules (up to 3 per command) and go on."""
        try:
            return self.run(work)
        except (AssertionError, TimeoutError) as broken:
            kept = self.failures.setdefault(where, [])
            if len(kept) < 3:
                kept.append(str(broken)[:1500])
            return None

    def take_failures(self) -> str:
        """Return (and forget) a report of every failure so far, or "" if none."""
        report = "\n".join(
            f"{where}:\n  - " + "\n  - ".join(found) for where, found in self.failures.items()
        )
        self.failures = {}
        return report

    # ------------------------------------------------------------ the schema
    def leaves(self) -> list[Leaf]:
        """Return every chat command and subcommand Hearth registered, from the synced schema."""
        found: list[Leaf] = []
        for scope in self.emu.world.commands.values():
            for command in scope:
                if command.get("type", 1) != 1:
                    continue
                contexts = command.get("contexts")
                in_dms = (
                    1 in contexts if contexts is not None else command.get("dm_permission", True)
                )
                needs = int(command.get("default_member_permissions") or 0)
                found.extend(_walk(command["name"], command.get("options") or [], in_dms, needs))
        return found

    def context_menus(self) -> list[str]:
        """Return the message context menu commands Hearth registered."""
        return [
            c["name"]
            for scope in self.emu.world.commands.values()
            for c in scope
            if c.get("type") == 3
        ]

    def may_run(self, persona: Persona, leaf: Leaf) -> bool:
        """Say whether Discord shows the command to this person (default_member_permissions)."""
        return (
            not leaf.needs
            or persona.perms & leaf.needs == leaf.needs
            or bool(persona.perms & Permissions.ADMINISTRATOR)
        )

    # ------------------------------------------------------------ interactions
    async def slash(
        self,
        persona: Persona,
        leaf: Leaf,
        values: dict[str, Any],
        *,
        in_dm: bool = False,
        locale: str = "en-US",
    ) -> None:
        """Run a command with these option values and hold its answer to the rules."""
        guild_id = None if in_dm else self.community.guild.id
        channel_id = None if in_dm else self.community.general.id
        if in_dm:
            in_private = _in_dms(leaf, values, persona)
            if in_private is None:
                return
            values = in_private
        where = f"{' in DMs' if in_dm else ''}{'' if locale == 'en-US' else f' in {locale}'}"
        what = f"/{leaf.path} as {persona.name}{where} with {_short(values)}"
        self.sent["slash"] += 1
        handle = await self.emu.slash(
            persona.user_id,
            leaf.path,
            guild_id=guild_id,
            channel_id=channel_id,
            locale=locale,
            options=values,
        )
        await self.settle(handle, what)
        if handle.modal is not None:
            await self.submit(persona, handle, self.round_robin(handle.modal), what)

    async def autocomplete(
        self, persona: Persona, leaf: Leaf, option: str, text: str, others: dict[str, Any]
    ) -> None:
        """Type text into an autocomplete option and hold the suggestions to the rules."""
        what = f"/{leaf.path} {option}: autocomplete as {persona.name} for {_short({option: text})}"
        self.sent["autocomplete"] += 1
        values = {**others, option: text}
        choices = await self.emu.autocomplete(
            persona.user_id,
            leaf.path,
            focused=option,
            guild_id=self.community.guild.id,
            channel_id=self.community.general.id,
            options=values,
        )
        self.check_clean(what)
        assert len(choices) <= 25, what

    async def submit(
        self, persona: Persona, opened: InteractionHandle, values: dict[str, Any], what: str
    ) -> None:
        """Submit a modal the bot opened with these values and hold the answer to the rules."""
        self.sent["modal"] += 1
        handle = await self.emu.submit_modal(persona.user_id, opened, values)
        await self.settle(handle, f"{what}, then its form with {_short(values)}")

    async def context_menu(self, persona: Persona, name: str, target: dict[str, Any]) -> None:
        """Use a message context menu on a message and hold the answer to the rules."""
        what = f"[{name}] as {persona.name} on message {target['id']}"
        self.sent["context menu"] += 1
        handle = await self.emu.message_command(persona.user_id, name, target=target)
        await self.settle(handle, what)
        if handle.modal is not None:
            await self.submit(persona, handle, self.round_robin(handle.modal), what)

    async def settle(self, handle: InteractionHandle, what: str) -> None:
        """Wait for the answer (and any deferral to complete) and check it."""
        start = len(self.emu.requests)
        try:
            answer = await handle.response(timeout=5)
            await handle.wait_until_done(timeout=15)
        finally:
            self.check_clean(what)
        if answer["type"] in (4, 5):
            assert handle.ephemeral, f"{what}: answered in public: {handle.content!r}"
            for message in handle.followups:
                assert int(message["flags"]) & EPHEMERAL, (
                    f"{what}: public followup {message['content']!r}"
                )
            for message in [handle.message, *handle.followups]:
                assert message is not None and not _pings(message, users=True), (
                    f"{what}: the answer pings"
                )
            assert handle.content or handle.embeds or handle.followups, f"{what}: an empty answer"
        for message in _sent_messages(self.emu.requests[start:]):
            assert not _pings(message, users=False), (
                f"{what}: posted a message that pings a role or everyone"
            )

    async def run_jobs(self, after: timedelta) -> None:
        """Move Hearth's clock on and run every scheduled job once, as its timer would."""
        self.clock.advance(after)
        for job in self.hearth.scheduler.job_ids:
            self.sent["job run"] += 1
            await self.hearth.scheduler.run_now(job)
            await self.emu.wait_until(lambda: self.emu.inflight == 0, 10, "REST calls to finish")
            self.check_clean(f"the {job} job, {after} later")

    def check_clean(self, what: str) -> None:
        """Fail on emulator problems and ERROR records since the last check."""
        problems = self.emu.take_problems()
        assert not problems, f"{what}: the emulator recorded problems: {problems}"
        errors = [f"{r.name}: {r.getMessage()}" for r in self.errors.take()]
        assert not errors, f"{what}: ERROR records: {errors}"

    def round_robin(self, modal: dict[str, Any]) -> dict[str, Any]:
        """Fill a modal with the next hostile value for each field (selects: their first option)."""
        values: dict[str, Any] = {}
        texts = [*hostile_texts(self.targets.mention), *long_texts(4000)]
        for item in modal_inputs(modal["components"]):
            if item["type"] == 4:
                low = int(item.get("min_length") or 0)
                high = int(item.get("max_length") or 4000)
                values[item["custom_id"]] = fit_input(
                    texts[next(self._fill) % len(texts)], max(low, 1), high
                )
            elif item["type"] in (3, 21) and item.get("options"):
                first = item["options"][0]["value"]
                values[item["custom_id"]] = first if item["type"] == 21 else [first]
        return values


def _in_dms(leaf: Leaf, values: dict[str, Any], persona: Persona) -> dict[str, Any] | None:
    """Return the values as a DM allows them (no server roles or channels; users: oneself)."""
    kinds = {o["name"]: o["type"] for o in leaf.options}
    if any(o.get("required") and o["type"] in (7, 8, 9) for o in leaf.options):
        return None  # Discord offers nothing to pick there in a DM
    kept = {k: v for k, v in values.items() if kinds.get(k) not in (7, 8, 9)}
    return {k: persona.user_id if kinds.get(k) == 6 else v for k, v in kept.items()}


def _walk(path: str, options: list[dict[str, Any]], in_dms: bool, needs: int) -> list[Leaf]:
    subs = [o for o in options if o["type"] in (1, 2)]
    if not subs:
        return [Leaf(path, tuple(options), in_dms, needs)]
    found: list[Leaf] = []
    for sub in subs:
        found.extend(_walk(f"{path} {sub['name']}", sub.get("options") or [], in_dms, needs))
    return found


def _short(values: dict[str, Any]) -> str:
    return repr(
        {
            k: (v[:40] + f"...({len(v)})" if isinstance(v, str) and len(v) > 40 else v)
            for k, v in values.items()
        }
    )


def _pings(message: dict[str, Any], *, users: bool) -> bool:
    return bool(
        message.get("mention_everyone")
        or message.get("mention_roles")
        or (users and message.get("mentions"))
    )


def _sent_messages(requests: list[Any]) -> Iterator[dict[str, Any]]:
    """Yield the messages the bot created or edited in these requests."""
    for request in requests:
        body = request.response
        if request.method not in ("POST", "PATCH") or not isinstance(body, dict):
            continue
        message = (body.get("resource") or {}).get("message") or body.get("message") or body
        if "mention_everyone" in message:
            yield message


# ------------------------------------------------------------------ starting it all
async def start_sweep(
    loop: asyncio.AbstractEventLoop, database_url: str, data_dir: Path, errors: ErrorRecords
) -> Sweep:
    """Start the emulator, build the community, start and configure Hearth, and the personas."""
    emu = Emulator(interaction_deadline=3.0)
    await emu.start()
    community = build_community(emu)
    targets = _build_targets(emu, community)
    settings = Settings(
        discord_token=emu.token,
        database_url=database_url,
        data_dir=data_dir,
        api_base=emu.rest_base,
        gateway_url=emu.gateway_url,
        guild_ready_timeout=0.05,
        dm_interval_seconds=0,
    )
    clock = FakeClock(NOW)
    hearth = build(settings, clock=clock, autostart_jobs=False, extensions=EXTENSIONS)
    task = asyncio.create_task(hearth.bot.start(settings.discord_token))
    ready = asyncio.create_task(hearth.bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=15, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        raise TimeoutError("Hearth did not become ready")
    c = community
    await configure(emu, c)
    emu.set_member_roles(c.guild.id, c.moderator.id, [c.mods_role.id, c.facilitator_role.id])
    personas = {
        "member": Persona("member", c.alice.id),
        "moderator": Persona("moderator", c.moderator.id),
        "newcomer": Persona("newcomer", c.bob.id),
    }
    sweep = Sweep(loop, emu, community, hearth, targets, personas, errors, clock, task)
    for persona in personas.values():
        persona.perms = emu.world.permissions_in(emu.world.channels[c.general.id], persona.user_id)
    return sweep


async def accept_agreement(sweep: Sweep, user_id: int) -> None:
    """Read and accept the current agreement, as a member would (if not accepted already)."""
    emu, c = sweep.emu, sweep.community
    read = await emu.slash(user_id, "agreement read", guild_id=c.guild.id, channel_id=c.general.id)
    await read.wait_until_done()
    labels = [b.get("label") for row in read.components for b in row.get("components", [])]
    if "Accept" in labels:
        accept = await emu.click(user_id, read.message, label="Accept")
        await accept.wait_until_done()
    sweep.check_clean("accepting the agreement")


async def restore(sweep: Sweep) -> None:
    """Undo what a moderator's sweep may have changed: set-up, quiz, and who has accepted."""
    emu, c = sweep.emu, sweep.community
    await configure(emu, c)
    clear = await emu.slash(
        c.moderator.id, "agreement quiz clear", guild_id=c.guild.id, channel_id=c.general.id
    )
    await clear.wait_until_done()
    emu.set_member_roles(c.guild.id, c.moderator.id, [c.mods_role.id, c.facilitator_role.id])
    for persona in ("member", "moderator"):
        await accept_agreement(sweep, sweep.personas[persona].user_id)
    sweep.check_clean("restoring the set-up")


async def stop_sweep(sweep: Sweep) -> None:
    """Stop Hearth and the emulator, and end what discord.py left waiting (view timeouts)."""
    await sweep.hearth.close()
    await asyncio.wait_for(sweep.task, 10)
    await sweep.emu.stop()
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in leftover:
        task.cancel()
    await asyncio.gather(*leftover, return_exceptions=True)


def _build_targets(emu: Emulator, c: Community) -> Targets:
    """Add the users, roles and channels that entity options pick, real and awkward ones."""
    guild = c.guild.id
    stranger = emu.create_user("stranger")  # in no server with the bot
    leaver = emu.create_user("leaver")
    emu.add_member(guild, leaver.id)
    emu.remove_member(guild, leaver.id)  # Discord still resolves someone who just left
    high = emu.create_role(guild, "Staff above Hearth", position=10)
    fresh = emu.create_role(guild, "Unused")
    bot_role = emu.world.roles[c.guild.bot_role.id]
    hidden = emu.create_channel(
        guild, "bot-cannot-see", overwrites=[overwrite(bot_role, deny=Permissions.VIEW_CHANNEL)]
    )
    quiet = emu.create_channel(
        guild, "bot-cannot-post", overwrites=[overwrite(bot_role, deny=Permissions.SEND_MESSAGES)]
    )
    extra = [emu.create_channel(guild, f"kind-{kind}", type=kind) for kind in (2, 4, 5, 13, 15, 16)]
    users = (
        c.alice.id,
        c.bob.id,
        c.moderator.id,
        emu.bot_user.id,
        c.guild.owner.id,
        stranger.id,
        leaver.id,
    )
    roles = (
        c.member_role.id,
        c.mods_role.id,
        c.facilitator_role.id,
        guild,
        c.guild.bot_role.id,
        high.id,
        fresh.id,
    )
    channels = [
        c.general,
        c.welcome,
        c.checkins,
        c.circles,
        c.alerts,
        c.modlog,
        hidden,
        quiet,
        *extra,
    ]
    mention = (
        f"<@{c.alice.id}> <@!{c.bob.id}> <@&{c.mods_role.id}> <#{c.alerts.id}> @everyone @here"
    )
    return Targets(users, roles, tuple((ch.id, ch.type) for ch in channels), mention)


class LoopThread:
    """An event loop running in its own thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sweep-loop", daemon=True)
        self.thread.start()

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        """Run a coroutine in the loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

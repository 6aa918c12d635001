"""The emulated Discord's core: world, identity, clock, gateway hub, recordings and faults.

REST routes, message building and snapshots work on a `Core`; the test driver (`Emulator`)
builds on it. The core also holds the few world changes both sides make (a new role, a member
who leaves, a DM channel), each dispatching the gateway event Discord would send.
"""

# ruff: noqa: ASYNC109  (the driver API takes timeout= by contract, see SPEC.md)

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from emulator.enums import ApplicationFlag, ChannelType
from emulator.errors import EmulatorUsageError
from emulator.gateway import PRIVILEGED_INTENTS, GatewayHub
from emulator.handle import InteractionHandle
from emulator.ids import Now, SnowflakeFactory, as_id, iso, new_token, utcnow
from emulator.recording import Fault, RecordedRequest
from emulator.world import Channel, Guild, Member, Role, User, World

log = logging.getLogger(__name__)
T = TypeVar("T")
API_PREFIX = "/api/v10"
_POLL_S = 0.005


class Notifier:
    """Wake every waiter whenever something changed, so they can re-check their predicate."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake the current waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """Return predicate()'s first truthy value, re-checking on every change (and polling)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            event = self._event
            # Poll too: predicates may look at state outside the emulator (the bot's cache).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, _POLL_S))


class Core:
    """The state of a local Discord and the plumbing every part of it shares."""

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
        self.interaction_deadline = interaction_deadline
        self.privileged_intents = privileged_intents
        self.strict_event_times = strict_event_times
        self.host = host
        self.port = port
        self.clock: Now = clock or utcnow
        self.snowflakes = SnowflakeFactory(self.utcnow)
        self.application_id = self.snowflakes.next()
        self.application_flags = (
            ApplicationFlag.GATEWAY_MESSAGE_CONTENT_LIMITED
            | ApplicationFlag.GATEWAY_GUILD_MEMBERS_LIMITED
            | ApplicationFlag.GATEWAY_PRESENCE_LIMITED
        )
        self.bot_user = User(id=self.application_id, username=bot_name, bot=True)
        self.owner_user = User(id=self.snowflakes.next(), username=f"{bot_name.lower()}-developer")
        prefix = base64.b64encode(str(self.application_id).encode()).decode().rstrip("=")
        self.token = token or f"{prefix}.{new_token()}"
        self.world = World(self.bot_user)
        self.world.users[self.owner_user.id] = self.owner_user
        self.hub = GatewayHub(self)
        self.requests: list[RecordedRequest] = []
        self.problems: list[str] = []
        self.faults: list[Fault] = []
        self.interactions: dict[int, InteractionHandle] = {}
        self.interactions_by_token: dict[str, InteractionHandle] = {}
        self.modal_origins: dict[str, InteractionHandle] = {}
        self.ephemeral_owners: dict[int, int] = {}
        self.inflight = 0
        self._notifier: Notifier | None = None
        self._listeners: list[Callable[[], None]] = []

    # ------------------------------------------------------------ addresses and time
    @property
    def http_base(self) -> str:
        """Return http://127.0.0.1:PORT."""
        return f"http://{self.host}:{self.port}"

    @property
    def rest_base(self) -> str:
        """Return the value for discord.http.Route.BASE."""
        return f"{self.http_base}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Return the value for DiscordWebSocket.DEFAULT_GATEWAY."""
        return f"ws://{self.host}:{self.port}/gateway"

    def utcnow(self) -> datetime:
        """Return the emulator's current time (aware UTC): message times, snowflakes, events."""
        return self.clock()

    def now(self) -> str:
        """Return the current time as Discord formats it."""
        return iso(self.utcnow())

    # ------------------------------------------------------------ changes and waiting
    def notify(self) -> None:
        """Wake waiters and listeners: something in the world or the recordings changed."""
        if self._notifier is not None:
            self._notifier.notify()
        for listener in self._listeners:
            listener()

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener()` (synchronously, so keep it cheap) whenever something changes."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        """Stop calling a listener added with add_listener()."""
        self._listeners.remove(listener)

    async def wait_until(self, predicate: Callable[[], T | None], timeout: float, what: str) -> T:
        """Wait until predicate() is truthy and return its value (TimeoutError otherwise)."""
        if self._notifier is None:
            self._notifier = Notifier()
        return await self._notifier.wait_for(predicate, timeout, what)

    def problem(self, text: str) -> None:
        """Record something Discord would refuse or that a real bot must not do."""
        log.warning("emulator problem: %s", text)
        self.problems.append(text)
        self.notify()

    def record(self, request: RecordedRequest) -> None:
        """Keep a served REST call."""
        self.requests.append(request)
        self.notify()

    # ------------------------------------------------------------ gateway events
    def dispatch(self, event: str, data: dict[str, Any], **kwargs: Any) -> int:
        """Send a gateway event to the connected bot sessions (no-op if none)."""
        if not self.hub.sessions:
            return 0
        return self.hub.dispatch(event, data, **kwargs)

    def dispatch_member_update(self, member: Member) -> None:
        """Send GUILD_MEMBER_UPDATE for a member."""
        data = member.to_json()
        data["guild_id"] = str(member.guild_id)
        self.dispatch(
            "GUILD_MEMBER_UPDATE",
            data,
            guild_id=member.guild_id,
            concerns_bot=member.id == self.bot_user.id,
        )

    def dispatch_role_update(self, guild_id: int, role: Role) -> None:
        """Send GUILD_ROLE_UPDATE for a role."""
        self.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild_id), "role": role.to_json()},
            guild_id=guild_id,
        )

    # ------------------------------------------------------------ shared world changes
    def find_guild(self, guild_id: Any) -> Guild:
        """Return a guild by id (EmulatorUsageError if there is none)."""
        guild = self.world.guilds.get(as_id(guild_id))
        if guild is None:
            raise EmulatorUsageError(f"unknown guild {guild_id}")
        return guild

    def place_role(self, guild: Guild, moving: Role, index: int) -> None:
        """Place a role at index among the non-@everyone roles, renumber, dispatch the others."""
        ordered = [r for r in guild.roles if r.id != guild.id and r is not moving]
        index = max(0, min(index, len(ordered)))
        ordered.insert(index, moving)
        for position, role in enumerate(ordered, start=1):
            if role.position != position:
                role.position = position
                if role is not moving:
                    self.dispatch_role_update(guild.id, role)

    def create_role(
        self,
        guild_id: int,
        name: str,
        *,
        permissions: int = 0,
        position: int | None = None,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
    ) -> Role:
        """Create a role, by default just below the bot's role (position=N places it exactly)."""
        guild = self.find_guild(guild_id)
        role = Role(
            self.snowflakes.next(),
            guild.id,
            name,
            permissions,
            0,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
        )
        self.world.roles[role.id] = role
        ordered = [r for r in guild.roles if r.id != guild.id and r is not role]
        if position is None:
            index = ordered.index(guild.bot_role) if guild.bot_role in ordered else len(ordered)
        else:
            index = position - 1
        self.place_role(guild, role, index)
        self.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": role.to_json()},
            guild_id=guild.id,
        )
        return role

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """Remove a user from a guild (they left); dispatch GUILD_MEMBER_REMOVE."""
        guild = self.find_guild(guild_id)
        member = self.world.members.pop((guild.id, as_id(user_id)), None)
        if member is None:
            raise EmulatorUsageError(f"user {user_id} is not in guild {guild.name}")
        for members in self.world.thread_members.values():
            members.discard(member.id)
        self.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild.id), "user": member.user.to_json()},
            guild_id=guild.id,
        )

    def dm_channel_for(self, user_id: int) -> Channel:
        """Return (creating if needed) the DM channel between the bot and a user."""
        world = self.world
        channel = world.dm_channels.get(user_id)
        if channel is None:
            channel = Channel(
                id=self.snowflakes.next(),
                type=ChannelType.DM,
                name=None,
                recipients=[world.users[user_id]],
                world=world,
            )
            world.dm_channels[user_id] = channel
        return channel

"""The Emulator: lifecycle, world building, waiting, recording and fault injection."""

# ruff: noqa: ASYNC109  (the driver API takes timeout= by contract, see SPEC.md)

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web

from emulator.errors import EmulatorUsageError
from emulator.gateway import PRIVILEGED_INTENTS, GatewayHub
from emulator.ids import Now, SnowflakeFactory, iso, new_token, utcnow
from emulator.interactions import InteractionDriver, InteractionHandle
from emulator.messages import build_message, store_message, wire
from emulator.permissions import Permissions, normalise_overwrites
from emulator.rest import API_PREFIX, Fault, RecordedRequest, Router, handle_request
from emulator.world import (
    DM,
    MESSAGEABLE_TYPES,
    THREAD_TYPES,
    Channel,
    Guild,
    Member,
    Role,
    User,
    World,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
_POLL_S = 0.005


class _Notifier:
    """Wake every waiter whenever something changed, so they can re-check their predicate."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], T], timeout: float, what: str) -> T:
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


def _id(value: Any) -> int:
    """Accept an int, a digit string or an object with .id."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    found = getattr(value, "id", None)
    if isinstance(found, int):
        return found
    if isinstance(value, dict) and "id" in value:
        return int(value["id"])
    raise EmulatorUsageError(f"expected an id, got {value!r}")


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
        self.interaction_deadline = interaction_deadline
        self.privileged_intents = privileged_intents
        self.strict_event_times = strict_event_times
        self.host = host
        self.port = port
        self.clock: Now = clock or utcnow
        self.snowflakes = SnowflakeFactory(self.utcnow)
        self.application_id = self.snowflakes.next()
        self.application_flags = 1 << 19 | 1 << 15 | 1 << 13
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
        self._notifier: _Notifier | None = None
        self._listeners: list[Callable[[], None]] = []
        self._taken_requests: set[int] = set()
        self._taken_messages: set[int] = set()
        self._runner: web.AppRunner | None = None
        from emulator.routes import build_router

        self.router: Router = build_router()

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> Emulator:
        """Bind 127.0.0.1 on a free port and serve REST + gateway."""
        self._notifier = _Notifier()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.hub.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        if server is None or not getattr(server, "sockets", None):
            raise RuntimeError("the emulator's server did not bind a socket")
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Close websockets, cancel deadline timers and stop the server."""
        for handle in self.interactions.values():
            if handle._timer is not None:
                handle._timer.cancel()
        await self.hub.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        return await handle_request(self, request)

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        data = self.world.attachment_data.get(int(request.match_info["attachment_id"]))
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

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

    def env(self) -> dict[str, str]:
        """Return the environment variables that point a Hearth subprocess at this emulator."""
        from emulator.client import GATEWAY_ENV, REST_ENV

        return {
            REST_ENV: self.rest_base,
            GATEWAY_ENV: self.gateway_url,
            "DISCORD_TOKEN": self.token,
        }

    # ------------------------------------------------------------ plumbing
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

    async def wait_until(self, predicate: Callable[[], T], timeout: float, what: str) -> T:
        """Wait until predicate() is truthy and return its value (TimeoutError otherwise)."""
        if self._notifier is None:
            self._notifier = _Notifier()
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

    def dispatch(self, event: str, data: dict[str, Any], **kwargs: Any) -> int:
        """Send a gateway event to the connected bot sessions (no-op if none)."""
        if not self.hub.sessions:
            return 0
        return self.hub.dispatch(event, data, **kwargs)

    def dispatch_message(self, event: str, message: dict[str, Any]) -> None:
        """Dispatch MESSAGE_CREATE/UPDATE with the author's member and content rules."""
        if not self.hub.sessions:
            return
        data = wire(message)
        guild_id = int(message["guild_id"]) if message.get("guild_id") else None
        author_id = int(message["author"]["id"])
        if guild_id is not None and "webhook_id" not in message:
            member = self.world.members.get((guild_id, author_id))
            if member is not None:
                data["member"] = member.to_json(with_user=False)
        redacted = None
        mentions_bot = any(int(u["id"]) == self.bot_user.id for u in message.get("mentions", []))
        if guild_id is not None and author_id != self.bot_user.id and not mentions_bot:
            redacted = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        self.hub.dispatch(event, data, guild_id=guild_id, redacted=redacted)

    # ------------------------------------------------------------ world building
    def create_user(
        self, username: str, *, global_name: str | None = None, bot: bool = False
    ) -> User:
        """Create a user (not in any guild yet)."""
        user = User(id=self.snowflakes.next(), username=username, global_name=global_name, bot=bot)
        self.world.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str,
        *,
        bot_permissions: int = Permissions.ADMIN_FREE_DEFAULT,
        everyone_permissions: int = Permissions.EVERYONE_DEFAULT,
        owner_id: int | None = None,
        locale: str = "en-US",
    ) -> Guild:
        """Create a guild with @everyone, an owner and the bot (managed role with bot_permissions)."""
        world = self.world
        guild_id = self.snowflakes.next()
        if owner_id is None:
            owner = self.create_user(f"{name.lower().replace(' ', '-')}-owner")
        else:
            owner = world.users[_id(owner_id)]
        bot_role = Role(
            id=self.snowflakes.next(),
            guild_id=guild_id,
            name=self.bot_user.username,
            permissions=bot_permissions,
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild = Guild(guild_id, name, owner.id, bot_role.id, locale=locale, world=world)
        world.guilds[guild_id] = guild
        world.roles[guild_id] = Role(guild_id, guild_id, "@everyone", everyone_permissions, 0)
        world.roles[bot_role.id] = bot_role
        world.members[(guild_id, owner.id)] = Member(guild_id, owner, [], world=world)
        world.members[(guild_id, self.bot_user.id)] = Member(
            guild_id, self.bot_user, [bot_role.id], world=world
        )
        self.dispatch("GUILD_CREATE", guild.gateway_json(), guild_id=guild_id)
        return guild

    def _guild(self, guild_id: Any) -> Guild:
        guild = self.world.guilds.get(_id(guild_id))
        if guild is None:
            raise EmulatorUsageError(f"unknown guild {guild_id}")
        return guild

    def _reorder_roles(self, guild: Guild, moving: Role, index: int) -> None:
        """Place a role at index among the non-@everyone roles, renumber, dispatch changes."""
        ordered = [r for r in guild.roles if r.id != guild.id and r is not moving]
        index = max(0, min(index, len(ordered)))
        ordered.insert(index, moving)
        for position, role in enumerate(ordered, start=1):
            if role.position != position:
                role.position = position
                if role is not moving:
                    self.dispatch(
                        "GUILD_ROLE_UPDATE",
                        {"guild_id": str(guild.id), "role": role.to_json()},
                        guild_id=guild.id,
                    )

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
        guild = self._guild(guild_id)
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
        self._reorder_roles(guild, role, index)
        self.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(guild.id), "role": role.to_json()},
            guild_id=guild.id,
        )
        return role

    def set_role_position(self, guild_id: int, role_id: int, position: int) -> None:
        """Move a role to a position (1 = just above @everyone); dispatch GUILD_ROLE_UPDATE."""
        guild = self._guild(guild_id)
        role = self.world.roles[_id(role_id)]
        self._reorder_roles(guild, role, position - 1)
        self.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild.id), "role": role.to_json()},
            guild_id=guild.id,
        )

    def set_role_permissions(self, guild_id: int, role_id: int, permissions: int) -> None:
        """Change a role's permissions; dispatch GUILD_ROLE_UPDATE."""
        guild = self._guild(guild_id)
        role = self.world.roles[_id(role_id)]
        role.permissions = permissions
        self.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(guild.id), "role": role.to_json()},
            guild_id=guild.id,
        )

    def create_channel(
        self,
        guild_id: int,
        name: str,
        *,
        type: int = 0,
        overwrites: Iterable[dict[str, Any]] | None = None,
        parent_id: int | None = None,
        topic: str | None = None,
        position: int | None = None,
        nsfw: bool = False,
    ) -> Channel:
        """Create a guild channel (0 text, 2 voice, 4 category, 5 announcement, 15 forum)."""
        guild = self._guild(guild_id)
        if type in THREAD_TYPES or type == DM:
            raise EmulatorUsageError("use create_thread() for threads; DMs are made on demand")
        parent = None
        if parent_id is not None:
            parent = self.world.channels.get(_id(parent_id))
            if parent is None or parent.type != 4:
                raise EmulatorUsageError(f"parent {parent_id} is not a category")
        if overwrites is None and parent is not None:
            overwrites = parent.permission_overwrites
        channel = Channel(
            id=self.snowflakes.next(),
            type=type,
            name=name,
            guild_id=guild.id,
            position=len(guild.channels) if position is None else position,
            parent_id=parent.id if parent else None,
            topic=topic,
            nsfw=nsfw,
            permission_overwrites=normalise_overwrites(overwrites),
            world=self.world,
        )
        self.world.channels[channel.id] = channel
        self.dispatch("CHANNEL_CREATE", channel.to_json(), guild_id=guild.id)
        return channel

    def create_thread(
        self,
        channel_id: int,
        name: str,
        *,
        type: int = 11,
        owner_id: int | None = None,
        members: Iterable[int] = (),
        archived: bool = False,
        locked: bool = False,
    ) -> Channel:
        """Create a thread under a text or forum channel, with its members."""
        parent = self.world.channels.get(_id(channel_id))
        if parent is None or parent.is_thread:
            raise EmulatorUsageError(f"channel {channel_id} cannot hold threads")
        if type not in THREAD_TYPES:
            raise EmulatorUsageError(f"thread type must be 10, 11 or 12, not {type}")
        thread = Channel(
            id=self.snowflakes.next(),
            type=type,
            name=name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=_id(owner_id) if owner_id is not None else self.bot_user.id,
            archived=archived,
            locked=locked,
            archive_timestamp=iso(self.utcnow()),
            create_timestamp=iso(self.utcnow()),
            world=self.world,
        )
        self.world.channels[thread.id] = thread
        thread_members = self.world.thread_members[thread.id]
        thread_members.update(_id(m) for m in members)
        if thread.owner_id is not None:
            thread_members.add(thread.owner_id)
        data = thread.to_json()
        data["newly_created"] = True
        self.dispatch("THREAD_CREATE", data, guild_id=thread.guild_id)
        return thread

    def add_member(
        self,
        guild_id: int,
        user_id: int,
        *,
        roles: Iterable[Any] = (),
        permissions: int | None = None,
        nick: str | None = None,
    ) -> Member:
        """Add a user to a guild; permissions=N also gives them a personal role with N."""
        guild = self._guild(guild_id)
        user = self.world.users.get(_id(user_id))
        if user is None:
            raise EmulatorUsageError(f"unknown user {user_id}; create_user() first")
        if (guild.id, user.id) in self.world.members:
            raise EmulatorUsageError(f"user {user.username} is already in {guild.name}")
        role_ids = [_id(r) for r in roles]
        for rid in role_ids:
            if rid not in self.world.roles or self.world.roles[rid].guild_id != guild.id:
                raise EmulatorUsageError(f"role {rid} is not in guild {guild.name}")
        if permissions is not None:
            role_ids.append(
                self.create_role(
                    guild.id, f"{user.username} permissions", permissions=permissions
                ).id
            )
        member = Member(
            guild.id, user, role_ids, joined_at=iso(self.utcnow()), nick=nick, world=self.world
        )
        self.world.members[(guild.id, user.id)] = member
        data = member.to_json()
        data["guild_id"] = str(guild.id)
        self.dispatch("GUILD_MEMBER_ADD", data, guild_id=guild.id)
        return member

    def remove_member(self, guild_id: int, user_id: int) -> None:
        """Remove a user from a guild (they left); dispatch GUILD_MEMBER_REMOVE."""
        guild = self._guild(guild_id)
        member = self.world.members.pop((guild.id, _id(user_id)), None)
        if member is None:
            raise EmulatorUsageError(f"user {user_id} is not in guild {guild.name}")
        for members in self.world.thread_members.values():
            members.discard(member.id)
        self.dispatch(
            "GUILD_MEMBER_REMOVE",
            {"guild_id": str(guild.id), "user": member.user.to_json()},
            guild_id=guild.id,
        )

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

    def set_member_roles(self, guild_id: int, user_id: int, roles: Iterable[Any]) -> None:
        """Replace a member's roles; dispatch GUILD_MEMBER_UPDATE."""
        guild = self._guild(guild_id)
        member = self.world.members.get((guild.id, _id(user_id)))
        if member is None:
            raise EmulatorUsageError(f"user {user_id} is not in guild {guild.name}")
        member.roles = [_id(r) for r in roles]
        self.dispatch_member_update(member)

    def set_channel_overwrites(self, channel_id: int, overwrites: Iterable[dict[str, Any]]) -> None:
        """Replace a channel's permission overwrites; dispatch CHANNEL_UPDATE."""
        channel = self.world.channels.get(_id(channel_id))
        if channel is None or channel.is_thread:
            raise EmulatorUsageError(f"unknown channel {channel_id}")
        channel.permission_overwrites = normalise_overwrites(overwrites)
        self.dispatch("CHANNEL_UPDATE", channel.to_json(), guild_id=channel.guild_id)

    def close_dms(self, user_id: int) -> None:
        """Make the bot's DMs to this user fail with 403 code 50007."""
        self.world.closed_dms.add(_id(user_id))

    def open_dms(self, user_id: int) -> None:
        """Undo close_dms()."""
        self.world.closed_dms.discard(_id(user_id))

    def post_message(
        self,
        user_id: int,
        channel_id: int,
        content: str = "",
        *,
        embeds: list[dict] | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Post a message as a user (MESSAGE_CREATE); channel_id may be a DM channel id."""
        user = self.world.users[_id(user_id)]
        channel = self.world.get_channel(_id(channel_id))
        if channel is None or channel.type not in MESSAGEABLE_TYPES:
            raise EmulatorUsageError(f"cannot post in channel {channel_id}")
        if channel.guild_id is not None and (channel.guild_id, user.id) not in self.world.members:
            raise EmulatorUsageError(f"{user.username} is not in that guild")
        body: dict[str, Any] = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to["id"]}
        message = build_message(self, channel, user.to_json(), body, [])
        store_message(self, channel, message)
        return message

    def post_dm(self, user_id: int, content: str) -> dict[str, Any]:
        """Post a DM from a user to the bot (MESSAGE_CREATE without guild_id)."""
        channel = self.dm_channel_for(_id(user_id))
        return self.post_message(user_id, channel.id, content)

    # ------------------------------------------------------------ reading the world
    def member_has_role(self, guild_id: int, user_id: int, role_id: int) -> bool:
        """Return whether a member currently has a role."""
        member = self.world.members.get((_id(guild_id), _id(user_id)))
        return member is not None and _id(role_id) in member.roles

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Return the messages of a channel, oldest first."""
        return list(self.world.messages.get(_id(channel_id), []))

    def dm_messages(self, user_id: int) -> list[dict[str, Any]]:
        """Return the messages in the DM channel with a user, oldest first."""
        channel = self.world.dm_channels.get(_id(user_id))
        return [] if channel is None else self.channel_messages(channel.id)

    def attachment_bytes(self, message: dict[str, Any], index: int = 0) -> bytes:
        """Return the bytes of a message's index-th attachment."""
        attachments = message.get("attachments") or []
        if index >= len(attachments):
            raise EmulatorUsageError(f"message {message['id']} has {len(attachments)} attachments")
        return self.world.attachment_data[int(attachments[index]["id"])]

    # ------------------------------------------------------------ waiting and recording
    async def wait_until_connected(self, timeout: float = 5.0) -> None:
        """Wait until a bot has identified on the gateway."""
        await self.hub.wait_until_connected(timeout)

    async def wait_until_guild_available(self, guild_id: int, timeout: float = 5.0) -> None:
        """Wait until a connected bot was sent the guild's GUILD_CREATE (written to its socket)."""
        gid = _id(guild_id)
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
            _id(channel_id), predicate, timeout, f"a bot message in channel {channel_id}"
        )

    async def wait_for_dm(
        self,
        user_id: int,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Return the earliest bot DM to a user not returned before (waits for one)."""
        uid = _id(user_id)
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
            if handle._timer is not None:
                handle._timer.cancel()
            del self.interactions[handle.id]
            self.interactions_by_token.pop(handle.token, None)
        for custom_id in [k for k, h in self.modal_origins.items() if h.created_at < cutoff]:
            del self.modal_origins[custom_id]

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

    def now(self) -> str:
        """Return the current time as Discord formats it."""
        return iso(self.utcnow())

"""The gateway websocket: HELLO, IDENTIFY/READY, RESUME, heartbeats and event dispatch."""

# ruff: noqa: ASYNC109  (the driver API takes timeout= by contract, see SPEC.md)

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from emulator.ids import new_token
from emulator.world import User, World

log = logging.getLogger(__name__)


class Op(IntEnum):
    """Gateway opcodes."""

    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class GatewayOwner(Protocol):
    """What the gateway needs from the emulator: its world, the bot's identity, problems."""

    world: World
    bot_user: User
    token: str
    application_id: int
    application_flags: int
    privileged_intents: int

    @property
    def gateway_url(self) -> str:
        """Return the websocket address (READY's resume_gateway_url)."""
        ...

    def problem(self, text: str) -> None:
        """Record something Discord would refuse."""
        ...


HEARTBEAT_INTERVAL_MS = 41250
# Websocket close codes after which a session cannot resume (normal closure, going away).
_CLEAN_CLOSES = (1000, 1001)
ACK = f'{{"op":{Op.HEARTBEAT_ACK},"d":null}}'
INVALID_SESSION = f'{{"op":{Op.INVALID_SESSION},"d":false}}'
ACK_DELAY_S = 0.02
RESUMABLE_FOR_S = 60.0
REPLAY_BUFFER = 5000

GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_WEBHOOKS = 1 << 5
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
MESSAGE_CONTENT = 1 << 15
GUILD_SCHEDULED_EVENTS = 1 << 16
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

_GUILD_EVENT_INTENTS = {
    "GUILD_CREATE": GUILDS,
    "GUILD_UPDATE": GUILDS,
    "GUILD_DELETE": GUILDS,
    "GUILD_ROLE_CREATE": GUILDS,
    "GUILD_ROLE_UPDATE": GUILDS,
    "GUILD_ROLE_DELETE": GUILDS,
    "CHANNEL_CREATE": GUILDS,
    "CHANNEL_UPDATE": GUILDS,
    "CHANNEL_DELETE": GUILDS,
    "THREAD_CREATE": GUILDS,
    "THREAD_UPDATE": GUILDS,
    "THREAD_DELETE": GUILDS,
    "THREAD_MEMBER_UPDATE": GUILDS,
    "GUILD_MEMBER_ADD": GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": GUILD_MEMBERS,
    "GUILD_SCHEDULED_EVENT_CREATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": GUILD_SCHEDULED_EVENTS,
    "MESSAGE_CREATE": GUILD_MESSAGES,
    "MESSAGE_UPDATE": GUILD_MESSAGES,
    "MESSAGE_DELETE": GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": GUILD_MESSAGE_REACTIONS,
    "WEBHOOKS_UPDATE": GUILD_WEBHOOKS,
}
_DM_EVENT_INTENTS = {
    "MESSAGE_CREATE": DIRECT_MESSAGES,
    "MESSAGE_UPDATE": DIRECT_MESSAGES,
    "MESSAGE_DELETE": DIRECT_MESSAGES,
    "MESSAGE_REACTION_ADD": DIRECT_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": DIRECT_MESSAGE_REACTIONS,
}


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@dataclass(eq=False)
class GatewaySession:
    """One identified bot session; it outlives a dropped connection so it can RESUME."""

    session_id: str
    intents: int
    shard: tuple[int, int] | None
    identified_at: float
    seq: int = 0
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_BUFFER))
    outbox: asyncio.Queue[str | None] | None = None
    guilds_sent: set[int] = field(default_factory=set)
    disconnected_at: float | None = None
    invalidated: bool = False

    @property
    def live(self) -> bool:
        """Return whether a websocket is attached."""
        return self.outbox is not None

    def sees_guild(self, guild_id: int | None) -> bool:
        """Return whether this session's shard receives the guild's events."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return (guild_id >> 22) % count == shard_id

    def push_dispatch(self, event: str, data_json: str) -> None:
        """Queue a DISPATCH, numbering it and keeping it for replay."""
        self.seq += 1
        text = f'{{"op":{Op.DISPATCH},"t":"{event}","s":{self.seq},"d":{data_json}}}'
        self.buffer.append((self.seq, text))
        if self.outbox is not None:
            self.outbox.put_nowait(text)

    def push_raw(self, payload: dict[str, Any]) -> None:
        """Queue a non-dispatch payload (op 7, op 9, op 11 ...)."""
        if self.outbox is not None:
            self.outbox.put_nowait(_dumps(payload))


class GatewayHub:
    """Accept websocket connections and fan dispatches out to the identified sessions."""

    def __init__(self, owner: GatewayOwner) -> None:
        self.owner = owner
        self.sessions: dict[str, GatewaySession] = {}
        self._sockets: set[web.WebSocketResponse] = set()
        self._connected = asyncio.Event()
        self.identify_count = 0

    # ---------------------------------------------------------------- dispatch
    def active_sessions(self) -> list[GatewaySession]:
        """Return sessions that are live or may still resume, expiring stale ones."""
        now = time.monotonic()
        for sid, session in list(self.sessions.items()):
            if (
                session.disconnected_at is not None
                and now - session.disconnected_at > RESUMABLE_FOR_S
            ):
                del self.sessions[sid]
        return list(self.sessions.values())

    def has_session(self) -> bool:
        """Return whether any bot session could receive an event."""
        return bool(self.active_sessions())

    def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        guild_id: int | None = None,
        redacted: dict[str, Any] | None = None,
        newest_only: bool = False,
        concerns_bot: bool = False,
    ) -> int:
        """Send an event to every session whose intents and shard want it; return how many."""
        sessions = [s for s in self.active_sessions() if s.sees_guild(guild_id)]
        if newest_only and sessions:
            live = [s for s in sessions if s.live] or sessions
            sessions = [max(live, key=lambda s: s.identified_at)]
        intent = (_DM_EVENT_INTENTS if guild_id is None else _GUILD_EVENT_INTENTS).get(event)
        if event == "GUILD_CREATE" and guild_id is not None:
            for session in sessions:
                if session.intents & GUILDS:
                    session.guilds_sent.add(guild_id)
        text: str | None = None
        text_redacted: str | None = None
        sent = 0
        for session in sessions:
            wanted = intent is None or session.intents & intent
            if not wanted and not (concerns_bot and intent == GUILD_MEMBERS):
                continue
            if redacted is not None and not session.intents & MESSAGE_CONTENT:
                if text_redacted is None:
                    text_redacted = _dumps(redacted)
                session.push_dispatch(event, text_redacted)
            else:
                if text is None:
                    text = _dumps(data)
                session.push_dispatch(event, text)
            sent += 1
        return sent

    def thread_members_update(
        self, data: dict[str, Any], guild_id: int, bot_involved: bool
    ) -> None:
        """Send THREAD_MEMBERS_UPDATE: to every session with GUILD_MEMBERS, else only about us."""
        text = _dumps(data)
        for session in self.active_sessions():
            if not session.sees_guild(guild_id) or not session.intents & GUILDS:
                continue
            if session.intents & GUILD_MEMBERS or bot_involved:
                session.push_dispatch("THREAD_MEMBERS_UPDATE", text)

    async def wait_until_connected(self, timeout: float = 5.0) -> None:
        """Wait until a bot session has identified and is live."""
        if any(s.live for s in self.active_sessions()):
            return
        self._connected.clear()
        await asyncio.wait_for(self._connected.wait(), timeout)

    def guild_delivered(self, guild_id: int) -> bool:
        """Return whether a live session was sent the guild's GUILD_CREATE and flushed it."""
        return any(
            s.live and guild_id in s.guilds_sent and s.outbox is not None and s.outbox.empty()
            for s in self.active_sessions()
        )

    def reconnect_all(self, *, resume: bool) -> None:
        """Ask every live session to reconnect (op 7) or to identify afresh (op 9)."""
        for session in list(self.sessions.values()):
            if not session.live:
                continue
            if resume:
                session.push_raw({"op": Op.RECONNECT, "d": None})
            else:
                session.invalidated = True
                session.push_raw({"op": Op.INVALID_SESSION, "d": False})
                self.sessions.pop(session.session_id, None)

    async def close_all(self) -> None:
        """Close every websocket (used at shutdown)."""
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"emulator stopping")

    # ---------------------------------------------------------------- websocket
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection."""
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        self._sockets.add(ws)
        outbox: asyncio.Queue[str | None] = asyncio.Queue()
        writer = asyncio.create_task(self._writer(ws, outbox), name="emulator-gateway-writer")
        hello = {"op": Op.HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
        outbox.put_nowait(_dumps(hello))
        session: GatewaySession | None = None
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    if msg.type == WSMsgType.BINARY:
                        self.owner.problem("gateway: binary frame received (expected JSON text)")
                    continue
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    self.owner.problem(f"gateway: malformed JSON frame {msg.data[:100]!r}")
                    await ws.close(code=4002, message=b"Error while decoding payload.")
                    break
                session = await self._on_payload(ws, outbox, session, payload)
        finally:
            self._sockets.discard(ws)
            outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await writer
            if session is not None and session.outbox is outbox:
                session.outbox = None
                session.disconnected_at = time.monotonic()
                if ws.close_code in _CLEAN_CLOSES or session.invalidated:
                    self.sessions.pop(session.session_id, None)
        return ws

    async def _writer(self, ws: web.WebSocketResponse, outbox: asyncio.Queue[str | None]) -> None:
        while True:
            text = await outbox.get()
            if text is None or ws.closed:
                return
            try:
                await ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    async def _on_payload(
        self,
        ws: web.WebSocketResponse,
        outbox: asyncio.Queue[str | None],
        session: GatewaySession | None,
        payload: dict[str, Any],
    ) -> GatewaySession | None:
        op = payload.get("op")
        data = payload.get("d")
        if op == Op.HEARTBEAT:
            # Real Discord acks after a network round trip. Acking at once, on the bot's own
            # event loop, can beat discord.py's heartbeat thread to recording the send, and the
            # library then warns that the websocket is a whole interval (41.3 s) behind.
            asyncio.get_running_loop().call_later(ACK_DELAY_S, outbox.put_nowait, ACK)
        elif op == Op.IDENTIFY:
            if session is not None:
                self.owner.problem("gateway: IDENTIFY sent twice on one connection")
                await ws.close(code=4005, message=b"Already authenticated.")
                return session
            return await self._identify(ws, outbox, data or {})
        elif op == Op.RESUME:
            return await self._resume(ws, outbox, data or {})
        elif op == Op.REQUEST_GUILD_MEMBERS:
            if session is None:
                await ws.close(code=4003, message=b"Not authenticated.")
                return None
            self._request_members(session, data or {})
        elif op in (Op.PRESENCE_UPDATE, Op.VOICE_STATE_UPDATE):
            pass  # presence and voice state updates: accepted, nothing to emulate
        else:
            self.owner.problem(f"gateway: unknown opcode {op}")
            await ws.close(code=4001, message=b"Unknown opcode.")
        return session

    def _token_ok(self, token: Any) -> bool:
        return token in (self.owner.token, f"Bot {self.owner.token}")

    async def _identify(
        self, ws: web.WebSocketResponse, outbox: asyncio.Queue[str | None], data: dict[str, Any]
    ) -> GatewaySession | None:
        if not self._token_ok(data.get("token")):
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        if "intents" not in data:
            await ws.close(code=4013, message=b"Invalid intent(s).")
            return None
        intents = int(data["intents"])
        if intents & PRIVILEGED_INTENTS & ~self.owner.privileged_intents:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        shard = data.get("shard")
        shard_t = (int(shard[0]), int(shard[1])) if shard else None
        session = GatewaySession(
            session_id=new_token(),
            intents=intents,
            shard=shard_t,
            identified_at=time.monotonic(),
            outbox=outbox,
        )
        self.sessions[session.session_id] = session
        self.identify_count += 1
        owner = self.owner
        guilds = [g for g in owner.world.guilds.values() if session.sees_guild(g.id)]
        user = owner.bot_user.to_json()
        user.update(verified=True, mfa_enabled=False, email=None, locale="en-US")
        ready: dict[str, Any] = {
            "v": 10,
            "user": user,
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "session_type": "normal",
            "resume_gateway_url": owner.gateway_url,
            "application": {"id": str(owner.application_id), "flags": owner.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
        }
        if shard_t is not None:
            ready["shard"] = list(shard_t)
        session.push_dispatch("READY", _dumps(ready))
        if intents & GUILDS:
            for guild in guilds:
                session.push_dispatch("GUILD_CREATE", _dumps(guild.gateway_json()))
                session.guilds_sent.add(guild.id)
        self._connected.set()
        return session

    async def _resume(
        self, ws: web.WebSocketResponse, outbox: asyncio.Queue[str | None], data: dict[str, Any]
    ) -> GatewaySession | None:
        if not self._token_ok(data.get("token")):
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.live:
            outbox.put_nowait(INVALID_SESSION)
            return None
        since = int(data.get("seq") or 0)
        session.outbox = outbox
        session.disconnected_at = None
        for seq, text in session.buffer:
            if seq > since:
                outbox.put_nowait(text)
        session.push_dispatch("RESUMED", "{}")
        self._connected.set()
        return session

    def _request_members(self, session: GatewaySession, data: dict[str, Any]) -> None:
        owner = self.owner
        guild_ids = data.get("guild_id")
        if not isinstance(guild_ids, list):
            guild_ids = [guild_ids]
        query = data.get("query")
        limit = int(data.get("limit") or 0)
        user_ids = [int(u) for u in data.get("user_ids") or []]
        for raw_gid in guild_ids:
            guild = owner.world.guilds.get(int(raw_gid))
            if guild is None:
                continue
            members = guild.members
            not_found: list[str] = []
            if user_ids:
                present = {m.id for m in members}
                not_found = [str(u) for u in user_ids if u not in present]
                members = [m for m in members if m.id in user_ids]
            elif query:
                q = query.lower()
                members = [
                    m
                    for m in members
                    if m.user.username.lower().startswith(q)
                    or (m.nick or "").lower().startswith(q)
                    or (m.user.global_name or "").lower().startswith(q)
                ]
            if limit:
                members = members[:limit]
            chunks = [members[i : i + 1000] for i in range(0, len(members), 1000)] or [[]]
            for index, chunk in enumerate(chunks):
                body: dict[str, Any] = {
                    "guild_id": str(guild.id),
                    "members": [m.to_json() for m in chunk],
                    "chunk_index": index,
                    "chunk_count": len(chunks),
                    "not_found": not_found if index == 0 else [],
                }
                if data.get("nonce"):
                    body["nonce"] = data["nonce"]
                if data.get("presences"):
                    body["presences"] = []
                session.push_dispatch("GUILD_MEMBERS_CHUNK", _dumps(body))

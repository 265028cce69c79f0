"""Gateway websocket: HELLO, IDENTIFY/READY, RESUME with replay, heartbeats, compression."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import render, shards
from .model import JSON, PRIVILEGED_INTENTS, Intent
from .world import PayloadFn, World

ALL_INTENTS = (1 << 26) - 1


@dataclass
class Session:
    id: str
    intents: int
    seq: int = 0
    buffer: list[JSON] = field(default_factory=list)
    conn: Connection | None = None
    invalid: bool = False
    #: (shard id, shard count) from IDENTIFY: which guilds' events the session gets.
    shard: shards.ShardPair = (0, 1)

    def push(self, event: str, data: JSON) -> None:
        self.seq += 1
        payload = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.buffer.append(payload)
        if self.conn is not None:
            self.conn.send(payload)


class _Close:
    def __init__(self, code: int, abrupt: bool) -> None:
        self.code = code
        self.abrupt = abrupt


def _zstd_encoder() -> Callable[[bytes], bytes]:
    """A streaming zstd encoder flushed per message, for clients that ask for zstd-stream."""
    try:
        zstandard: Any = importlib.import_module("zstandard")
    except ImportError:
        stdlib: Any = importlib.import_module("compression.zstd")
        comp = stdlib.ZstdCompressor()
        return lambda data: bytes(comp.compress(data, mode=stdlib.ZstdCompressor.FLUSH_BLOCK))
    cobj = zstandard.ZstdCompressor().compressobj()
    return lambda data: bytes(cobj.compress(data) + cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK))


class Connection:
    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self.ws = ws
        self.request = request
        self.compress = request.query.get("compress")
        self.session: Session | None = None
        self.outbox: asyncio.Queue[JSON | _Close] = asyncio.Queue()
        self._encode: Callable[[bytes], bytes] | None = None
        if self.compress == "zlib-stream":
            zc = zlib.compressobj()
            self._encode = lambda data: zc.compress(data) + zc.flush(zlib.Z_SYNC_FLUSH)
        elif self.compress == "zstd-stream":
            self._encode = _zstd_encoder()
        self.writer = asyncio.create_task(self._write())

    def send(self, payload: JSON) -> None:
        self.outbox.put_nowait(payload)

    def close(self, code: int, *, abrupt: bool = False) -> None:
        self.outbox.put_nowait(_Close(code, abrupt))

    async def _write(self) -> None:
        while True:
            item = await self.outbox.get()
            if isinstance(item, _Close):
                if item.abrupt and self.request.transport is not None:
                    self.request.transport.abort()
                else:
                    with contextlib.suppress(ConnectionError, RuntimeError):
                        await self.ws.close(code=item.code)
                return
            text = json.dumps(item, separators=(",", ":"))
            try:
                if self._encode is None:
                    await self.ws.send_str(text)
                else:
                    await self.ws.send_bytes(self._encode(text.encode()))
            except (ConnectionError, RuntimeError):
                return


class Hub:
    """All gateway sessions; fans dispatches out to them according to their intents."""

    def __init__(self, world: World, heartbeat_interval: int = 41250) -> None:
        self.world = world
        world.hub = self
        self.heartbeat_interval = heartbeat_interval
        #: ``GET /gateway/bot``'s answer and the session starts used (see :mod:`.shards`).
        self.sharding = shards.Sharding()
        self.sessions: dict[str, Session] = {}
        self.connections: set[Connection] = set()
        self.last_intents: int | None = None
        self.identifies = 0
        self.resumes = 0
        self.heartbeats = 0
        self.invalid_sessions = 0
        #: The query of every websocket connection (``v``, ``encoding``, ``compress``).
        self.queries: list[dict[str, str]] = []
        #: Every payload a client sent, in order.
        self.received: list[JSON] = []
        #: Every dispatch (event name, payload as a client with all intents sees it).
        self.dispatched: list[tuple[str, JSON]] = []
        self._open = asyncio.Event()
        self._open.set()

    @property
    def gateway_url(self) -> str:
        return "ws" + self.world.base_url.removeprefix("http") + "/gateway"

    def connected(self) -> bool:
        return any(s.conn is not None for s in self.sessions.values() if not s.invalid)

    def dispatch(self, event: str, fn: PayloadFn, intent: int) -> None:
        full = fn(Session(id="", intents=ALL_INTENTS))
        if full is not None:
            self.dispatched.append((event, full))
        guild_id = None if full is None else shards.event_guild(event, full)
        for session in list(self.sessions.values()):
            if session.invalid or (intent and not session.intents & intent):
                continue
            if not shards.receives(session.shard, guild_id):
                continue
            data = fn(session)
            if data is not None:
                session.push(event, data)

    # ------------------------------------------------------------------ faults
    def hold(self) -> None:
        """New connections wait before HELLO until :meth:`release`."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def drop(self, *, resumable: bool = True, code: int | None = None, abrupt: bool = False) -> int:
        """Close every live connection; sessions stay resumable unless ``resumable`` is False."""
        dropped = 0
        for conn in list(self.connections):
            if conn.session is not None:
                if not resumable:
                    conn.session.invalid = True
                conn.session.conn = None
                conn.session = None
            conn.close(code or (4000 if resumable else 4009), abrupt=abrupt)
            dropped += 1
        self.world.notify()
        return dropped

    def send_reconnect(self) -> None:
        for conn in list(self.connections):
            conn.send({"op": 7, "d": None, "s": None, "t": None})

    async def close_all(self) -> None:
        self.release()
        conns = list(self.connections)
        for conn in conns:
            conn.close(1001)
        for conn in conns:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.writer, 2)

    # --------------------------------------------------------------- websocket
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, timeout=2.0)
        await ws.prepare(request)
        await self._open.wait()
        conn = Connection(ws, request)
        self.connections.add(conn)
        self.queries.append(dict(request.query))
        hello = {"heartbeat_interval": self.heartbeat_interval, "_trace": ["standin"]}
        conn.send({"op": 10, "d": hello, "s": None, "t": None})
        try:
            if request.query.get("encoding", "json") != "json":
                conn.close(4002)
            elif request.query.get("v", "10") != "10":
                conn.close(4012)
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    conn.close(4002)
                    continue
                try:
                    payload = json.loads(msg.data)
                except ValueError:
                    conn.close(4002)
                    continue
                self.received.append(payload)
                self._on_payload(conn, payload)
                self.world.notify()
        finally:
            self.connections.discard(conn)
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            conn.close(1000)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.writer, 2)
            self.world.notify()
        return ws

    def _on_payload(self, conn: Connection, payload: JSON) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:
            self.heartbeats += 1
            conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            self._identify(conn, data or {})
        elif op == 6:
            self._resume(conn, data or {})
        elif conn.session is None:
            conn.close(4003)
        elif op == 8:
            self._request_members(conn.session, data or {})
        elif op not in (3, 4):
            conn.close(4001)

    def _identify(self, conn: Connection, data: JSON) -> None:
        world = self.world
        if conn.session is not None:
            conn.close(4005)
            return
        if data.get("token") != world.token:
            conn.close(4004)
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            conn.close(4013)
            return
        if intents & PRIVILEGED_INTENTS & ~world.allowed_intents:
            conn.close(4014)
            return
        shard = shards.parse_shard(data.get("shard"))
        if shard is None:
            conn.close(shards.INVALID_SHARD)
            return
        self.sharding.identified()
        session = Session(id=secrets.token_hex(16), intents=intents, conn=conn, shard=shard)
        guilds = [g for g in world.guilds.values() if shards.receives(shard, g.id)]
        conn.session = session
        self.sessions[session.id] = session
        self.last_intents = intents
        self.identifies += 1
        user = render.user_payload(world.bot) | {"verified": True, "mfa_enabled": False}
        ready = {
            "v": 10,
            "user": user | {"email": None, "flags": 0},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": list(shard),
            "application": {"id": str(world.application_id), "flags": world.application_flags()},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["standin"],
            "user_settings": {},
            "_trace": ["standin"],
        }
        session.push("READY", ready)
        for guild in guilds:
            session.push("GUILD_CREATE", render.guild_create_payload(world, guild, intents))

    def _resume(self, conn: Connection, data: JSON) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.invalid or data.get("token") != self.world.token:
            self.invalid_sessions += 1
            conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            session.conn.session = None
            session.conn.close(4000)
        seq = data.get("seq") or 0
        for payload in session.buffer:
            if payload["s"] > seq:
                conn.send(payload)
        session.conn = conn
        conn.session = session
        self.resumes += 1
        session.push("RESUMED", {"_trace": ["standin"]})

    def _request_members(self, session: Session, data: JSON) -> None:
        guild = self.world.guilds.get(int(data.get("guild_id") or 0))
        if guild is None:
            return
        wanted = data.get("user_ids")
        query = (data.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if (wanted is None or str(m.user_id) in {str(u) for u in wanted})
            and self.world.users[m.user_id].name.lower().startswith(query)
        ]
        limit = int(data.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [render.member_payload(self.world, m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce"):
            chunk["nonce"] = data["nonce"]
        if session.intents & Intent.GUILD_MEMBERS:
            session.push("GUILD_MEMBERS_CHUNK", chunk)

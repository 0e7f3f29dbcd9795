"""Fake gateway websocket: HELLO, IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME, member chunks."""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .payloads import JSON, snowflake

if TYPE_CHECKING:
    from .state import FakeState

HEARTBEAT_INTERVAL_MS = 41250


@dataclass(eq=False)
class Connection:
    ws: web.WebSocketResponse
    query: dict[str, str]
    seq: int = 0
    ready: bool = False
    session_id: str = ""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Gateway:
    def __init__(self, fake: FakeState) -> None:
        self.fake = fake
        self.connections: list[Connection] = []
        self.received: list[JSON] = []  # every frame the bot sent (IDENTIFY carries intents)
        self.sent: list[JSON] = []  # every frame the fake sent
        self.reject_identify: int | None = None  # close code for IDENTIFY, e.g. 4004 (authentication failed)

    @property
    def identify(self) -> JSON | None:
        return next((f["d"] for f in reversed(self.received) if f.get("op") == 2), None)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        conn = Connection(ws, dict(request.query))
        self.connections.append(conn)
        try:
            await self._send(conn, {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.received.append(frame)
                await self._on_frame(conn, frame)
                self.fake.bump()
        finally:
            conn.ready = False
            self.connections.remove(conn)
            self.fake.bump()
        return ws

    async def _on_frame(self, conn: Connection, frame: JSON) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == 1:  # heartbeat
            await self._send(conn, {"op": 11})
        elif op == 2 and self.reject_identify is not None:
            await conn.ws.close(code=self.reject_identify)
        elif op == 2:  # identify
            await self._ready(conn, d or {})
        elif op == 6:  # resume: accept it, nothing is replayed
            async with conn.lock:
                await self._send_dispatch(conn, "RESUMED", {})
                conn.ready = True
        elif op == 8 and d:  # request guild members
            await self._member_chunk(conn, d)

    async def _ready(self, conn: Connection, identify: JSON) -> None:
        fake = self.fake
        conn.session_id = f"session-{snowflake()}"
        ready: JSON = {
            "v": 10,
            "user": fake.bot_user,
            "guilds": [{"id": str(g), "unavailable": True} for g in fake.guilds],
            "session_id": conn.session_id,
            "resume_gateway_url": str(fake.gateway_url),
            "application": {"id": str(fake.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
        }
        if "shard" in identify:
            ready["shard"] = identify["shard"]
        async with conn.lock:
            await self._send_dispatch(conn, "READY", ready)
            for guild in list(fake.guilds.values()):
                await self._send_dispatch(conn, "GUILD_CREATE", guild.payload())
            conn.ready = True

    async def _member_chunk(self, conn: Connection, d: JSON) -> None:
        guild = self.fake.guilds.get(int(d["guild_id"]))
        members = list(guild.members.values()) if guild else []
        if d.get("user_ids"):
            wanted = {str(u) for u in d["user_ids"]}
            members = [m for m in members if m["user"]["id"] in wanted]
        elif d.get("query"):
            members = [m for m in members if m["user"]["username"].startswith(d["query"])]
        chunk = {"guild_id": str(d["guild_id"]), "members": members, "chunk_index": 0, "chunk_count": 1}
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        async with conn.lock:
            await self._send_dispatch(conn, "GUILD_MEMBERS_CHUNK", chunk)

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send a DISPATCH to every connected, identified bot."""
        for conn in list(self.connections):
            async with conn.lock:
                if conn.ready:
                    await self._send_dispatch(conn, event, data)

    async def _send_dispatch(self, conn: Connection, event: str, data: Any) -> None:
        conn.seq += 1
        await self._send(conn, {"op": 0, "t": event, "s": conn.seq, "d": data})

    async def _send(self, conn: Connection, frame: JSON) -> None:
        if conn.ws.closed:
            return
        self.sent.append(frame)
        with suppress(ConnectionError, RuntimeError):  # the bot hung up meanwhile
            await conn.ws.send_str(json.dumps(frame))

    async def close_all(self, code: int = 1001) -> None:
        """Close every bot connection; a code like 4000 makes discord.py reconnect and RESUME."""
        for conn in list(self.connections):
            conn.ready = False
            await conn.ws.close(code=code)

"""FakeState: everything the fake stores, the waits over it, and message/interaction bookkeeping."""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any, TypeVar

import yarl

from .faults import FaultInjection
from .gateway import Gateway
from .models import InteractionHandle, RecordedRequest
from .payloads import (
    DEFAULT_EVERYONE_PERMISSIONS,
    JSON,
    GuildState,
    channel,
    member,
    now_iso,
    role,
    snowflake,
    user,
)
from .rest import ApiError, RestAPI

T = TypeVar("T")


def strip_user(mem: JSON) -> JSON:
    return {k: v for k, v in mem.items() if k != "user"}


class FakeState(FaultInjection):
    """Stores and bookkeeping; FakeDiscord (server.py) adds the server lifecycle and the driving API."""

    def __init__(self, *, app_id: int = 900000000000000001, bot_name: str = "otbot") -> None:
        super().__init__()
        self.app_id = app_id
        self.bot_user = user(app_id, bot_name, bot=True)  # bot user id == application id, as on Discord
        self.owner = user(900000000000000002, "owner")
        self.guilds: dict[int, GuildState] = {}
        self.messages: dict[int, JSON] = {}  # id -> message payload, in creation order (all channels)
        self.deleted_messages: dict[int, JSON] = {}
        self.commands: dict[int | None, list[JSON]] = {}  # guild id (None = global) -> synced commands
        self.interactions: dict[int, InteractionHandle] = {}
        self.modals: dict[str, tuple[JSON, InteractionHandle]] = {}  # custom_id -> (modal data, opener)
        self.dm_channels: dict[int, JSON] = {}  # channel id -> DM channel payload
        self.files: dict[int, bytes] = {}  # attachment id -> uploaded bytes
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[RecordedRequest] = []
        self.errors: list[BaseException] = []  # crashes inside the fake's handlers
        self.rejected: list[tuple[RecordedRequest, list[str]]] = []  # 400s for bodies over Discord's limits
        self.gateway = Gateway(self)
        self.rest = RestAPI(self)
        self._changed = asyncio.Event()
        self._mark = 0  # snowflake of the last test-driven event (wait_for_message default)
        self.port = 0

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> yarl.URL:
        return yarl.URL(f"ws://127.0.0.1:{self.port}/")

    # -- waiting --------------------------------------------------------------------------------------
    def bump(self) -> None:
        """Wake every wait_until() (called after each state change)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self, predicate: Callable[[], T], timeout: float = 2.0, what: str = "condition"
    ) -> T:
        """First truthy predicate() value (re-checked on each change); AssertionError on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[-8:]]
                unknown = [f"{r.method} {r.path}" for r in self.unknown_routes]
                raise AssertionError(
                    f"fake_discord: timed out after {timeout}s waiting for {what}; "
                    f"unknown routes={unknown}; fake errors={self.errors!r}; recent requests={recent}"
                )
            event = self._changed
            with suppress(TimeoutError):  # also poll, so predicates on bot-side state work too
                await asyncio.wait_for(event.wait(), min(remaining, 0.05))

    async def wait_connected(self, timeout: float = 5.0) -> None:
        await self.wait_until(
            lambda: any(c.ready for c in self.gateway.connections),
            timeout,
            "an identified gateway connection",
        )

    async def wait_for_message(
        self,
        channel_id: int | None = None,
        predicate: Callable[[JSON], bool] | None = None,
        *,
        timeout: float = 2.0,
        since: int | None = None,
        from_bot: bool = True,
    ) -> JSON:
        """First message (by default: sent by the bot, created after the last driven event) that matches."""
        floor = self._mark if since is None else since

        def find() -> JSON | None:
            for msg in self.messages.values():
                if int(msg["id"]) <= floor or (
                    channel_id is not None and int(msg["channel_id"]) != channel_id
                ):
                    continue
                if from_bot and msg["author"]["id"] != self.bot_user["id"]:
                    continue
                if predicate is None or predicate(msg):
                    return msg
            return None

        return await self.wait_until(find, timeout, f"a message in channel {channel_id}")

    async def wait_for_request(self, method: str, path: str, timeout: float = 2.0) -> RecordedRequest:
        """Wait for a request whose path fullmatches the regex `path` (relative to /api/v10)."""
        return await self.wait_until(
            lambda: next(iter(self.requests_to(method, path)), None), timeout, f"{method} {path}"
        )

    def requests_to(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        rx = re.compile(path) if path else None
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (rx is None or rx.fullmatch(r.path))
        ]

    # -- state ----------------------------------------------------------------------------------------
    async def add_guild(
        self,
        guild_id: int,
        name: str = "Test Guild",
        channels: Iterable[int | JSON] = (),
        roles: Iterable[JSON] = (),
        members: Iterable[int | JSON] = (),
        *,
        owner_id: int | None = None,
        bot_roles: Iterable[int] = (),
    ) -> GuildState:
        """Create a guild (channels: ids or channel() dicts; members: ids or member() dicts).

        An @everyone role (id == guild_id) and the bot's own member are added when missing.
        Dispatched as GUILD_CREATE right after READY, or immediately if the bot is already connected.
        """
        guild = GuildState(guild_id, name, owner_id if owner_id is not None else int(self.owner["id"]))
        guild.roles[guild_id] = role(
            guild_id, "@everyone", permissions=DEFAULT_EVERYONE_PERMISSIONS, position=0
        )
        for r in roles:
            guild.roles[int(r["id"])] = r
        for ch in channels:
            data = channel(ch) if isinstance(ch, int) else ch
            guild.channels[int(data["id"])] = data
        for m in [*members, member(self.bot_user, roles=tuple(bot_roles))]:
            data = member(m) if isinstance(m, int) else m
            guild.members.setdefault(int(data["user"]["id"]), data)
        self.guilds[guild_id] = guild
        await self.gateway.dispatch("GUILD_CREATE", guild.payload())
        self.bump()
        return guild

    def channel_guild(self, channel_id: int) -> GuildState | None:
        return next((g for g in self.guilds.values() if g.channel_or_thread(channel_id)), None)

    def channel_messages(self, channel_id: int) -> list[JSON]:
        return [m for m in self.messages.values() if int(m["channel_id"]) == channel_id]

    def interaction_by_token(self, token: str) -> InteractionHandle | None:
        return next((h for h in self.interactions.values() if h.token == token), None)

    def command(self, name: str, guild_id: int | None = None, type: int = 1) -> JSON | None:
        """A synced command: guild commands first, then global ones."""
        for scope in (guild_id, None) if guild_id else (None,):
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd["type"] == type:
                    return cmd
        return None

    def register_commands(self, payload: list[JSON], guild_id: int | None) -> list[JSON]:
        """Bulk overwrite (PUT): keep ids of same-named commands, add ids/application_id/version."""
        old = {(c["name"], c["type"]): c["id"] for c in self.commands.get(guild_id, [])}
        out = []
        for cmd in payload:
            data = {"type": 1, "description": "", "options": [], "default_member_permissions": None}
            data.update(cmd)
            data["id"] = old.get((data["name"], data["type"])) or str(snowflake())
            data.update(application_id=str(self.app_id), version=str(snowflake()))
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
            out.append(data)
        self.commands[guild_id] = out
        return out

    def find_user(self, user_id: int) -> JSON:
        """The user payload of a member of any guild, else a default user."""
        for guild in self.guilds.values():
            if user_id in guild.members:
                return guild.members[user_id]["user"]
        return user(user_id)

    def dm_channel_for(self, user_id: int) -> JSON:
        for ch in self.dm_channels.values():
            if ch["recipients"][0]["id"] == str(user_id):
                return ch
        cid = snowflake()
        self.dm_channels[cid] = {
            "id": str(cid),
            "type": 1,
            "recipients": [self.find_user(user_id)],
            "last_message_id": None,
        }
        return self.dm_channels[cid]

    def _attachments(self, body: JSON, files: list[JSON]) -> list[JSON]:
        meta = {str(a.get("id")): a for a in body.get("attachments") or []}
        out = []
        for index, f in enumerate(files):
            aid = snowflake()
            self.files[aid] = f["data"]
            url = f"http://127.0.0.1:{self.port}/attachments/{aid}/{f['filename']}"
            out.append({
                "id": str(aid), "filename": f["filename"], "size": len(f["data"]), "url": url,
                "proxy_url": url, "content_type": f.get("content_type"),
                "description": meta.get(str(index), {}).get("description"),
            })  # fmt: skip
        return out

    async def create_message(
        self,
        channel_id: int,
        body: JSON,
        *,
        author: JSON | None = None,
        files: list[JSON] | None = None,
        interaction: InteractionHandle | None = None,
        echo: bool = True,
        **overrides: Any,
    ) -> JSON:
        """Store a message (as the bot unless `author`) and echo MESSAGE_CREATE unless ephemeral."""
        guild = self.channel_guild(channel_id)
        mid = snowflake()
        msg: JSON = {
            "id": str(mid), "channel_id": str(channel_id), "author": author or self.bot_user,
            "content": body.get("content") or "", "timestamp": now_iso(), "edited_timestamp": None,
            "tts": bool(body.get("tts")), "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": self._attachments(body, files or []), "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "pinned": False, "type": 0,
            "flags": int(body.get("flags") or 0),
        }  # fmt: skip
        if guild is not None:
            msg["guild_id"] = str(guild.id)
        for key in ("allowed_mentions", "nonce"):
            if key in body:
                msg[key] = body[key]
        ref = body.get("message_reference") or {}
        if ref.get("message_id"):
            ref = {"type": 0, "channel_id": str(channel_id), **ref}  # ids as strings, as Discord returns them
            if guild is not None:
                ref.setdefault("guild_id", str(guild.id))
            msg["message_reference"] = {k: str(v) if k.endswith("_id") else v for k, v in ref.items()}
            msg["type"] = 19
            referenced = self.messages.get(int(ref["message_id"]))
            if referenced is not None:
                msg["referenced_message"] = {k: v for k, v in referenced.items() if k != "referenced_message"}
        if interaction is not None:
            meta = {"id": str(interaction.id), "type": interaction.type, "user": self._user_of(interaction)}
            meta["authorizing_integration_owners"] = interaction.payload["authorizing_integration_owners"]
            msg.update(
                webhook_id=str(self.app_id), application_id=str(self.app_id), interaction_metadata=meta
            )
            if interaction.type == 2 and msg["type"] == 0:
                msg["type"] = 20
        msg.update(overrides)
        self.messages[mid] = msg
        self.bump()
        if echo:
            await self._echo("MESSAGE_CREATE", msg)
        return msg

    async def edit_message(self, message_id: int, body: JSON, files: list[JSON] | None = None) -> JSON:
        msg = self.messages.get(message_id)
        if msg is None:
            raise ApiError(404, "Unknown Message", 10008)
        for key, empty in (("content", ""), ("embeds", []), ("components", []), ("allowed_mentions", None)):
            if key in body:
                msg[key] = body[key] if body[key] is not None else empty
        if body.get("flags") is not None:
            msg["flags"] = (msg["flags"] & 64) | int(body["flags"])
        msg["flags"] &= ~128  # editing a deferred ("thinking...") response completes it
        if "attachments" in body or files:
            keep = {str(a.get("id")) for a in body.get("attachments") or []}
            msg["attachments"] = [a for a in msg["attachments"] if a["id"] in keep]
            msg["attachments"] += self._attachments(body, files or [])
        msg["edited_timestamp"] = now_iso()
        self.bump()
        await self._echo("MESSAGE_UPDATE", msg)
        return msg

    async def delete_message(self, message_id: int) -> None:
        msg = self.messages.pop(message_id, None)
        if msg is None:
            raise ApiError(404, "Unknown Message", 10008)
        self.deleted_messages[message_id] = msg
        self.bump()
        if not msg["flags"] & 64:
            event = {k: msg[k] for k in ("id", "channel_id", "guild_id") if k in msg}
            await self.gateway.dispatch("MESSAGE_DELETE", event)

    async def _echo(self, event: str, msg: JSON) -> None:
        if msg["flags"] & 64:  # ephemeral messages never reach the gateway
            return
        data = copy.deepcopy(msg)
        data.pop("allowed_mentions", None)
        guild = self.guilds.get(int(msg.get("guild_id", 0)))
        if guild is not None:
            data["member"] = strip_user(guild.member_for(int(msg["author"]["id"])))
        await self.gateway.dispatch(event, data)

    async def interaction_callback(self, handle: InteractionHandle, body: JSON, files: list[JSON]) -> JSON:
        if handle.callback is not None:
            raise ApiError(400, "Interaction has already been acknowledged.", 40060)
        handle.acked_at = asyncio.get_running_loop().time()
        kind, data = body.get("type"), body.get("data") or {}
        msg: JSON | None = None
        target = int(handle.payload["message"]["id"]) if "message" in handle.payload else None
        if kind == 4:
            msg = await self.create_message(handle.channel_id, data, files=files, interaction=handle)
        elif kind == 5:  # "thinking..." placeholder that @original edits complete
            placeholder = {"flags": int(data.get("flags") or 0) | 128}
            msg = await self.create_message(handle.channel_id, placeholder, interaction=handle, echo=False)
        elif kind in (6, 7) and target is not None:
            handle.original_id = target
            if kind == 7:
                msg = await self.edit_message(target, data, files)
        elif kind == 9:
            self.modals[data["custom_id"]] = (data, handle)
        if msg is not None:
            handle.original_id = int(msg["id"])
        handle.callback = body
        info: JSON = {
            "id": str(handle.id),
            "type": handle.type,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64),
        }
        if msg is not None:
            info["response_message_id"] = msg["id"]
        resource: JSON = {"type": kind}
        if msg is not None:
            resource["message"] = msg
        handle.callback_result = {"interaction": info, "resource": resource}
        self.bump()
        return handle.callback_result

    def _user_of(self, handle: InteractionHandle) -> JSON:
        return handle.payload["member"]["user"] if "member" in handle.payload else handle.payload["user"]

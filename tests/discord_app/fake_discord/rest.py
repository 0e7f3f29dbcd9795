"""REST routes under /api/v10. Every request is recorded; unknown routes get a loud 404."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .limits import error_tree, request_problems
from .models import RecordedRequest
from .payloads import JSON, now_iso, snowflake

if TYPE_CHECKING:
    from .state import FakeState

_log = logging.getLogger(__name__)
Handler = Callable[..., Awaitable[Any]]


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> web.Response:
    if data is None:
        return web.Response(status=status, headers=headers)
    # discord.py only parses JSON when Content-Type is exactly "application/json" (no charset).
    return web.Response(
        status=status, body=json.dumps(data).encode(), content_type="application/json", headers=headers
    )


async def read_body(request: web.Request) -> tuple[Any, list[JSON]]:
    if request.content_type == "application/json":
        return await request.json(), []
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        raw = form.get("payload_json")
        body = json.loads(raw) if isinstance(raw, str | bytes | bytearray) else {}
        files = [
            {"field": k, "filename": v.filename, "content_type": v.content_type, "data": v.file.read()}
            for k, v in form.items()
            if isinstance(v, web.FileField)
        ]
        return body, files
    text = await request.text()
    return (text or None), []


class RestAPI:
    def __init__(self, fake: FakeState) -> None:
        self.fake = fake
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/users/@me", self.get_me),
            ("GET", r"/(?:oauth2/)?applications/@me", self.get_application),
            ("GET", r"/gateway(?:/bot)?", self.get_gateway),
            ("GET|PUT", r"/applications/(\d+)/commands", self.commands),
            ("GET|PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self.commands),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self.interaction_callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self.webhook_execute),
            ("GET|PATCH|DELETE", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self.webhook_message),
            ("GET|POST", r"/channels/(\d+)/messages", self.channel_messages),
            ("GET|PATCH|DELETE", r"/channels/(\d+)/messages/(\d+)", self.channel_message),
            ("POST", r"/channels/(\d+)/messages/(\d+)/threads", self.create_thread),
            ("POST", r"/channels/(\d+)/threads", self.create_thread),
            ("POST", r"/channels/(\d+)/typing", self.no_content),
            ("PUT|DELETE", r"/channels/(\d+)/messages/(\d+)/reactions/[^/]+/@me", self.no_content),
            ("GET", r"/channels/(\d+)", self.get_channel),
            ("POST", r"/users/@me/channels", self.create_dm),
            ("GET", r"/guilds/(\d+)/members/(\d+)", self.get_member),
        ]
        self.routes = [(set(m.split("|")), re.compile(p), fn) for m, p, fn in table]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        fake = self.fake
        path = "/" + request.match_info["tail"]
        body, files = await read_body(request)
        req = RecordedRequest(request.method, path, dict(request.query), body, files)
        fake.requests.append(req)
        if fake.latency:
            await asyncio.sleep(fake.latency)
        headers: dict[str, str] | None = None
        rule = fake.take_fail_rule(request.method, path)
        if rule is not None:
            status, data, headers = rule.status, rule.payload(), rule.headers()
        else:
            status, data = await self._route(req)
        req.status, req.response = status, data
        fake.bump()
        return json_response(status, data, headers)

    async def _route(self, req: RecordedRequest) -> tuple[int, Any]:
        try:
            problems = request_problems(req.method, req.path, req.json)
            if problems:  # what Discord answers to an over-long title, field, label, content...
                self.fake.rejected.append((req, problems))
                _log.warning("fake_discord: rejected %s %s: %s", req.method, req.path, problems)
                return 400, {"message": "Invalid Form Body", "code": 50035, "errors": error_tree(problems)}
            for methods, pattern, fn in self.routes:
                match = pattern.fullmatch(req.path)
                if match and req.method in methods:
                    data = await fn(req, *match.groups())
                    return (200 if data is not None else 204), data
            self.fake.unknown_routes.append(req)
            _log.warning("fake_discord: unhandled route %s %s", req.method, req.path)
            raise ApiError(404, f"fake_discord: no handler for {req.method} /api/v10{req.path}")
        except ApiError as exc:
            return exc.status, {"message": exc.message, "code": exc.code}
        except Exception as exc:  # a bug in the fake: 400 (a 5xx would make discord.py retry for ~25 s)
            _log.exception("fake_discord: handler crashed for %s %s", req.method, req.path)
            self.fake.errors.append(exc)
            return 400, {"message": f"fake_discord internal error: {exc!r}", "code": 0}

    async def catch_all(self, request: web.Request) -> web.StreamResponse:
        req = RecordedRequest(request.method, request.path, dict(request.query), None, status=404)
        self.fake.requests.append(req)
        self.fake.unknown_routes.append(req)
        self.fake.bump()
        return json_response(
            404, {"message": f"fake_discord: no handler for {request.method} {request.path}"}
        )

    # -- identity -------------------------------------------------------------------------------------
    async def get_me(self, req: RecordedRequest) -> JSON:
        return self.fake.bot_user

    async def get_application(self, req: RecordedRequest) -> JSON:
        fake = self.fake
        return {
            "id": str(fake.app_id),
            "name": fake.bot_user["username"],
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": fake.owner,
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "interactions_endpoint_url": None,
            "bot": fake.bot_user,
        }

    async def get_gateway(self, req: RecordedRequest) -> JSON:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return {"url": str(self.fake.gateway_url), "shards": 1, "session_start_limit": limit}

    # -- application commands -------------------------------------------------------------------------
    async def commands(self, req: RecordedRequest, app_id: str, guild_id: str | None = None) -> Any:
        gid = int(guild_id) if guild_id else None
        if req.method == "PUT":
            self.fake.register_commands(req.json or [], gid)
        return self.fake.commands.get(gid, [])

    # -- interactions & webhooks ----------------------------------------------------------------------
    async def interaction_callback(self, req: RecordedRequest, iid: str, token: str) -> JSON:
        handle = self.fake.interactions.get(int(iid))
        if handle is None or handle.token != token:
            raise ApiError(404, "Unknown interaction", 10062)
        return await self.fake.interaction_callback(handle, req.json or {}, req.files)

    def _handle_for(self, app_id: str, token: str) -> Any:
        handle = self.fake.interaction_by_token(token)
        if handle is None or int(app_id) != self.fake.app_id:
            raise ApiError(404, "Unknown Webhook", 10015)
        return handle

    async def webhook_execute(self, req: RecordedRequest, app_id: str, token: str) -> JSON | None:
        handle = self._handle_for(app_id, token)
        msg = await self.fake.create_message(
            handle.channel_id, req.json or {}, files=req.files, interaction=handle
        )
        handle.followup_ids.append(int(msg["id"]))
        return msg if req.query.get("wait") in ("1", "true", "True") else None

    async def webhook_message(self, req: RecordedRequest, app_id: str, token: str, mid: str) -> JSON | None:
        handle = self._handle_for(app_id, token)
        target = handle.original_id if mid == "@original" else int(mid)
        if target is None or (target != handle.original_id and target not in handle.followup_ids):
            raise ApiError(404, "Unknown Message", 10008)
        return await self._message_op(req, target)

    # -- channels -------------------------------------------------------------------------------------
    async def channel_messages(self, req: RecordedRequest, cid: str) -> Any:
        if int(cid) not in self.fake.dm_channels and self.fake.channel_guild(int(cid)) is None:
            raise ApiError(404, "Unknown Channel", 10003)
        if req.method == "POST":
            return await self.fake.create_message(int(cid), req.json or {}, files=req.files)
        msgs = [m for m in self.fake.channel_messages(int(cid)) if not m["flags"] & 64]
        before, after = req.query.get("before"), req.query.get("after")
        if before:
            msgs = [m for m in msgs if int(m["id"]) < int(before)]
        if after:
            msgs = [m for m in msgs if int(m["id"]) > int(after)]
        limit = int(req.query.get("limit", 50))
        return (msgs[:limit] if after else msgs[-limit:])[::-1]

    async def channel_message(self, req: RecordedRequest, cid: str, mid: str) -> JSON | None:
        msg = self.fake.messages.get(int(mid))
        if msg is None or msg["channel_id"] != cid:
            raise ApiError(404, "Unknown Message", 10008)
        return await self._message_op(req, int(mid))

    async def _message_op(self, req: RecordedRequest, mid: int) -> JSON | None:
        if req.method == "GET":
            msg = self.fake.messages.get(mid)
            if msg is None:
                raise ApiError(404, "Unknown Message", 10008)
            return msg
        if req.method == "PATCH":
            return await self.fake.edit_message(mid, req.json or {}, req.files)
        await self.fake.delete_message(mid)
        return None

    async def create_thread(self, req: RecordedRequest, cid: str, mid: str | None = None) -> JSON:
        fake, body = self.fake, req.json or {}
        guild = fake.channel_guild(int(cid))
        if guild is None:
            raise ApiError(404, "Unknown Channel", 10003)
        if mid is not None and int(mid) not in fake.messages:
            raise ApiError(404, "Unknown Message", 10008)
        thread = {
            "id": mid or str(snowflake()),
            "guild_id": str(guild.id),
            "parent_id": cid,
            "owner_id": fake.bot_user["id"],
            "name": body.get("name", "thread"),
            "type": body.get("type") or 11,
            "last_message_id": None,
            "rate_limit_per_user": body.get("rate_limit_per_user") or 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration") or 1440,
                "archive_timestamp": now_iso(),
                "locked": False,
                "create_timestamp": now_iso(),
            },
        }
        guild.threads[int(thread["id"])] = thread
        if mid is not None:
            fake.messages[int(mid)]["thread"] = thread
        await fake.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return thread

    async def no_content(self, req: RecordedRequest, *ids: str) -> None:
        return None

    async def get_channel(self, req: RecordedRequest, cid: str) -> JSON:
        guild = self.fake.channel_guild(int(cid))
        found = guild.channel_or_thread(int(cid)) if guild else self.fake.dm_channels.get(int(cid))
        if found is None:
            raise ApiError(404, "Unknown Channel", 10003)
        return {**found, "guild_id": str(guild.id)} if guild else found

    async def create_dm(self, req: RecordedRequest) -> JSON:
        return self.fake.dm_channel_for(int((req.json or {})["recipient_id"]))

    async def get_member(self, req: RecordedRequest, gid: str, uid: str) -> JSON:
        guild = self.fake.guilds.get(int(gid))
        found = guild.members.get(int(uid)) if guild else None
        if found is None:
            raise ApiError(404, "Unknown Member", 10007)
        return found

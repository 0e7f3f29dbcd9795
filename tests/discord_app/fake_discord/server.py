"""FakeDiscord: the fake server's lifecycle plus the test-facing API that drives a real discord.py bot."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import discord
from aiohttp import web

from .models import InteractionHandle
from .payloads import DEFAULT_EVERYONE_PERMISSIONS, JSON, GuildState, as_user, channel, snowflake
from .state import FakeState, strip_user

_PY_OPTION_TYPES: tuple[tuple[type, int], ...] = ((bool, 5), (int, 4), (float, 10), (str, 3))
_SELECT_TYPES = {3, 5, 6, 7, 8, 19, 22}


def _walk_components(components: Iterable[JSON]) -> Iterator[JSON]:
    for comp in components:
        yield comp
        yield from _walk_components(comp.get("components", []))
        for key in ("component", "accessory"):
            if isinstance(comp.get(key), dict):
                yield from _walk_components([comp[key]])


class FakeDiscord(FakeState):
    """A fake Discord REST API + gateway on 127.0.0.1. Use as `async with FakeDiscord() as fake:`."""

    _runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    async def start(self, port: int = 0) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/", self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.handle)
        app.router.add_route("*", "/{tail:.*}", self.rest.catch_all)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextmanager
    def patch_discord(self) -> Iterator[FakeDiscord]:
        """Point discord.py's REST base and default gateway at this fake; restored on exit."""
        old = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self.gateway_url
        try:
            yield self
        finally:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old

    # -- driving the bot ------------------------------------------------------------------------------
    def _user_payload(self, who: int | JSON) -> JSON:
        return self.find_user(who) if isinstance(who, int) else as_user(who)

    async def send_message(
        self,
        channel_id: int,
        author: int | JSON,
        content: str = "",
        *,
        mentions: Iterable[int | JSON] = (),
        mention_roles: Iterable[int] = (),
        reply_to: int | None = None,
        **fields: Any,
    ) -> JSON:
        """A user posts in a channel (guild channel, or a DM if the id is in no guild): MESSAGE_CREATE.

        `fields` go into the payload as-is (embeds=[...], attachments=[...], ...). Returns the payload.
        """
        await self.wait_connected()
        guild = self.channel_guild(channel_id)
        author_user = guild.member_for(author)["user"] if guild else self._user_payload(author)
        if guild is None and channel_id not in self.dm_channels:
            dm = {"id": str(channel_id), "type": 1, "recipients": [author_user], "last_message_id": None}
            self.dm_channels[channel_id] = dm
        mentioned = []
        for who in mentions:
            data = dict(guild.member_for(who)["user"] if guild else self._user_payload(who))
            if guild is not None:
                data["member"] = strip_user(guild.member_for(who))
            mentioned.append(data)
        body: JSON = {"content": content, **fields}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel_id)}
        msg = await self.create_message(
            channel_id,
            body,
            author=author_user,
            mentions=mentioned,
            mention_roles=[str(r) for r in mention_roles],
        )
        self._mark = int(msg["id"])
        return msg

    async def slash(
        self,
        name: str,
        *,
        channel_id: int,
        user: int | JSON,
        guild_id: int | None = None,
        options: dict[str, Any] | list[JSON] | None = None,
        permissions: int | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Invoke a chat-input command; `name` may hold a subcommand path ("config set", "grp sub cmd")."""
        return await self._command(2, name, None, channel_id, user, guild_id, options, permissions, locale)

    async def autocomplete(
        self,
        name: str,
        *,
        focused: str,
        channel_id: int,
        user: int | JSON,
        guild_id: int | None = None,
        options: dict[str, Any] | list[JSON] | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        """Autocomplete request; `options` holds the current (partial) values incl. the focused one."""
        return await self._command(4, name, focused, channel_id, user, guild_id, options, None, locale)

    async def _command(
        self,
        kind: int,
        name: str,
        focused: str | None,
        channel_id: int,
        who: int | JSON,
        guild_id: int | None,
        options: dict[str, Any] | list[JSON] | None,
        permissions: int | None,
        locale: str,
    ) -> InteractionHandle:
        if guild_id is None and (home := self.channel_guild(channel_id)) is not None:
            guild_id = home.id
        root, *path = name.split()
        cmd = self.command(root, guild_id)
        data: JSON = {"id": cmd["id"] if cmd else str(snowflake()), "name": root, "type": 1}
        if cmd is not None and "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        schema = cmd.get("options", []) if cmd else []
        for part in path:
            spec = next((o for o in schema if o["name"] == part), None)
            schema = spec.get("options", []) if spec else []
        resolved: JSON = {}
        guild = self.guilds.get(guild_id) if guild_id else None
        if isinstance(options, list):
            leaf = options
        else:
            leaf = [
                self._option(schema, k, v, guild, resolved, k == focused) for k, v in (options or {}).items()
            ]
        for depth in range(len(path) - 1, -1, -1):
            leaf = [{"name": path[depth], "type": 2 if depth < len(path) - 1 else 1, "options": leaf}]
        data["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        return await self._interaction(kind, data, guild_id, channel_id, who, permissions, locale=locale)

    def _option(
        self,
        schema: list[JSON],
        name: str,
        value: Any,
        guild: GuildState | None,
        resolved: JSON,
        focused: bool,
    ) -> JSON:
        spec = next((o for o in schema if o["name"] == name), None)
        if spec is not None:
            kind = spec["type"]
        elif isinstance(value, dict):
            kind = 11 if "filename" in value else 6
        else:
            kind = next((t for py, t in _PY_OPTION_TYPES if isinstance(value, py)), 3)
        opt: JSON = {"name": name, "type": kind, "value": value}
        if focused:
            opt["focused"] = True
        elif kind in (6, 7, 8, 9, 11):
            opt["value"] = self._resolve(kind, value, guild, resolved)
        return opt

    def _resolve(self, kind: int, value: Any, guild: GuildState | None, resolved: JSON) -> str:
        """Fill interaction `resolved` data for user/channel/role/mentionable/attachment options."""
        if kind == 11:
            att = {
                "id": str(snowflake()),
                "filename": "file.txt",
                "size": 0,
                "url": "",
                "proxy_url": "",
                **value,
            }
            resolved.setdefault("attachments", {})[att["id"]] = att
            return att["id"]
        oid = str(value["id"] if isinstance(value, dict) and "id" in value else as_user(value)["id"])
        if kind in (8, 9) and guild is not None and int(oid) in guild.roles:
            resolved.setdefault("roles", {})[oid] = guild.roles[int(oid)]
        elif kind == 7:
            ch = guild.channel_or_thread(int(oid)) if guild else None
            data = {**(ch or channel(int(oid))), "permissions": str(DEFAULT_EVERYONE_PERMISSIONS)}
            resolved.setdefault("channels", {})[oid] = data
        else:
            usr = as_user(value)
            resolved.setdefault("users", {})[oid] = usr
            if guild is not None:
                mem = guild.member_for(value if isinstance(value, dict) else int(oid))
                mem_data = {**strip_user(mem), "permissions": str(guild.permissions_of(mem))}
                resolved.setdefault("members", {})[oid] = mem_data
        return oid

    async def click(
        self,
        message: int | JSON,
        custom_id: str,
        user: int | JSON,
        *,
        values: list[str] | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """Press a button (or pick `values` in a select) on a stored message: INTERACTION_CREATE type 3."""
        msg = self.messages[message if isinstance(message, int) else int(message["id"])]
        comp = next((c for c in _walk_components(msg["components"]) if c.get("custom_id") == custom_id), None)
        if comp is None:
            raise AssertionError(f"no component with custom_id {custom_id!r} on message {msg['id']}")
        data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
        if values is not None or comp["type"] in _SELECT_TYPES:
            data["values"] = list(values or [])
        guild_id = int(msg["guild_id"]) if "guild_id" in msg else None
        return await self._interaction(
            3, data, guild_id, int(msg["channel_id"]), user, permissions, message=copy.deepcopy(msg)
        )

    async def submit_modal(
        self,
        custom_id: str,
        values: dict[str, Any],
        user: int | JSON | None = None,
        *,
        guild_id: int | None = None,
        channel_id: int | None = None,
    ) -> InteractionHandle:
        """Submit a modal the bot opened (type-9 callback). values: {input custom_id: str | list | bool}.

        Mirrors the modal's layout (action rows / Label-wrapped components). User, guild and channel
        default to those of the interaction that opened the modal.
        """
        modal, opener = self.modals.get(custom_id, (None, None))
        if modal is None or opener is None:
            raise AssertionError(f"the bot never opened a modal {custom_id!r}; opened: {list(self.modals)}")
        known = {c.get("custom_id") for c in _walk_components(modal["components"])}
        if unknown := set(values) - known:
            raise AssertionError(
                f"modal {custom_id!r} has no inputs {sorted(unknown)}; it has {sorted(known)}"
            )
        data = {"custom_id": custom_id, "components": self._submitted(modal["components"], values)}
        return await self._interaction(
            5,
            data,
            guild_id if guild_id is not None else opener.guild_id,
            channel_id if channel_id is not None else opener.channel_id,
            user if user is not None else self._user_of(opener),
            None,
        )

    def _submitted(self, components: list[JSON], values: dict[str, Any]) -> list[JSON]:
        out: list[JSON] = []
        for comp in components:
            kind, cid = comp["type"], comp.get("custom_id")
            if kind == 1:
                out.append({"type": 1, "components": self._submitted(comp["components"], values)})
            elif kind == 18:
                out.append(
                    {
                        "type": 18,
                        "id": comp.get("id"),
                        "component": self._submitted([comp["component"]], values)[0],
                    }
                )
            elif cid is None:
                out.append({"type": kind, "id": comp.get("id")})
            elif kind in _SELECT_TYPES:
                out.append({"type": kind, "custom_id": cid, "values": list(values.get(cid, []))})
            elif kind == 23:
                out.append({"type": kind, "custom_id": cid, "value": bool(values.get(cid, False))})
            else:  # 4 text input, 21 radio group
                out.append(
                    {"type": kind, "custom_id": cid, "value": values.get(cid, comp.get("value") or "")}
                )
        return out

    async def _interaction(
        self,
        kind: int,
        data: JSON,
        guild_id: int | None,
        channel_id: int,
        who: int | JSON,
        permissions: int | None,
        *,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> InteractionHandle:
        await self.wait_connected()
        iid = snowflake()
        payload: JSON = {
            "id": str(iid), "application_id": str(self.app_id), "type": kind, "data": data,
            "token": f"token-{iid}", "version": 1, "locale": locale, "entitlements": [],
            "attachment_size_limit": 8 * 1024 * 1024, "channel_id": str(channel_id),
        }  # fmt: skip
        if guild_id is not None:
            guild = self.guilds.get(guild_id)
            if guild is None:
                raise AssertionError(f"unknown guild {guild_id}: call add_guild() first")
            mem = dict(guild.member_for(who))
            perms = guild.permissions_of(mem) if permissions is None else permissions
            mem["permissions"] = str(perms)
            ch = guild.channel_or_thread(channel_id) or channel(channel_id)
            bot_perms = guild.permissions_of(guild.member_for(int(self.bot_user["id"])))
            payload.update(
                guild_id=str(guild_id), guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US", member=mem, app_permissions=str(bot_perms), context=0,
                channel={**ch, "guild_id": str(guild_id), "permissions": str(perms)},
                authorizing_integration_owners={"0": str(guild_id)},
            )  # fmt: skip
        else:
            usr = self._user_payload(who)
            payload.update(
                user=usr, app_permissions=str(DEFAULT_EVERYONE_PERMISSIONS), context=1,
                channel={"id": str(channel_id), "type": 1, "recipients": [usr]},
                authorizing_integration_owners={"1": usr["id"]},
            )  # fmt: skip
        if message is not None:
            payload["message"] = message
        handle = InteractionHandle(self, iid, payload["token"], kind, payload, guild_id, channel_id)
        self.interactions[iid] = handle
        self._mark = iid
        handle.dispatched_at = asyncio.get_running_loop().time()
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return handle

    def followups(self, handle: InteractionHandle) -> list[JSON]:
        return handle.followups

"""`otbot run` and `otbot sync`: connect, shut down cleanly, explain token problems in one line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator

import aiohttp
import discord

from ..config import Settings
from ..engine.app import Engine
from ..engine.errors import UserError
from . import redact

log = logging.getLogger(__name__)

NO_TOKEN = ("No DISCORD_TOKEN set. Create an application at https://discord.com/developers/applications, "
            "open Bot -> Reset Token, and put DISCORD_TOKEN=<token> in .env (see README: 'Deploying').")
BAD_TOKEN = ("Discord rejected DISCORD_TOKEN. Reset it in the Developer Portal (Bot -> Reset Token) and update .env; "
             "tokens contain two dots and no spaces or quotes.")
UNREACHABLE = "Could not reach Discord; check the internet connection and try again"
# Python hands the GIL between threads every 5 ms by default. The database thread (aiosqlite) needs it twice
# per statement; while the event loop is busy it waits up to 5 ms each time, so in a click storm every answer
# queued behind thousands of those waits. benchmarks/discord_load.py part (b), 50 games x 20 clicks in 1 s on
# this 2-core machine: slowest acknowledgement 1.9-3.0 s at 5 ms, 0.55 s at 0.5 ms (and /ask 223 -> 673 q/s).
GIL_SWITCH_INTERVAL = 0.0005
GATEWAY_AUTHENTICATION_FAILED = 4004  # the gateway's close code for a token it does not accept
NEEDS_INTENT = ("Discord refused the Message Content intent. Enable it in the Developer Portal (Bot -> Privileged "
                "Gateway Intents), or set OTBOT_MESSAGE_CONTENT=off to answer only /ask and mentions.")


async def wants_message_content(engine: Engine, settings: Settings) -> bool:
    """The privileged intent only when a server has answer channels (or the admin forces it)."""
    if settings.message_content in ("on", "off"):
        return settings.message_content == "on"
    return await engine.communities.any_answer_channels()


@contextlib.contextmanager
def explained_failures() -> Iterator[None]:
    """Start-up failures a person can fix become a UserError with one line of advice (no traceback)."""
    try:
        yield
    except discord.LoginFailure as exc:
        raise UserError(BAD_TOKEN) from exc
    except discord.PrivilegedIntentsRequired as exc:
        raise UserError(NEEDS_INTENT) from exc
    except discord.ConnectionClosed as exc:
        if exc.code == GATEWAY_AUTHENTICATION_FAILED:
            raise UserError(BAD_TOKEN) from exc
        raise UserError(f"Discord closed the connection (code {exc.code}: {exc.reason or 'no reason given'}); "
                        "try again in a minute.") from exc
    except discord.HTTPException as exc:
        if exc.status == 401:  # e.g. the application lookup right after login
            raise UserError(BAD_TOKEN) from exc
        raise
    except (aiohttp.ClientConnectionError, OSError) as exc:  # offline, DNS, proxy
        raise UserError(f"{UNREACHABLE} ({exc})") from exc


def checked_token(token: str | None) -> str:
    """The token, or a one-line UserError: none set, or one that cannot be a token (spaces, quotes, a newline
    would otherwise end in a traceback from the HTTP library)."""
    if not token or not token.strip():
        raise UserError(NO_TOKEN)
    token = token.strip()
    if any(c.isspace() or c in "\"'" for c in token):
        raise UserError(BAD_TOKEN)
    return token


def make_intents(message_content: bool) -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = message_content
    return intents


async def run(engine: Engine, settings: Settings) -> int:
    from .client import OtBot

    token = checked_token(settings.token)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    discord.utils.setup_logging(level=getattr(logging, settings.log_level, logging.INFO), root=True)
    redact.install([token])
    intents = make_intents(await wants_message_content(engine, settings))
    bot = OtBot(engine, settings, intents=intents)
    loop = asyncio.get_running_loop()
    handled = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, or not the main thread
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
            handled.append(sig)
    try:
        with explained_failures():
            async with bot:
                await bot.start(token)
    finally:
        for sig in handled:  # give Ctrl-C back to Python once the bot is gone
            loop.remove_signal_handler(sig)
    log.info("shut down cleanly")
    return 0


async def sync(engine: Engine, settings: Settings, guild_id: int | None) -> int:
    """Register slash commands: globally (can take up to an hour to show) or in one server (instant)."""
    from .client import OtBot

    token = checked_token(settings.token)
    bot = OtBot(engine, settings, intents=make_intents(False), serve=False)
    with explained_failures():
        async with bot:
            await bot.login(token)
            guild_id = guild_id or settings.dev_guild
            if guild_id:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                try:
                    commands = await bot.tree.sync(guild=guild)
                except discord.Forbidden as exc:
                    raise UserError(f"Discord refused to register commands in server {guild_id}: invite the bot "
                                    "there with the applications.commands scope first.") from exc
                print(f"Registered {len(commands)} commands in server {guild_id}.")
            else:
                commands = await bot.tree.sync()
                print(f"Registered {len(commands)} global commands (they may take a while to appear).")
    return 0

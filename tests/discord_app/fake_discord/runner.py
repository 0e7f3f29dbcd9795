"""run_bot(): log a real discord.py client in against a FakeDiscord and keep it running."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TypeVar

import discord

from .server import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)
_log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def run_bot(
    bot: ClientT,
    fake: FakeDiscord,
    *,
    token: str = "fake-token",
    timeout: float = 5.0,
    guild_ready_timeout: float | None = 0.05,
) -> AsyncIterator[ClientT]:
    """Patch discord.py at the fake, login (runs setup_hook), connect, wait for on_ready; close on exit.

    guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before firing
    on_ready (default 2 s); it is lowered on the client's connection state unless None.
    """
    with fake.patch_discord():
        if guild_ready_timeout is not None:
            bot._connection.guild_ready_timeout = guild_ready_timeout
        task: asyncio.Task[None] | None = None
        try:
            await bot.login(token)
            task = asyncio.create_task(bot.connect(), name="fake-discord-bot-connect")
            waiter = asyncio.create_task(bot.wait_until_ready())
            done, _ = await asyncio.wait({task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if waiter not in done:
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
                if task.done():
                    task.result()  # surface the connect() failure
                raise TimeoutError(f"bot not ready after {timeout}s; unknown routes: {fake.unknown_routes}")
            yield bot
        finally:
            await bot.close()
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout)
                except Exception:
                    _log.exception("bot.connect() ended with an error")

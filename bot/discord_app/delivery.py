"""Getting things in front of people when Discord has a bad moment: acknowledge first, retry what must show.

discord.py itself retries a 500/502/504 (sleeping 1 s, 3 s, ...) and a 429 that carries Discord's `Via`
header. A 503 on a channel route, a 429 without `Via` (answered by Cloudflare, not Discord) and a dropped
connection reach us as exceptions: those are retried here, honouring `retry_after`. A 403 or 404 means the
channel refuses us; retrying cannot help, and the caller decides what that ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
import discord

from .respond import send, update

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long an interaction may wait for its work (a database answer) before it is acknowledged with a
# deferral. Work done by then is the acknowledgement itself: one request instead of two, which halves the
# bot's HTTP work in a click storm (50 games x 20 clicks in 1 s: benchmarks/discord_load.py part b).
ACK_WAIT = 0.15
BACKLOGGED = 0.05  # the ACK_WAIT timer fired this late: the event loop is busy, not the database
ACK_LAST_CHANCE = 1.0  # seconds: then acknowledge anyway, leaving 2 s for retries and the network
# Discord drops an interaction that is not acknowledged within 3 s. A retried acknowledgement must land
# before then: retries stop when the next one could not start within this budget (the last try's network
# time fits in the rest).
ACK_BUDGET = 2.0
ACK_FIRST_RETRY = 0.05
# Posting a round or a reveal: 0.5 + 1 + 2 + 4 + 8 s of backoff (about 15 s) before giving up for now; the
# reconciler (game_driver.RECONCILE_EVERY) tries again later, so nothing waits on one long retry loop.
POST_ATTEMPTS = 6
POST_FIRST_RETRY, POST_MAX_WAIT = 0.5, 8.0
ALREADY_ACKNOWLEDGED = 40060  # an earlier try did arrive: the interaction is acknowledged


class Refused(Exception):
    """Discord answered 403 or 404: the bot may no longer post there (or the message is gone)."""

    def __init__(self, what: str, error: discord.HTTPException) -> None:
        super().__init__(f"{what}: {error.status} {error.text or ''}".strip())
        self.status, self.code = error.status, error.code


class NotDelivered(Exception):
    """Still failing after every retry (5xx, 429, network): try again later."""


def transient(error: BaseException) -> bool:
    if isinstance(error, discord.HTTPException):
        return error.status == 429 or error.status >= 500
    return isinstance(error, aiohttp.ClientError | OSError | TimeoutError)


def retry_after(error: BaseException) -> float:
    """Seconds Discord asked us to wait (body or header), 0 when it did not say."""
    if isinstance(error, discord.RateLimited):
        return error.retry_after
    response = getattr(error, "response", None)
    header = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(float(header), 0.0) if header else 0.0
    except ValueError:
        return 0.0


async def deliver(call: Callable[[], Awaitable[T]], what: str) -> T:
    """`call()`, retried with backoff on 429/5xx/network errors; Refused on 403/404; NotDelivered at the end."""
    wait = POST_FIRST_RETRY
    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            return await call()
        except (discord.Forbidden, discord.NotFound) as exc:
            raise Refused(what, exc) from exc
        except Exception as exc:
            if not transient(exc) or attempt == POST_ATTEMPTS:
                raise NotDelivered(f"{what}: {exc}") from exc
            pause = min(max(retry_after(exc), wait), POST_MAX_WAIT)
            log.warning("%s failed (%s); try %d of %d in %.1f s", what, exc, attempt + 1, POST_ATTEMPTS, pause)
            await asyncio.sleep(pause)
            wait *= 2
    raise AssertionError("unreachable")


async def acknowledge(interaction: discord.Interaction, *, ephemeral: bool = False,
                      edits_message: bool = False) -> bool:
    """Defer the interaction now, before any database wait; retried while Discord's 3 s allow it.

    edits_message: a silent deferred update (the clicked message changes later); otherwise "thinking...".
    False when it could not be acknowledged: the caller still does the work (the game moves on regardless).
    """
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + ACK_BUDGET
    wait = ACK_FIRST_RETRY
    while not interaction.response.is_done():
        try:
            if edits_message:
                await interaction.response.defer()
            else:
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
            return True
        except discord.HTTPException as exc:
            if exc.code == ALREADY_ACKNOWLEDGED:
                return True
            failure: BaseException = exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            failure = exc
        pause = max(retry_after(failure), wait)
        if not transient(failure) or loop.time() + pause > give_up_at:
            log.warning("could not acknowledge interaction %s: %s", interaction.id, failure)
            return False
        await asyncio.sleep(pause)
        wait *= 2
    return True


async def in_time(interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool = False,
                  edits_message: bool = False) -> T:
    """`work`'s result. When `work` itself is slow (a locked database, a slow query), the interaction is
    acknowledged (deferred, with retries) after ACK_WAIT. When the bot is what is slow (its own backlog makes
    the ACK_WAIT timer fire late), deferring would add a request to the backlog and delay everyone: then the
    answer itself acknowledges, and a deferral goes out only if it is not ready by ACK_LAST_CHANCE."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=ACK_WAIT)
    if not done and loop.time() - started - ACK_WAIT > BACKLOGGED:
        done, _ = await asyncio.wait({task}, timeout=max(ACK_LAST_CHANCE - (loop.time() - started), 0))
    if not done or task.exception() is not None:  # an error reply is not retried: acknowledge (retried) first
        await acknowledge(interaction, ephemeral=ephemeral, edits_message=edits_message)
    return await task


async def reply(interaction: discord.Interaction, content: str | None = None, **options: Any) -> None:
    """A reply to the person who acted (respond.send), retried like a post: when it is the acknowledgement
    itself, a 429 or 5xx on it must not lose it."""
    await deliver(lambda: send(interaction, content, **options), f"replying to interaction {interaction.id}")


async def replace(interaction: discord.Interaction, **changes: Any) -> None:
    """Edit the clicked message (respond.update), retried like a post."""
    await deliver(lambda: update(interaction, **changes), f"updating the message of interaction {interaction.id}")

"""Getting things in front of people when Discord has a bad moment: acknowledge first, retry what must show.

discord.py itself retries a 500/502/504 (sleeping 1 s, 3 s, ...) and a 429 that carries Discord's `Via`
header. A 503 on a channel route, a 429 without `Via` (answered by Cloudflare, not Discord) and a dropped
connection reach us as exceptions: those are retried here, honouring `retry_after`. A 403 or 404 means the
channel refuses us; retrying cannot help, and the caller decides what that ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
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
BUSY_WORKS = 16  # interactions waiting for their work at once: a storm, the database thread has a queue
ACK_LAST_CHANCE = 1.0  # seconds: then acknowledge anyway, leaving 2 s for retries and the network
# Discord drops an interaction that is not acknowledged within 3 s of its creation. Retries stop at
# ACK_DEADLINE after it (the last try's network time fits in the rest); one try is given ACK_ATTEMPT.
ACK_DEADLINE = 2.5
ACK_MIN_LEFT = 0.3
ACK_ATTEMPT = 0.7
ACK_FIRST_RETRY = 0.05
# Posting a round or a reveal: 0.5 + 1 + 2 + 4 + 8 s of backoff (about 15 s) before giving up for now; the
# reconciler (game_driver.RECONCILE_EVERY) tries again later, so nothing waits on one long retry loop.
POST_ATTEMPTS = 6
POST_FIRST_RETRY, POST_MAX_WAIT = 0.5, 8.0
ALREADY_ACKNOWLEDGED = 40060  # an earlier try did arrive: the interaction is acknowledged


_in_flight = 0  # interactions waiting in in_time now


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


def _ack_by(interaction: discord.Interaction) -> float:
    """Loop time by which the acknowledgement must have left: Discord counts 3 s from the interaction's
    creation (its id's timestamp), whatever queued it on our side. Clamped against a skewed clock."""
    loop = asyncio.get_running_loop()
    left = interaction.created_at.timestamp() + ACK_DEADLINE - time.time()
    return loop.time() + min(max(left, ACK_MIN_LEFT), ACK_DEADLINE)


async def _acknowledging(interaction: discord.Interaction, call: Callable[[], Awaitable[object]]) -> bool:
    """Run `call` (a deferral, or the reply that acknowledges) until the interaction is acknowledged, within
    Discord's window. discord.py sleeps 1 s, then 3 s, after a 5xx on a callback, and a slow network is
    slow: a try still running after ACK_ATTEMPT is hedged with another one (not cancelled: it may be about
    to land). Discord takes the first; later ones answer "already acknowledged". False if none got through."""
    loop = asyncio.get_running_loop()
    give_up_at = _ack_by(interaction)
    wait = ACK_FIRST_RETRY
    running: set[asyncio.Future[object]] = set()
    try:
        while True:
            if not interaction.response.is_done() and loop.time() < give_up_at:
                running.add(asyncio.ensure_future(call()))
            if not running:
                return interaction.response.is_done()
            finished, _ = await asyncio.wait(running, timeout=max(min(ACK_ATTEMPT, give_up_at - loop.time()), 0.05),
                                             return_when=asyncio.FIRST_COMPLETED)
            if not finished and loop.time() >= give_up_at:
                log.warning("could not acknowledge interaction %s in time", interaction.id)
                return interaction.response.is_done()
            failure: BaseException | None = None
            for attempt in finished:
                running.discard(attempt)
                error = attempt.exception()
                if error is None or getattr(error, "code", None) == ALREADY_ACKNOWLEDGED:
                    return True
                failure = error
            if failure is not None:
                if not transient(failure) or loop.time() >= give_up_at:
                    log.warning("could not acknowledge interaction %s: %r", interaction.id, failure)
                    return interaction.response.is_done()
                await asyncio.sleep(min(max(retry_after(failure), wait), max(give_up_at - loop.time(), 0)))
                wait *= 2
    finally:
        for attempt in running:  # still in flight: let them land, and keep their errors out of the log
            attempt.add_done_callback(lambda f: f.cancelled() or f.exception())


async def acknowledge(interaction: discord.Interaction, *, ephemeral: bool = False,
                      edits_message: bool = False) -> bool:
    """Defer the interaction (retried while Discord's 3 s allow it); False if that failed. The caller still
    does the work either way: the game moves on from the database, not from this acknowledgement.

    edits_message: a silent deferred update (the clicked message changes later); otherwise "thinking...".
    """
    if edits_message:
        return await _acknowledging(interaction, lambda: interaction.response.defer())
    return await _acknowledging(interaction, lambda: interaction.response.defer(ephemeral=ephemeral, thinking=True))


async def in_time(interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool = False,
                  edits_message: bool = False) -> T:
    """`work`'s result. When `work` itself is slow (a locked database, a slow query), the interaction is
    acknowledged (deferred, with retries) after ACK_WAIT. When the bot is what is slow (its event loop lags,
    or a storm of work queues for the database thread), a deferral would add a request to the backlog and
    delay everyone: then the answer itself acknowledges, or a deferral at ACK_LAST_CHANCE at the latest."""
    global _in_flight
    loop = asyncio.get_running_loop()
    started = loop.time()
    task = asyncio.ensure_future(work)
    _in_flight += 1
    try:
        done, _ = await asyncio.wait({task}, timeout=ACK_WAIT)
        busy = loop.time() - started - ACK_WAIT > BACKLOGGED or _in_flight > BUSY_WORKS
        if not done and busy:
            done, _ = await asyncio.wait({task}, timeout=max(ACK_LAST_CHANCE - (loop.time() - started), 0))
    finally:
        _in_flight -= 1
    if not done or task.exception() is not None:  # an error reply is not retried: acknowledge (retried) first
        await acknowledge(interaction, ephemeral=ephemeral, edits_message=edits_message)
    return await task


async def reply(interaction: discord.Interaction, content: str | None = None, **options: Any) -> None:
    """A reply to the person who acted (respond.send). When it is the acknowledgement itself it is retried
    within Discord's window; otherwise (an edit or follow-up) like a post."""
    if not interaction.response.is_done():
        await _acknowledging(interaction, lambda: send(interaction, content, **options))
        return
    await deliver(lambda: send(interaction, content, **options), f"replying to interaction {interaction.id}")


async def replace(interaction: discord.Interaction, **changes: Any) -> None:
    """Edit the clicked message (respond.update), retried the same way."""
    if not interaction.response.is_done():
        await _acknowledging(interaction, lambda: update(interaction, **changes))
        return
    await deliver(lambda: update(interaction, **changes), f"updating the message of interaction {interaction.id}")

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
from discord import InteractionResponseType

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
DEFERRALS = (InteractionResponseType.deferred_channel_message, InteractionResponseType.deferred_message_update)
FIRST_TRY = "otbot_first_acknowledgement"  # interaction.extras key: the kind of response first tried


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


def _mark_acknowledged(interaction: discord.Interaction) -> None:
    """Discord says an earlier try (cut short by us, so discord.py never saw its answer) did land: tell
    discord.py which response that was, so that what follows edits it or follows it up."""
    if not interaction.response.is_done():
        interaction.response._response_type = interaction.extras[FIRST_TRY]  # no public setter


async def acknowledge_with(interaction: discord.Interaction, call: Callable[[], Awaitable[object]],
                           kind: InteractionResponseType) -> bool:
    """Run `call` (a deferral, the reply that acknowledges, a modal) until the interaction is acknowledged, within
    Discord's window. discord.py sleeps 1 s, 3 s, 5 s between its own tries after a 5xx, holding the
    interaction's lock: a try still running after ACK_ATTEMPT is cut short and made again at once. A try cut
    short may still land; the next one then hears "already acknowledged". False if none got through."""
    loop = asyncio.get_running_loop()
    give_up_at = _ack_by(interaction)
    interaction.extras.setdefault(FIRST_TRY, kind)  # what a try cut short would have been
    wait = ACK_FIRST_RETRY
    while not interaction.response.is_done():
        left = give_up_at - loop.time()
        if left <= 0:
            log.warning("could not acknowledge interaction %s in time", interaction.id)
            return False
        try:
            await asyncio.wait_for(call(), min(ACK_ATTEMPT, left))
            return True
        except TimeoutError:
            continue
        except discord.HTTPException as exc:
            if exc.code == ALREADY_ACKNOWLEDGED:
                _mark_acknowledged(interaction)
                return True
            failure: BaseException = exc
        except (aiohttp.ClientError, OSError) as exc:
            failure = exc
        if not transient(failure):
            log.warning("could not acknowledge interaction %s: %r", interaction.id, failure)
            return False
        await asyncio.sleep(min(max(retry_after(failure), wait), max(give_up_at - loop.time(), 0)))
        wait *= 2
    return True


async def acknowledge(interaction: discord.Interaction, *, ephemeral: bool = False,
                      edits_message: bool = False) -> bool:
    """Defer the interaction (retried while Discord's 3 s allow it); False if that failed. The caller still
    does the work either way: the game moves on from the database, not from this acknowledgement.

    edits_message: a silent deferred update (the clicked message changes later); otherwise "thinking...".
    """
    if edits_message:
        return await acknowledge_with(interaction, lambda: interaction.response.defer(),
                                    InteractionResponseType.deferred_message_update)
    return await acknowledge_with(interaction, lambda: interaction.response.defer(ephemeral=ephemeral, thinking=True),
                                InteractionResponseType.deferred_channel_message)


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
        failed = bool(done) and task.exception() is not None  # the apology that follows is for the asker only
        await acknowledge(interaction, ephemeral=ephemeral or failed, edits_message=edits_message)
    return await task


async def reply(interaction: discord.Interaction, content: str | None = None, **options: Any) -> None:
    """A reply to the person who acted (respond.send). When it is the acknowledgement itself it is retried
    within Discord's window; otherwise (completing a deferral, a follow-up) like a post. Never raises for
    Discord's failures: the work it reports on is done and recorded."""
    await _respond(interaction, lambda: send(interaction, content, **options), InteractionResponseType.channel_message)


async def replace(interaction: discord.Interaction, **changes: Any) -> None:
    """Edit the clicked message (respond.update), retried the same way."""
    await _respond(interaction, lambda: update(interaction, **changes), InteractionResponseType.message_update)


async def _respond(interaction: discord.Interaction, call: Callable[[], Awaitable[object]],
                   kind: InteractionResponseType) -> None:
    if not interaction.response.is_done():
        acknowledged = await acknowledge_with(interaction, call, kind)
        if not acknowledged and interaction.extras.get(FIRST_TRY) in DEFERRALS:
            _mark_acknowledged(interaction)  # a deferral cut short may have landed after all: try to complete it
        if interaction.response.type not in DEFERRALS:
            return  # the response itself carried it (or the interaction is lost)
    try:
        await deliver(call, f"replying to interaction {interaction.id}")
    except (Refused, NotDelivered) as exc:
        log.warning("could not reply: %s", exc)

"""Keeps what players see in step with the database: every round posted, every reveal shown, games moved on.

Each step is durable: the database says what exists (rounds opened and closed) and what players were shown
(the engine's round-shown and reveal-shown marks); the driver posts what is missing (retried, delivery.py)
and then records it. Anything may kick a game: an answer that closed a round, "Reveal now", the timer,
/scenario stop. A periodic reconciler and start-up recovery kick every game that lags, so a lost
acknowledgement or a failed post never leaves a game stuck. A channel that refuses posts (403/404) ends its
game with a log line; every game is driven in its own task, so no game waits on another's channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import discord

from ..engine.game import GameStatus, RoundState
from . import limits
from .delivery import NotDelivered, Refused, deliver
from .game_render import reveal_embed, round_embed

if TYPE_CHECKING:
    from .client import OtBot

log = logging.getLogger(__name__)
RECONCILE_EVERY = 10  # timer ticks (seconds) between scans for games whose players have not seen everything
COUNT_EVERY = 3.0  # seconds between live answer-count edits of one round (Discord allows 5 edits / 5 s)
MAX_REMEMBERED = 5000
UNKNOWN_MESSAGE = 10008  # the round message was deleted: show the reveal as a new message
# discord.py sends the client's "no pings" setting with an edit only when it changes the content: say it anyway.
NO_PINGS = discord.AllowedMentions.none()
POSTED, REVEALED, OPENED = "posted", "revealed", "opened"


class GameDriver:
    def __init__(self, bot: OtBot, buttons: Callable[[RoundState], discord.ui.View]) -> None:
        self.bot = bot
        self.games = bot.engine.games
        self.buttons = buttons
        self.dirty: set[int] = set()  # rounds whose live answer count changed since it was last shown
        self.tasks: set[asyncio.Task[None]] = set()
        self._driving: set[int] = set()  # games a task is driving now (one at a time per game)
        self._again: set[int] = set()  # kicked while being driven: look once more before stopping
        self._round_locks: dict[int, asyncio.Lock] = {}  # one edit of a round message at a time
        self._revealed: dict[int, None] = {}  # rounds whose message shows the reveal (insertion-ordered, capped)
        self._last_refresh: dict[int, float] = {}
        self._ticks = 0

    # ------------------------------------------------------------ tasks

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("scenario background task failed", exc_info=task.exception())

    def cancel(self) -> None:
        for task in list(self.tasks):
            task.cancel()

    # ------------------------------------------------------------ driving one game

    def kick(self, game_id: int) -> None:
        """Make the game's visible state catch up with the database, now, in the background."""
        if game_id in self._driving:
            self._again.add(game_id)
            return
        self._driving.add(game_id)  # before the task starts: two kicks in one tick spawn one driver
        self.spawn(self._drive(game_id))

    async def _drive(self, game_id: int) -> None:
        try:
            pause = 0.0
            while True:
                self._again.discard(game_id)
                step = await self._step(game_id, pause)
                if step is None and game_id not in self._again:
                    return
                pause = self.bot.round_pause if step == REVEALED else 0.0
        except Refused as exc:
            log.warning("game %s ended: its channel refuses the bot's posts (%s)", game_id, exc)
            await self.games.abandon(game_id)
        except NotDelivered as exc:
            log.warning("game %s is behind (%s); the reconciler will try again", game_id, exc)
        except Exception:
            log.exception("driving game %s failed; the reconciler will try again", game_id)
        finally:
            self._driving.discard(game_id)
            self._again.discard(game_id)

    async def _step(self, game_id: int, pause: float) -> str | None:
        """Show the next missing thing of this game; None when players have seen everything there is."""
        progress = await self.games.progress(game_id)
        if progress is None or progress.game.practice or progress.latest is None:
            return None  # practice is the player's own private message: their clicks show it
        game, latest = progress.game, progress.latest
        if latest.closed_at is None:
            overdue = latest.deadline is not None and self.games.clock() >= latest.deadline
            if progress.round_message is None and not overdue:  # an overdue round: the timer reveals it
                await self._show_round(latest.id)
                return POSTED
            return None
        if not progress.reveal_shown:
            await self._show_reveal(latest.id, progress.round_message)
            return REVEALED
        if game.status is GameStatus.OPEN:
            await asyncio.sleep(pause)
            return OPENED if await self.games.next_round(game_id) is not None else None
        return None

    def _channel(self, channel_id: int, guild_id: int | None = None) -> discord.PartialMessageable:
        # with the server known, its messages can open threads
        return self.bot.get_partial_messageable(channel_id, guild_id=guild_id)

    async def _show_round(self, round_id: int) -> None:
        view = await self.games.round_view(round_id)
        channel = self._channel(view.channel_id, view.guild_id)
        message = await deliver(lambda: channel.send(embed=round_embed(view), view=self.buttons(view),
                                                     allowed_mentions=NO_PINGS), f"posting round {round_id}")
        await self.games.round_shown(round_id, view.channel_id, message.id)

    async def _show_reveal(self, round_id: int, round_message: tuple[int, int] | None) -> None:
        reveal = await self.games.show_reveal(round_id)
        channel = self._channel(reveal.channel_id, reveal.guild_id)
        async with self._lock(round_id):
            self._mark_revealed(round_id)
            shown: discord.Message | None = None
            if round_message is not None:
                view = await self.games.round_view(round_id)
                embeds = limits.fit_embeds([round_embed(view), reveal_embed(reveal)])
                target = self._channel(round_message[0], reveal.guild_id).get_partial_message(round_message[1])
                try:
                    shown = await deliver(lambda: target.edit(embeds=embeds, view=None, allowed_mentions=NO_PINGS),
                                          f"revealing round {round_id}")
                except Refused as exc:
                    if exc.code != UNKNOWN_MESSAGE:
                        raise
            if shown is None:  # never posted, or deleted since: the reveal on its own
                shown = await deliver(lambda: channel.send(embeds=[reveal_embed(reveal)], allowed_mentions=NO_PINGS),
                                      f"posting the reveal of round {round_id}")
            await self.games.reveal_shown(round_id, reveal.channel_id, shown.id)
        settings = await self.bot.engine.communities.get(reveal.guild_id)
        if settings.threads:
            try:
                await shown.create_thread(name=limits.shorten(f"Discuss: {reveal.scenario.title}", 100))
            except (discord.HTTPException, ValueError):
                log.warning("could not open a discussion thread for round %s", round_id)

    # ------------------------------------------------------------ timer, reconciler, live counts

    async def recover(self) -> None:
        """At start-up: reveal what ran out while down, then catch every lagging game up (each on its own)."""
        try:
            for reveal in await self.games.close_due_rounds():
                self.kick(reveal.game_id)
            await self.reconcile()
        except Exception:  # the timer must start whatever happened here
            log.exception("scenario recovery failed; the reconciler will try again")

    async def reconcile(self) -> None:
        lagging = await self.games.lagging_games()
        for game_id in lagging:
            self.kick(game_id)
        if lagging:
            log.info("catching up %d game(s) whose players have not seen everything", len(lagging))

    async def tick(self) -> None:
        """Every second: reveal rounds whose time is up, show new answer counts, now and then reconcile."""
        try:
            for reveal in await self.games.close_due_rounds():
                self.kick(reveal.game_id)
            self._ticks += 1
            if self._ticks % RECONCILE_EVERY == 0:
                await self.reconcile()
        except Exception:  # one bad round must not stop every game's timer
            log.exception("scenario timer failed")
        now = asyncio.get_running_loop().time()
        for round_id in [r for r in self.dirty if now - self._last_refresh.get(r, -COUNT_EVERY) >= COUNT_EVERY]:
            self.dirty.discard(round_id)
            self._last_refresh[round_id] = now
            self.spawn(self._refresh_count(round_id))  # concurrently: a rate-limited channel delays only itself

    def _lock(self, round_id: int) -> asyncio.Lock:
        return self._round_locks.setdefault(round_id, asyncio.Lock())

    async def _refresh_count(self, round_id: int) -> None:
        """Best effort (the next count or the reveal replaces it): no retries."""
        async with self._lock(round_id):
            if round_id in self._revealed:  # never paint the open round back over its reveal
                return
            posted = await self.games.round_message(round_id)
            view = await self.games.round_view(round_id)
            if posted is None or view.practice or view.closed:
                return
            try:
                await self._channel(posted[0]).get_partial_message(posted[1]).edit(
                    embed=round_embed(view), allowed_mentions=NO_PINGS)
            except discord.HTTPException:
                log.warning("could not update the answer count of round %s", round_id)

    def _mark_revealed(self, round_id: int) -> None:
        self.dirty.discard(round_id)
        self._last_refresh.pop(round_id, None)
        self._revealed[round_id] = None
        while len(self._revealed) > MAX_REMEMBERED:
            oldest = next(iter(self._revealed))
            del self._revealed[oldest]
            self._round_locks.pop(oldest, None)

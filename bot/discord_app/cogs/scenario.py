"""Scenario games in channels: rounds with buttons, live counts, reveals, leaderboards. Clicks survive restarts."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from ...engine.errors import GameError
from ...engine.game import LETTERS, Reveal, RoundView
from ...engine.models import CATEGORIES
from .. import custom_ids, limits
from ..buttons import PersistentButton
from ..game_render import leaderboard_embed, reveal_embed, round_embed, stats_embed, stopped_embed
from ..permissions import is_moderator, require_guild
from ..respond import in_time, send, update

if TYPE_CHECKING:
    from ..client import OtBot

log = logging.getLogger(__name__)
ROUND_MESSAGE = "round"
COUNT_EVERY = 3.0  # seconds between live answer-count edits of one round (Discord allows 5 edits / 5 s)
MAX_REMEMBERED = 5000
# discord.py sends the client's "no pings" setting with an edit only when it changes the content: say it anyway.
NO_PINGS = discord.AllowedMentions.none()


def round_buttons(view: RoundView) -> discord.ui.View:
    buttons = discord.ui.View(timeout=None)
    for i, option in enumerate(view.scenario.options):
        buttons.add_item(AnswerButton(view.round_id, option.key, f"{LETTERS[i]}. {option.label}"))
    if view.practice:
        buttons.add_item(StopPracticeButton(view.game_id))
    else:
        buttons.add_item(RevealButton(view.round_id))
    return buttons


class AnswerButton(PersistentButton, template=custom_ids.ANSWER):
    def __init__(self, round_id: int, key: str, label: str = "?") -> None:
        super().__init__(custom_ids.answer(round_id, key), label, style=discord.ButtonStyle.primary)
        self.round_id, self.key = round_id, key

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> AnswerButton:
        return cls(int(match["round"]), match["key"], label or "?")

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        bot = interaction.client
        cog: Scenarios = bot.get_cog("Scenarios")  # type: ignore[assignment]
        private = bool(interaction.message and interaction.message.flags.ephemeral)  # a practice round
        receipt = await in_time(interaction, bot.engine.games.answer(self.round_id, str(interaction.user.id),
                                                                     interaction.user.display_name, self.key),
                                ephemeral=True, edits_message=private)
        if receipt.reveal and receipt.reveal.practice:
            await update(interaction, embeds=[reveal_embed(receipt.reveal)], view=practice_next_view(receipt.reveal))
            return
        await send(interaction, f"🔒 Locked in: **{limits.shorten(receipt.option_label, 200)}**. "
                                f"{receipt.answers_so_far} answer(s) so far.", ephemeral=True)
        if receipt.reveal:
            await cog.post_reveal(receipt.reveal)
        else:
            cog.dirty.add(self.round_id)


class RevealButton(PersistentButton, template=custom_ids.REVEAL):
    def __init__(self, round_id: int) -> None:
        super().__init__(custom_ids.reveal(round_id), "Reveal now", emoji="👁️")
        self.round_id = round_id

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> RevealButton:
        return cls(int(match["round"]))

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        bot = interaction.client

        async def reveal_round() -> Reveal:
            return await bot.engine.games.reveal(self.round_id, str(interaction.user.id),
                                                 await is_moderator(interaction))

        reveal = await in_time(interaction, reveal_round(), edits_message=True)
        if not interaction.response.is_done():
            await interaction.response.defer()  # the round message itself changes into the reveal
        await bot.get_cog("Scenarios").post_reveal(reveal)  # type: ignore[union-attr]


class NextPracticeButton(PersistentButton, template=custom_ids.NEXT_PRACTICE):
    def __init__(self, game_id: int) -> None:
        super().__init__(custom_ids.next_practice(game_id), "Next scenario", emoji="➡️",
                         style=discord.ButtonStyle.primary)
        self.game_id = game_id

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> NextPracticeButton:
        return cls(int(match["game"]))

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        bot = interaction.client
        view = await in_time(interaction, bot.engine.games.next_round(self.game_id), edits_message=True)
        if view is None:
            await update(interaction, content="Practice finished. `/scenario stats` shows how you did.",
                         embeds=[], view=None)
            return
        await update(interaction, embeds=[round_embed(view)], view=round_buttons(view))


class StopPracticeButton(PersistentButton, template=custom_ids.STOP_PRACTICE):
    def __init__(self, game_id: int) -> None:
        super().__init__(custom_ids.stop_practice(game_id), "Stop", style=discord.ButtonStyle.danger)

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> StopPracticeButton:
        return cls(int(match["game"]))

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        bot = interaction.client
        standings = await in_time(interaction, bot.engine.games.stop(
            require_guild(interaction), interaction.channel_id or 0, str(interaction.user.id), practice=True),
            edits_message=True)
        await update(interaction, embeds=[stopped_embed(standings)], view=None)


def practice_next_view(reveal: Reveal) -> discord.ui.View | None:
    if reveal.game_over:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(NextPracticeButton(reveal.game_id))
    return view


CATEGORY_CHOICES = [app_commands.Choice(name=c, value=c) for c in CATEGORIES]
DIFFICULTY_CHOICES = [app_commands.Choice(name=n, value=v) for n, v in (("easy", 1), ("medium", 2), ("hard", 3))]


class Scenarios(commands.GroupCog, group_name="scenario", group_description="Should this student get OT?"):
    def __init__(self, bot: OtBot) -> None:
        self.bot = bot
        self.games = bot.engine.games
        self.dirty: set[int] = set()  # rounds whose live answer count changed since it was last shown
        self._next_tasks: set[asyncio.Task[None]] = set()  # background work: reveals, next rounds, recovery
        self._round_locks: dict[int, asyncio.Lock] = {}  # one edit of a round message at a time
        self._revealed: dict[int, None] = {}  # rounds whose message shows the reveal (insertion-ordered, capped)
        self._last_refresh: dict[int, float] = {}
        self._advancing: set[int] = set()  # games whose next round is being opened and posted

    async def cog_load(self) -> None:
        if self.bot.serve:
            self._spawn(self._recover())

    async def cog_unload(self) -> None:
        self.ticker.cancel()
        for task in list(self._next_tasks):
            task.cancel()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._next_tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._next_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("scenario background task failed", exc_info=task.exception())

    def _lock(self, round_id: int) -> asyncio.Lock:
        return self._round_locks.setdefault(round_id, asyncio.Lock())

    async def _recover(self) -> None:
        """After a restart: reveal what ran out while down, post rounds never posted, continue the rest.

        The timer starts only afterwards, so that it cannot reveal the same rounds a second way meanwhile.
        """
        await self.bot.wait_until_ready()
        try:
            recovery = await self.games.recover()
            for reveal in recovery.revealed:
                await self.post_reveal(reveal)
            for view in recovery.resumed:  # opened just before a crash, before its message went out
                if not view.practice and await self._message(view.round_id) is None:
                    await self.post_round(view)
            for game_id in recovery.waiting:
                self._spawn(self._next_round(game_id, 0))
            log.info("recovered games: %d running, %d revealed, %d between rounds",
                     len(recovery.resumed), len(recovery.revealed), len(recovery.waiting))
        finally:
            if not self.ticker.is_running():
                self.ticker.start()

    @tasks.loop(seconds=1.0)
    async def ticker(self) -> None:
        """Reveal rounds whose time is up; show new answer counts (at most every few seconds per round)."""
        try:
            for reveal in await self.games.close_due_rounds():
                self._spawn(self.post_reveal(reveal))
        except Exception:  # one bad round must not stop every game's timer
            log.exception("scenario ticker failed")
        now = asyncio.get_running_loop().time()
        for round_id in [r for r in self.dirty if now - self._last_refresh.get(r, -COUNT_EVERY) >= COUNT_EVERY]:
            self.dirty.discard(round_id)
            self._last_refresh[round_id] = now
            self._spawn(self._refresh_count(round_id))  # concurrently: a rate-limited channel delays only itself

    def _channel(self, channel_id: int, guild_id: int | None = None) -> discord.PartialMessageable:
        # with the server known, its messages can open threads
        return self.bot.get_partial_messageable(channel_id, guild_id=guild_id)

    async def _message(self, round_id: int, guild_id: int | None = None) -> discord.PartialMessage | None:
        posted = await self.bot.engine.posted_messages.find(ROUND_MESSAGE, str(round_id))
        if posted is None:
            return None
        return self._channel(posted[0], guild_id).get_partial_message(posted[1])

    async def _refresh_count(self, round_id: int) -> None:
        async with self._lock(round_id):
            if round_id in self._revealed:  # never paint the open round back over its reveal
                return
            message = await self._message(round_id)
            view = await self.games.round_view(round_id)
            if message is not None and not view.practice:
                try:
                    await message.edit(embed=round_embed(view), allowed_mentions=NO_PINGS)
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

    async def post_reveal(self, reveal: Reveal) -> None:
        if reveal.practice:
            return  # the player's own click shows it
        message = None
        async with self._lock(reveal.round_id):
            self._mark_revealed(reveal.round_id)
            message = await self._message(reveal.round_id, reveal.guild_id)
            embeds = [reveal_embed(reveal)]
            try:
                if message is not None:
                    round_view = await self.games.round_view(reveal.round_id)
                    await message.edit(embeds=limits.fit_embeds([round_embed(round_view), *embeds]), view=None,
                                       allowed_mentions=NO_PINGS)
                else:
                    message = await self._channel(reveal.channel_id, reveal.guild_id).send(embeds=embeds)
            except discord.HTTPException:
                log.exception("could not post the reveal of round %s", reveal.round_id)
                message = None
        settings = await self.bot.engine.communities.get(reveal.guild_id)
        if settings.threads and message is not None:
            try:
                await message.create_thread(name=limits.shorten(f"Discuss: {reveal.scenario.title}", 100))
            except (discord.HTTPException, ValueError):
                log.warning("could not open a discussion thread for round %s", reveal.round_id)
        if not reveal.game_over:
            self._spawn(self._next_round(reveal.game_id, self.bot.round_pause))

    async def _next_round(self, game_id: int, pause: float) -> None:
        if game_id in self._advancing:  # a reveal and a restart may both try to move a game on
            return
        self._advancing.add(game_id)
        try:
            await asyncio.sleep(pause)
            view = await self.games.next_round(game_id)
            if view is not None and await self._message(view.round_id) is None:
                await self.post_round(view)
        finally:
            self._advancing.discard(game_id)

    async def post_round(self, view: RoundView) -> None:
        message = await self._channel(view.channel_id, view.guild_id).send(
            embed=round_embed(view), view=round_buttons(view))
        await self.bot.engine.posted_messages.remember(ROUND_MESSAGE, str(view.round_id), view.channel_id, message.id)

    @app_commands.command(name="play", description="Start a scenario game in this channel")
    @app_commands.describe(category="Only scenarios of this kind", difficulty="Only this difficulty",
                           rounds="Number of rounds (1-10, default 5)", seconds="Seconds per round (10-300)",
                           speed_bonus="Give a small bonus for fast correct answers (off by default)")
    @app_commands.choices(category=CATEGORY_CHOICES, difficulty=DIFFICULTY_CHOICES)
    async def play(self, interaction: discord.Interaction[OtBot], category: str | None = None,
                   difficulty: int | None = None, rounds: app_commands.Range[int, 1, 10] = 5,
                   seconds: app_commands.Range[int, 10, 300] | None = None, speed_bonus: bool = False) -> None:
        guild_id = require_guild(interaction)
        settings = await self.bot.engine.communities.get(guild_id)
        view = await self.games.start(guild_id, interaction.channel_id or 0, str(interaction.user.id),
                                      interaction.user.display_name, category=category, difficulty=difficulty,
                                      rounds=rounds, seconds=seconds or settings.round_seconds,
                                      speed_bonus=speed_bonus)
        response = await interaction.response.send_message(embed=round_embed(view), view=round_buttons(view))
        message_id = response.message_id or (await interaction.original_response()).id
        await self.bot.engine.posted_messages.remember(ROUND_MESSAGE, str(view.round_id), view.channel_id, message_id)

    @app_commands.command(name="stop", description="Stop the game in this channel (host or moderator)")
    async def stop(self, interaction: discord.Interaction[OtBot]) -> None:
        standings = await self.games.stop(require_guild(interaction), interaction.channel_id or 0,
                                          str(interaction.user.id), await is_moderator(interaction))
        await interaction.response.send_message(embed=stopped_embed(standings))
        if standings.reveal:
            await self.post_reveal(standings.reveal)

    @app_commands.command(name="practice", description="Practise alone: only you see it, no timer")
    @app_commands.choices(category=CATEGORY_CHOICES, difficulty=DIFFICULTY_CHOICES)
    async def practice(self, interaction: discord.Interaction[OtBot], category: str | None = None,
                       difficulty: int | None = None, rounds: app_commands.Range[int, 1, 10] = 5) -> None:
        guild_id, channel_id = require_guild(interaction), interaction.channel_id or 0
        user = str(interaction.user.id)
        note = None
        view = await self.games.current(guild_id, channel_id, practice_for=user)
        if view is not None:
            note = "Picking up your unfinished practice here. Press **Stop** to end it."
        else:
            start = functools.partial(self.games.start, guild_id, channel_id, user, interaction.user.display_name,
                                      category=category, difficulty=difficulty, rounds=rounds, practice=True)
            try:
                view = await start()
            except GameError as refused:
                # An unfinished practice between rounds (its Next button went with the private message):
                # end it and start over, rather than refuse with no way to stop it.
                try:
                    await self.games.stop(guild_id, channel_id, user, practice=True)
                except GameError:
                    raise refused from None
                view = await start()
        await interaction.response.send_message(note, embed=round_embed(view), view=round_buttons(view),
                                                ephemeral=True)

    @app_commands.command(name="leaderboard", description="Top players in this server")
    @app_commands.choices(period=[app_commands.Choice(name="this week", value="week"),
                                  app_commands.Choice(name="all time", value="all")])
    async def leaderboard(self, interaction: discord.Interaction[OtBot], period: str = "week") -> None:
        board = await self.games.leaderboard(require_guild(interaction), period)
        await interaction.response.send_message(embed=leaderboard_embed(board))

    @app_commands.command(name="stats", description="Your scenario stats, or another member's")
    async def stats(self, interaction: discord.Interaction[OtBot], member: discord.Member | None = None) -> None:
        who = member or interaction.user
        stats = await self.games.stats(require_guild(interaction), str(who.id))
        await interaction.response.send_message(embed=stats_embed(who.display_name, stats),
                                                ephemeral=member is None)


async def setup(bot: OtBot) -> None:
    bot.add_dynamic_items(AnswerButton, RevealButton, NextPracticeButton, StopPracticeButton)
    await bot.add_cog(Scenarios(bot))

"""Scenario games in channels: rounds with buttons, live counts, reveals, leaderboards. Clicks survive restarts."""

from __future__ import annotations

import functools
import logging
import re
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands, tasks

from ...engine.errors import GameError
from ...engine.game import LETTERS, Reveal, RoundState
from ...engine.models import CATEGORIES
from .. import custom_ids, limits
from ..buttons import PersistentButton
from ..delivery import NotDelivered, Refused, acknowledge, deliver, in_time, replace, reply
from ..game_driver import NO_PINGS, GameDriver
from ..game_render import leaderboard_embed, reveal_embed, round_embed, stats_embed, stopped_embed
from ..permissions import is_moderator, require_guild

if TYPE_CHECKING:
    from ..client import OtBot

log = logging.getLogger(__name__)


def round_buttons(view: RoundState) -> discord.ui.View:
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
        # Acknowledged within ACK_WAIT whatever the database does; the game moves on from the database state,
        # whether or not the acknowledgement got through.
        bot = interaction.client
        private = bool(interaction.message and interaction.message.flags.ephemeral)  # a practice round
        receipt = await in_time(interaction, bot.engine.games.answer(
            self.round_id, str(interaction.user.id), interaction.user.display_name, self.key),
            ephemeral=True, edits_message=private)
        if receipt.reveal and receipt.reveal.practice:
            await replace(interaction, embeds=[reveal_embed(receipt.reveal)], view=practice_next_view(receipt.reveal))
            return
        driver = _driver(bot)
        if receipt.reveal:
            driver.kick(receipt.reveal.game_id)
        else:
            driver.dirty.add(self.round_id)
        await reply(interaction, f"🔒 Locked in: **{limits.shorten(receipt.option_label, 200)}**. "
                                f"{receipt.answers_so_far} answer(s) so far.", ephemeral=True)


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
        _driver(bot).kick(reveal.game_id)
        await acknowledge(interaction, edits_message=True)  # the round message itself changes into the reveal


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
        view = await in_time(interaction, bot.engine.games.next_round(self.game_id, str(interaction.user.id)),
                             edits_message=True)
        if view is None:
            await replace(interaction, content="Practice finished. `/scenario stats` shows how you did.",
                          embeds=[], view=None)
            return
        await replace(interaction, embeds=[round_embed(view)], view=round_buttons(view))


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
        await replace(interaction, embeds=[stopped_embed(standings)], view=None)


def _driver(bot: OtBot) -> GameDriver:
    cog: Scenarios = bot.get_cog("Scenarios")  # type: ignore[assignment]
    return cog.driver


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
        self.driver = GameDriver(bot, round_buttons)

    async def cog_load(self) -> None:
        if self.bot.serve:
            self.driver.spawn(self._recover())

    async def cog_unload(self) -> None:
        self.ticker.cancel()
        self.driver.cancel()

    async def _recover(self) -> None:
        """After a restart: catch every game up; the timer starts only afterwards, so that it cannot reveal
        the same rounds a second way meanwhile."""
        await self.bot.wait_until_ready()
        try:
            await self.driver.recover()
        finally:
            if not self.ticker.is_running():
                self.ticker.start()

    @tasks.loop(seconds=1.0)
    async def ticker(self) -> None:
        await self.driver.tick()

    @app_commands.command(name="play", description="Start a scenario game in this channel")
    @app_commands.describe(category="Only scenarios of this kind", difficulty="Only this difficulty",
                           rounds="Number of rounds (1-10, default 5)", seconds="Seconds per round (10-300)",
                           speed_bonus="Give a small bonus for fast correct answers (off by default)")
    @app_commands.choices(category=CATEGORY_CHOICES, difficulty=DIFFICULTY_CHOICES)
    async def play(self, interaction: discord.Interaction, category: str | None = None,
                   difficulty: int | None = None, rounds: app_commands.Range[int, 1, 10] = 5,
                   seconds: app_commands.Range[int, 10, 300] | None = None, speed_bonus: bool = False) -> None:
        guild_id = require_guild(interaction)

        async def start() -> RoundState:
            settings = await self.bot.engine.communities.get(guild_id)
            return await self.games.start(guild_id, interaction.channel_id or 0, str(interaction.user.id),
                                          interaction.user.display_name, category=category, difficulty=difficulty,
                                          rounds=rounds, seconds=seconds or settings.round_seconds,
                                          speed_bonus=speed_bonus)

        view = await in_time(interaction, start(), ephemeral=True)  # errors stay private
        self.driver.kick(view.game_id)  # the driver posts the round to the channel
        await reply(interaction, f"🎲 Game on: round 1 of {view.total} is posted in this channel.", ephemeral=True)

    @app_commands.command(name="stop", description="Stop the game in this channel (host or moderator)")
    async def stop(self, interaction: discord.Interaction[OtBot]) -> None:
        await acknowledge(interaction, ephemeral=True)  # before is_moderator, which may read the database
        standings = await self.games.stop(require_guild(interaction), interaction.channel_id or 0,
                                          str(interaction.user.id), await is_moderator(interaction))
        self.driver.kick(standings.game_id)  # the open round's reveal
        channel = self.bot.get_partial_messageable(standings.channel_id, guild_id=standings.guild_id)
        try:
            await deliver(lambda: channel.send(embed=stopped_embed(standings), allowed_mentions=NO_PINGS),
                          f"posting the standings of game {standings.game_id}")
        except (Refused, NotDelivered) as exc:
            log.warning("could not post the final standings: %s", exc)
        await reply(interaction, "⏹️ Game stopped; the final standings are posted in this channel.", ephemeral=True)

    @app_commands.command(name="practice", description="Practise alone: only you see it, no timer")
    @app_commands.choices(category=CATEGORY_CHOICES, difficulty=DIFFICULTY_CHOICES)
    async def practice(self, interaction: discord.Interaction, category: str | None = None,
                       difficulty: int | None = None, rounds: app_commands.Range[int, 1, 10] = 5) -> None:
        guild_id, channel_id = require_guild(interaction), interaction.channel_id or 0
        await acknowledge(interaction, ephemeral=True)
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
        await reply(interaction, note, embed=round_embed(view), view=round_buttons(view), ephemeral=True)

    @app_commands.command(name="leaderboard", description="Top players in this server")
    @app_commands.choices(period=[app_commands.Choice(name="this week", value="week"),
                                  app_commands.Choice(name="all time", value="all")])
    async def leaderboard(self, interaction: discord.Interaction, period: str = "week") -> None:
        guild_id = require_guild(interaction)
        await acknowledge(interaction)
        board = await self.games.leaderboard(guild_id, period)
        await reply(interaction, embed=leaderboard_embed(board))

    @app_commands.command(name="stats", description="Your scenario stats, or another member's")
    async def stats(self, interaction: discord.Interaction, member: discord.Member | None = None) -> None:
        who = member or interaction.user
        guild_id = require_guild(interaction)
        await acknowledge(interaction, ephemeral=member is None)
        stats = await self.games.stats(guild_id, str(who.id))
        await reply(interaction, embed=stats_embed(who.display_name, stats), ephemeral=member is None)


async def setup(bot: OtBot) -> None:
    bot.add_dynamic_items(AnswerButton, RevealButton, NextPracticeButton, StopPracticeButton)
    await bot.add_cog(Scenarios(bot))

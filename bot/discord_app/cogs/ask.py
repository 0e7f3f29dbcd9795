"""Questions: /ask, mentions of the bot, answer channels; related, "did you mean" and feedback buttons."""

from __future__ import annotations

import re
import time
from collections import defaultdict, deque
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...engine.community import load_settings
from ...engine.models import Entry, Reply
from .. import limits
from ..errors import guarded
from ..render import entry_embed, reply_embed
from ..respond import in_time, send

if TYPE_CHECKING:
    from ..client import OtBot

ENTRY_ID = r"[a-z0-9-]{1,64}"
CHANNELS_TTL = 30.0


class RateLimiter:
    """At most `rate` events per `per` seconds per key: keeps one member from flooding a channel."""

    def __init__(self, rate: int, per: float) -> None:
        self.rate, self.per = rate, per
        self._events: dict[tuple[int, int], deque[float]] = defaultdict(deque)

    def retry_after(self, key: tuple[int, int], now: float | None = None) -> float:
        """0 when allowed (and counted); otherwise seconds until the next one is allowed."""
        now = time.monotonic() if now is None else now
        if len(self._events) > 10_000:  # forget members who have been quiet for a while
            self._events = defaultdict(deque, {k: v for k, v in self._events.items() if v and v[-1] > now - self.per})
        events = self._events[key]
        while events and events[0] <= now - self.per:
            events.popleft()
        if len(events) >= self.rate:
            return events[0] + self.per - now
        events.append(now)
        return 0.0


class EntryButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"otbot:entry:(?P<id>{ENTRY_ID})"):
    """Shows one entry privately: used for related entries and "did you mean" suggestions."""

    def __init__(self, entry: Entry, number: int | None = None) -> None:
        label = f"{number}. {entry.question}" if number else entry.question
        super().__init__(discord.ui.Button(label=limits.shorten(label, limits.BUTTON_LABEL),
                                           style=discord.ButtonStyle.secondary, custom_id=f"otbot:entry:{entry.id}"))
        self.entry_id = entry.id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str]) -> EntryButton:
        self = cls.__new__(cls)
        discord.ui.DynamicItem.__init__(self, item)
        self.entry_id = match["id"]
        return self

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        bot: OtBot = interaction.client  # type: ignore[assignment]
        entry = await bot.engine.kb.get(self.entry_id, interaction.guild_id or 0)
        if entry is None:
            await interaction.response.send_message("That entry is no longer available.", ephemeral=True)
            return
        embed = entry_embed(entry)
        question = _question_from_message(interaction.message)
        if question:  # carried over, so that feedback on this answer still knows what was asked
            embed.set_author(name=limits.shorten("Q: " + question, limits.EMBED_AUTHOR))
            limits.fit_embed(embed)
        await interaction.response.send_message(embed=embed, view=answer_view(bot, entry), ephemeral=True)


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button],
                     template=rf"otbot:fb:(?P<vote>[yn]):(?P<id>{ENTRY_ID})"):
    def __init__(self, entry_id: str, helpful: bool) -> None:
        super().__init__(discord.ui.Button(
            label="Helpful" if helpful else "Not helpful", emoji="👍" if helpful else "👎",
            style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary,
            custom_id=f"otbot:fb:{'y' if helpful else 'n'}:{entry_id}"))
        self.entry_id, self.helpful = entry_id, helpful

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button,
                             match: re.Match[str]) -> FeedbackButton:
        return cls(match["id"], match["vote"] == "y")

    @guarded
    async def callback(self, interaction: discord.Interaction) -> None:
        bot: OtBot = interaction.client  # type: ignore[assignment]
        guild = interaction.guild_id or 0
        question = _question_from_message(interaction.message)
        await in_time(interaction, self._record(bot, guild, str(interaction.user.id), question), ephemeral=True)
        text = ("Thanks, noted. A moderator will see this question and can improve the answer." if not self.helpful
                else "Thanks for letting us know!")
        await send(interaction, text, ephemeral=True)

    async def _record(self, bot: OtBot, guild: int, user: str, question: str | None) -> None:
        await bot.engine.store.record_feedback(guild, self.entry_id, user, self.helpful, question)
        if not self.helpful:
            await bot.engine.store.record_missed(guild, question or f"(feedback on {self.entry_id})", "not_helpful",
                                                 entry_id=self.entry_id, asked_by=user)


def _question_from_message(message: discord.Message | None) -> str | None:
    """The question an answer was for, kept in the embed's author line."""
    if message and message.embeds and message.embeds[0].author and message.embeds[0].author.name:
        return message.embeds[0].author.name.removeprefix("Q: ")
    return None


def answer_view(bot: OtBot, entry: Entry, related: tuple[Entry, ...] = ()) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in related[:3]:
        view.add_item(EntryButton(item))
    view.add_item(FeedbackButton(entry.id, True))
    view.add_item(FeedbackButton(entry.id, False))
    return view


def reply_message(bot: OtBot, reply: Reply) -> tuple[discord.Embed, discord.ui.View | None]:
    embed = reply_embed(reply)
    if reply.question:
        embed.set_author(name=limits.shorten("Q: " + reply.question, limits.EMBED_AUTHOR))
        limits.fit_embed(embed)
    if reply.answered and reply.entry:
        return embed, answer_view(bot, reply.entry, reply.related)
    if reply.suggestions:
        view = discord.ui.View(timeout=None)
        for number, entry in enumerate(reply.suggestions, 1):
            view.add_item(EntryButton(entry, number))
        return embed, view
    return embed, None


_QUESTIONISH = re.compile(r"\?|^(who|what|when|where|why|how|can|does|do|is|are|should|will|would|could)\b", re.I)


class Ask(commands.Cog):
    def __init__(self, bot: OtBot) -> None:
        self.bot = bot
        self.limiter = RateLimiter(bot.settings.ask_rate, bot.settings.ask_per_seconds)
        self._channels: dict[int, tuple[float, frozenset[int]]] = {}  # guild -> (valid until, answer channels)

    async def answer_channels(self, guild_id: int) -> frozenset[int]:
        """This server's answer channels, read from the database at most every CHANNELS_TTL seconds (every
        message in every channel passes here)."""
        now = time.monotonic()
        cached = self._channels.get(guild_id)
        if cached is None or cached[0] < now:
            settings = await load_settings(self.bot.engine.store, guild_id)
            cached = self._channels[guild_id] = (now + CHANNELS_TTL, frozenset(settings.answer_channels))
        return cached[1]

    def forget_settings(self, guild_id: int) -> None:
        """Call after changing a server's settings."""
        self._channels.pop(guild_id, None)

    def _cooldown(self, guild_id: int | None, user_id: int) -> str | None:
        wait = self.limiter.retry_after((guild_id or 0, user_id))
        if wait > 0:
            return f"You're asking quickly! Please wait {wait:.0f} seconds and ask again."
        return None

    @app_commands.command(name="ask", description="Ask about school-based or clinic occupational therapy")
    @app_commands.describe(question="Your question, in your own words",
                           private="Only you see the answer (good when describing your own child)")
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 1500],
                  private: bool = False) -> None:
        slow = self._cooldown(interaction.guild_id, interaction.user.id)
        if slow:
            await interaction.response.send_message(slow, ephemeral=True)
            return
        reply = await in_time(interaction, self.bot.engine.kb.ask(question, interaction.guild_id or 0,
                                                                  asked_by=str(interaction.user.id)),
                              ephemeral=private)
        embed, view = reply_message(self.bot, reply)
        await send(interaction, embed=embed, view=view, ephemeral=private)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or self.bot.user is None:
            return
        # Written out in the text, not only the ping Discord adds to a reply to one of the bot's answers:
        # "thanks!" in reply to an answer is not a new question.
        me = self.bot.user.id
        mentioned = self.bot.user in message.mentions and (f"<@{me}>" in message.content
                                                           or f"<@!{me}>" in message.content)
        if not mentioned and not self.bot.intents.message_content:
            return  # without the intent Discord sends no text of other messages: nothing to answer
        in_answer_channel = message.channel.id in await self.answer_channels(message.guild.id)
        if not mentioned and not in_answer_channel:
            return
        slow = self._cooldown(message.guild.id, message.author.id)
        if slow:
            if mentioned:
                await message.reply(slow, mention_author=False)
            return
        reply = await self.bot.engine.kb.ask(message.content, message.guild.id, asked_by=str(message.author.id))
        if not reply.answered and not mentioned and not _QUESTIONISH.search(reply.question):
            return  # chatter in an answer channel ("thanks!") gets no "I don't know" reply
        embed, view = reply_message(self.bot, reply)
        if view is None:
            await message.reply(embed=embed, mention_author=False)
        else:
            await message.reply(embed=embed, view=view, mention_author=False)


async def setup(bot: OtBot) -> None:
    bot.add_dynamic_items(EntryButton, FeedbackButton)
    await bot.add_cog(Ask(bot))

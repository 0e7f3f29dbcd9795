"""Questions: /ask, mentions of the bot, answer channels; related, "did you mean" and feedback buttons."""

from __future__ import annotations

import re
import time
from collections import defaultdict, deque
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...engine.models import Entry
from ...engine.questions import AskedReply
from .. import custom_ids, limits
from ..buttons import PersistentButton
from ..delivery import in_time, reply
from ..render import entry_embed, reply_embed

if TYPE_CHECKING:
    from ..client import OtBot


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


class EntryButton(PersistentButton, template=custom_ids.ENTRY):
    """Shows one entry privately: used for related entries and "did you mean" suggestions."""

    def __init__(self, entry_id: str, label: str, asked_id: int | None = None) -> None:
        super().__init__(custom_ids.entry(entry_id, asked_id), label)
        self.entry_id, self.asked_id = entry_id, asked_id

    @classmethod
    def for_entry(cls, entry: Entry, asked_id: int | None, number: int | None = None) -> EntryButton:
        return cls(entry.id, f"{number}. {entry.question}" if number else entry.question, asked_id)

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> EntryButton:
        return cls(match["id"], label, _asked_id(match))

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        engine = interaction.client.engine
        community = interaction.guild_id or 0
        entry = await engine.answerer.get(self.entry_id, community)
        if entry is None:
            await reply(interaction, "That entry is no longer available.", ephemeral=True)
            return
        embed = entry_embed(entry)
        if self.asked_id is not None:  # feedback on this entry is still about the question first asked
            question = await engine.questions.question(community, self.asked_id)
            embed = with_question(embed, question)
        await reply(interaction, embed=embed, view=answer_buttons(entry, self.asked_id),
                                                ephemeral=True)


class FeedbackButton(PersistentButton, template=custom_ids.FEEDBACK):
    def __init__(self, entry_id: str, helpful: bool, asked_id: int | None = None) -> None:
        super().__init__(custom_ids.feedback(entry_id, helpful, asked_id), "Helpful" if helpful else "Not helpful",
                         emoji="👍" if helpful else "👎",
                         style=discord.ButtonStyle.success if helpful else discord.ButtonStyle.secondary)
        self.entry_id, self.helpful, self.asked_id = entry_id, helpful, asked_id

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> FeedbackButton:
        return cls(match["id"], match["vote"] == "y", _asked_id(match))

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        questions = interaction.client.engine.questions
        await in_time(interaction, questions.feedback(interaction.guild_id or 0, self.entry_id,
                                                      str(interaction.user.id), self.helpful, self.asked_id),
                      ephemeral=True)
        text = ("Thanks, noted. A moderator will see this question and can improve the answer." if not self.helpful
                else "Thanks for letting us know!")
        await reply(interaction, text, ephemeral=True)


def _asked_id(match: re.Match[str]) -> int | None:
    return int(match["asked"]) if match["asked"] else None


def with_question(embed: discord.Embed, question: str) -> discord.Embed:
    """The question shown above its answer (display only: buttons refer to the stored question by id)."""
    embed.set_author(name=limits.shorten("Q: " + question, limits.EMBED_AUTHOR))
    return limits.fit_embed(embed)


def answer_buttons(entry: Entry, asked_id: int | None, related: tuple[Entry, ...] = (),
                   also_asked: tuple[Entry, ...] = ()) -> discord.ui.View:
    buttons = discord.ui.View(timeout=None)
    for item in also_asked[:2]:  # the message's second question first: the member asked it
        buttons.add_item(EntryButton(item.id, f"You also asked: {item.question}", asked_id))
    for item in [r for r in related if r not in also_asked][:3]:
        buttons.add_item(EntryButton.for_entry(item, asked_id))
    buttons.add_item(FeedbackButton(entry.id, True, asked_id))
    buttons.add_item(FeedbackButton(entry.id, False, asked_id))
    return buttons


def reply_message(asked: AskedReply) -> tuple[discord.Embed, discord.ui.View | None]:
    reply = asked.reply
    embed = reply_embed(reply)
    if reply.question:
        embed = with_question(embed, reply.question)
    if reply.answered and reply.entry:
        return embed, answer_buttons(reply.entry, asked.asked_id, reply.related, reply.also_asked)
    if reply.suggestions:
        buttons = discord.ui.View(timeout=None)
        for number, entry in enumerate(reply.suggestions, 1):
            buttons.add_item(EntryButton.for_entry(entry, asked.asked_id, number))
        return embed, buttons
    return embed, None


_QUESTIONISH = re.compile(r"\?|^(who|what|when|where|why|how|can|does|do|is|are|should|will|would|could)\b", re.I)


class AskCog(commands.Cog, name="Ask"):
    def __init__(self, bot: OtBot) -> None:
        self.bot = bot
        self.limiter = RateLimiter(bot.settings.ask_rate, bot.settings.ask_per_seconds)

    def _cooldown(self, guild_id: int | None, user_id: int) -> str | None:
        wait = self.limiter.retry_after((guild_id or 0, user_id))
        if wait > 0:
            return f"You're asking quickly! Please wait {wait:.0f} seconds and ask again."
        return None

    @app_commands.command(name="ask", description="Ask about school-based or clinic occupational therapy")
    @app_commands.describe(question="Your question, in your own words",
                           private="Only you see the answer (good when describing your own child)")
    async def ask(self, interaction: discord.Interaction[OtBot], question: app_commands.Range[str, 1, 1500],
                  private: bool = False) -> None:
        slow = self._cooldown(interaction.guild_id, interaction.user.id)
        if slow:
            await reply(interaction, slow, ephemeral=True)
            return
        asked = await in_time(interaction, self.bot.engine.questions.ask(question, interaction.guild_id or 0,
                                                                         asked_by=str(interaction.user.id)),
                              ephemeral=private)
        embed, buttons = reply_message(asked)
        await reply(interaction, embed=embed, view=buttons, ephemeral=private)

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
        settings = await self.bot.engine.communities.get(message.guild.id)
        in_answer_channel = message.channel.id in settings.answer_channels
        if not mentioned and not in_answer_channel:
            return
        slow = self._cooldown(message.guild.id, message.author.id)
        if slow:
            if mentioned:
                await message.reply(slow, mention_author=False)
            return
        questions = self.bot.engine.questions
        reply = (await questions.ask(message.content, message.guild.id, remember=False)).reply
        if not reply.answered and not mentioned and not _QUESTIONISH.search(reply.question):
            return  # chatter in an answer channel ("thanks!") gets no "I don't know" reply, and is not kept
        asked = await questions.remember(message.guild.id, reply, str(message.author.id))
        embed, buttons = reply_message(asked)
        if buttons is None:
            await message.reply(embed=embed, mention_author=False)
        else:
            await message.reply(embed=embed, view=buttons, mention_author=False)


async def setup(bot: OtBot) -> None:
    bot.add_dynamic_items(EntryButton, FeedbackButton)
    await bot.add_cog(AskCog(bot))

"""The discord.py client: the engine injected, cogs and persistent buttons registered, no sync on start."""

from __future__ import annotations

import logging
import time

import discord
from discord.ext import commands

from ..config import Settings
from ..engine.app import Engine
from . import errors

log = logging.getLogger(__name__)

# One discord.py extension per feature, loaded by name: each module has `async def setup(bot)`.
EXTENSIONS = tuple(f"bot.discord_app.cogs.{name}" for name in ("ask", "scenario", "faq", "admin"))


class OtBot(commands.Bot):
    def __init__(self, engine: Engine, settings: Settings, *, intents: discord.Intents,
                 serve: bool = True, round_pause: float = 6.0) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            # Nothing the bot sends may ping anyone: entry text, questions and player names are user-written.
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.engine = engine
        self.settings = settings
        self.serve = serve  # False for `otbot sync`: register commands, start nothing
        self.round_pause = round_pause
        self.started_at = time.time()
        self.tree.on_error = errors.report  # type: ignore[method-assign]

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        log.info("loaded %d FAQ entries and %d scenarios", len(self.engine.answerer.curated),
                 len(self.engine.scenarios))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: questions are handled by the ask cog's listener."""

"""/otbot about, help and config: per-server settings for admins."""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...engine.community import CommunitySettings
from ..permissions import require_admin, require_guild
from ..render import BRAND

if TYPE_CHECKING:
    from ..client import OtBot

HELP = """**Ask** `/ask question:` (add `private: True` to see the answer alone), or mention me with a question.
**Play** `/scenario play` starts a "Should this student get OT?" game here; `/scenario practice` is solo.
**Scores** `/scenario leaderboard`, `/scenario stats`.
**Browse** `/faq list`, `/faq show`.
**Moderators** `/faq add`, `/faq edit`, `/faq remove`, `/faq missed`, `/faq history`, `/faq export`, `/faq import`.
**Admins** `/otbot config`.
Answers are general information; a child's own case is decided by their IEP or 504 team."""


def _version() -> str:
    try:
        return version("otbot")
    except PackageNotFoundError:
        return "dev"


def _uptime(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"


def settings_embed(settings: CommunitySettings, note: str = "") -> discord.Embed:
    channels = ", ".join(f"<#{c}>" for c in settings.answer_channels) or "none (only /ask and mentions)"
    role = f"<@&{settings.moderator_role}>" if settings.moderator_role else "none (Manage Server only)"
    embed = discord.Embed(title="otbot settings for this server", colour=BRAND, description=note or None)
    embed.add_field(name="Answer channels", value=channels, inline=False)
    embed.add_field(name="Moderator role", value=role, inline=False)
    embed.add_field(name="Seconds per round", value=str(settings.round_seconds))
    embed.add_field(name="Discussion threads", value="on" if settings.threads else "off")
    return embed


class AdminCog(commands.GroupCog, group_name="otbot", group_description="About otbot and its settings"):
    config = app_commands.Group(name="config", description="Server settings (Manage Server)")

    def __init__(self, bot: OtBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="Version, content and uptime")
    async def about(self, interaction: discord.Interaction[OtBot]) -> None:
        entries = await self.bot.engine.answerer.entries(interaction.guild_id or 0)
        embed = discord.Embed(title="otbot", colour=BRAND,
                              description="School-based vs medical-model occupational therapy, explained.")
        embed.add_field(name="Version", value=_version())
        embed.add_field(name="FAQ entries", value=str(len(entries)))
        embed.add_field(name="Scenarios", value=str(len(self.bot.engine.scenarios)))
        embed.add_field(name="Uptime", value=_uptime(time.time() - self.bot.started_at))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="help", description="What otbot can do")
    async def help(self, interaction: discord.Interaction[OtBot]) -> None:
        await interaction.response.send_message(embed=discord.Embed(title="otbot help", description=HELP,
                                                                    colour=BRAND), ephemeral=True)

    @config.command(name="show", description="Show this server's settings")
    async def show(self, interaction: discord.Interaction[OtBot]) -> None:
        require_admin(interaction)
        settings = await self.bot.engine.communities.get(require_guild(interaction))
        await interaction.response.send_message(embed=settings_embed(settings), ephemeral=True)

    @config.command(name="answer-channel", description="Answer every question asked in a channel (or stop)")
    async def answer_channel(self, interaction: discord.Interaction[OtBot], channel: discord.TextChannel,
                             enabled: bool = True) -> None:
        require_admin(interaction)
        settings = await self.bot.engine.communities.set_answer_channel(require_guild(interaction), channel.id,
                                                                        enabled)
        note = ""
        if enabled and not self.bot.intents.message_content:
            note = ("⚠️ Answer channels need the Message Content intent: enable it in the Developer Portal "
                    "and restart the bot (OTBOT_MESSAGE_CONTENT=auto turns it on when channels are set).")
        await interaction.response.send_message(embed=settings_embed(settings, note), ephemeral=True)

    @config.command(name="moderator-role", description="Members with this role may curate the FAQ")
    async def moderator_role(self, interaction: discord.Interaction[OtBot], role: discord.Role | None = None) -> None:
        require_admin(interaction)
        settings = await self.bot.engine.communities.update(require_guild(interaction),
                                                            moderator_role=role.id if role else None)
        await interaction.response.send_message(embed=settings_embed(settings), ephemeral=True)

    @config.command(name="round-seconds", description="Default seconds per scenario round")
    async def round_seconds(self, interaction: discord.Interaction[OtBot],
                            seconds: app_commands.Range[int, 10, 300]) -> None:
        require_admin(interaction)
        settings = await self.bot.engine.communities.update(require_guild(interaction), round_seconds=seconds)
        await interaction.response.send_message(embed=settings_embed(settings), ephemeral=True)

    @config.command(name="threads", description="Open a discussion thread under each reveal")
    async def threads(self, interaction: discord.Interaction[OtBot], enabled: bool) -> None:
        require_admin(interaction)
        settings = await self.bot.engine.communities.update(require_guild(interaction), threads=enabled)
        await interaction.response.send_message(embed=settings_embed(settings), ephemeral=True)


async def setup(bot: OtBot) -> None:
    await bot.add_cog(AdminCog(bot))

"""The one place where errors become replies: domain errors are shown, everything else is logged."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from ..engine.errors import UserError
from .respond import send

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on my side; it has been logged. Please try again in a moment."


def user_message(error: BaseException) -> str | None:
    """The text to show for an error, or None when it is a bug to log."""
    original = getattr(error, "original", None) or getattr(error, "__cause__", None)
    if isinstance(error, UserError):
        return str(error)
    if isinstance(original, UserError):
        return str(original)
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return ("That command changed in an update and Discord still shows the old one. "
                "Please try again in a minute (or restart your Discord app).")
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Easy there! You can ask again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.CheckFailure | app_commands.TransformerError):
        return str(error) or "You can't use this command here."
    return None


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Reply privately, whether or not the interaction was already answered or deferred."""
    try:  # `send` replaces a "thinking" placeholder instead of leaving it spinning
        await send(interaction, text[:2000], ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)


async def report(interaction: discord.Interaction, error: BaseException) -> None:
    text = user_message(error)
    if text is None:
        log.error("unhandled error in %s", getattr(interaction.command, "qualified_name", "a component"),
                  exc_info=error)
        text = UNEXPECTED
    await send_ephemeral(interaction, text)


class GuardedView(discord.ui.View):
    """A view whose callback errors go through `report` like command errors do."""

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        await report(interaction, error)


class GuardedModal(discord.ui.Modal):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report(interaction, error)


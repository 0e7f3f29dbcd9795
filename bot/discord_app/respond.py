"""Replying the right way whatever happened before: the response itself, completing a "thinking" deferral, or a
follow-up (`send`); editing the clicked message, deferred or not (`update`). delivery.py decides when to
acknowledge first and retries what Discord refuses."""

from __future__ import annotations

from typing import Any, TypeVar

import discord
from discord import InteractionResponseType

T = TypeVar("T")


def _present(options: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in options.items() if value is not None}


async def send(interaction: discord.Interaction, content: str | None = None, *, ephemeral: bool = False,
               embed: discord.Embed | None = None, view: discord.ui.View | None = None) -> None:
    """A new reply: the response itself, or the "thinking" message it replaces, or a follow-up."""
    options = _present({"content": content, "embed": embed, "view": view})
    if not interaction.response.is_done():
        await interaction.response.send_message(ephemeral=ephemeral, **options)
    elif interaction.response.type is InteractionResponseType.deferred_channel_message:
        await interaction.edit_original_response(**options)
    else:
        await interaction.followup.send(ephemeral=ephemeral, **options)


async def update(interaction: discord.Interaction, **changes: Any) -> None:
    """Edit the message the clicked component is on (embeds=, view=, content=), deferred or not."""
    if not interaction.response.is_done():
        await interaction.response.edit_message(**changes)
    else:
        await interaction.edit_original_response(**changes)

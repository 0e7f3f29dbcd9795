"""Answer interactions in time: Discord gives up on any interaction not acknowledged within 3 seconds.

`in_time` runs the slow part (the engine: search, database writes); when it is not done within BUDGET
seconds (a busy database, a locked file, a loaded machine) it acknowledges the interaction first ("thinking",
or a silent deferred update for a button that edits its own message) and then keeps waiting. `send` and
`update` then deliver the result the right way, whichever happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord
from discord import InteractionResponseType

T = TypeVar("T")
BUDGET = 2.0  # seconds of work before acknowledging first; leaves a second for the acknowledgement itself


async def in_time(interaction: discord.Interaction, work: Awaitable[T], *, ephemeral: bool = False,
                  edits_message: bool = False) -> T:
    """The result of `work`; acknowledges the interaction meanwhile if `work` takes longer than BUDGET.

    edits_message: the reply will replace the message the clicked button is on (see `update`).
    """
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.wait_for(asyncio.shield(task), BUDGET)
    except TimeoutError:
        if not interaction.response.is_done():
            if edits_message:
                await interaction.response.defer()  # "deferred update": nothing shown, the message edits later
            else:
                await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        return await task


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

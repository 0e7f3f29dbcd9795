"""The base of every persistent button: its custom id carries the state a click needs (see custom_ids.py), so
clicks are routed after a restart, and errors in a click reach the one error translator like command errors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from . import limits
from .errors import report

if TYPE_CHECKING:
    from .client import OtBot


class PersistentButton(discord.ui.DynamicItem[discord.ui.Button], template=r"(?!)"):  # the base matches nothing
    """Subclasses pass `template=` a custom_ids template, build themselves in `from_match`, act in `clicked`."""

    def __init__(self, custom_id: str, label: str, *, style: discord.ButtonStyle = discord.ButtonStyle.secondary,
                 emoji: str | None = None) -> None:
        super().__init__(discord.ui.Button(label=limits.shorten(label, limits.BUTTON_LABEL), style=style,
                                           emoji=emoji, custom_id=custom_id))

    @classmethod
    def from_match(cls, match: re.Match[str], label: str) -> Self:
        """The button a click on `custom_id` (matched by the template) was for; `label` as shown."""
        raise NotImplementedError

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Button,
                             match: re.Match[str]) -> Self:
        return cls.from_match(match, item.label or "")

    async def callback(self, interaction: discord.Interaction[OtBot]) -> None:
        # discord.py only logs a DynamicItem's errors; the member would see "This interaction failed".
        try:
            await self.clicked(interaction)
        except Exception as exc:
            await report(interaction, exc)

    async def clicked(self, interaction: discord.Interaction[OtBot]) -> None:
        raise NotImplementedError

"""Who may change things: checked by the bot on every call, whatever Discord's UI shows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from ..engine.errors import PermissionDenied

if TYPE_CHECKING:
    from .client import OtBot


async def is_moderator(interaction: discord.Interaction[OtBot]) -> bool:
    """Manage Server, or the moderator role this server's admins configured."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    settings = await interaction.client.engine.communities.get(interaction.guild_id)
    return settings.moderator_role is not None and any(r.id == settings.moderator_role for r in interaction.user.roles)


async def require_moderator(interaction: discord.Interaction[OtBot]) -> None:
    if not await is_moderator(interaction):
        raise PermissionDenied("Only moderators (Manage Server, or the moderator role set in /otbot config) "
                               "can do that.")


def require_admin(interaction: discord.Interaction[OtBot]) -> None:
    if interaction.guild_id is None or not (interaction.permissions.manage_guild
                                            or interaction.permissions.administrator):
        raise PermissionDenied("Only members with the Manage Server permission can change otbot's settings.")


def require_guild(interaction: discord.Interaction[OtBot]) -> int:
    if interaction.guild_id is None:
        raise PermissionDenied("This command works in a server, not in direct messages.")
    return interaction.guild_id

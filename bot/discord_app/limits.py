"""Discord's size limits, applied before sending so nothing is ever rejected for length."""

from __future__ import annotations

from collections.abc import Sequence

import discord

MESSAGE = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_TOTAL = 6000  # over every embed of one message together
BUTTON_LABEL = 80  # Discord documents 80; some clients show fewer
TEXT_INPUT_VALUE = 4000
AUTOCOMPLETE_NAME = 100
_KEEP = 100  # a text cut to fit the total keeps at least this much


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, ending with an ellipsis when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def fit_embeds(embeds: Sequence[discord.Embed], limit: int = EMBED_TOTAL) -> list[discord.Embed]:
    """The same embeds, their longest texts shortened until all of them together stay within `limit`.

    Discord counts titles, descriptions, field names and values, footers and author names of every embed of a
    message against one total. Each embed alone is already within its per-part limits.
    """
    embeds = list(embeds)
    excess = sum(len(e) for e in embeds) - limit
    while excess > 0:
        # (length, embed, field index or -1 for the description): the longest text gives way first
        slots = [(len(e.description or ""), e, -1) for e in embeds]
        slots += [(len(f.value or ""), e, i) for e in embeds for i, f in enumerate(e.fields)]
        length, embed, index = max(slots, key=lambda s: s[0])
        if length <= _KEEP:
            break  # cannot happen within the per-part limits; never loop forever
        target = max(length - excess, _KEEP)
        if index < 0:
            embed.description = shorten(embed.description or "", target)
        else:
            field = embed.fields[index]
            embed.set_field_at(index, name=field.name or "", value=shorten(field.value or "", target),
                               inline=bool(field.inline))
        excess = sum(len(e) for e in embeds) - limit
    return embeds


def fit_embed(embed: discord.Embed, limit: int = EMBED_TOTAL) -> discord.Embed:
    return fit_embeds([embed], limit)[0]

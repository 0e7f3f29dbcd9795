"""Engine results as Discord embeds. Every string passes through a limit before it leaves."""

from __future__ import annotations

import discord

from ..engine.models import Entry, Outcome, Reply
from . import limits
from .limits import shorten

BRAND = discord.Colour.from_rgb(46, 134, 171)
DECLINE = discord.Colour.light_grey()
DISCLAIMER = "General information about US practice, not advice about one student."


def sources_text(entry: Entry) -> str:
    lines = []
    for source in entry.sources:
        # A moderator's bare citation or URL is stored as both title and cite/url: show it once.
        cite = source.cite if source.cite and source.cite != source.title else None
        if source.url:
            title = shorten(source.title, 200).replace("[", "(").replace("]", ")")
            lines.append(f"• [{title}]({source.url})" + (f" ({shorten(cite, 200)})" if cite else ""))
        else:
            lines.append(f"• {shorten(source.title, 300)}" + (f" — {shorten(cite, 200)}" if cite else ""))
    return shorten("\n".join(lines), limits.EMBED_FIELD_VALUE)


def entry_embed(entry: Entry, *, family_note: str | None = None, also_asked: tuple[Entry, ...] = ()
                ) -> discord.Embed:
    """An answer: the entry, notes for teachers and OTs, sources; the family note only when the engine set one."""
    text = entry.answer + (f"\n\n{family_note}" if family_note else "")
    if also_asked:
        text += "\n\nYou also asked about: " + "; ".join(f"**{shorten(e.question, 120)}**" for e in also_asked)
    embed = discord.Embed(title=shorten(entry.question, limits.EMBED_TITLE),
                          description=shorten(text, limits.EMBED_DESCRIPTION), colour=BRAND)
    if entry.school:
        embed.add_field(name="🏫 At school", value=shorten(entry.school, limits.EMBED_FIELD_VALUE), inline=True)
    if entry.medical:
        embed.add_field(name="🏥 In the clinic", value=shorten(entry.medical, limits.EMBED_FIELD_VALUE), inline=True)
    if entry.for_teachers:
        embed.add_field(name="For teachers and paras", value=shorten(entry.for_teachers, limits.EMBED_FIELD_VALUE),
                        inline=False)
    if entry.for_ots:
        embed.add_field(name="For OTs", value=shorten(entry.for_ots, limits.EMBED_FIELD_VALUE), inline=False)
    if entry.sources:
        embed.add_field(name="Sources", value=sources_text(entry), inline=False)
    embed.set_footer(text=shorten(f"{DISCLAIMER} · {entry.id}", limits.EMBED_FOOTER))
    return limits.fit_embed(embed)


def decline_embed(reply: Reply) -> discord.Embed:
    text = reply.decline_message or "I don't know that one."
    if reply.outcome is Outcome.UNSURE and reply.suggestions:
        text += "\n\n" + "\n".join(f"**{i}.** {shorten(e.question, 200)}" for i, e in enumerate(reply.suggestions, 1))
    return discord.Embed(description=shorten(text, limits.EMBED_DESCRIPTION), colour=DECLINE)


def reply_embed(reply: Reply) -> discord.Embed:
    if reply.answered and reply.entry:
        return entry_embed(reply.entry, family_note=reply.family_note, also_asked=reply.also_asked)
    return decline_embed(reply)


def page_bounds(count: int, page: int, per_page: int) -> tuple[int, int]:
    """(the page, clamped into range, and how many pages) for `count` items."""
    pages = max(1, -(-count // per_page))
    return max(0, min(page, pages - 1)), pages


def entry_list_embed(title: str, entries: list[Entry], page: int, per_page: int = 15) -> discord.Embed:
    page, pages = page_bounds(len(entries), page, per_page)
    chunk = entries[page * per_page:(page + 1) * per_page]
    lines = [f"`{e.id}` {'✏️ ' if e.origin == 'community' else ''}{shorten(e.question, 90)}" for e in chunk]
    embed = discord.Embed(title=shorten(title, limits.EMBED_TITLE),
                          description=shorten("\n".join(lines) or "No entries.", limits.EMBED_DESCRIPTION),
                          colour=BRAND)
    embed.set_footer(text=f"Page {page + 1} of {pages} · {len(entries)} entries · ✏️ = added or edited here")
    return embed

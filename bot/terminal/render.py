"""Engine results as Rich renderables: markdown rendered, wrapped to the real terminal width, colour only on
a terminal (Rich turns styles off when the output is piped, and honours NO_COLOR)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import IO
from urllib.parse import urlparse

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from ..engine.models import Entry, Outcome, Reply, Source

# Below this width two columns of about 33 characters read worse than one stacked after the other.
SIDE_BY_SIDE_MIN_WIDTH = 70
DISCLAIMER = "General information, not advice about one child."
TERMINAL_DECLINE_HINT = "To add your own answer on this computer, run: otbot faq add"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def make_console(file: IO[str] | None = None, width: int | None = None) -> Console:
    """The one console setup: content is never read as Rich markup, nothing is auto-highlighted."""
    return Console(file=file, width=width, markup=False, highlight=False, emoji=False)


def markdown(text: str) -> RenderableType:
    from rich.markdown import Markdown  # on first use: 0.05 s (markdown-it, pygments) `ask --json` never pays

    return Markdown(text, hyperlinks=True)


def heading(text: str) -> Text:
    return Text(text, style="bold")


class Numbered:
    """'  1. Title…  entry-id', one line each at any width: the number opens it, the id works with /show."""

    def __init__(self, entries: Iterable[Entry], start: int = 1) -> None:
        self.rows = list(enumerate(entries, start))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for number, entry in self.rows:
            prefix, suffix = f"  {number}. ", f"  {entry.id}"
            room = options.max_width - len(prefix) - len(suffix)
            yield Text.assemble(prefix, (_fit(entry.question, room), "cyan"), (suffix, "dim"), no_wrap=True,
                                overflow="ellipsis")


def _fit(text: str, room: int) -> str:
    return text if len(text) <= room else text[:max(room - 1, 0)] + "…"


class SourceLine:
    """'  • Title… — 34 CFR §300.34' on one line: the title (a link where the terminal supports it) gives
    way first, so the citation or the site stays readable. `full` shows the whole URL, wrapped."""

    def __init__(self, source: Source, *, full: bool = False) -> None:
        self.source = source
        self.full = full

    def detail(self) -> str:
        url = self.source.url
        if self.full and url:
            return " — ".join(part for part in (self.source.cite, url) if part)
        return self.source.cite or (urlparse(url).netloc.removeprefix("www.") if url else "")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        detail = self.detail()
        suffix = f" — {detail}" if detail else ""
        style = f"link {self.source.url}" if self.source.url else ""
        if self.full:
            yield Text.assemble("  • ", (self.source.title, style), (suffix, "dim"))
            return
        room = options.max_width - 4 - len(suffix)
        title = _fit(self.source.title, max(room, 20))
        yield Text.assemble("  • ", (title, style), (suffix, "dim"), no_wrap=True, overflow="ellipsis")


class SchoolAndClinic:
    """The school / clinic comparison: side by side where the terminal is wide enough, else stacked."""

    def __init__(self, school: str | None, medical: str | None) -> None:
        self.sides = [(title, text) for title, text in (("At school", school), ("In the clinic", medical)) if text]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if len(self.sides) == 2 and options.max_width >= SIDE_BY_SIDE_MIN_WIDTH:
            table = Table(box=None, expand=True, padding=(0, 1), show_edge=False, pad_edge=False)
            for title, _ in self.sides:
                table.add_column(title, header_style="bold", ratio=1)
            table.add_row(*(markdown(text) for _, text in self.sides))
            yield table
            return
        for title, text in self.sides:
            yield heading(title)
            yield markdown(text)


def entry_view(entry: Entry, *, related: Sequence[Entry] = (), also_asked: Sequence[Entry] = (),
               family_note: str | None = None, full_sources: bool = False,
               footer: str | None = None) -> RenderableType:
    """Title, answer, school / clinic, notes, sources, then what to open next (numbered: also-asked first)."""
    parts: list[RenderableType] = [Text(entry.question, style="bold cyan"), markdown(entry.answer)]
    if entry.school or entry.medical:
        parts += [Text(""), SchoolAndClinic(entry.school, entry.medical)]
    for label, note in (("For teachers: ", entry.for_teachers), ("For OTs: ", entry.for_ots)):
        if note:
            parts.append(Text.assemble((label, "bold"), note))
    if family_note:
        parts.append(Text(family_note, style="italic"))
    if entry.sources:
        parts += [heading("Sources"), *(SourceLine(s, full=full_sources) for s in entry.sources)]
    if also_asked:
        parts += [heading("You also asked about:"), Numbered(also_asked)]
    if related:
        parts += [heading("Related (type a number):"), Numbered(related, len(also_asked) + 1)]
    parts.append(Text(DISCLAIMER, style="dim"))
    if footer:
        parts.append(Text(footer, style="dim"))
    return Group(*parts)


def choices_of(reply: Reply) -> list[Entry]:
    """What a number typed after this reply opens, in the order the reply shows them."""
    if reply.answered:
        return [*reply.also_asked, *reply.related]
    return list(reply.suggestions)


def terminal_decline(message: str | None) -> str:
    """The engine's decline without its Discord-only advice: there is no moderator in a terminal."""
    sentences = _SENTENCE.split(message or "I don't know that one.")
    kept = [s for s in sentences if "moderator" not in s.lower()]
    return " ".join(sentences) if len(kept) == len(sentences) else " ".join([*kept, TERMINAL_DECLINE_HINT])


def reply_view(reply: Reply, *, verbose: bool = False) -> RenderableType:
    debug = f"confidence {reply.confidence:.2f}" + (f", entry {reply.entry.id}" if reply.entry else "")
    if reply.outcome is Outcome.ANSWERED and reply.entry:
        return entry_view(reply.entry, related=reply.related, also_asked=reply.also_asked,
                          family_note=reply.family_note, footer=debug if verbose else None)
    parts: list[RenderableType] = [Text(terminal_decline(reply.decline_message))]
    if reply.suggestions:
        parts.append(Numbered(reply.suggestions))
        parts.append(Text("Type a number to open one, or ask again in other words.", style="dim"))
    if verbose:
        parts.append(Text(debug, style="dim"))
    return Group(*parts)

"""Engine results as plain terminal text."""

from __future__ import annotations

import re
import textwrap

from ..engine.models import Entry, Outcome, Reply

WIDTH = 88
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def plain(markdown: str) -> str:
    """Discord markdown made readable in a terminal: bold markers dropped, bullets kept."""
    return _BOLD.sub(lambda m: m.group(1) or m.group(2), markdown)


def wrap(text: str, indent: str = "") -> str:
    lines = []
    for line in plain(text).splitlines():
        bullet = re.match(r"^(\s*(?:[-*•]|\d+[.)])\s+)", line)
        hanging = indent + " " * len(bullet.group(1)) if bullet else indent
        lines.append(textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=hanging) or "")
    return "\n".join(lines)


def entry_text(entry: Entry, *, numbered_related: list[Entry] | None = None) -> str:
    parts = [f"== {entry.question} ==", wrap(entry.answer)]
    if entry.school or entry.medical:
        if entry.school:
            parts.append("At school:\n" + wrap(entry.school, "  "))
        if entry.medical:
            parts.append("In the clinic (medical model):\n" + wrap(entry.medical, "  "))
    if entry.sources:
        parts.append("Sources:\n" + "\n".join(f"  - {s.as_text()}" for s in entry.sources))
    if numbered_related:
        parts.append("Related (type the number):\n" + "\n".join(
            f"  {i}. {e.question}" for i, e in enumerate(numbered_related, 1)))
    parts.append("General information, not advice for your child: their IEP or 504 team decides.")
    return "\n\n".join(parts)


def reply_text(reply: Reply) -> str:
    if reply.outcome is Outcome.ANSWERED and reply.entry:
        return entry_text(reply.entry, numbered_related=list(reply.related)) + \
            f"\n(confidence {reply.confidence:.2f}, entry '{reply.entry.id}')"
    lines = [reply.decline_message or "I don't know that one."]
    if reply.suggestions:
        lines += [f"  {i}. {e.question}" for i, e in enumerate(reply.suggestions, 1)]
        lines.append("Type a number to see that answer, or ask again in other words.")
    return "\n".join(lines)

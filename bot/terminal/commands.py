"""The one-shot terminal commands: ask, check, eval, faq."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from ..engine.errors import Problem, UserError
from ..engine.models import Reply
from .line_input import interruptible

if TYPE_CHECKING:
    from ..engine.app import Engine


def reply_json(reply: Reply) -> dict[str, Any]:
    """The stable `otbot ask --json` contract: one object per question."""
    entry = reply.entry if reply.answered else None
    return {
        "question": reply.question,
        "answered": reply.answered,
        "id": entry.id if entry else None,
        "title": entry.question if entry else None,
        "answer": entry.answer if entry else None,
        "confidence": reply.confidence,
        "suggestions": [{"id": e.id, "title": e.question} for e in reply.suggestions],
        "sources": [s.as_dict() for s in entry.sources] if entry else [],
    }


def _json_line(reply: Reply, out: TextIO, indent: int | None = None) -> str:
    # Non-ASCII only where the output can carry it (a C locale without UTF-8 cannot): \u escapes are
    # the same JSON to every reader.
    utf8 = (getattr(out, "encoding", None) or "").lower().replace("-", "") == "utf8"
    return json.dumps(reply_json(reply), ensure_ascii=not utf8, indent=indent)


def stdin_lines(stdin: BinaryIO) -> Iterator[str]:
    """One question per line, decoded as UTF-8 whatever the locale; a bad byte becomes U+FFFD."""
    for raw in stdin:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


async def ask(answer: Callable[[str], Awaitable[Reply]], words: list[str], *, as_json: bool, verbose: bool = False,
              stdin: BinaryIO | None = None, out: TextIO | None = None) -> int:
    """`otbot ask`: `answer` turns one question into a reply (and records it, when the user asked for that)."""
    out = out or sys.stdout
    if not as_json:  # Rich is imported only for text: `ask --json` starts faster without it
        from .render import make_console, reply_view

        console = make_console(out)
    if words == ["-"]:
        # One question per line, one answer per line, in order; flushed so a pipe can read as it goes.
        for line in stdin_lines(stdin or sys.stdin.buffer):
            reply = await answer(line)
            if as_json:
                out.write(_json_line(reply, out) + "\n")
            else:
                console.print(reply_view(reply, verbose=verbose))
                console.print()
            out.flush()
        return 0
    question = " ".join(words)
    if not question.strip():
        raise UserError("Give a question, e.g. otbot ask why does my child get OT at the clinic but not at school")
    reply = await answer(question)
    if as_json:
        out.write(_json_line(reply, out, indent=2) + "\n")
    else:
        console.print(reply_view(reply, verbose=verbose))
    return 0


def check(knowledge_dir: Path, scenarios_dir: Path, out: TextIO = sys.stdout) -> int:
    """Validate all content and print every problem. Exit code 1 if there is any."""
    from ..engine.content import load_knowledge, load_scenarios, stale_entries

    problems: list[Problem] = []
    knowledge = load_knowledge(knowledge_dir, problems)
    scenarios = load_scenarios(scenarios_dir, problems)
    for problem in problems:
        out.write(f"{problem}\n")
    for entry in stale_entries(knowledge.entries, dt.date.today()):
        out.write(f"note: '{entry.id}' was last reviewed on {entry.reviewed}, more than a year ago\n")
    sourced = sum(1 for e in knowledge.entries if e.sources)
    out.write(f"{len(knowledge.entries)} entries ({sourced} sourced), "
              f"{len(scenarios)} scenarios: {'OK' if not problems else f'{len(problems)} problem(s)'}\n")
    return 1 if problems else 0


def train(knowledge_dir: Path, scenarios_dir: Path, out: TextIO = sys.stdout) -> int:
    """Train the answer model for this content. For the shipped knowledge/ it is saved there, to be committed
    with the content; for any other folder it goes to the user cache, like a first start would."""
    from ..engine.content import load_all
    from ..engine.matcher import SHIPPED_MODELS, curated_model, ship_model, training_time

    knowledge, _ = load_all(knowledge_dir, scenarios_dir)
    phrasings = sum(1 + len(e.alternates) for e in knowledge.entries)
    out.write(f"Training on {len(knowledge.entries)} entries and {phrasings} phrasings ({training_time()} on 2 "
              "cores)...\n")
    out.flush()
    if knowledge_dir.resolve() == SHIPPED_MODELS.resolve():
        for path in ship_model(knowledge.entries):
            out.write(f"Saved {path}: commit it with the content.\n")
    else:
        curated_model(knowledge.entries)
        out.write("Saved in the user cache.\n")
    return 0


async def run_eval(engine: Engine, path: Path, out: TextIO = sys.stdout) -> int:
    from ..engine.evaluate import evaluate, read_labeled

    report = await evaluate(engine.answerer, read_labeled(path))
    out.write(report.text() + "\n")
    return 0


def _prompt(label: str, *, required: bool = True, multiline: bool = False,
            read: Callable[[str], str] = input) -> str | list[str]:
    """Ask on the terminal; multi-line fields end with an empty line."""
    while True:
        if not multiline:
            value = read(f"{label}: ").strip()
        else:
            print(f"{label} (one per line, empty line to finish):")
            lines = []
            while (line := read("  > ").strip()):
                lines.append(line)
            value = lines  # type: ignore[assignment]
        if value or not required:
            return value
        print(f"{label} is required.")


async def faq(engine: Engine, action: str, args: list[str], *, community: int, actor: str,
              out: TextIO = sys.stdout) -> int:
    if action == "list":
        for entry in await engine.faq.list(community, args[0] if args else None):
            out.write(f"{entry.id:48} [{entry.origin}] {entry.question}\n")
        return 0
    if action == "show":
        if not args:
            raise UserError("Usage: otbot faq show ID")
        entry = await engine.faq.require(community, args[0])
        from .render import entry_view, make_console

        make_console(out).print(entry_view(entry, full_sources=True, footer=f"entry {entry.id}"))
        return 0
    if action == "remove":
        if not args:
            raise UserError("Usage: otbot faq remove ID")
        out.write(await engine.faq.remove(community, args[0], actor) + "\n")
        return 0
    if action == "history":
        if not args:
            raise UserError("Usage: otbot faq history ID")
        for row in await engine.faq.history(community, args[0]):
            out.write(f"v{row.version} {row.at} {row.action:12} by {row.actor}\n")
        return 0
    if action == "add":
        with interruptible():  # read here, not in a thread, so that Ctrl-C stops the form at once
            raw = _read_new_entry()
        entry = await engine.faq.add(community, raw, actor)
        out.write(f"Saved '{entry.id}'. It is searchable now: otbot ask {entry.question}\n")
        return 0
    if action == "missed":
        return await faq_missed(engine, args, community=community, actor=actor, out=out)
    raise UserError(f"Unknown faq action '{action}'. Use add, list, show, remove, history or missed.")


MISSED_USAGE = "Usage: otbot faq missed [new ID | phrasing ID ENTRY_ID | dismiss ID]"


async def faq_missed(engine: Engine, args: list[str], *, community: int, actor: str, out: TextIO) -> int:
    """The missed-questions queue (as /faq missed in Discord): list it, or resolve one question by its id."""
    missed = engine.missed
    if not args:
        queue = await missed.queue(community)
        for m in queue:
            closest = f" (closest: {m.entry_id})" if m.entry_id else ""
            out.write(f"#{m.id:<5} {m.asked_at[:10]} {m.reason:11} {m.question}{closest}\n")
        out.write(f"{len(queue)} open question(s). {MISSED_USAGE.removeprefix('Usage: ')}\n" if queue
                  else "The missed-questions queue is empty.\n")
        return 0
    if len(args) < 2 or not args[1].isdigit() or args[0] not in ("new", "phrasing", "dismiss"):
        raise UserError(MISSED_USAGE)
    missed_id = int(args[1])
    if args[0] == "dismiss":
        await missed.dismiss(community, missed_id)
        out.write(f"Dismissed #{missed_id}.\n")
    elif args[0] == "phrasing":
        if len(args) < 3:
            raise UserError(MISSED_USAGE)
        await missed.add_as_phrasing(community, missed_id, args[2], actor)
        out.write(f"Added #{missed_id} as a phrasing of '{args[2]}'.\n")
    else:
        question = await missed.get(community, missed_id)
        out.write(f"Missed question: {question.question}\n")
        raw = await asyncio.to_thread(_read_new_entry)
        entry = await missed.make_entry(community, missed_id, raw, actor)
        out.write(f"Saved '{entry.id}'; #{missed_id} left the queue.\n")
    return 0


def _read_new_entry() -> dict[str, Any]:
    print("New FAQ entry. Fields marked * are required.")
    question = _prompt("* Question")
    answer = _prompt("* Answer (Discord markdown, up to 1500 characters)")
    alternates = _prompt("Other ways people ask it", required=False, multiline=True)
    tags = _prompt("Tags (comma separated)", required=False)
    sources = _prompt("* Sources (a URL or a citation such as 34 CFR 300.34)", multiline=True)
    return {
        "question": question,
        "answer": str(answer).replace("\\n", "\n"),
        "alternates": alternates,
        "tags": [t.strip() for t in str(tags).split(",") if t.strip()],
        "sources": sources,
    }

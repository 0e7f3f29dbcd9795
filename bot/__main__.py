"""`otbot` / `python -m bot`: parse arguments, build settings, open the engine, pick an adapter."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Settings, SettingsError
from .engine.errors import ContentError, UserError
from .engine.semantic import SemanticUnavailable

if TYPE_CHECKING:
    from .engine.models import Reply

DESCRIPTION = "otbot: answers about school-based vs medical-model occupational therapy, and scenario games."
# The Discord bot keeps its database beside its .env (./otbot.db, as deployments expect); every other
# command keeps it in the user's data folder, so running otbot never leaves files in the current folder.
SERVER_COMMANDS = ("run", "sync")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="otbot", description=DESCRIPTION)
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge folder (env OTBOT_KNOWLEDGE)")
    parser.add_argument("--scenarios", metavar="DIR", help="scenarios folder (env OTBOT_SCENARIOS)")
    parser.add_argument("--db", metavar="PATH", help="SQLite database (env OTBOT_DB; default: in your data "
                        "folder, or ./otbot.db for run and sync)")
    parser.add_argument("--env-file", metavar="PATH", type=Path, help="settings file (default ./.env)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    parser.add_argument("-v", "--verbose", action="store_true", help="show confidence and entry ids")
    verbose = argparse.ArgumentParser(add_help=False)  # also accepted after the command: otbot ask -v ...
    verbose.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                         help="show confidence and entry ids")
    sub.add_parser("chat", parents=[verbose], help="chat in the terminal: ask questions, play scenarios")
    ask = sub.add_parser("ask", parents=[verbose], help="answer one question, or one per line from stdin with '-'")
    ask.add_argument("question", nargs="*", help="the question, or '-' to read stdin")
    ask.add_argument("--json", action="store_true", help="JSON output (one object per line with '-')")
    ask.add_argument("--community", type=int, default=0, help="community (Discord server) id; 0 = local")
    ask.add_argument("--record", action="store_true",
                     help="record declined questions for the missed-questions list (off by default)")
    sub.add_parser("check", help="validate knowledge/ and scenarios/; non-zero exit on any problem")
    sub.add_parser("train", help="after editing knowledge/: train the answer model and save it beside the content")
    ev = sub.add_parser("eval", help="score answers against a labeled question set")
    ev.add_argument("file", type=Path)

    faq = sub.add_parser("faq", help="manage community FAQ entries stored in the database")
    faq.add_argument("action", choices=["add", "list", "show", "remove", "history", "missed"])
    faq.add_argument("args", nargs="*", help="entry id (show/remove/history), tag (list), or for missed: "
                                             "nothing (list), new ID, phrasing ID ENTRY_ID, dismiss ID")
    faq.add_argument("--community", type=int, default=0, help="community (Discord server) id; 0 = local")
    faq.add_argument("--actor", default="terminal", help="name recorded in the history")

    sub.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    sync = sub.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=int, help="a server id: register there only (instant, for testing)")
    return parser


def _announce_training() -> None:
    """Said before a long silence: the first start after the content changed trains the answer model."""
    from .engine.matcher import training_time

    print("Preparing answers for this content: the first start after a change trains the model "
          f"({training_time()})...", file=sys.stderr, flush=True)


def _announce_embedding_model() -> None:
    """Said before the semantic install's few silent seconds (importing torch, loading the encoder)."""
    from .engine.semantic import enabled as semantic_enabled

    if semantic_enabled():
        print("Loading the sentence-embedding model (a few seconds)...", file=sys.stderr, flush=True)


async def _ask(settings: Settings, args: argparse.Namespace) -> int:
    """`otbot ask` without the game and FAQ machinery: content (cached) and, only when there is one, the
    database with this computer's own entries. With --record, the whole engine, so missed questions reach the
    moderators' queue."""
    from .engine.answers import Answerer
    from .engine.content_cache import load_all_cached
    from .engine.matcher import is_cached
    from .terminal import commands, paths

    knowledge, _ = load_all_cached(settings.knowledge_dir, settings.scenarios_dir, paths.cache_dir())
    if not is_cached(knowledge.entries):
        _announce_training()
    _announce_embedding_model()
    store = None
    if settings.db_path.exists():  # entries added on this computer with `otbot faq add`
        from .engine.store import Store

        store = await Store.open(settings.db_path)
    answerer = Answerer(knowledge, store)

    async def answer(question: str) -> Reply:
        return await answerer.ask(question, args.community)

    try:
        return await commands.ask(answer, args.question, as_json=args.json, verbose=args.verbose)
    finally:
        if store is not None:
            await store.close()


async def _with_engine(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "ask" and not args.record:
        return await _ask(settings, args)
    from .engine.app import open_engine
    from .terminal import commands, paths

    cache = None if args.command in SERVER_COMMANDS else paths.cache_dir()
    if args.command == "chat":
        _announce_embedding_model()
    async with open_engine(settings.knowledge_dir, settings.scenarios_dir, settings.db_path,
                           cache_dir=cache, before_training=_announce_training) as engine:
        if args.command == "ask":  # --record: store the questions, queue what was missed
            async def answer(question: str) -> Reply:
                return (await engine.questions.ask(question, args.community, asked_by="terminal")).reply

            return await commands.ask(answer, args.question, as_json=args.json, verbose=args.verbose)
        if args.command == "chat":
            from .terminal.chat import run_terminal_chat

            await run_terminal_chat(engine, history=paths.history_file(), verbose=args.verbose)
            return 0
        if args.command == "eval":
            return await commands.run_eval(engine, args.file)
        if args.command == "faq":
            return await commands.faq(engine, args.action, args.args, community=args.community, actor=args.actor)
        if args.command == "run":
            from .discord_app.runner import run

            return await run(engine, settings)
        if args.command == "sync":
            from .discord_app.runner import sync

            return await sync(engine, settings, args.guild)
    raise AssertionError(args.command)


def _tolerant_stdio() -> None:
    """A byte that is not valid in the locale's encoding becomes U+FFFD, in and out, in any locale."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def _report_unexpected(exc: BaseException) -> int:
    """One line for the user; the traceback goes to a log file for whoever fixes it."""
    where = ""
    try:
        from .terminal.paths import error_log

        path = error_log()
        path.parent.mkdir(parents=True, exist_ok=True)
        log = logging.getLogger("otbot.unexpected")
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.propagate = False
        log.error("unexpected error running otbot %s", " ".join(sys.argv[1:]), exc_info=exc)
        handler.close()
        where = f"; the details are in {path}"
    except Exception:  # reporting must never raise over the error it reports
        pass
    first_line = (str(exc).splitlines() or [""])[0][:200]
    print(f"otbot: unexpected error ({type(exc).__name__}: {first_line}){where}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    _tolerant_stdio()
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "chat"
    args.command = command
    try:
        default_db = Path("otbot.db")
        if command not in SERVER_COMMANDS:
            from .terminal.paths import default_db as terminal_db

            default_db = terminal_db()
        settings = Settings.load(env_file=args.env_file, knowledge=args.knowledge, scenarios=args.scenarios,
                                 db=args.db, default_db=default_db)
        if command == "check":
            from .terminal.commands import check

            return check(settings.knowledge_dir, settings.scenarios_dir)
        if command == "train":
            from .terminal.commands import train

            return train(settings.knowledge_dir, settings.scenarios_dir)
        return asyncio.run(_with_engine(settings, args))
    except ContentError as exc:
        print(f"otbot: {exc}\nRun `otbot check` to see every problem.", file=sys.stderr)
        return 2
    except (SettingsError, SemanticUnavailable) as exc:  # a bad setting or install: one line saying what to do
        print(f"otbot: {exc}", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"otbot: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\nGoodbye.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        return _report_unexpected(exc)


if __name__ == "__main__":
    sys.exit(main())

"""`otbot` / `python -m bot`: parse arguments, build settings, open the engine, pick an adapter."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from .config import Settings, SettingsError
from .engine.errors import ContentError, UserError

DESCRIPTION = "otbot: answers about school-based vs medical-model occupational therapy, and scenario games."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="otbot", description=DESCRIPTION)
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge folder (env OTBOT_KNOWLEDGE)")
    parser.add_argument("--scenarios", metavar="DIR", help="scenarios folder (env OTBOT_SCENARIOS)")
    parser.add_argument("--db", metavar="PATH", help="SQLite database (env OTBOT_DB; default ./otbot.db)")
    parser.add_argument("--env-file", metavar="PATH", type=Path, help="settings file (default ./.env)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("chat", help="chat in the terminal: ask questions, play scenarios")
    ask = sub.add_parser("ask", help="answer one question, or one per line from stdin with '-'")
    ask.add_argument("question", nargs="*", help="the question, or '-' to read stdin")
    ask.add_argument("--json", action="store_true", help="JSON output (one object per line with '-')")
    ask.add_argument("--community", type=int, default=0, help="community (Discord server) id; 0 = local")
    sub.add_parser("check", help="validate knowledge/ and scenarios/; non-zero exit on any problem")
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


async def _with_engine(settings: Settings, args: argparse.Namespace) -> int:
    from .engine.app import open_engine
    from .terminal import commands

    async with open_engine(settings.knowledge_dir, settings.scenarios_dir, settings.db_path) as engine:
        if args.command == "chat":
            from .terminal.chat import Chat

            await Chat(engine).run()
            return 0
        if args.command == "ask":
            return await commands.ask(engine, args.question, as_json=args.json, community=args.community)
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "chat"
    args.command = command
    try:
        settings = Settings.load(env_file=args.env_file, knowledge=args.knowledge, scenarios=args.scenarios,
                                 db=args.db)
    except SettingsError as exc:
        print(f"otbot: {exc}", file=sys.stderr)
        return 2
    try:
        if command == "check":
            from .terminal.commands import check

            return check(settings.knowledge_dir, settings.scenarios_dir)
        return asyncio.run(_with_engine(settings, args))
    except ContentError as exc:
        print(f"otbot: {exc}\nRun `otbot check` to see every problem.", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"otbot: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\nBye.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

"""`otbot chat`: the channel experience in a terminal. Same engine, printed instead of embedded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from ..engine.app import Engine
from ..engine.errors import UserError
from ..engine.models import LOCAL_COMMUNITY, Entry
from .play import ScenarioSession
from .render import entry_text, reply_text

Reader = Callable[[str], Awaitable[str | None]]
Writer = Callable[[str], None]

HELP = """Ask any question about school-based or clinic (medical-model) occupational therapy, in your own words.

Commands:
  /help                          this text
  /scenario [category] [1-3] [rounds N]
                                 play "Should this student get OT?" (default 3 rounds)
  /categories                    the scenario categories
  /stats                         your scenario stats
  /leaderboard [week|all]        the local leaderboard
  /show ID                       show one entry by id
  /quit                          leave (Ctrl-D works too)
A number picks from the list shown last (related entries or "did you mean" suggestions)."""


async def read_line(prompt: str) -> str | None:
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


class Chat:
    def __init__(self, engine: Engine, read: Reader = read_line, write: Writer = print,
                 user_id: str = "local", user_name: str = "you") -> None:
        self.engine = engine
        self.read = read
        self.write = write
        self.user_id = user_id
        self.user_name = user_name
        self.choices: list[Entry] = []
        self.play = ScenarioSession(engine, read, write, user_id, user_name)

    async def run(self) -> None:
        count = len(await self.engine.kb.entries(LOCAL_COMMUNITY))
        self.write(f"otbot: {count} FAQ entries, {len(self.engine.scenarios)} scenarios. "
                   "Ask a question, or type /help.")
        while True:
            line = await self.read("\nyou> ")
            if line is None:
                self.write("")
                return
            line = line.strip()
            if not line:
                continue
            if line.lower() in ("/quit", "/exit", "quit", "exit"):
                return
            try:
                await self.handle(line)
            except UserError as exc:
                self.write(str(exc))

    async def handle(self, line: str) -> None:
        if line.isdigit() and self.choices:
            index = int(line) - 1
            if not 0 <= index < len(self.choices):
                self.write(f"Pick a number from 1 to {len(self.choices)}.")
                return
            await self.show(self.choices[index])
            return
        if line.startswith("/"):
            command, _, rest = line[1:].partition(" ")
            await self.command(command.lower(), rest.split())
            return
        reply = (await self.engine.questions.ask(line, LOCAL_COMMUNITY, asked_by=self.user_id)).reply
        self.choices = list(reply.related) if reply.answered else list(reply.suggestions)
        self.write(reply_text(reply))

    async def show(self, entry: Entry) -> None:
        entries = await self.engine.kb.entries(LOCAL_COMMUNITY)
        self.choices = [entries[r] for r in entry.related if r in entries]
        self.write(entry_text(entry, numbered_related=self.choices))

    async def command(self, command: str, args: list[str]) -> None:
        if command == "help":
            self.write(HELP)
        elif command == "show" and args:
            entry = await self.engine.kb.get(args[0], LOCAL_COMMUNITY)
            if entry is None:
                raise UserError(f"No entry '{args[0]}'.")
            await self.show(entry)
        elif command == "scenario":
            await self.play.play(args)
        elif command == "categories":
            self.write(self.play.categories_text())
        elif command == "stats":
            self.write(await self.play.stats_text())
        elif command == "leaderboard":
            self.write(await self.play.leaderboard_text(args[0] if args else "week"))
        else:
            self.write(f"Unknown command '/{command}'. Type /help for the list.")

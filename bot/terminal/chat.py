"""`otbot chat`: the channel experience in a terminal. Same engine, rendered with Rich instead of embeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.text import Text

from ..engine.errors import UserError
from ..engine.lookup import closest_ids
from ..engine.models import LOCAL_COMMUNITY, Entry
from .line_input import LineInput
from .play import LEAVE_WORDS, Reader, ScenarioSession, Show
from .render import choices_of, entry_view, make_console, reply_view
from .smalltalk import help_view, small_talk, small_talk_reply

if TYPE_CHECKING:
    from pathlib import Path

    from ..engine.app import Engine

GOODBYE = "Goodbye."


class Chat:
    def __init__(self, engine: Engine, read: Reader, show: Show, *, clear: Callable[[], None] = lambda: None,
                 verbose: bool = False, user_id: str = "local", user_name: str = "you") -> None:
        self.engine = engine
        self.read = read
        self.show = show
        self.clear = clear
        self.verbose = verbose
        self.user_id = user_id
        self.choices: list[Entry] = []
        self.play = ScenarioSession(engine, read, show, user_id, user_name, self.handle)

    async def run(self) -> None:
        count = len(await self.engine.answerer.entries(LOCAL_COMMUNITY))
        self.show(Text(f"otbot: {count} answers about OT at school and in the clinic, "
                       f"{len(self.engine.scenarios)} scenarios to play.\n"
                       "Ask a question in your own words. /help lists the commands; Ctrl-D or /quit leaves."))
        while True:
            line = await self.read("you> ")
            if line is None or line.strip().lower() in LEAVE_WORDS:
                break
            if line.strip() and not await self.handle(line.strip()):
                break
        self.show(Text(GOODBYE))

    async def handle(self, line: str) -> bool:
        """Answer one line (also called for lines typed during a game). False: the user left."""
        try:
            if line.startswith("/"):
                command, _, rest = line[1:].partition(" ")
                return await self.command(command.lower(), rest.split())
            if line.isdigit():
                await self.open_number(int(line))
            elif kind := small_talk(line):
                if kind == "clear":
                    self.clear()
                self.show(small_talk_reply(kind))
            else:
                reply = (await self.engine.questions.ask(line, LOCAL_COMMUNITY, asked_by=self.user_id)).reply
                self.choices = choices_of(reply)
                self.show(reply_view(reply, verbose=self.verbose))
        except UserError as exc:
            self.show(Text(str(exc)))
        return True

    async def open_number(self, number: int) -> None:
        if not self.choices:
            raise UserError("A number opens an item from the list shown last, and there is none yet. "
                            "Ask a question first.")
        if not 1 <= number <= len(self.choices):
            raise UserError(f"Pick a number from 1 to {len(self.choices)}.")
        await self.open(self.choices[number - 1])

    async def open(self, entry: Entry) -> None:
        entries = await self.engine.answerer.entries(LOCAL_COMMUNITY)
        related = [entries[r] for r in entry.related if r in entries]
        self.choices = related
        self.show(entry_view(entry, related=related, full_sources=True,
                             footer=f"entry {entry.id}" if self.verbose else None))

    async def command(self, command: str, args: list[str]) -> bool:
        if command in ("quit", "exit"):
            return False
        if command == "help":
            self.show(help_view(args[0] if args else None))
        elif command == "show":
            await self.show_command(args)
        elif command == "scenario":
            if self.play.playing:
                raise UserError("A game is on: answer this round first, or type 'stop' to end the game.")
            return await self.play.play(args)
        elif command == "categories":
            self.show(self.play.categories_view(args[0] if args else None))
        elif command == "stats":
            self.show(await self.play.stats_view())
        elif command == "leaderboard":
            self.show(await self.play.leaderboard_view(args))
        else:
            raise UserError(f"There is no command /{command}. Type /help for the list.")
        return True

    async def show_command(self, args: list[str]) -> None:
        example = self.choices[0].id if self.choices else "school-vs-clinic-ot"
        if not args:
            raise UserError(f"Usage: /show ID, e.g. /show {example}. Ids are shown beside related entries "
                            "and suggestions.")
        wanted = args[0].lower()
        entry = await self.engine.answerer.get(wanted, LOCAL_COMMUNITY)
        if entry is None:
            close = closest_ids(await self.engine.answerer.entries(LOCAL_COMMUNITY), wanted, 5)
            hint = f" Did you mean: {', '.join(close)}?" if close else f" Try /show {example}."
            raise UserError(f"No entry has the id '{wanted}'.{hint}")
        await self.open(entry)


async def run_terminal_chat(engine: Engine, *, history: Path | None, verbose: bool) -> None:
    """The chat on the real terminal: readline input with history, Rich output at the terminal's width."""
    console = make_console()
    line_input = LineInput(history)

    async def read(prompt: str) -> str | None:
        # Read in this thread, blocking the loop: nothing else runs while the user types, and Ctrl-C
        # interrupts input() at once (see LineInput).
        line = line_input.read(prompt)
        if line is None:
            console.print()
        return line

    def show(renderable: RenderableType) -> None:
        console.print(renderable)
        console.print()

    try:
        await Chat(engine, read, show, clear=console.clear, verbose=verbose).run()
    finally:
        line_input.save()

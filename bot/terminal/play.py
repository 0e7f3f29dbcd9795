"""Scenario games in the terminal: the local player hosts a game in the local community and plays it.

Questions and commands typed during a round or between rounds are answered without ending the game.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text

from ..engine.errors import GameError, UserError
from ..engine.game import LETTERS, ROUNDS_RANGE, Reveal, RoundState
from ..engine.models import LOCAL_COMMUNITY
from .play_render import RoundResult, result_of, reveal_view, round_view, summary_view

if TYPE_CHECKING:
    from ..engine.app import Engine

TERMINAL_CHANNEL = 0
TERMINAL_SECONDS = 300  # the longest round allowed: a terminal player reads at their own pace
DEFAULT_ROUNDS = 3
USAGE = "/scenario [category] [difficulty 1-3] [rounds N]"
DIFFICULTY_WORDS = {"easy": 1, "medium": 2, "hard": 3}
STOP_WORDS = {"stop", "/stop"}
LEAVE_WORDS = {"/quit", "/exit", "quit", "exit"}

Reader = Callable[[str], Awaitable[str | None]]
Show = Callable[[RenderableType], None]
OtherLine = Callable[[str], Awaitable[None]]


class Turn(Enum):
    NEXT = "next"
    STOP = "stop"  # end the game, stay in the chat
    LEAVE = "leave"  # end the game and the chat (Ctrl-D, Ctrl-C, /quit)


def _category(word: str, categories: list[str]) -> str:
    for candidates in ([c for c in categories if c == word], [c for c in categories if c.startswith(word)],
                       [c for c in categories if word in c]):
        if len(candidates) == 1:
            return candidates[0]
    raise UserError(f"'{word}' is not a category. Categories: {', '.join(categories)}.\nUsage: {USAGE}")


def parse_play_args(args: list[str], categories: list[str]) -> tuple[str | None, int | None, int]:
    """`/scenario [category] [difficulty 1-3] [rounds N]`, in any order; errors say what would work."""
    category, difficulty, rounds = None, None, DEFAULT_ROUNDS
    words = [a.lower() for a in args]
    low, high = ROUNDS_RANGE
    i = 0
    while i < len(words):
        word = words[i]
        if word == "rounds":
            if i + 1 >= len(words) or not words[i + 1].isdigit() or not low <= int(words[i + 1]) <= high:
                raise UserError(f"'rounds' needs a number from {low} to {high}, e.g. /scenario rounds 5.")
            rounds = int(words[i + 1])
            i += 2
            continue
        if word.isdigit():
            if word not in ("1", "2", "3"):
                raise UserError(
                    f"Difficulty is 1 (easy), 2 (medium) or 3 (hard), not {word}. For {word} rounds type "
                    f"/scenario rounds {word}.\nCategories: {', '.join(categories)}.\nUsage: {USAGE}")
            difficulty = int(word)
        elif word in DIFFICULTY_WORDS:
            difficulty = DIFFICULTY_WORDS[word]
        else:
            category = _category(word, categories)
        i += 1
    return category, difficulty, rounds


class ScenarioSession:
    def __init__(self, engine: Engine, read: Reader, show: Show, user_id: str, user_name: str,
                 on_other_line: OtherLine) -> None:
        self.games = engine.games
        self.read = read
        self.show = show
        self.user_id = user_id
        self.user_name = user_name
        self.on_other_line = on_other_line
        self.playing = False

    def categories_view(self, word: str | None = None) -> RenderableType:
        categories = self.games.categories()
        if word:
            categories = [c for c in categories if word.lower() in c] or categories
        return Text("Scenario categories: " + ", ".join(categories) + f".\nPlay one with {USAGE}, "
                    f"e.g. /scenario {categories[0]} 2.")

    async def play(self, args: list[str]) -> bool:
        """Play a whole game. False when the player left the chat during it."""
        category, difficulty, rounds = parse_play_args(args, self.games.categories())
        current = await self.games.current(LOCAL_COMMUNITY, TERMINAL_CHANNEL)
        if current is not None:  # a game left open by an earlier session (or a crash): stop it cleanly
            await self.games.stop(LOCAL_COMMUNITY, TERMINAL_CHANNEL, current.host_id, is_moderator=True)
        view: RoundState | None = await self.games.start(
            LOCAL_COMMUNITY, TERMINAL_CHANNEL, self.user_id, self.user_name, category=category,
            difficulty=difficulty, rounds=rounds, seconds=TERMINAL_SECONDS)
        results: list[RoundResult] = []
        self.playing = True
        try:
            while view is not None:
                self.show(round_view(view))
                reveal = await self._answer(view)
                if isinstance(reveal, Turn):
                    return await self._end(results, reveal)
                results.append(result_of(reveal, self.user_id))
                self.show(reveal_view(reveal, self.user_id))
                if reveal.game_over:
                    self.show(summary_view(results, stopped=False))
                    return True
                turn = await self._between_rounds(view.number + 1, view.total)
                if turn is not Turn.NEXT:
                    return await self._end(results, turn)
                view = await self.games.next_round(view.game_id)
            return True
        finally:
            self.playing = False

    async def _end(self, results: list[RoundResult], turn: Turn) -> bool:
        await self.games.stop(LOCAL_COMMUNITY, TERMINAL_CHANNEL, self.user_id)
        self.show(summary_view(results, stopped=True))
        return turn is not Turn.LEAVE

    async def _read_word(self, prompt: str) -> str | Turn:
        """The stripped line, or what it means for the game: 'stop' ends it; Ctrl-D or /quit leaves."""
        line = await self.read(prompt)
        word = (line or "").strip()
        if line is None or word.lower() in LEAVE_WORDS:
            return Turn.LEAVE
        return Turn.STOP if word.lower() in STOP_WORDS else word

    async def _answer(self, view: RoundState) -> Reveal | Turn:
        options = view.scenario.options
        last = LETTERS[len(options) - 1]
        while True:
            word = await self._read_word("answer> ")
            if isinstance(word, Turn):
                return word
            if not word:
                continue
            if word.lower() in ("/round", "round"):
                self.show(round_view(view))
                continue
            if len(word) == 1 or word.isdigit():
                index = int(word) - 1 if word.isdigit() else LETTERS.find(word.upper())
                if 0 <= index < len(options):
                    return await self._submit(view, options[index].key)
                self.show(Text(f"Type a letter from A to {last}, or 'stop' to end the game."))
                continue
            await self.on_other_line(word)
            self.show(Text(f"Round {view.number} is still open: type a letter from A to {last} "
                           "(/round shows it again).", style="dim"))

    async def _submit(self, view: RoundState, key: str) -> Reveal:
        try:
            receipt = await self.games.answer(view.round_id, self.user_id, self.user_name, key)
        except GameError as exc:  # e.g. time ran out while the player was reading
            self.show(Text(str(exc)))
            for reveal in await self.games.close_due_rounds():
                if reveal.round_id == view.round_id:
                    return reveal
            return await self.games.show_reveal(view.round_id)
        return receipt.reveal or await self.games.reveal(view.round_id, self.user_id)

    async def _between_rounds(self, next_number: int, total: int) -> Turn:
        hint = Text(f"Press Enter for the next round ({next_number} of {total}); 'stop' ends the game.",
                    style="bold")
        self.show(hint)
        while True:
            word = await self._read_word("next> ")
            if isinstance(word, Turn) or not word:
                return word or Turn.NEXT
            await self.on_other_line(word)
            self.show(hint)

    async def stats_view(self) -> RenderableType:
        stats = await self.games.stats(LOCAL_COMMUNITY, self.user_id)
        if not stats.rounds:
            return Text("No rounds played yet. Type /scenario to play.")
        lines = [Text(f"{stats.games} game(s), {stats.rounds} round(s), {stats.accuracy:.0%} correct, "
                      f"{stats.points} points; streak {stats.current_streak} (best {stats.best_streak})")]
        for title, tallies in (("By category", stats.by_category), ("By factor", stats.by_factor)):
            lines.append(Text(f"{title}:", style="bold"))
            lines += [Text(f"  {name}: {t.correct}/{t.rounds} correct") for name, t in sorted(tallies.items())]
        return Group(*lines)

    async def leaderboard_view(self, args: list[str]) -> RenderableType:
        word = args[0].lower() if args else "week"
        period = "all" if word.startswith("all") else "week" if word in ("week", "this") else None
        if period is None:
            raise UserError("Use /leaderboard week (the default) or /leaderboard all.")
        board = await self.games.leaderboard(LOCAL_COMMUNITY, period)
        title = "This week" if period == "week" else "All time"
        if not board.rows:
            return Text(f"{title}: nobody has scored yet. Type /scenario to play.")
        return Group(Text(f"{title}:", style="bold"), *(
            Text(f"  {i}. {r.user_name}: {r.points} points, {r.accuracy:.0%} correct")
            for i, r in enumerate(board.rows, 1)))

"""Scenario games in the terminal: the local player hosts a game in the local community and plays it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from ..engine.errors import GameError, UserError
from ..engine.game import LETTERS, Reveal, RoundView, bar_chart
from ..engine.models import LOCAL_COMMUNITY
from .render import wrap

if TYPE_CHECKING:
    from ..engine.app import Engine

TERMINAL_CHANNEL = 0
TERMINAL_SECONDS = 300  # the longest round allowed: a terminal player reads at their own pace
DEFAULT_ROUNDS = 3


def parse_play_args(args: list[str], categories: list[str]) -> tuple[str | None, int | None, int]:
    """`/scenario [category] [1-3|easy|medium|hard] [rounds N]`, in any order."""
    category, difficulty, rounds = None, None, DEFAULT_ROUNDS
    words = [a.lower() for a in args]
    i = 0
    while i < len(words):
        word = words[i]
        if word == "rounds" and i + 1 < len(words) and words[i + 1].isdigit():
            rounds = int(words[i + 1])
            i += 2
            continue
        if word in ("1", "2", "3"):
            difficulty = int(word)
        elif word in ("easy", "medium", "hard"):
            difficulty = ("easy", "medium", "hard").index(word) + 1
        else:
            matches = [c for c in categories if c.startswith(word)]
            if len(matches) != 1:
                raise UserError(f"Unknown category '{word}'. Type /categories for the list.")
            category = matches[0]
        i += 1
    return category, difficulty, rounds


def round_text(view: RoundView) -> str:
    s = view.scenario
    lines = [f"--- Round {view.number} of {view.total}: {s.title} ({s.level}, {s.setting}; "
             f"difficulty {s.difficulty}) ---", wrap(s.vignette), "", s.question]
    lines += [f"  {LETTERS[i]}. {o.label}" for i, o in enumerate(s.options)]
    return "\n".join(lines)


def reveal_text(reveal: Reveal) -> str:
    letter = LETTERS[[o.key for o in reveal.scenario.options].index(reveal.answer.key)]
    lines = [f"Answer: {letter}. {reveal.answer.label}", wrap(reveal.explanation, "  "), "", "Why not the others:"]
    lines += [f"  - {option.label}: {why}" for option, why in reveal.why_not]
    lines.append(f"Factors: {', '.join(reveal.factors)}")
    lines += ["Answers:", *[f"  {line}" for line in bar_chart(reveal)]]
    for result in reveal.results:
        bonus = result.streak_bonus + result.speed_bonus
        lines.append(f"  {result.user_name}: {result.credit}, +{result.points} points"
                     + (f" (incl. +{bonus} bonus)" if bonus else ""))
    title = "Final standings" if reveal.game_over else "Standings"
    lines.append(f"{title}: " + ", ".join(f"{r.user_name} {r.points}" for r in reveal.standings))
    return "\n".join(lines)


class ScenarioSession:
    def __init__(self, engine: Engine, read: Callable[[str], Awaitable[str | None]],
                 write: Callable[[str], None], user_id: str, user_name: str) -> None:
        self.games = engine.games
        self.read = read
        self.write = write
        self.user_id = user_id
        self.user_name = user_name

    def categories_text(self) -> str:
        return "Categories: " + ", ".join(self.games.categories())

    async def play(self, args: list[str]) -> None:
        category, difficulty, rounds = parse_play_args(args, self.games.categories())
        current = await self.games.current(LOCAL_COMMUNITY, TERMINAL_CHANNEL)
        if current is not None:  # a game left open by an earlier session (or a crash): stop it cleanly
            await self.games.stop(LOCAL_COMMUNITY, TERMINAL_CHANNEL, current.host_id, is_moderator=True)
        view: RoundView | None = await self.games.start(
            LOCAL_COMMUNITY, TERMINAL_CHANNEL, self.user_id, self.user_name, category=category,
            difficulty=difficulty, rounds=rounds, seconds=TERMINAL_SECONDS)
        self.write("Pick a letter for each round; type 'stop' to end the game.")
        while view is not None:
            self.write(round_text(view))
            reveal = await self._answer(view)
            if reveal is None:
                return
            self.write(reveal_text(reveal))
            if reveal.game_over:
                return
            view = await self.games.next_round(view.game_id)

    async def _answer(self, view: RoundView) -> Reveal | None:
        keys = [o.key for o in view.scenario.options]
        while True:
            line = await self.read("your answer> ")
            choice = (line or "").strip().upper()
            if line is None or choice in ("STOP", "/STOP", "QUIT", "/QUIT"):
                standings = await self.games.stop(LOCAL_COMMUNITY, TERMINAL_CHANNEL, self.user_id)
                self.write("Game stopped. " + ", ".join(f"{r.user_name} {r.points}" for r in standings.rows))
                return None
            index = int(choice) - 1 if choice.isdigit() else LETTERS.find(choice) if len(choice) == 1 else -1
            if not 0 <= index < len(keys):
                self.write(f"Type a letter from A to {LETTERS[len(keys) - 1]}, or 'stop'.")
                continue
            try:
                receipt = await self.games.answer(view.round_id, self.user_id, self.user_name, keys[index])
            except GameError as exc:  # e.g. time ran out while the player was reading
                self.write(str(exc))
                for reveal in await self.games.close_due_rounds():
                    if reveal.round_id == view.round_id:
                        return reveal
                return await self.games.show_reveal(view.round_id)
            return receipt.reveal or await self.games.reveal(view.round_id, self.user_id)

    async def stats_text(self) -> str:
        stats = await self.games.stats(LOCAL_COMMUNITY, self.user_id)
        if not stats.rounds:
            return "No rounds played yet. Type /scenario to play."
        lines = [f"{stats.games} game(s), {stats.rounds} round(s), {stats.accuracy:.0%} correct, "
                 f"{stats.points} points; streak {stats.current_streak} (best {stats.best_streak})"]
        for title, tallies in (("By category", stats.by_category), ("By factor", stats.by_factor)):
            lines.append(f"{title}:")
            lines += [f"  {name}: {t.correct}/{t.rounds} correct" for name, t in sorted(tallies.items())]
        return "\n".join(lines)

    async def leaderboard_text(self, period: str) -> str:
        board = await self.games.leaderboard(LOCAL_COMMUNITY, period)
        if not board.rows:
            return "Nobody has scored in this period yet."
        title = "This week" if period == "week" else "All time"
        return f"{title}:\n" + "\n".join(f"  {i}. {r.user_name}: {r.points} points, {r.accuracy:.0%} correct"
                                          for i, r in enumerate(board.rows, 1))

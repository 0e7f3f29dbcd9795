"""Points, community leaderboards and personal stats for the scenario game (pure functions over stored rows).

Scoring: correct 100, partial 50, wrong 0. Streak bonus for consecutive correct rounds in the same game: +20
for each round of streak beyond the first (2nd correct in a row +20, 3rd +40, ...), capped at +100. A partial
or wrong answer, or a skipped round, resets it. Speed is not scored unless the host opts in (speed_bonus):
then a correct answer earns up to +20 more, linear in the time left (answering at once = +20).

Only revealed rounds count, so standings never leak an answer before the reveal. Community leaderboards count
channel games only; solo practice counts in the player's own stats (flagged as practice), where it helps
learning, but it earns no leaderboard points: nobody expects a private drill to beat a live game.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .game_store import HistoryAnswer, StandingRow

POINTS = {"correct": 100, "partial": 50, "wrong": 0}
STREAK_STEP, STREAK_CAP = 20, 100
SPEED_MAX = 20


def score(credit: str, previous_streak: int, remaining: float | None, seconds: int,
          speed_bonus: bool) -> tuple[int, int, int, int]:
    """(base, streak, streak bonus, speed bonus) for one answer; `previous_streak` from the round before."""
    base = POINTS[credit]
    streak = previous_streak + 1 if credit == "correct" else 0
    streak_bonus = min(STREAK_STEP * max(streak - 1, 0), STREAK_CAP)
    speed = 0
    if speed_bonus and credit == "correct" and remaining is not None and seconds > 0:
        speed = round(SPEED_MAX * min(max(remaining / seconds, 0.0), 1.0))
    return base, streak, streak_bonus, speed


def week_start(now: float) -> float:
    """Monday 00:00 UTC of the week holding `now` (clock seconds)."""
    day = dt.datetime.fromtimestamp(now, dt.UTC).date()
    monday = day - dt.timedelta(days=day.weekday())
    return dt.datetime(monday.year, monday.month, monday.day, tzinfo=dt.UTC).timestamp()


@dataclass(frozen=True, slots=True)
class Leaderboard:
    guild_id: int
    period: str  # week | all
    since: float | None  # start of the week for 'week'
    rows: tuple[StandingRow, ...]  # best first: points, then correct answers


@dataclass(slots=True)
class Tally:
    rounds: int = 0
    correct: int = 0
    partial: int = 0

    @property
    def accuracy(self) -> float:
        """Share of answered rounds that were fully correct (partial shown apart)."""
        return self.correct / self.rounds if self.rounds else 0.0

    def add(self, credit: str) -> None:
        self.rounds += 1
        self.correct += credit == "correct"
        self.partial += credit == "partial"


@dataclass(slots=True)
class PersonalStats:
    user_id: str
    games: int = 0  # channel games played (answered at least one revealed round)
    practice_games: int = 0
    overall: Tally = field(default_factory=Tally)  # every revealed answer, practice included
    practice: Tally = field(default_factory=Tally)  # the practice part of `overall`
    points: int = 0  # channel games only: the same total as the all-time leaderboard
    practice_points: int = 0
    current_streak: int = 0  # consecutive correct answers, most recent first, practice included
    best_streak: int = 0
    by_category: dict[str, Tally] = field(default_factory=dict)
    by_factor: dict[str, Tally] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        return self.overall.rounds

    @property
    def accuracy(self) -> float:
        return self.overall.accuracy


def personal_stats(user_id: str, history: Iterable[HistoryAnswer]) -> PersonalStats:
    """Fold a player's answers (oldest first) into their stats."""
    stats = PersonalStats(user_id)
    games: set[int] = set()
    practice_games: set[int] = set()
    streak = 0
    for a in history:
        stats.overall.add(a.credit)
        if a.practice:
            stats.practice.add(a.credit)
            stats.practice_points += a.points
            practice_games.add(a.game_id)
        else:
            stats.points += a.points
            games.add(a.game_id)
        stats.by_category.setdefault(a.category, Tally()).add(a.credit)
        for factor in a.factors:
            stats.by_factor.setdefault(factor, Tally()).add(a.credit)
        streak = streak + 1 if a.credit == "correct" else 0
        stats.best_streak = max(stats.best_streak, streak)
    stats.current_streak = streak
    stats.games, stats.practice_games = len(games), len(practice_games)
    return stats

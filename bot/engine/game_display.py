"""What the game engine hands to adapters: rounds, receipts, reveals, standings, and a text bar chart."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import GameError
from .game_store import AnswerRow, CloseReason, GameRow, GameStatus, RoundRow, StandingRow
from .models import Scenario, ScenarioOption

LETTERS = "ABCDEFGHIJ"

PlayerResult = AnswerRow  # one player's answer and points in a revealed round


@dataclass(frozen=True, slots=True)
class RoundState:
    game_id: int
    round_id: int
    guild_id: int
    channel_id: int
    host_id: str
    host_name: str
    number: int
    total: int
    scenario: Scenario
    deadline: float | None  # clock seconds; None for practice (no timer)
    remaining: float | None  # seconds left when this view was made
    seconds: int
    answer_count: int
    practice: bool
    speed_bonus: bool
    closed: bool = False  # revealed (or stopped) since: never paint this view over its reveal


@dataclass(frozen=True, slots=True)
class OptionShare:
    letter: str
    key: str
    label: str
    count: int
    fraction: float
    credit: str  # correct | partial | wrong


@dataclass(frozen=True, slots=True)
class Reveal:
    game_id: int
    round_id: int
    guild_id: int
    channel_id: int
    number: int
    total: int
    practice: bool
    reason: CloseReason
    scenario: Scenario
    answer: ScenarioOption
    explanation: str
    why_not: tuple[tuple[ScenarioOption, str], ...]  # every other option, in option order
    factors: tuple[str, ...]
    shares: tuple[OptionShare, ...]  # in option order: bar chart data
    results: tuple[PlayerResult, ...]  # best first
    standings: tuple[StandingRow, ...]  # running totals; final when game_over
    game_over: bool


@dataclass(frozen=True, slots=True)
class AnswerReceipt:
    round_id: int
    user_id: str
    option_key: str
    option_label: str
    answers_so_far: int
    reveal: Reveal | None  # set when this answer was the last one needed: post it now


@dataclass(frozen=True, slots=True)
class Standings:
    game_id: int
    guild_id: int
    channel_id: int
    rows: tuple[StandingRow, ...]
    rounds_played: int
    rounds_total: int
    reveal: Reveal | None  # the round that was open when the game was stopped, if any


@dataclass(frozen=True, slots=True)
class Recovery:
    resumed: list[RoundState]  # still running: re-schedule their deadline
    revealed: list[Reveal]  # time ran out while we were down: post these
    waiting: list[int]  # other open games between rounds: call next_round(game_id)


def bar_chart(reveal: Reveal, width: int = 10) -> list[str]:
    """Text bars for the answer shares, e.g. 'A ███████░░░ 70% (7)'."""
    lines = []
    for share in reveal.shares:
        filled = round(share.fraction * width)
        lines.append(f"{share.letter} {'█' * filled}{'░' * (width - filled)} "
                     f"{round(share.fraction * 100)}% ({share.count})")
    return lines


def build_reveal(rnd: RoundRow, game: GameRow, answers: list[AnswerRow], standings: list[StandingRow], *,
                 is_last: bool) -> Reveal:
    """A closed round's reveal. is_last: no later round exists (so a game no longer open is over)."""
    scenario = rnd.scenario
    total = len(answers)
    shares = tuple(
        OptionShare(LETTERS[i], o.key, o.label, n := sum(a.option_key == o.key for a in answers),
                    n / total if total else 0.0, scenario.credit(o.key))
        for i, o in enumerate(scenario.options))
    why_not = tuple((o, scenario.why_not.get(o.key, "")) for o in scenario.options if o.key != scenario.answer)
    right = scenario.option(scenario.answer) or ScenarioOption(scenario.answer, scenario.answer)
    results = tuple(sorted(answers, key=lambda a: (-a.points, a.answered_at)))
    return Reveal(game.id, rnd.id, game.guild_id, game.channel_id, rnd.number, game.rounds, game.practice,
                  rnd.close_reason or CloseReason.EARLY, scenario, right, scenario.explanation, why_not,
                  scenario.factors, shares, results, tuple(standings), game.status is not GameStatus.OPEN and is_last)


def option_by_key(scenario: Scenario, key: str) -> ScenarioOption:
    """The option by key, or by its letter (A, B, ...) as shown to players."""
    wanted = key.strip().lower()
    by_key = [o for o in scenario.options if o.key.lower() == wanted]
    by_letter = [o for i, o in enumerate(scenario.options) if LETTERS[i].lower() == wanted]
    if by_key or by_letter:
        return (by_key or by_letter)[0]  # a key wins over a letter, should an option's key be 'a'
    choices = ", ".join(f"{LETTERS[i]} ({o.key})" for i, o in enumerate(scenario.options))
    raise GameError(f"'{key}' is not one of this round's options: {choices}.")

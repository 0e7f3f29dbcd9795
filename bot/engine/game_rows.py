"""The scenario game's rows and states, as the store returns them (no SQL here)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .models import Scenario, ScenarioOption, Source


class GameStatus(StrEnum):
    OPEN = "open"
    FINISHED = "finished"
    STOPPED = "stopped"  # by the host, a moderator, a takeover, or a channel the bot may no longer post to


class CloseReason(StrEnum):
    TIME = "time"
    ALL_ANSWERED = "all_answered"
    EARLY = "early"
    STOPPED = "stopped"


# What an adapter has shown of a round, recorded in posted_messages: the round message, then its reveal.
ROUND_SHOWN, REVEAL_SHOWN = "round", "reveal"
SCENARIO_CACHE = 1024  # parsed scenario snapshots kept (a round's snapshot never changes once written)


@dataclass(frozen=True, slots=True)
class GameRow:
    id: int
    guild_id: int
    channel_id: int
    scope: str
    host_id: str
    host_name: str
    category: str | None
    difficulty: int | None
    rounds: int
    seconds: int
    speed_bonus: bool
    practice: bool
    status: GameStatus
    started_at: float
    ended_at: float | None


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: int
    game_id: int
    number: int
    scenario: Scenario
    opened_at: float
    deadline: float | None
    closed_at: float | None
    close_reason: CloseReason | None


@dataclass(frozen=True, slots=True)
class AnswerRow:
    round_id: int
    user_id: str
    user_name: str
    option_key: str
    credit: str
    base: int
    streak: int
    streak_bonus: int
    speed_bonus: int
    points: int
    answered_at: float


@dataclass(frozen=True, slots=True)
class StandingRow:
    user_id: str
    user_name: str
    points: int
    rounds: int  # rounds answered
    correct: int
    partial: int

    @property
    def accuracy(self) -> float:
        """Share of answered rounds that were fully correct."""
        return self.correct / self.rounds if self.rounds else 0.0


@dataclass(frozen=True, slots=True)
class HistoryAnswer:
    """One revealed answer of a player, with what personal stats group it by."""

    game_id: int
    practice: bool
    category: str
    factors: tuple[str, ...]
    credit: str
    points: int
    answered_at: float


def scenario_to_json(scenario: Scenario) -> str:
    return json.dumps(dataclasses.asdict(scenario), ensure_ascii=False, sort_keys=True)


def scenario_from_json(text: str) -> Scenario:
    data: dict[str, Any] = json.loads(text)
    data["options"] = tuple(ScenarioOption(**o) for o in data["options"])
    data["sources"] = tuple(Source(**s) for s in data["sources"])
    data["partial"] = tuple(data["partial"])
    data["factors"] = tuple(data["factors"])
    return Scenario(**data)

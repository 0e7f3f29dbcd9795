"""Weekly and all-time leaderboards per community, and personal stats."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from bot.engine.errors import GameError
from bot.engine.game import Games
from bot.engine.leaderboard import score, week_start
from bot.engine.store import Store

from .conftest import CHANNEL, GUILD, LIBRARY, T0, FakeClock

WEEK = 7 * 24 * 3600.0


def utc(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


def test_week_starts_monday_midnight_utc() -> None:
    monday = utc("2024-01-01T00:00:00")
    assert week_start(T0) == monday  # Wednesday noon
    assert week_start(monday) == monday
    assert week_start(monday - 1) == monday - WEEK  # Sunday 23:59:59 belongs to the week before
    assert week_start(utc("2024-01-07T23:59:59")) == monday


def test_score_rules() -> None:
    assert score("correct", 0, None, 45, False) == (100, 1, 0, 0)
    assert score("partial", 3, None, 45, False) == (50, 0, 0, 0)
    assert score("wrong", 3, 40, 45, True) == (0, 0, 0, 0)
    assert score("correct", 2, None, 45, False) == (100, 3, 40, 0)
    assert score("correct", 9, None, 45, False) == (100, 10, 100, 0)
    assert score("correct", 0, 45, 45, True) == (100, 1, 0, 20)
    assert score("correct", 0, 9, 45, True) == (100, 1, 0, 4)


async def play(games: Games, clock: FakeClock, at: float, answers: dict[str, str], *, guild: int = GUILD,
               practice: bool = False) -> None:
    """One single-round game at time `at`: each user answers 'right' or 'wrong'."""
    clock.now = at
    host = next(iter(answers)) if practice else "host"
    view = await games.start(guild, CHANNEL, host, host.upper(), rounds=1, practice=practice)
    for user, how in answers.items():
        key = view.scenario.answer if how == "right" else "clinic"
        await games.answer(view.round_id, user, user.upper(), key)
    if not practice:
        await games.reveal(view.round_id, "host")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def games(store: Store, clock: FakeClock) -> Games:
    return Games(store, [s for s in LIBRARY if s.id in ("s1", "s2")], clock=clock, rng=random.Random(3))


async def test_weekly_leaderboard_leaves_out_last_week(games: Games, clock: FakeClock) -> None:
    last_week = week_start(T0) - 3600
    await play(games, clock, last_week, {"ann": "right", "bob": "right"})
    await play(games, clock, last_week + 60, {"ann": "right"})
    await play(games, clock, T0, {"bob": "right", "cat": "wrong"})
    await play(games, clock, T0 + 60, {"cat": "right", "bob": "wrong"})

    week = await games.leaderboard(GUILD, "week")
    assert week.since == week_start(T0)
    assert [(r.user_id, r.points, r.rounds, r.correct) for r in week.rows] == [
        ("bob", 100, 2, 1), ("cat", 100, 2, 1)]
    every = await games.leaderboard(GUILD, "all")
    assert [(r.user_id, r.points, r.rounds) for r in every.rows] == [("ann", 200, 2), ("bob", 200, 3),
                                                                      ("cat", 100, 2)]
    assert every.rows[0].accuracy == 1.0 and every.rows[1].accuracy == pytest.approx(2 / 3)
    assert [r.user_id for r in (await games.leaderboard(GUILD, "all", limit=1)).rows] == ["ann"]
    assert (await games.leaderboard(GUILD + 1, "all")).rows == ()  # communities are separate
    with pytest.raises(GameError, match="'week' or 'all'"):
        await games.leaderboard(GUILD, "month")


async def test_unrevealed_rounds_and_practice_stay_off_the_board(games: Games, clock: FakeClock) -> None:
    await play(games, clock, T0, {"ann": "right"}, practice=True)
    view = await games.start(GUILD, CHANNEL, "host", "Host", rounds=1)
    await games.answer(view.round_id, "bob", "Bob", view.scenario.answer)
    assert (await games.leaderboard(GUILD, "all")).rows == ()  # would leak bob's answer before the reveal
    await games.reveal(view.round_id, "host")
    assert [r.user_id for r in (await games.leaderboard(GUILD, "all")).rows] == ["bob"]


async def test_personal_stats(store: Store, clock: FakeClock) -> None:
    games = Games(store, LIBRARY, clock=clock, rng=random.Random(5))
    # three one-round channel games (sensory right, self-care right, transition wrong), then a practice
    for category, how in (("sensory", "right"), ("self-care", "right"), ("transition", "wrong")):
        clock.now += 60
        view = await games.start(GUILD, CHANNEL, "host", "Host", category=category, rounds=1)
        key = view.scenario.answer if how == "right" else "clinic"
        await games.answer(view.round_id, "ann", "Ann", key)
        await games.reveal(view.round_id, "host")
    clock.now += 60
    view = await games.start(GUILD, CHANNEL, "ann", "Ann", category="sensory", practice=True, rounds=2)
    await games.answer(view.round_id, "ann", "Ann", view.scenario.answer)
    second = await games.next_round(view.game_id)
    assert second is not None
    await games.answer(second.round_id, "ann", "Ann", second.scenario.answer)

    stats = await games.stats(GUILD, "ann")
    assert (stats.games, stats.practice_games, stats.rounds, stats.practice.rounds) == (3, 1, 5, 2)
    assert (stats.overall.correct, stats.overall.partial) == (4, 0)
    assert stats.accuracy == pytest.approx(0.8)
    assert (stats.points, stats.practice_points) == (200, 220)  # practice: 100 + streak 20, kept apart
    assert (stats.current_streak, stats.best_streak) == (2, 2)
    assert stats.by_category["sensory"].rounds == 3 and stats.by_category["sensory"].accuracy == 1.0
    assert stats.by_category["transition"].correct == 0
    assert stats.by_factor["accommodation"].rounds == 3
    assert stats.by_factor["team decision"].accuracy == 0.0
    empty = await games.stats(GUILD, "nobody")
    assert empty.rounds == 0 and empty.accuracy == 0.0 and empty.by_category == {}

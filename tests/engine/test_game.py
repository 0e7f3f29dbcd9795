"""Scenario game rules on a real SQLite file, with a fake clock: nothing here sleeps."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.engine.errors import GameError
from bot.engine.game import AnswerReceipt, CloseReason, Games, GameStatus, Reveal, RoundState, bar_chart
from bot.engine.store import Store

from .conftest import CHANNEL, GUILD, LIBRARY, T0, FakeClock, make_scenario


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def games(store: Store, clock: FakeClock) -> Games:
    return Games(store, LIBRARY, clock=clock, rng=random.Random(7))


async def start(games: Games, **options: object) -> RoundState:
    return await games.start(GUILD, CHANNEL, "host", "Host", **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------- starting


@pytest.mark.parametrize(("options", "message"), [
    ({"rounds": 0}, "rounds must be a whole number from 1 to 10"),
    ({"rounds": 11}, "from 1 to 10"),
    ({"rounds": "many"}, "from 1 to 10"),
    ({"seconds": 9}, "seconds per round must be a whole number from 10 to 300"),
    ({"seconds": 301}, "from 10 to 300"),
    ({"difficulty": 4}, "Difficulty must be 1 (easy), 2 (medium) or 3 (hard)"),
    ({"category": "cooking"}, "Unknown category 'cooking'. Choose one of: self-care, sensory, transition"),
    ({"category": "sensory", "difficulty": 3}, "No scenarios match category 'sensory' and difficulty 3. "
                                                "Categories with scenarios: self-care, sensory, transition"),
    ({"category": "sensory", "rounds": 3}, "Only 2 scenario(s) match"),
])
async def test_invalid_options_are_refused_with_a_clear_message(games: Games, options: dict[str, object],
                                                                 message: str) -> None:
    with pytest.raises(GameError, match=None) as error:
        await start(games, **options)
    assert message in str(error.value)
    assert await games.current(GUILD, CHANNEL) is None


async def test_a_game_opens_round_one_with_a_deadline(games: Games, clock: FakeClock) -> None:
    view = await start(games, category="Self-Care", difficulty="easy", rounds=2, seconds=30)
    assert (view.number, view.total, view.deadline, view.remaining) == (1, 2, T0 + 30, 30)
    assert view.scenario.category == "self-care" and view.scenario.difficulty == 1
    assert view.answer_count == 0 and not view.practice and view.host_id == "host"
    assert await games.current(GUILD, CHANNEL) == view


async def test_one_open_game_per_channel(games: Games) -> None:
    await start(games)
    with pytest.raises(GameError, match="already running in this channel"):
        await games.start(GUILD, CHANNEL, "other", "Other")
    await games.start(GUILD, CHANNEL + 1, "other", "Other")  # another channel is fine
    await games.start(GUILD, CHANNEL, "solo", "Solo", practice=True)  # so is a practice game


# ---------------------------------------------------------------- answering


async def test_answer_is_locked_in_and_acknowledged(games: Games) -> None:
    view = await start(games)
    receipt = await games.answer(view.round_id, "p1", "Pat", "clinic")
    assert (receipt.option_key, receipt.option_label, receipt.answers_so_far) == (
        "clinic", "Outpatient (medical-model) OT", 1)
    assert receipt.reveal is None
    with pytest.raises(GameError, match=r"You already answered this round \(Outpatient"):
        await games.answer(view.round_id, "p1", "Pat", "school")
    by_letter = await games.answer(view.round_id, "p2", "Sam", "a")  # letters as shown on buttons
    assert by_letter.option_key == "school" and by_letter.answers_so_far == 2
    with pytest.raises(GameError, match="not one of this round's options: A \\(school\\)"):
        await games.answer(view.round_id, "p3", "Kim", "maybe")
    with pytest.raises(GameError, match="no longer exists"):
        await games.answer(999, "p3", "Kim", "school")


async def test_many_players_answer_at_once_one_answer_each_exact_scores(games: Games) -> None:
    view = await start(games, rounds=1)
    players = [f"p{i}" for i in range(40)]
    keys = ["school" if i % 4 == 0 else "clinic" if i % 4 == 1 else "both" if i % 4 == 2 else "none"
            for i in range(40)]
    twice = [games.answer(view.round_id, p, p.upper(), k) for p, k in zip(players, keys, strict=True)]
    twice += [games.answer(view.round_id, p, p.upper(), "school") for p in players]  # double clicks
    outcomes = await asyncio.gather(*twice, return_exceptions=True)
    accepted = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, GameError)]
    # the ten players whose first pick was "school" clicked the same answer twice: the same receipt again
    assert len(accepted) == 50 and len(refused) == 30
    assert all("already answered" in str(r) for r in refused)
    assert {(r.user_id, r.option_key) for r in accepted} == set(zip(players, keys, strict=True))
    assert max(r.answers_so_far for r in accepted) == 40
    reveal = await games.reveal(view.round_id, "host")
    assert [(s.key, s.count) for s in reveal.shares] == [("school", 10), ("clinic", 10), ("both", 10),
                                                          ("none", 10)]
    assert all(s.fraction == 0.25 for s in reveal.shares)
    points = {r.user_id: r.points for r in reveal.results}
    expected = {p: (100 if k == "school" else 50 if (k == "both" and view.scenario.id == "s3") else 0)
                for p, k in zip(players, keys, strict=True)}
    assert points == expected
    chosen = {r.user_id: r.option_key for r in reveal.results}
    assert chosen == dict(zip(players, keys, strict=True))  # the first answer of each player, never the retry
    assert reveal.game_over and sum(r.points for r in reveal.standings) == sum(expected.values())


async def test_time_up_closes_the_round_once_and_refuses_late_answers(games: Games, clock: FakeClock) -> None:
    view = await start(games, rounds=2, seconds=20)
    await games.answer(view.round_id, "p1", "Pat", "school")
    clock.now = T0 + 19.9
    assert await games.close_due_rounds() == []
    clock.now = T0 + 20
    with pytest.raises(GameError, match="Time is up for this round"):
        await games.answer(view.round_id, "p2", "Sam", "school")  # the timer has not fired yet
    reveals = await games.close_due_rounds()
    assert len(reveals) == 1 and reveals[0].reason == "time" and not reveals[0].game_over
    assert await games.close_due_rounds() == []
    with pytest.raises(GameError, match="Time is up for this round"):
        await games.answer(view.round_id, "p2", "Sam", "school")
    assert [r.user_id for r in reveals[0].results] == ["p1"]


async def test_early_reveal_host_or_moderator_only(games: Games) -> None:
    view = await start(games, rounds=3)
    await games.answer(view.round_id, "p1", "Pat", "school")
    with pytest.raises(GameError, match=r"Only the host \(Host\) or a moderator"):
        await games.reveal(view.round_id, "p1")
    reveal = await games.reveal(view.round_id, "host")
    assert reveal.reason == "early" and reveal.answer.key == view.scenario.answer
    assert [o.key for o, _ in reveal.why_not] == ["clinic", "both", "none"]
    with pytest.raises(GameError, match="This round is already revealed"):
        await games.answer(view.round_id, "p2", "Sam", "school")
    with pytest.raises(GameError, match="This round is already revealed"):
        await games.reveal(view.round_id, "host")
    second = await games.next_round(view.game_id)
    assert second is not None and second.number == 2
    by_moderator = await games.reveal(second.round_id, "mod", is_moderator=True)
    assert by_moderator.number == 2


async def test_partial_credit_and_reveal_data(games: Games) -> None:
    s3_only = Games(games.rows.store, [LIBRARY[2]], clock=games.clock)
    view = await s3_only.start(GUILD, CHANNEL, "host", "Host", rounds=1)
    await s3_only.answer(view.round_id, "p1", "Pat", "both")
    await s3_only.answer(view.round_id, "p2", "Sam", "school")
    await s3_only.answer(view.round_id, "p3", "Kim", "none")
    reveal = await s3_only.reveal(view.round_id, "host")
    assert {r.user_id: (r.credit, r.points) for r in reveal.results} == {
        "p1": ("partial", 50), "p2": ("correct", 100), "p3": ("wrong", 0)}
    assert [s.credit for s in reveal.shares] == ["correct", "wrong", "partial", "wrong"]
    assert [r.user_id for r in reveal.standings] == ["p2", "p1", "p3"]
    assert reveal.factors == ("educational impact",) and reveal.explanation.startswith("Because")
    assert bar_chart(reveal) == ["A ███░░░░░░░ 33% (1)", "B ░░░░░░░░░░ 0% (0)", "C ███░░░░░░░ 33% (1)",
                                 "D ███░░░░░░░ 33% (1)"]


async def play_rounds(games: Games, view: RoundState, picks: list[str]) -> list[int]:
    """Answer each round as 'p1' ('right' / 'wrong'), reveal, move on; the points of each answer."""
    points = []
    for pick in picks:
        key = view.scenario.answer if pick == "right" else "clinic"
        await games.answer(view.round_id, "p1", "Pat", key)
        reveal = await games.reveal(view.round_id, "host")
        points.append(next(r.points for r in reveal.results if r.user_id == "p1"))
        following = await games.next_round(view.game_id)
        if following is None:
            break
        view = following
    return points


async def test_streak_bonus_grows_by_20_caps_at_100_and_resets(store: Store, clock: FakeClock) -> None:
    library = [make_scenario(f"x{i}") for i in range(10)]
    games = Games(store, library, clock=clock, rng=random.Random(1))
    view = await games.start(GUILD, CHANNEL, "host", "Host", rounds=10)
    picks = ["right"] * 7 + ["wrong", "right", "right"]
    assert await play_rounds(games, view, picks) == [100, 120, 140, 160, 180, 200, 200, 0, 100, 120]


async def test_speed_bonus_only_when_opted_in(games: Games, clock: FakeClock) -> None:
    plain = await start(games, rounds=1, seconds=40)
    await games.answer(plain.round_id, "fast", "Fast", plain.scenario.answer)
    reveal = await games.reveal(plain.round_id, "host")
    assert reveal.results[0].points == 100 and reveal.results[0].speed_bonus == 0

    fast = await games.start(GUILD, CHANNEL, "host", "Host", rounds=1, seconds=40, speed_bonus=True)
    await games.answer(fast.round_id, "instant", "I", fast.scenario.answer)
    clock.now += 20
    await games.answer(fast.round_id, "half", "H", fast.scenario.answer)
    await games.answer(fast.round_id, "wrong", "W", "clinic")
    clock.now += 19
    await games.answer(fast.round_id, "late", "L", fast.scenario.answer)
    reveal = await games.reveal(fast.round_id, "host")
    assert {r.user_id: r.points for r in reveal.results} == {"instant": 120, "half": 110, "late": 100,
                                                              "wrong": 0}


async def test_round_closes_when_every_player_answered(games: Games) -> None:
    view = await start(games, rounds=3)
    first = await games.answer(view.round_id, "host", "Host", "school")
    assert first.reveal is None  # round 1: nobody knows who plays yet, the host alone does not end it
    await games.join(view.game_id, "p1", "Pat")
    await games.answer(view.round_id, "p2", "Sam", "clinic")  # answering without joining never holds it open
    last = await games.answer(view.round_id, "p1", "Pat", "school")
    assert last.reveal is not None and last.reveal.reason == "all_answered"
    assert last.reveal.round_id == view.round_id and len(last.reveal.results) == 3

    second = await games.next_round(view.game_id)
    assert second is not None
    assert await games.next_round(view.game_id) == second  # a repeated call does not skip a round
    for user in ("host", "p1"):
        assert (await games.answer(second.round_id, user, user, "school")).reveal is None
    closing = await games.answer(second.round_id, "p2", "Sam", "school")  # p2 played round 1: a player now
    assert closing.reveal is not None and closing.reveal.number == 2


def reveals_in(outcomes: list[object]) -> list[Reveal]:
    """Every reveal handed out by a batch of racing calls (refusals are GameErrors and hand out none)."""
    found: list[Reveal] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, GameError), outcome
        elif isinstance(outcome, Reveal):
            found.append(outcome)
        elif isinstance(outcome, AnswerReceipt):
            found += [outcome.reveal] if outcome.reveal else []
        elif isinstance(outcome, list):
            found += outcome
    return found


async def test_reveal_happens_exactly_once_when_closers_race(games: Games, clock: FakeClock) -> None:
    view = await start(games, rounds=2)
    await games.join(view.game_id, "p1", "Pat")
    await games.answer(view.round_id, "host", "Host", "school")
    outcomes = await asyncio.gather(
        games.answer(view.round_id, "p1", "Pat", "school"), games.reveal(view.round_id, "host"),
        games.reveal(view.round_id, "mod", is_moderator=True), games.close_due_rounds(),
        return_exceptions=True)
    assert len(reveals_in(list(outcomes))) == 1

    second = await games.next_round(view.game_id)
    assert second is not None and second.deadline is not None
    clock.now = second.deadline + 1
    timers = await asyncio.gather(games.close_due_rounds(), games.close_due_rounds(),
                                  games.reveal(second.round_id, "host"), return_exceptions=True)
    [reveal] = reveals_in(list(timers))
    assert reveal.game_over and reveal.reason == "time"


async def test_last_round_ends_the_game_with_final_standings(games: Games) -> None:
    view = await start(games, rounds=1)
    await games.answer(view.round_id, "p1", "Pat", view.scenario.answer)
    await games.answer(view.round_id, "p2", "Sam", "none")
    reveal = await games.reveal(view.round_id, "host")
    assert reveal.game_over and [(r.user_id, r.points) for r in reveal.standings] == [("p1", 100), ("p2", 0)]
    assert await games.next_round(view.game_id) is None
    assert await games.current(GUILD, CHANNEL) is None
    assert await games.show_reveal(view.round_id) == reveal
    await start(games)  # the channel is free again


async def test_stop_keeps_answers_and_frees_the_channel(games: Games) -> None:
    view = await start(games, rounds=5)
    await games.answer(view.round_id, "p1", "Pat", view.scenario.answer)
    with pytest.raises(GameError, match="Only the host"):
        await games.stop(GUILD, CHANNEL, "p1")
    standings = await games.stop(GUILD, CHANNEL, "mod", is_moderator=True)
    assert standings.reveal is not None
    assert standings.reveal.reason == "stopped" and standings.reveal.game_over
    assert [(r.user_id, r.points) for r in standings.rows] == [("p1", 100)]
    assert (standings.rounds_played, standings.rounds_total) == (1, 5)
    with pytest.raises(GameError, match="This game was stopped"):
        await games.answer(view.round_id, "p2", "Sam", "school")
    assert await games.next_round(view.game_id) is None
    with pytest.raises(GameError, match="There is no game running"):
        await games.stop(GUILD, CHANNEL, "host")


async def test_no_repeats_in_a_channel_until_the_pool_is_used_up(games: Games) -> None:
    async def one_round(channel: int) -> str:
        view = await games.start(GUILD, channel, "host", "Host", category="self-care", difficulty=1, rounds=1)
        await games.stop(GUILD, channel, "host")
        return view.scenario.id

    first_pass = [await one_round(CHANNEL) for _ in range(3)]
    assert sorted(first_pass) == ["s1", "s2", "s3"]
    second_pass = [await one_round(CHANNEL) for _ in range(3)]
    assert sorted(second_pass) == ["s1", "s2", "s3"]  # the pool starts over once used up
    assert await one_round(CHANNEL + 1) in {"s1", "s2", "s3"}  # another channel has its own rotation

    view = await games.start(GUILD, CHANNEL, "host", "Host", category="self-care", rounds=6)
    seen = [view.scenario.id]
    while True:
        await games.reveal(view.round_id, "host")
        following = await games.next_round(view.game_id)
        if following is None:
            break
        view = following
        seen.append(view.scenario.id)
    assert sorted(seen) == ["s1", "s2", "s3", "s4", "s5", "s6"]  # never twice within one game


async def test_ids_alone_route_an_answer(games: Games, store: Store, clock: FakeClock) -> None:
    view = await start(games)
    fresh = Games(store, [], clock=clock)  # as after a restart: no memory, not even the library
    receipt = await fresh.answer(view.round_id, "p1", "Pat", view.scenario.answer)
    assert receipt.option_key == view.scenario.answer
    reveal = await fresh.reveal(view.round_id, "host")
    assert reveal.scenario == view.scenario and reveal.results[0].points == 100


async def test_solo_practice(games: Games, clock: FakeClock) -> None:
    view = await games.start(GUILD, CHANNEL, "solo", "Solo", practice=True, rounds=2, speed_bonus=True)
    assert view.practice and view.deadline is None and view.remaining is None
    assert await games.current(GUILD, CHANNEL) is None
    assert await games.current(GUILD, CHANNEL, practice_for="solo") == view
    with pytest.raises(GameError, match="Solo's practice game"):
        await games.answer(view.round_id, "other", "Other", "school")
    clock.now += 10_000  # no timer pressure
    assert await games.close_due_rounds() == []
    receipt = await games.answer(view.round_id, "solo", "Solo", view.scenario.answer)
    assert receipt.reveal is not None and receipt.reveal.practice
    assert receipt.reveal.results[0].points == 100  # no speed bonus in practice
    second = await games.next_round(view.game_id)
    assert second is not None and second.scenario.id != view.scenario.id
    with pytest.raises(GameError, match="already have a practice game"):
        await games.start(GUILD, CHANNEL, "solo", "Solo", practice=True)
    done = await games.answer(second.round_id, "solo", "Solo", "clinic")
    assert done.reveal is not None and done.reveal.game_over


async def test_the_same_click_twice_is_the_same_answer_recorded_once(games: Games) -> None:
    view = await start(games, rounds=2)
    first = await games.answer(view.round_id, "p1", "P1", "school")
    again = await games.answer(view.round_id, "p1", "P1", "school")  # a retry after a failed acknowledgement
    assert (again.option_key, again.answers_so_far) == (first.option_key, 1)
    assert len(await games.rows.answers(view.round_id)) == 1
    with pytest.raises(GameError, match="already answered"):
        await games.answer(view.round_id, "p1", "P1", "clinic")


async def test_play_takes_over_a_channel_whose_game_made_no_progress(games: Games) -> None:
    clock = games.clock
    stuck = await start(games, rounds=3)
    with pytest.raises(GameError, match="/scenario stop"):
        await start(games)  # a healthy game is not taken over
    games.clock = lambda: clock() + stuck.seconds + 61
    fresh = await start(games)
    assert fresh.game_id != stuck.game_id
    assert (await games.rows.game(stuck.game_id)).status is GameStatus.STOPPED
    assert (await games.rows.round(stuck.round_id)).close_reason is CloseReason.STOPPED


async def test_only_the_player_moves_a_practice_on(games: Games) -> None:
    view = await games.start(1, 10, "me", "Me", rounds=2, practice=True)
    await games.answer(view.round_id, "me", "Me", view.scenario.answer)
    with pytest.raises(GameError, match="practice"):
        await games.next_round(view.game_id, by_user_id="someone else")
    assert (await games.next_round(view.game_id, by_user_id="me")).number == 2


async def test_lagging_games_until_shown_and_abandon_gives_up(games: Games) -> None:
    view = await start(games, rounds=2)
    assert await games.lagging_games() == [view.game_id]  # round 1 never posted
    await games.round_shown(view.round_id, view.channel_id, 555)
    assert await games.lagging_games() == []
    await games.reveal(view.round_id, "host")
    assert await games.lagging_games() == [view.game_id]  # reveal not shown yet
    await games.reveal_shown(view.round_id, view.channel_id, 555)
    assert await games.lagging_games() == [view.game_id]  # open, between rounds: the next round is due
    await games.abandon(view.game_id)
    assert await games.lagging_games() == []
    assert (await games.rows.game(view.game_id)).status is GameStatus.STOPPED


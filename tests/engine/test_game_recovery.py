"""A process is SIGKILLed mid-round; a new one recovers every answer and score from the SQLite file."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.engine.game import Games
from bot.engine.store import Store

from .conftest import CHANNEL, GUILD, LIBRARY, T0, FakeClock

# The doomed process: round 1 is played and revealed (p1 right, p2 wrong), round 2 opens at T0 + 12 with a
# 60-second timer, p1 and p2 lock in answers, and then the process kills itself: no clean shutdown at all.
VICTIM = textwrap.dedent(f"""
    import asyncio, os, signal, sys
    from bot.engine.game import Games
    from bot.engine.store import Store
    from tests.engine.test_game import LIBRARY, FakeClock

    async def main(path):
        clock = FakeClock({T0!r})
        store = await Store.open(path)
        games = Games(store, LIBRARY, clock=clock)
        first = await games.start({GUILD}, {CHANNEL}, "host", "Host", category="self-care", rounds=3,
                                  seconds=60)
        await games.answer(first.round_id, "p1", "Pat", first.scenario.answer)
        await games.answer(first.round_id, "p2", "Sam", "clinic")
        clock.now += 10
        await games.reveal(first.round_id, "host")
        clock.now += 2
        second = await games.next_round(first.game_id)
        clock.now += 8
        await games.answer(second.round_id, "p1", "Pat", second.scenario.answer)
        await games.answer(second.round_id, "p2", "Sam", second.scenario.answer)
        print(second.round_id, second.scenario.answer, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        print("still alive", flush=True)

    asyncio.run(main(sys.argv[1]))
""")


def kill_mid_round(db: Path) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-c", VICTIM, str(db)], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr
    round_id, answer = done.stdout.split()
    return int(round_id), answer


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "otbot.db"


async def test_recover_resumes_a_round_with_time_left(db: Path) -> None:
    round_id, answer = kill_mid_round(db)
    clock = FakeClock(T0 + 40)  # round 2 opened at T0 + 12 with 60 s: 32 s left
    async with await Store.open(db) as store:
        games = Games(store, LIBRARY, clock=clock, rng=random.Random(2))
        recovery = await games.recover()
        assert recovery.revealed == [] and recovery.waiting == []
        [view] = recovery.resumed
        assert (view.round_id, view.number, view.deadline, view.remaining, view.answer_count) == (
            round_id, 2, T0 + 72, 32, 2)
        assert await games.current(GUILD, CHANNEL) == view
        await games.answer(round_id, "p3", "Kim", answer)  # play goes on
        clock.now = T0 + 72
        [reveal] = await games.close_due_rounds()
    assert {r.user_id: r.points for r in reveal.results} == {"p1": 120, "p2": 100, "p3": 100}
    # a tie on points goes to more correct answers, then to fewer rounds played
    assert [(r.user_id, r.points) for r in reveal.standings] == [("p1", 220), ("p3", 100), ("p2", 100)]


async def test_recover_reveals_a_round_whose_time_ran_out(db: Path) -> None:
    round_id, _ = kill_mid_round(db)
    async with await Store.open(db) as store:
        games = Games(store, LIBRARY, clock=FakeClock(T0 + 300))
        recovery = await games.recover()
        assert recovery.resumed == [] and recovery.waiting == []
        [reveal] = recovery.revealed
        assert (reveal.round_id, reveal.reason, reveal.number) == (round_id, "time", 2)
        assert not reveal.game_over
        assert {r.user_id: (r.credit, r.streak, r.points) for r in reveal.results} == {
            "p1": ("correct", 2, 120), "p2": ("correct", 1, 100)}
        assert [(r.user_id, r.points, r.rounds) for r in reveal.standings] == [("p1", 220, 2), ("p2", 100, 2)]
        assert (await games.recover()).revealed == []  # revealed once, not at every start
        following = await games.next_round(reveal.game_id)
        assert following is not None and following.number == 3


async def test_recover_lists_games_waiting_between_rounds(store: Store) -> None:
    clock = FakeClock()
    games = Games(store, LIBRARY, clock=clock)
    view = await games.start(GUILD, CHANNEL, "host", "Host", rounds=2)
    await games.reveal(view.round_id, "host")  # ... and the process died before opening round 2
    recovery = await Games(store, LIBRARY, clock=clock).recover()
    assert (recovery.resumed, recovery.revealed, recovery.waiting) == ([], [], [view.game_id])

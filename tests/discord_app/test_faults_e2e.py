"""Scenario games when Discord fails: each test injects what real Discord does and asserts what players see.

After every test the `fake` fixture also checks that every interaction was acknowledged within 3 s (measured
inside the fake server when the callback arrives) and that nothing the bot sent could ping anyone.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.discord_app import delivery, game_driver
from bot.discord_app.client import OtBot
from bot.engine.app import Engine, open_engine
from bot.engine.game import GameStatus

from .conftest import (
    CHAN_A,
    CHAN_GAME,
    GUILD_A,
    HOST,
    KNOWLEDGE_DIR,
    P1,
    P2,
    P3,
    SCENARIOS_DIR,
    BotFactory,
    acked,
    answer_ids,
    private,
    reply,
    round_id_of,
    round_title,
    settled,
    start_game,
)
from .fake_discord import FakeDiscord

CALLBACK = r"/interactions/\d+/[^/]+/callback"
POSTS = rf"/channels/{CHAN_GAME}/messages"
EDITS = rf"/channels/{CHAN_GAME}/messages/\d+"
# (status, Via header, global): what Discord (or Cloudflare in front of it) answers when it has a bad moment
NO_VIA = (429, False, False)
FAULTS = {"429 without Via": NO_VIA, "429 global": (429, True, True), "429 per route": (429, True, False),
          "500": (500, True, False), "502": (502, True, False), "503": (503, True, False)}


def inject(fake: FakeDiscord, method: str, path: str, fault: tuple[int, bool, bool], count: int = 1) -> None:
    status, via, is_global = fault
    fake.fail_next(method, path, status=status, via=via, is_global=is_global, count=count, retry_after=0.05)


async def revealed(fake: FakeDiscord, message: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """The round message once it shows the reveal (round + answer embeds) and no buttons."""
    def check() -> dict[str, Any] | None:
        now = fake.messages[int(message["id"])]
        return now if len(now["embeds"]) == 2 and now["components"] == [] else None

    shown = await fake.wait_until(check, timeout, "the reveal")
    assert shown["embeds"][1]["title"].startswith("Answer:")
    return shown


async def round_posted(fake: FakeDiscord, number: int, total: int, channel_id: int = CHAN_GAME,
                       timeout: float = 5.0) -> dict[str, Any]:
    return await fake.wait_for_message(channel_id, lambda m: round_title(m).startswith(f"Round {number}/{total}"),
                                       since=0, timeout=timeout)


def assert_each_round_shown_once(fake: FakeDiscord, channel_id: int = CHAN_GAME) -> None:
    titles = [round_title(m) for m in fake.channel_messages(channel_id) if round_title(m).startswith("Round ")]
    assert len(titles) == len(set(titles)), titles


# ---------------------------------------------------------------- failed acknowledgements


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
async def test_a_failed_reveal_click_acknowledgement_still_reveals_and_moves_on(
        fake: FakeDiscord, bot: OtBot, fault: tuple[int, bool, bool]) -> None:
    message = await start_game(fake)
    await reply(await fake.click(message, next(iter(answer_ids(message).values())), P1))
    inject(fake, "POST", CALLBACK, fault)
    await acked(await fake.click(message, f"otbot:reveal:{round_id_of(message)}", HOST))
    await revealed(fake, message)
    await round_posted(fake, 2, 2)
    assert_each_round_shown_once(fake)


async def test_server_errors_in_a_row_on_an_acknowledgement_still_acknowledge_in_time(
        fake: FakeDiscord, bot: OtBot) -> None:
    """discord.py sleeps 1 s, 3 s, 5 s between its own tries after a 5xx: 9 s, unless the bot cuts in."""
    message = await start_game(fake)
    inject(fake, "POST", CALLBACK, FAULTS["502"], count=3)
    await acked(await fake.click(message, f"otbot:reveal:{round_id_of(message)}", HOST))
    await revealed(fake, message)


async def test_a_failed_acknowledgement_of_the_last_answer_still_reveals(fake: FakeDiscord, bot: OtBot) -> None:
    first = await start_game(fake, rounds=2)
    await reply(await fake.click(first, next(iter(answer_ids(first).values())), P1))
    await acked(await fake.click(first, f"otbot:reveal:{round_id_of(first)}", HOST))
    second = await round_posted(fake, 2, 2)
    await reply(await fake.click(second, next(iter(answer_ids(second).values())), P1))
    inject(fake, "POST", CALLBACK, NO_VIA)  # the host's answer is the last one round 2 waits for
    await acked(await fake.click(second, next(iter(answer_ids(second).values())), HOST))
    await revealed(fake, second)


async def test_a_failed_play_acknowledgement_still_shows_the_game(fake: FakeDiscord, bot: OtBot) -> None:
    inject(fake, "POST", CALLBACK, NO_VIA)
    message = await start_game(fake)
    assert answer_ids(message)


async def test_a_failed_stop_acknowledgement_still_ends_the_game_visibly(fake: FakeDiscord, bot: OtBot) -> None:
    message = await start_game(fake)
    inject(fake, "POST", CALLBACK, NO_VIA)
    await reply(await fake.slash("scenario stop", channel_id=CHAN_GAME, user=HOST))
    await revealed(fake, message)
    again = await start_game(fake, rounds=1)  # the channel is free again
    assert again["id"] != message["id"]


async def test_the_same_click_twice_is_one_answer(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    message = await start_game(fake)
    button = next(iter(answer_ids(message).values()))
    clicks = await asyncio.gather(fake.click(message, button, P1), fake.click(message, button, P1))
    for shown in await asyncio.gather(*(reply(c) for c in clicks)):
        assert private(shown) and "Locked in" in shown["content"]
    assert [a.user_id for a in await engine.games.rows.answers(round_id_of(message))] == [str(P1)]


# ---------------------------------------------------------------- rounds and reveals that do not go out


@pytest.mark.parametrize("fault", [NO_VIA, FAULTS["503"], FAULTS["429 global"]], ids=["429 without Via", "503",
                                                                                       "429 global"])
async def test_the_next_round_is_posted_despite_errors(fake: FakeDiscord, bot: OtBot,
                                                       fault: tuple[int, bool, bool]) -> None:
    message = await start_game(fake)
    inject(fake, "POST", POSTS, fault, count=2)
    await acked(await fake.click(message, f"otbot:reveal:{round_id_of(message)}", HOST))
    await revealed(fake, message)
    await round_posted(fake, 2, 2, timeout=8)
    assert_each_round_shown_once(fake)


@pytest.mark.parametrize("fault", [NO_VIA, FAULTS["503"]], ids=["429 without Via", "503"])
async def test_the_reveal_is_shown_despite_errors(fake: FakeDiscord, bot: OtBot,
                                                  fault: tuple[int, bool, bool]) -> None:
    message = await start_game(fake)
    inject(fake, "PATCH", EDITS, fault, count=2)
    await acked(await fake.click(message, f"otbot:reveal:{round_id_of(message)}", HOST))
    await revealed(fake, message, timeout=8)
    await round_posted(fake, 2, 2)


async def test_the_reconciler_catches_up_when_retries_run_out(fake: FakeDiscord, bot: OtBot,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "POST_ATTEMPTS", 1)  # give up at once: only the reconciler can show it
    monkeypatch.setattr(game_driver, "RECONCILE_EVERY", 1)
    message = await start_game(fake)
    inject(fake, "PATCH", EDITS, FAULTS["503"])
    await acked(await fake.click(message, f"otbot:reveal:{round_id_of(message)}", HOST))
    await revealed(fake, message, timeout=5)
    await round_posted(fake, 2, 2)


# ---------------------------------------------------------------- a channel that refuses, restarts, drops


async def test_a_refusing_channel_ends_its_game_and_never_blocks_recovery_of_others(
        fake: FakeDiscord, start_bot: BotFactory, db_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, db_path) as engine:  # crashed before posting either
        refused = await engine.games.start(GUILD_A, CHAN_A, str(HOST), "hostie", rounds=2)
        fine = await engine.games.start(GUILD_A, CHAN_GAME, str(P2), "pete", rounds=2)
    fake.refuse_channel(CHAN_A)
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, db_path) as engine, start_bot(engine_=engine) as bot:
        message = await round_posted(fake, 1, 2)
        assert round_id_of(message) == fine.round_id
        await fake.wait_until(lambda: any("refuses" in r.getMessage() for r in caplog.records), 5, "a log line")
        await settled(fake, bot)
        assert (await engine.games.rows.game(refused.game_id)).status is GameStatus.STOPPED
        assert (await engine.games.rows.game(fine.game_id)).status is GameStatus.OPEN
        assert await engine.games.lagging_games() == []  # nobody keeps knocking on the refusing channel


async def test_a_restart_mid_round_reveals_and_moves_on_once(fake: FakeDiscord, start_bot: BotFactory,
                                                           db_path: Path) -> None:
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, db_path) as engine, start_bot(engine_=engine):
        message = await start_game(fake, rounds=2, seconds=10)
        await reply(await fake.click(message, next(iter(answer_ids(message).values())), P1))
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, db_path) as engine:
        engine.games.clock = lambda: time.time() + 30  # down for longer than the round lasts
        async with start_bot(engine_=engine) as bot:
            await revealed(fake, message)
            await round_posted(fake, 2, 2)
            await settled(fake, bot)
    assert_each_round_shown_once(fake)


async def test_a_gateway_drop_mid_round_loses_nothing(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    message = await start_game(fake)
    buttons, round_id = list(answer_ids(message).values()), round_id_of(message)
    await reply(await fake.click(message, buttons[0], P1))
    await fake.gateway.close_all(code=4000)  # discord.py reconnects and resumes
    await fake.wait_connected()
    await reply(await fake.click(message, buttons[1], P2))
    await acked(await fake.click(message, f"otbot:reveal:{round_id}", HOST))
    await revealed(fake, message)
    assert len(await engine.games.rows.answers(round_id)) == 2
    await round_posted(fake, 2, 2)


async def test_slow_network_and_a_locked_database_still_acknowledge_in_time(
        fake: FakeDiscord, bot: OtBot, engine: Engine, db_path: Path) -> None:
    message = await start_game(fake)
    fake.latency = 2.0  # every REST request takes 2 s to arrive

    held = threading.Event()

    def hold_write_lock() -> None:  # another process holding the database's write lock for 1 s
        with sqlite3.connect(db_path, isolation_level=None) as other:
            other.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(1.0)
            other.execute("COMMIT")

    locker = asyncio.create_task(asyncio.to_thread(hold_write_lock))
    await asyncio.to_thread(held.wait)
    buttons = list(answer_ids(message).values())
    clicks = await asyncio.gather(*(fake.click(message, buttons[i % len(buttons)], p)
                                    for i, p in enumerate((P1, P2, P3))))
    await locker
    for shown in await asyncio.gather(*(reply(c, timeout=8) for c in clicks)):
        assert "Locked in" in shown["content"]
    assert len(await engine.games.rows.answers(round_id_of(message))) == 3
    await acked(await fake.click(message, f"otbot:reveal:{round_id_of(message)}", HOST), timeout=8)
    await revealed(fake, message, timeout=10)


async def test_play_takes_over_a_game_that_showed_nothing_for_longer_than_a_round(
        fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    bot.get_cog("Scenarios").ticker.cancel()  # type: ignore[union-attr]  # a game that never moves on
    stuck = await engine.games.start(GUILD_A, CHAN_GAME, str(HOST), "hostie", rounds=2, seconds=10)
    clock = engine.games.clock
    engine.games.clock = lambda: clock() + 100
    message = await start_game(fake, rounds=1, user=P2)
    assert round_id_of(message) != stuck.round_id
    assert (await engine.games.rows.game(stuck.game_id)).status is GameStatus.STOPPED


@pytest.fixture(autouse=True)
def _driver_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.discord_app.game_driver")

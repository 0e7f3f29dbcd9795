"""Scenario games end to end: a three-player round, reveal, scores, next round; practice; restarts."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from bot.discord_app.client import OtBot
from bot.engine.app import Engine, open_engine
from bot.engine.game import LETTERS
from bot.engine.models import Scenario

from .conftest import (
    CHAN_GAME,
    GUILD_A,
    HOST,
    KNOWLEDGE_DIR,
    MEMBER,
    P1,
    P2,
    P3,
    SCENARIOS_DIR,
    BotFactory,
    acked,
    answer_ids,
    custom_ids,
    private,
    reply,
    round_id_of,
    round_title,
    settled,
    start_game,
)
from .fake_discord import FakeDiscord

T = TypeVar("T")
POINTS = {"correct": 100, "partial": 50, "wrong": 0}


class PreferPartial(random.Random):
    """Picks a scenario that has a partial-credit option when there is one, so all three credits occur."""

    def choice(self, seq: Sequence[T]) -> T:
        return next((s for s in seq if isinstance(s, Scenario) and s.partial), seq[0])


async def test_three_players_reveal_scores_and_next_round(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    engine.games.rng = PreferPartial()
    message = await start_game(fake)
    assert round_title(message).startswith("Round 1/2")
    round_id = round_id_of(message)
    scenario = (await engine.games.round_view(round_id)).scenario
    keys = [o.key for o in scenario.options]
    wrong = [k for k in keys if k != scenario.answer and k not in scenario.partial]
    picks = {P1: scenario.answer, P2: scenario.partial[0] if scenario.partial else wrong[0], P3: wrong[-1]}
    buttons = answer_ids(message)
    assert set(buttons) == set(keys) and f"otbot:reveal:{round_id}" in custom_ids(message)

    for player, key in picks.items():
        locked = await reply(await fake.click(message, buttons[key], player))
        assert private(locked) and "Locked in" in locked["content"]
    same = await reply(await fake.click(message, buttons[picks[P1]], P1))  # a repeated click: the same answer
    assert private(same) and "Locked in" in same["content"]
    again = await reply(await fake.click(message, buttons[wrong[0]], P1))
    assert private(again) and "already answered" in again["content"]

    not_host = await reply(await fake.click(message, f"otbot:reveal:{round_id}", P2))
    assert private(not_host) and "Only the host" in not_host["content"]
    revealed = await acked(await fake.click(message, f"otbot:reveal:{round_id}", HOST))
    assert revealed == {"type": 6}  # acknowledged; the round message itself turns into the reveal

    edited = await fake.wait_until(lambda: len(fake.messages[int(message["id"])]["embeds"]) == 2
                                   and fake.messages[int(message["id"])], what="the reveal edit")
    reveal = edited["embeds"][1]
    letter = LETTERS[keys.index(scenario.answer)]
    assert reveal["title"].startswith(f"Answer: {letter}.")
    assert reveal["description"].split()[:5] == scenario.explanation.split()[:5]
    fields = {f["name"]: f["value"] for f in reveal["fields"]}
    assert "Why not the others" in fields and "```" in fields["Answers"] and "█" in fields["Answers"]
    assert edited["components"] == []  # no more clicks on a revealed round

    expected = {str(p): POINTS[scenario.credit(k)] for p, k in picks.items()}
    assert sorted(expected.values(), reverse=True) == [100, 50 if scenario.partial else 0, 0]
    board = await engine.games.leaderboard(GUILD_A, "all")
    assert {r.user_id: r.points for r in board.rows} == expected
    answers = await engine.games.rows.answers(round_id)
    assert {a.user_id: (a.option_key, a.points) for a in answers} == {
        str(p): (k, POINTS[scenario.credit(k)]) for p, k in picks.items()}

    nxt = await fake.wait_for_message(CHAN_GAME, lambda m: round_title(m).startswith("Round 2/2"), timeout=3)
    assert nxt["id"] != message["id"] and answer_ids(nxt)
    assert "interaction_metadata" not in nxt  # a plain channel message, not a reply to someone


async def test_practice_round_reveal_and_next(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    handle = await fake.slash("scenario practice", channel_id=CHAN_GAME, user=MEMBER, options={"rounds": 2})
    message = await reply(handle)
    assert private(message) and message["embeds"][0]["title"].startswith("Round 1/2")
    round_id = round_id_of(message)
    scenario = (await engine.games.round_view(round_id)).scenario

    other = await reply(await fake.click(message, answer_ids(message)[scenario.answer], P1))
    assert private(other) and "practice" in other["content"]

    clicked = await acked(await fake.click(message, answer_ids(message)[scenario.answer], MEMBER))
    assert clicked["type"] in (6, 7)  # the private message itself shows the reveal (now, or deferred)
    shown = await fake.wait_until(lambda: fake.messages[int(message["id"])]["embeds"][0]["title"]
                                  .startswith("Answer:") and fake.messages[int(message["id"])], what="the reveal")
    next_id = next(c for c in custom_ids(shown) if c.startswith("otbot:next:"))

    stranger = await reply(await fake.click(shown, next_id, P1))  # someone else's Next button: refused
    assert private(stranger) and "practice" in stranger["content"]
    moved = await acked(await fake.click(shown, next_id, MEMBER))
    assert moved["type"] in (6, 7)
    second = await fake.wait_until(lambda: fake.messages[int(message["id"])]["embeds"][0]["title"]
                                   .startswith("Round 2/2") and fake.messages[int(message["id"])], what="round 2")
    assert answer_ids(second)
    stop = next(c for c in custom_ids(second) if c.startswith("otbot:stoppractice:"))
    await acked(await fake.click(second, stop, MEMBER))
    stopped = await fake.wait_until(lambda: fake.messages[int(message["id"])]["embeds"][0]["title"]
                                    == "Game stopped" and fake.messages[int(message["id"])], what="stopped")
    assert stopped["components"] == []
    stats = await engine.games.stats(GUILD_A, str(MEMBER))
    assert stats.practice.rounds == 1 and stats.points == 0  # practice counts in stats, not for points


async def test_practice_can_be_resumed_and_restarted(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    message = await reply(await fake.slash("scenario practice", channel_id=CHAN_GAME, user=MEMBER))
    again = await reply(await fake.slash("scenario practice", channel_id=CHAN_GAME, user=MEMBER))
    assert again["embeds"][0]["title"] == message["embeds"][0]["title"]  # same open round

    scenario = (await engine.games.round_view(round_id_of(message))).scenario
    answered = await fake.click(message, answer_ids(message)[scenario.answer], MEMBER)
    await acked(answered)
    await fake.wait_until(lambda: fake.messages[int(message["id"])]["embeds"][0]["title"].startswith("Answer:"),
                          what="the practice reveal")
    # Between rounds (the Next button dismissed): a new /scenario practice starts over instead of refusing.
    restarted = await reply(await fake.slash("scenario practice", channel_id=CHAN_GAME, user=MEMBER))
    assert restarted["embeds"][0]["title"].startswith("Round 1/"), restarted


async def test_restart_keeps_old_round_buttons_and_reveals_overdue_rounds(
        fake: FakeDiscord, start_bot: BotFactory, db_path: Path) -> None:
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, db_path) as first_engine, start_bot(engine_=first_engine):
        message = await start_game(fake, rounds=2, seconds=60)
        round_id = round_id_of(message)
        keys = list(answer_ids(message))
        await acked(await fake.click(message, answer_ids(message)[keys[0]], P1))

    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, db_path) as second_engine, \
            start_bot(engine_=second_engine) as second:
        late = await reply(await fake.click(message, answer_ids(message)[keys[1]], P2))
        assert private(late) and "Locked in" in late["content"]
        answers = await second_engine.games.rows.answers(round_id)
        assert {a.user_id: a.option_key for a in answers} == {str(P1): keys[0], str(P2): keys[1]}
        await settled(fake, second)

    # Down for longer than the round lasts: the next start reveals it and moves the game on, once.
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, db_path) as third_engine:
        third_engine.games.clock = lambda: time.time() + 120
        async with start_bot(engine_=third_engine) as third:
            edited = await fake.wait_until(lambda: len(fake.messages[int(message["id"])]["embeds"]) == 2
                                           and fake.messages[int(message["id"])], timeout=3, what="overdue reveal")
            assert edited["embeds"][1]["title"].startswith("Answer:") and edited["components"] == []
            nxt = await fake.wait_for_message(CHAN_GAME, lambda m: round_title(m).startswith("Round 2/2"),
                                              since=int(message["id"]), timeout=3)
            await settled(fake, third)
            second_rounds = [m for m in fake.channel_messages(CHAN_GAME) if round_title(m).startswith("Round 2/2")]
            assert [m["id"] for m in second_rounds] == [nxt["id"]]
            board = await third_engine.games.leaderboard(GUILD_A, "all")
            assert {r.user_id for r in board.rows} == {str(P1), str(P2)}


async def test_stop_without_a_game_says_so(fake: FakeDiscord, bot: OtBot) -> None:
    body = await reply(await fake.slash("scenario stop", channel_id=CHAN_GAME, user=HOST))
    assert private(body) and body["content"] == "There is no game running in this channel."


async def test_stop_a_running_game_posts_standings(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    message = await start_game(fake, rounds=3)
    busy = await reply(await fake.slash("scenario play", channel_id=CHAN_GAME, user=P2))
    assert private(busy) and "already running" in busy["content"] and "/scenario stop" in busy["content"]
    key = next(iter(answer_ids(message)))
    await reply(await fake.click(message, answer_ids(message)[key], P1))
    refused = await reply(await fake.slash("scenario stop", channel_id=CHAN_GAME, user=P1))
    assert private(refused) and "Only the host" in refused["content"]
    stopped = await reply(await fake.slash("scenario stop", channel_id=CHAN_GAME, user=HOST))
    assert private(stopped) and "stopped" in stopped["content"]
    standings = await fake.wait_for_message(CHAN_GAME, lambda m: bool(m["embeds"])
                                            and m["embeds"][0]["title"] == "Game stopped")
    assert "pia" in standings["embeds"][0]["fields"][0]["value"]
    await fake.wait_until(lambda: len(fake.messages[int(message["id"])]["embeds"]) == 2, what="reveal on stop")
    board = await reply(await fake.slash("scenario leaderboard", channel_id=CHAN_GAME, user=P1,
                                         options={"period": "all"}))
    assert "pia" in board["embeds"][0]["description"]
    stats = await reply(await fake.slash("scenario stats", channel_id=CHAN_GAME, user=P1))
    assert private(stats) and "1** rounds" in stats["embeds"][0]["description"]

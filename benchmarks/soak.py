"""Soak: 30 minutes of a busy server's traffic compressed into a few minutes, with Discord failing 5% of requests.

    .venv/bin/python benchmarks/soak.py                     # 150 s of traffic, then a drain
    .venv/bin/python benchmarks/soak.py --seconds 60 --fault-rate 0.1

The real OtBot runs against the fake Discord in this process. Mixed traffic: /ask, scenario games in several
channels (10 s rounds; players click at random, sometimes twice; hosts sometimes reveal early or stop), and
FAQ entries added through the /faq add form. The fake answers 5% of REST requests (interaction callbacks,
posts, edits, follow-ups) with a 429 (with or without Via, per route or global) or a 500/502/503.

Afterwards every count below must be 0:
  acknowledgements late  interactions not acknowledged within 3 s (measured in the fake when the callback lands)
  games stuck            games still open after the drain, or whose players have not seen everything
  rounds never shown     rounds in the database that no successful channel post carried
  reveals never shown    closed rounds whose recorded reveal message does not show the answer
  writes lost            answers acknowledged with "Locked in" or FAQ entries acknowledged "Added" that are
                         not in the database (and answers recorded twice)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GUILD, ASK_CHANNEL, FIRST_GAME_CHANNEL = 830000000000000001, 830000000000000100, 830000000000001000
ADMIN, ADMIN_ROLE, PLAYER_BASE = 830000000000000300, 830000000000000200, 840000000000000000
SIMULATED_MINUTES = 30
# Traffic of one simulated minute on a busy server (round time is 10 s, the shortest a game allows).
ASKS_PER_MINUTE, FAQ_ADDS_PER_MINUTE = 20, 2
PLAYERS, ROUNDS = 4, 3


class Soak:
    def __init__(self, fake: Any, engine: Any, db: Path, args: argparse.Namespace) -> None:
        self.fake, self.engine, self.db, self.args = fake, engine, db, args
        self.rng = random.Random(args.seed)
        self.locked_in: list[tuple[int, str, str]] = []  # (round id, user id, option key) acknowledged
        self.faq_added: list[str] = []
        self.asks = 0
        self.pending: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def final_reply(self, handle: Any, timeout: float = 30.0) -> dict[str, Any]:
        """What the person finally sees: the reply (or completed "thinking" message); {} if none came."""
        with contextlib.suppress(AssertionError):
            body = await handle.response(timeout)
            if body["type"] == 4:
                return body.get("data") or {}
            if body["type"] == 5:
                return await handle.wait_original(lambda m: not m["flags"] & 128, timeout)
            if body["type"] == 6 and handle.followup_ids:
                return handle.followups[0]
        return {}

    # ------------------------------------------------------------ traffic

    async def asker(self, until: float, questions: list[str]) -> None:
        loop = asyncio.get_running_loop()
        gap = self.args.seconds / (SIMULATED_MINUTES * ASKS_PER_MINUTE)
        while loop.time() < until:
            user = PLAYER_BASE + self.rng.randrange(500)
            self.spawn(self.fake.slash("ask", channel_id=ASK_CHANNEL, user=user,
                                       options={"question": self.rng.choice(questions)}))
            self.asks += 1
            await asyncio.sleep(gap)

    async def faq_editor(self, until: float) -> None:
        loop = asyncio.get_running_loop()
        gap = self.args.seconds / (SIMULATED_MINUTES * FAQ_ADDS_PER_MINUTE)
        number = 0
        while loop.time() < until:
            number += 1
            self.spawn(self.add_faq(number))
            await asyncio.sleep(gap)

    async def add_faq(self, number: int) -> None:
        opened = await self.fake.slash("faq add", channel_id=ASK_CHANNEL, user=ADMIN)
        body = await opened.response(10)
        if body.get("type") != 9:
            return
        values = {"Question": f"Does the soak district lend OT equipment number {number}?",
                  "Answer": "Yes. The school team can lend equipment a student needs to access their education; "
                            "ask the school's OT how to borrow it.",
                  "Tags": "equipment", "Sources": "https://example.org/soak"}
        inputs = {}
        for row in body["data"]["components"]:
            for comp in row.get("components") or [row.get("component")]:
                label = comp.get("label") or row.get("label")
                if label in values:
                    inputs[comp["custom_id"]] = values[label]
        shown = await self.final_reply(await self.fake.submit_modal(body["data"]["custom_id"], inputs))
        content = shown.get("content") or ""
        if content.startswith("Added `"):
            self.faq_added.append(content.split("`")[1])

    async def game_channel(self, channel_id: int, until: float) -> None:
        loop = asyncio.get_running_loop()
        host = PLAYER_BASE + 10_000 + channel_id % 1000
        players = [PLAYER_BASE + 20_000 + channel_id % 1000 * 10 + i for i in range(PLAYERS)]
        handled: set[str] = set()
        while loop.time() < until:
            game = self.open_game(channel_id)
            if game is None:
                self.spawn(self.fake.slash("scenario play", channel_id=channel_id, user=host,
                                           options={"rounds": ROUNDS, "seconds": 10}))
                await asyncio.sleep(1.0)
                continue
            for message in self.fake.channel_messages(channel_id):
                buttons = [c["custom_id"] for row in message["components"] for c in row.get("components", [])
                           if c.get("custom_id", "").startswith("otbot:ans:")]
                if buttons and message["id"] not in handled:
                    handled.add(message["id"])
                    self.spawn(self.play_round(message, buttons, host, players))
            await asyncio.sleep(0.3)

    async def play_round(self, message: dict[str, Any], buttons: list[str], host: int, players: list[int]) -> None:
        round_id = int(buttons[0].split(":")[2])
        clicks = []
        for player in players:
            if self.rng.random() < 0.85:
                delay = self.rng.uniform(0.2, 6.0)
                button = self.rng.choice(buttons)
                clicks.append(self.click(message, button, player, delay))
                if self.rng.random() < 0.1:  # a double click, or a click again after a failed acknowledgement
                    clicks.append(self.click(message, button, player, delay + self.rng.uniform(0, 0.5)))
        roll = self.rng.random()
        if roll < 0.2:
            clicks.append(self.click(message, f"otbot:reveal:{round_id}", host, self.rng.uniform(3, 8)))
        elif roll < 0.25:
            clicks.append(self.stop(int(message["channel_id"]), host, self.rng.uniform(2, 8)))
        await asyncio.gather(*clicks)

    async def click(self, message: dict[str, Any], custom_id: str, user: int, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            handle = await self.fake.click(message, custom_id, user)
        except AssertionError:
            return  # the buttons are gone (the round was revealed meanwhile): nothing to click
        shown = await self.final_reply(handle)
        if custom_id.startswith("otbot:ans:") and "Locked in" in (shown.get("content") or ""):
            _, _, round_id, key = custom_id.split(":")
            self.locked_in.append((int(round_id), str(user), key))

    async def stop(self, channel_id: int, host: int, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.final_reply(await self.fake.slash("scenario stop", channel_id=channel_id, user=host))

    def open_game(self, channel_id: int) -> tuple[int, str] | None:
        with contextlib.closing(sqlite3.connect(self.db)) as con:
            return con.execute("SELECT id, host_id FROM games WHERE channel_id = ? AND status = 'open'",
                               (channel_id,)).fetchone()

    # ------------------------------------------------------------ the checks

    async def drain(self) -> None:
        """Traffic over: let replies land, stop every game still open, let its reveal show."""
        if self.pending:
            await asyncio.wait(self.pending, timeout=40)
        for channel_id, host in self.query("SELECT channel_id, host_id FROM games WHERE status = 'open'"):
            await self.final_reply(await self.fake.slash("scenario stop", channel_id=channel_id, user=int(host)))
        await asyncio.sleep(self.args.drain)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db)) as con:
            return con.execute(sql, params).fetchall()

    def posted_round_ids(self) -> set[int]:
        found = set()
        for request in self.fake.requests:
            if request.method == "POST" and request.status == 200 and request.path.endswith("/messages"):
                for row in (request.json or {}).get("components") or []:
                    for comp in row.get("components") or []:
                        if comp.get("custom_id", "").startswith("otbot:ans:"):
                            found.add(int(comp["custom_id"].split(":")[2]))
        return found

    async def report(self) -> dict[str, int]:
        late = sum(1 for h in self.fake.interactions.values() if h.ack_latency is None or h.ack_latency >= 3.0)
        open_games = {r[0] for r in self.query("SELECT id FROM games WHERE status = 'open'")}
        stuck = len(open_games | set(await self.engine.games.lagging_games()))
        rounds = self.query("SELECT r.id, r.closed_at FROM game_rounds r JOIN games g ON g.id = r.game_id "
                            "WHERE g.practice = 0")
        never_shown = len({r[0] for r in rounds} - self.posted_round_ids())
        reveals_missing = 0
        for round_id, closed_at in rounds:
            if closed_at is None:
                continue
            row = self.query("SELECT message_id FROM posted_messages WHERE kind = 'reveal' AND key = ?",
                             (str(round_id),))
            message = self.fake.messages.get(int(row[0][0])) if row else None
            if message is None or not any((e.get("title") or "").startswith("Answer:") for e in message["embeds"]):
                reveals_missing += 1
        answers = self.query("SELECT round_id, user_id, option_key FROM game_answers")
        recorded = {(int(r), str(u), k) for r, u, k in answers}
        lost = len(set(self.locked_in) - recorded) + (len(answers) - len(recorded))
        saved = {r[0] for r in self.query("SELECT entry_id FROM faq_entries WHERE guild_id = ?", (GUILD,))}
        lost += len(set(self.faq_added) - saved)
        statuses: dict[int, int] = {}
        for _, _, status in self.fake.faulted:
            statuses[status] = statuses.get(status, 0) + 1
        print(f"traffic: {len(self.fake.interactions)} interactions ({self.asks} asks, "
              f"{len(self.locked_in)} answers locked in, {len(self.faq_added)} FAQ entries added), "
              f"{len(self.query('SELECT id FROM games'))} games, {len(rounds)} rounds, "
              f"{len(self.fake.requests)} REST requests, {len(self.fake.faulted)} faults injected {statuses}")
        results = {"acknowledgements late": late, "games stuck": stuck, "rounds never shown": never_shown,
                   "reveals never shown": reveals_missing, "writes lost": lost}
        for name, value in results.items():
            print(f"{name:<24}{value:>6}")
        for h in self.fake.interactions.values():
            if h.ack_latency is None or h.ack_latency >= 3.0:
                data = h.payload.get("data") or {}
                faults = [f for f in self.fake.faulted if f[1].startswith(f"/interactions/{h.id}/")]
                print(f"  late: {data.get('name') or data.get('custom_id')} after {h.ack_latency}; faults on its "
                      f"callback: {faults}")
        return results


async def main(args: argparse.Namespace) -> int:
    import discord

    from benchmarks.discord_load import questions
    from bot.config import PROJECT_ROOT, Settings
    from bot.discord_app.client import OtBot
    from bot.discord_app.runner import GIL_SWITCH_INTERVAL, make_intents
    from bot.engine.app import open_engine
    from tests.discord_app.fake_discord import FakeDiscord, channel, member, role, run_bot

    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    logging.basicConfig(level=logging.CRITICAL)
    game_channels = [FIRST_GAME_CHANNEL + i for i in range(args.channels)]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.db"
        async with FakeDiscord() as fake:
            await fake.add_guild(GUILD, "Soak", channels=[channel(ASK_CHANNEL), *map(channel, game_channels)],
                                 roles=[role(ADMIN_ROLE, "admins", permissions=discord.Permissions(
                                     manage_guild=True).value)],
                                 members=[member(ADMIN, username="admin", roles=[ADMIN_ROLE])])
            settings = Settings(PROJECT_ROOT / "knowledge", PROJECT_ROOT / "scenarios", db, token="fake-token",
                                log_level="CRITICAL", ask_rate=10**9)
            async with open_engine(settings.knowledge_dir, settings.scenarios_dir, db) as engine:
                bot = OtBot(engine, settings, intents=make_intents(False), round_pause=1.0)
                async with run_bot(bot, fake, timeout=30):
                    await bot.tree.sync()
                    fake.random_faults(args.fault_rate, args.seed)
                    soak = Soak(fake, engine, db, args)
                    until = asyncio.get_running_loop().time() + args.seconds
                    await asyncio.gather(soak.asker(until, questions()), soak.faq_editor(until),
                                         *(soak.game_channel(c, until) for c in game_channels))
                    await soak.drain()
                    results = await soak.report()
    return 0 if not any(results.values()) else 1


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=150.0, help="seconds of traffic (30 simulated minutes)")
    parser.add_argument("--channels", type=int, default=8, help="channels with games running")
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--drain", type=float, default=20.0, help="seconds to let the last reveals show")
    parser.add_argument("--seed", type=int, default=5)
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))

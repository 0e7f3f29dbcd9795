"""All scenario-game SQL: a repository over the shared Store with typed rows.

Writes must run inside `GameStore.transaction()` (one writer at a time, BEGIN IMMEDIATE): the rules in game.py
read and write in the same transaction so that a check and the write it guards can never be split by another
coroutine. Reads may run anywhere.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiosqlite

from .game_rows import (
    REVEAL_SHOWN,
    ROUND_SHOWN,
    SCENARIO_CACHE,
    AnswerRow,
    CloseReason,
    GameRow,
    GameStatus,
    HistoryAnswer,
    RoundRow,
    StandingRow,
    scenario_from_json,
    scenario_to_json,
)
from .models import Scenario
from .store import Store

LOCKED_BUDGET = 5.0  # seconds, as the store's busy_timeout
LOCKED_FIRST_RETRY = 0.005

__all__ = ["REVEAL_SHOWN", "ROUND_SHOWN", "AnswerContext", "AnswerRow", "CloseReason", "GameRow", "GameStatus",
           "GameStore", "HistoryAnswer", "Progress", "RoundRow", "StandingRow"]


def _game(r: aiosqlite.Row) -> GameRow:
    return GameRow(r["id"], r["guild_id"], r["channel_id"], r["scope"], r["host_id"], r["host_name"],
                   r["category"], r["difficulty"], r["rounds"], r["seconds"], bool(r["speed_bonus"]),
                   bool(r["practice"]), GameStatus(r["status"]), r["started_at"], r["ended_at"])


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """Everything an answer click needs, read in one query: the round, its game, the player's standing."""

    round: RoundRow
    game: GameRow
    previous_streak: int  # the player's streak after the round before (0: not answered / first round)
    mine: str | None  # the option this player already locked in, if any


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a game is, and how much of it players have been shown."""

    game: GameRow
    latest: RoundRow | None
    round_message: tuple[int, int] | None  # (channel id, message id) of the latest round's message
    reveal_shown: bool


# A round with its game in one row: round columns prefixed r_, game columns as they are.
_ROUND_COLUMNS = ("r.id AS r_id, r.number AS r_number, r.scenario AS r_scenario, r.opened_at AS r_opened_at, "
                  "r.deadline AS r_deadline, r.closed_at AS r_closed_at, r.close_reason AS r_close_reason, g.*")
_ROUND_GAME = f"SELECT {_ROUND_COLUMNS} FROM game_rounds r JOIN games g ON g.id = r.game_id"


def _values(rows: list[tuple[Any, ...]]) -> tuple[str, tuple[Any, ...]]:
    """A VALUES list and its parameters, to send many keys in one statement."""
    width = len(rows[0])
    marks = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(rows))
    return f"VALUES {marks}", tuple(v for row in rows for v in row)


def _reason(value: str | None) -> CloseReason | None:
    return CloseReason(value) if value else None


def _answer(r: aiosqlite.Row) -> AnswerRow:
    return AnswerRow(r["round_id"], r["user_id"], r["user_name"], r["option_key"], r["credit"], r["base"],
                     r["streak"], r["streak_bonus"], r["speed_bonus"], r["points"], r["answered_at"])


# Standings, leaderboards: sums over answers; the name shown is the one used in the player's latest answer
# (SQLite returns the bare column from the row that holds MAX()).
_TALLY = ("a.user_id, a.user_name, MAX(a.answered_at) AS latest, SUM(a.points) AS points, "
          "COUNT(*) AS rounds, SUM(a.credit = 'correct') AS correct, SUM(a.credit = 'partial') AS partial")
_ORDER = "ORDER BY points DESC, correct DESC, rounds ASC, a.user_name"


def _standing(r: aiosqlite.Row) -> StandingRow:
    return StandingRow(r["user_id"], r["user_name"], int(r["points"]), int(r["rounds"]), int(r["correct"]),
                       int(r["partial"]))


class GameStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._scenarios: dict[int, Scenario] = {}  # round id -> parsed snapshot

    def _scenario(self, round_id: int, text: str) -> Scenario:
        found = self._scenarios.get(round_id)
        if found is None:
            if len(self._scenarios) >= SCENARIO_CACHE:
                del self._scenarios[next(iter(self._scenarios))]
            found = self._scenarios[round_id] = scenario_from_json(text)
        return found

    def _round(self, r: aiosqlite.Row) -> RoundRow:
        return RoundRow(r["id"], r["game_id"], r["number"], self._scenario(r["id"], r["scenario"]), r["opened_at"],
                        r["deadline"], r["closed_at"], _reason(r["close_reason"]))

    def _round_of_joined(self, r: aiosqlite.Row) -> RoundRow:
        return RoundRow(r["r_id"], r["id"], r["r_number"], self._scenario(r["r_id"], r["r_scenario"]),
                        r["r_opened_at"], r["r_deadline"], r["r_closed_at"], _reason(r["r_close_reason"]))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[GameStore]:
        async with self.store.transaction():
            yield self

    async def _write(self, sql: str, params: tuple[Any, ...]) -> aiosqlite.Cursor:
        assert self.store.db.in_transaction, "game writes must run inside GameStore.transaction()"
        return await self.store.db.execute(sql, params)

    # ------------------------------------------------------------ games

    async def game(self, game_id: int) -> GameRow | None:
        r = await self.store.fetchone("SELECT * FROM games WHERE id = ?", (game_id,))
        return _game(r) if r else None

    async def open_game(self, guild_id: int, channel_id: int, scope: str = "") -> GameRow | None:
        r = await self.store.fetchone(
            "SELECT * FROM games WHERE guild_id = ? AND channel_id = ? AND scope = ? AND status = 'open'",
            (guild_id, channel_id, scope))
        return _game(r) if r else None

    async def open_games(self) -> list[GameRow]:
        rows = await self.store.fetchall("SELECT * FROM games WHERE status = 'open' ORDER BY id")
        return [_game(r) for r in rows]

    async def insert_game(self, *, guild_id: int, channel_id: int, scope: str, host_id: str, host_name: str,
                          category: str | None, difficulty: int | None, rounds: int, seconds: int,
                          speed_bonus: bool, practice: bool, at: float) -> int | None:
        """The new game's id; None when the channel (or this player's practice) already has an open game."""
        cursor = await self._write(
            "INSERT OR IGNORE INTO games (guild_id, channel_id, scope, host_id, host_name, category, "
            "difficulty, rounds, seconds, speed_bonus, practice, status, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)",
            (guild_id, channel_id, scope, host_id, host_name, category, difficulty, rounds, seconds,
             int(speed_bonus), int(practice), at))
        return int(cursor.lastrowid) if cursor.rowcount == 1 and cursor.lastrowid else None

    async def end_game(self, game_id: int, status: str, at: float) -> bool:
        cursor = await self._write(
            "UPDATE games SET status = ?, ended_at = ? WHERE id = ? AND status = 'open'",
            (status, at, game_id))
        return cursor.rowcount == 1

    async def add_player(self, game_id: int, user_id: str, user_name: str, at: float) -> bool:
        cursor = await self._write(
            "INSERT OR IGNORE INTO game_players (game_id, user_id, user_name, joined_at) VALUES (?, ?, ?, ?)",
            (game_id, user_id, user_name, at))
        return cursor.rowcount == 1

    # ------------------------------------------------------------ rounds

    async def round(self, round_id: int) -> RoundRow | None:
        r = await self.store.fetchone("SELECT * FROM game_rounds WHERE id = ?", (round_id,))
        return self._round(r) if r else None

    async def round_with_game(self, round_id: int) -> tuple[RoundRow, GameRow] | None:
        r = await self.store.fetchone(f"{_ROUND_GAME} WHERE r.id = ?", (round_id,))
        return (self._round_of_joined(r), _game(r)) if r else None

    async def _write_alone(self, sql: str, params: tuple[Any, ...]) -> aiosqlite.Cursor:
        """One statement committed on its own (one trip). A statement that reads before it writes is refused
        at once with "database is locked" when another connection holds the write lock (SQLite's deadlock
        rule skips busy_timeout): wait and retry within the same budget."""
        loop = asyncio.get_running_loop()
        give_up_at, pause = loop.time() + LOCKED_BUDGET, LOCKED_FIRST_RETRY
        while True:
            try:
                return await self.store.write(sql, params)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or loop.time() + pause > give_up_at:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)

    async def answer_contexts(self, clicks: list[tuple[int, str]]) -> dict[tuple[int, str], AnswerContext]:
        """For many (round id, user id) at once, in one trip: what the answer rules need."""
        values, params = _values(clicks)
        rows = await self.store.db.execute_fetchall(
            f"WITH want(round_id, user_id) AS ({values}) SELECT w.user_id AS w_user, {_ROUND_COLUMNS}, "
            "(SELECT a.streak FROM game_answers a JOIN game_rounds p ON p.id = a.round_id "
            " WHERE p.game_id = g.id AND p.number = r.number - 1 AND a.user_id = w.user_id) AS prev_streak, "
            "(SELECT option_key FROM game_answers WHERE round_id = r.id AND user_id = w.user_id) AS mine "
            "FROM want w JOIN game_rounds r ON r.id = w.round_id JOIN games g ON g.id = r.game_id", params)
        return {(r["r_id"], r["w_user"]): AnswerContext(self._round_of_joined(r), _game(r), int(r["prev_streak"] or 0),
                                                        r["mine"]) for r in rows}

    async def latest_round(self, game_id: int) -> RoundRow | None:
        r = await self.store.fetchone(
            "SELECT * FROM game_rounds WHERE game_id = ? ORDER BY number DESC LIMIT 1", (game_id,))
        return self._round(r) if r else None

    async def game_scenario_ids(self, game_id: int) -> set[str]:
        rows = await self.store.fetchall("SELECT scenario_id FROM game_rounds WHERE game_id = ?", (game_id,))
        return {r[0] for r in rows}

    async def insert_round(self, game_id: int, number: int, scenario: Scenario, opened_at: float,
                           deadline: float | None) -> int | None:
        """The new round's id, or None if that round number already exists (a concurrent next_round won)."""
        cursor = await self._write(
            "INSERT OR IGNORE INTO game_rounds (game_id, number, scenario_id, scenario, category, factors, "
            "opened_at, deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (game_id, number, scenario.id, scenario_to_json(scenario), scenario.category,
             json.dumps(list(scenario.factors)), opened_at, deadline))
        return int(cursor.lastrowid) if cursor.rowcount == 1 and cursor.lastrowid else None

    async def close_round(self, round_id: int, at: float, reason: str) -> bool:
        """True for exactly one caller: the guard makes a reveal happen once whoever races to close."""
        cursor = await self._write(
            "UPDATE game_rounds SET closed_at = ?, close_reason = ? WHERE id = ? AND closed_at IS NULL",
            (at, reason, round_id))
        return cursor.rowcount == 1

    async def open_rounds(self) -> list[RoundRow]:
        rows = await self.store.fetchall("SELECT * FROM game_rounds WHERE closed_at IS NULL ORDER BY id")
        return [self._round(r) for r in rows]

    async def due_round_ids(self, now: float) -> list[int]:
        rows = await self.store.fetchall(
            "SELECT id FROM game_rounds WHERE closed_at IS NULL AND deadline IS NOT NULL AND deadline <= ? "
            "ORDER BY deadline, id", (now,))
        return [int(r[0]) for r in rows]

    # ------------------------------------------------------------ scenario rotation per channel (or player)

    async def used_scenarios(self, guild_id: int, pool: str) -> set[str]:
        rows = await self.store.fetchall(
            "SELECT scenario_id FROM scenario_usage WHERE guild_id = ? AND pool = ?", (guild_id, pool))
        return {r[0] for r in rows}

    async def forget_used(self, guild_id: int, pool: str, scenario_ids: set[str]) -> None:
        for scenario_id in scenario_ids:
            await self._write(
                "DELETE FROM scenario_usage WHERE guild_id = ? AND pool = ? AND scenario_id = ?",
                (guild_id, pool, scenario_id))

    async def mark_used(self, guild_id: int, pool: str, scenario_id: str, at: float) -> None:
        await self._write(
            "INSERT INTO scenario_usage (guild_id, pool, scenario_id, used_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, pool, scenario_id) DO UPDATE SET used_at = excluded.used_at",
            (guild_id, pool, scenario_id, at))

    # ------------------------------------------------------------ answers

    async def answers(self, round_id: int) -> list[AnswerRow]:
        rows = await self.store.fetchall(
            "SELECT * FROM game_answers WHERE round_id = ? ORDER BY id", (round_id,))
        return [_answer(r) for r in rows]

    async def answer_count(self, round_id: int) -> int:
        r = await self.store.fetchone("SELECT COUNT(*) FROM game_answers WHERE round_id = ?", (round_id,))
        return int(r[0]) if r else 0

    async def insert_answers_if_open(self, rows: list[AnswerRow]) -> None:
        """One statement, committed on its own: answers to rounds still open, a player's first one kept."""
        values, params = _values([(a.round_id, a.user_id, a.user_name, a.option_key, a.credit, a.base, a.streak,
                                   a.streak_bonus, a.speed_bonus, a.points, a.answered_at) for a in rows])
        await self._write_alone(
            "INSERT OR IGNORE INTO game_answers (round_id, user_id, user_name, option_key, credit, base, "
            f"streak, streak_bonus, speed_bonus, points, answered_at) SELECT * FROM ({values}) AS v "
            "WHERE EXISTS (SELECT 1 FROM game_rounds WHERE id = v.column1 AND closed_at IS NULL)", params)

    async def chosen(self, clicks: list[tuple[int, str]]) -> dict[tuple[int, str], str]:
        """The option each (round id, user id) has locked in, for those who answered."""
        values, params = _values(clicks)
        rows = await self.store.db.execute_fetchall(
            f"WITH want(round_id, user_id) AS ({values}) SELECT DISTINCT a.round_id, a.user_id, a.option_key "
            "FROM want w JOIN game_answers a ON a.round_id = w.round_id AND a.user_id = w.user_id", params)
        return {(int(r[0]), str(r[1])): str(r[2]) for r in rows}

    async def tallies(self, rounds: list[RoundRow]) -> dict[int, tuple[int, int, int]]:
        """Per round: (answers so far, its players, players who have not answered it yet), in one trip.

        Players of round N: the host and who joined (game_players), and who answered an earlier round."""
        values, params = _values([(r.id, r.game_id, r.number) for r in rounds])
        earlier = ("SELECT DISTINCT a.user_id FROM game_answers a JOIN game_rounds e ON e.id = a.round_id "
                   "WHERE e.game_id = w.game_id AND e.number < w.number AND a.user_id NOT IN "
                   "(SELECT user_id FROM game_players WHERE game_id = w.game_id)")
        answered = "(SELECT user_id FROM game_answers WHERE round_id = w.round_id)"
        rows = await self.store.db.execute_fetchall(
            f"WITH w0(round_id, game_id, number) AS ({values}) SELECT w.round_id, "
            "(SELECT COUNT(*) FROM game_answers WHERE round_id = w.round_id), "
            f"(SELECT COUNT(*) FROM game_players WHERE game_id = w.game_id) + (SELECT COUNT(*) FROM ({earlier})), "
            f"(SELECT COUNT(*) FROM game_players WHERE game_id = w.game_id AND user_id NOT IN {answered}) + "
            f"(SELECT COUNT(*) FROM ({earlier}) AS e2 WHERE e2.user_id NOT IN {answered}) FROM w0 AS w", params)
        return {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}

    # ------------------------------------------------------------ standings, leaderboards, history

    async def standings(self, game_id: int, through_round: int) -> list[StandingRow]:
        """Totals of one game over its revealed rounds numbered up to `through_round`."""
        rows = await self.store.fetchall(
            f"SELECT {_TALLY} FROM game_answers a JOIN game_rounds r ON r.id = a.round_id "
            "WHERE r.game_id = ? AND r.number <= ? AND r.closed_at IS NOT NULL "
            f"GROUP BY a.user_id {_ORDER}", (game_id, through_round))
        return [_standing(r) for r in rows]

    async def leaderboard(self, guild_id: int, since: float | None, limit: int) -> list[StandingRow]:
        """Community totals: revealed rounds of channel games only (practice is personal)."""
        rows = await self.store.fetchall(
            f"SELECT {_TALLY} FROM game_answers a JOIN game_rounds r ON r.id = a.round_id "
            "JOIN games g ON g.id = r.game_id "
            "WHERE g.guild_id = ? AND g.practice = 0 AND r.closed_at IS NOT NULL AND a.answered_at >= ? "
            f"GROUP BY a.user_id {_ORDER} LIMIT ?",
            (guild_id, since if since is not None else float("-inf"), limit))
        return [_standing(r) for r in rows]

    async def history(self, guild_id: int, user_id: str) -> list[HistoryAnswer]:
        """Every revealed answer of a player in this community, oldest first."""
        rows = await self.store.fetchall(
            "SELECT r.game_id, g.practice, r.category, r.factors, a.credit, a.points, a.answered_at "
            "FROM game_answers a JOIN game_rounds r ON r.id = a.round_id JOIN games g ON g.id = r.game_id "
            "WHERE g.guild_id = ? AND a.user_id = ? AND r.closed_at IS NOT NULL ORDER BY a.answered_at, a.id",
            (guild_id, user_id))
        return [HistoryAnswer(r["game_id"], bool(r["practice"]), r["category"],
                              tuple(json.loads(r["factors"])), r["credit"], r["points"], r["answered_at"])
                for r in rows]

    # ------------------------------------------------------------ what players have been shown

    async def mark_shown(self, what: str, round_id: int, channel_id: int, message_id: int) -> None:
        await self.store.write(
            "INSERT INTO posted_messages (kind, key, channel_id, message_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, key) DO UPDATE SET channel_id = excluded.channel_id, "
            "message_id = excluded.message_id", (what, str(round_id), channel_id, message_id))

    async def shown(self, what: str, round_id: int) -> tuple[int, int] | None:
        r = await self.store.fetchone(
            "SELECT channel_id, message_id FROM posted_messages WHERE kind = ? AND key = ?", (what, str(round_id)))
        return (int(r[0]), int(r[1])) if r else None

    async def progress(self, game_id: int) -> Progress | None:
        game = await self.game(game_id)
        if game is None:
            return None
        latest = await self.latest_round(game_id)
        message = await self.shown(ROUND_SHOWN, latest.id) if latest else None
        revealed = latest is not None and await self.shown(REVEAL_SHOWN, latest.id) is not None
        return Progress(game, latest, message, revealed)

    async def lagging_game_ids(self, ended_since: float) -> list[int]:
        """Channel games whose players have not seen everything yet: a round not posted, a reveal not shown,
        or an open game between rounds. Ended games count only if they ended after `ended_since`."""
        rows = await self.store.fetchall(
            "SELECT g.id FROM games g JOIN game_rounds r ON r.game_id = g.id "
            "WHERE g.practice = 0 AND (g.status = 'open' OR g.ended_at >= ?) "
            "AND r.number = (SELECT MAX(number) FROM game_rounds WHERE game_id = g.id) AND ("
            " (r.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM posted_messages "
            "   WHERE kind = ? AND key = CAST(r.id AS TEXT))) OR "
            " (r.closed_at IS NOT NULL AND (g.status = 'open' OR NOT EXISTS (SELECT 1 FROM posted_messages "
            "   WHERE kind = ? AND key = CAST(r.id AS TEXT))))) ORDER BY g.id",
            (ended_since, ROUND_SHOWN, REVEAL_SHOWN))
        return [int(r[0]) for r in rows]

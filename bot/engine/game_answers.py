"""Answer clicks, taken in batches: every click that arrives while one batch is being written joins the next.

A batch costs four trips to the database thread whatever its size (what the rules need; one guarded insert;
what each player has locked in; the tallies), where one click at a time cost three trips per click: in a
click storm (50 games x 20 players within a second) the database thread, not the rules, was the queue.
The same click twice is the same answer: whoever inserted it, a player who locked in this option gets the
same receipt, and the answer is recorded once (UNIQUE (round_id, user_id)).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import GameError
from .game_display import AnswerReceipt, option_by_key
from .game_rows import AnswerRow, CloseReason, RoundRow
from .game_store import AnswerContext
from .leaderboard import score

if TYPE_CHECKING:
    from .game import Games

BATCH_MAX = 300  # clicks per batch: 4 parameters each in the largest statement, far below SQLite's limit


@dataclass
class _Click:
    round_id: int
    user_id: str
    user_name: str
    option_key: str
    at: float
    done: asyncio.Future[AnswerReceipt] = field(repr=False)


class AnswerDesk:
    def __init__(self, games: Games) -> None:
        self.games = games
        self._waiting: list[_Click] = []
        self._worker: asyncio.Task[None] | None = None

    async def answer(self, round_id: int, user_id: str, user_name: str, option_key: str) -> AnswerReceipt:
        click = _Click(round_id, user_id, user_name, option_key, self.games.clock(),
                       asyncio.get_running_loop().create_future())
        self._waiting.append(click)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._work())
        return await click.done

    async def _work(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH_MAX], self._waiting[BATCH_MAX:]
            try:
                await self._answer(batch)
            except BaseException as exc:  # e.g. the database went away: every click in the batch hears it
                for click in batch:
                    if not click.done.done():
                        click.done.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise

    async def _answer(self, batch: list[_Click]) -> None:
        db, games = self.games.rows, self.games
        keys = list(dict.fromkeys((c.round_id, c.user_id) for c in batch))
        contexts = await db.answer_contexts(keys)
        rows, valid = [], []
        for click in batch:
            try:
                context = contexts.get((click.round_id, click.user_id))
                row = self._row(click, context)
            except GameError as refused:
                click.done.set_exception(refused)
                continue
            valid.append((click, context))
            if row is not None:
                rows.append(row)
        if rows:
            await db.insert_answers_if_open(rows)
        if not valid:
            return
        chosen = await db.chosen(keys)
        rounds = {c.round.id: c.round for _, c in valid if c is not None}
        tallies = await db.tallies(list(rounds.values()))
        revealed: set[int] = set()
        for click, context in valid:
            assert context is not None
            rnd, game = context.round, context.game
            option = option_by_key(rnd.scenario, click.option_key)
            mine = chosen.get((click.round_id, click.user_id))
            try:
                if mine is None:  # the round closed before the insert landed
                    games.check_open(rnd, games.clock())
                    raise GameError("This round is already revealed.")
                if mine != option.key:
                    label = option_by_key(rnd.scenario, mine).label
                    raise GameError(f"You already answered this round ({label}); answers are locked in.")
            except GameError as refused:
                click.done.set_exception(refused)
                continue
            count, players, waiting_for = tallies.get(rnd.id, (0, 0, 0))
            reveal = None
            everyone = game.practice or (waiting_for == 0 and (rnd.number > 1 or players >= 2))
            if rnd.id not in revealed and rnd.closed_at is None and everyone:
                revealed.add(rnd.id)  # the click that closed it carries the reveal
                if await self._close(rnd, click.at):
                    reveal = await games.reveal_of(rnd.id)
            elif game.practice and rnd.closed_at is not None:  # the practice player's click again: show it again
                reveal = await games.reveal_of(rnd.id)
            click.done.set_result(AnswerReceipt(rnd.id, click.user_id, option.key, option.label, count, reveal))

    def _row(self, click: _Click, context: AnswerContext | None) -> AnswerRow | None:
        """The answer to insert; None when this player already locked one in (checked after the insert)."""
        if context is None:
            raise GameError("That round no longer exists.")
        rnd, game = context.round, context.game
        if game.practice and click.user_id != game.host_id:
            raise GameError(f"This is {game.host_name}'s practice game; start your own practice to play.")
        option = option_by_key(rnd.scenario, click.option_key)
        if context.mine is not None:
            return None
        self.games.check_open(rnd, click.at)
        credit = rnd.scenario.credit(option.key)
        remaining = None if rnd.deadline is None else rnd.deadline - click.at
        base, streak, streak_bonus, speed = score(credit, context.previous_streak, remaining, game.seconds,
                                                  game.speed_bonus)
        return AnswerRow(rnd.id, click.user_id, click.user_name, option.key, credit, base, streak, streak_bonus,
                         speed, base + streak_bonus + speed, click.at)

    async def _close(self, rnd: RoundRow, now: float) -> bool:
        async with self.games.rows.transaction() as tx:
            found = await tx.round_with_game(rnd.id)
            return found is not None and await self.games.close(tx, found[1], found[0], now,
                                                                CloseReason.ALL_ANSWERED)

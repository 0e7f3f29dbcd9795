"""Scenario game rules: rounds, locked-in answers, reveals, durable recovery. No Discord here.

Everything is written to SQLite as it happens (game_store.py): an adapter can route a button click with only a
round id, and `recover()` picks up after a crash. Points are scored by `leaderboard.score` (rules there).

When a round closes: its time is up; the host or a moderator reveals it early; or every player answered.
Players of round N = the host, anyone who joined with `join()`, and everyone who answered an earlier round.
Round 1 closes on "everyone answered" only if someone joined: otherwise nobody knows who is playing yet, and
the host answering first would end it for everyone. People who answer without joining never hold a round
open; a host who does not play keeps rounds open until the timer or an early reveal.
Solo practice: one player, no timer; the round closes on the player's answer. Personal stats only.
Scenarios do not repeat in a channel (for practice: for that player) until the filtered pool is used up.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from .errors import GameError
from .game_answers import AnswerDesk
from .game_display import (
    LETTERS,
    AnswerReceipt,
    OptionShare,
    PlayerResult,
    Recovery,
    Reveal,
    RoundState,
    Standings,
    bar_chart,
    build_reveal,
)
from .game_store import (
    REVEAL_SHOWN,
    ROUND_SHOWN,
    CloseReason,
    GameRow,
    GameStatus,
    GameStore,
    Progress,
    RoundRow,
)
from .leaderboard import Leaderboard, PersonalStats, personal_stats, week_start
from .models import CATEGORIES, Scenario
from .store import Store

__all__ = ["LETTERS", "AnswerReceipt", "CloseReason", "GameStatus", "Games", "OptionShare", "PlayerResult",
           "Progress", "Recovery", "Reveal", "RoundState", "Standings", "bar_chart"]

ROUNDS_RANGE, SECONDS_RANGE = (1, 10), (10, 300)
DIFFICULTIES = {"easy": 1, "medium": 2, "hard": 3}
# A game with no progress (no round opened or closed) for its round time plus this long is stuck: a new
# /scenario play may take the channel over. Covers the pause between rounds (6 s) and retried posts (< 30 s).
STALE_AFTER_EXTRA = 60.0
# Ended games whose last reveal was never shown are re-driven this long after they ended.
CATCH_UP_WINDOW = 3600.0
def _whole(name: str, value: object, low: int, high: int) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise GameError(f"The number of {name} must be a whole number from {low} to {high}.")
    return number


class Games:
    def __init__(self, store: Store, scenarios: Sequence[Scenario], clock: Callable[[], float] = time.time,
                 rng: random.Random | None = None) -> None:
        self.rows = GameStore(store)  # the games tables (rounds, answers, standings)
        self.library = sorted(scenarios, key=lambda s: s.id)  # sorted: same rng seed, same picks
        self.clock = clock
        self.rng = rng or random.Random()
        self.desk = AnswerDesk(self)

    # ------------------------------------------------------------ options

    def categories(self) -> list[str]:
        """Categories that have at least one scenario, in the canonical order."""
        present = {s.category for s in self.library}
        return [c for c in CATEGORIES if c in present]

    def _filters(self, category: str | None, difficulty: int | str | None) -> tuple[str | None, int | None]:
        """Normalise what a player typed: 'Self-Care', 'any', 'easy', '2' ... (None or 'any' = no filter)."""
        wanted = (category or "").strip().lower()
        if wanted not in ("", "any", "all") and wanted not in self.categories():
            raise GameError(f"Unknown category '{wanted}'. Choose one of: {', '.join(self.categories())}.")
        word = str("" if difficulty is None else difficulty).strip().lower()
        level = DIFFICULTIES.get(word, int(word) if word in ("1", "2", "3") else None)
        if word not in ("", "any") and level is None:
            raise GameError("Difficulty must be 1 (easy), 2 (medium) or 3 (hard).")
        return (None if wanted in ("", "any", "all") else wanted), level

    def _pool(self, category: str | None, level: int | None) -> list[Scenario]:
        pool = [s for s in self.library
                if (category is None or s.category == category) and (level is None or s.difficulty == level)]
        if not pool:
            parts = [f"category '{category}'"] if category else []
            parts += [f"difficulty {level}"] if level else []
            wanted = " and ".join(parts) or "those options"
            raise GameError(f"No scenarios match {wanted}. Categories with scenarios: "
                            f"{', '.join(self.categories()) or 'none'}.")
        return pool

    # ------------------------------------------------------------ game flow

    async def start(self, guild_id: int, channel_id: int, host_id: str, host_name: str, *,
                    category: str | None = None, difficulty: int | str | None = None, rounds: int = 5,
                    seconds: int = 45, speed_bonus: bool = False, practice: bool = False) -> RoundState:
        category, level = self._filters(category, difficulty)
        rounds = _whole("rounds", rounds, *ROUNDS_RANGE)
        seconds = 0 if practice else _whole("seconds per round", seconds, *SECONDS_RANGE)
        pool = self._pool(category, level)
        if rounds > len(pool):
            raise GameError(f"Only {len(pool)} scenario(s) match; choose at most {len(pool)} round(s).")
        now = self.clock()
        game = dict(guild_id=guild_id, channel_id=channel_id, scope=host_id if practice else "", host_id=host_id,
                    host_name=host_name, category=category, difficulty=level, rounds=rounds, seconds=seconds,
                    speed_bonus=speed_bonus and not practice, practice=practice, at=now)
        async with self.rows.transaction() as tx:
            game_id = await tx.insert_game(**game)  # type: ignore[arg-type]
            if game_id is None and not practice and await self._take_over_stale(tx, guild_id, channel_id, now):
                game_id = await tx.insert_game(**game)  # type: ignore[arg-type]
            if game_id is None:
                raise GameError("You already have a practice game running here; finish or stop it first."
                                if practice else
                                "A game is already running in this channel: answer its round, or the host or a "
                                "moderator can end it with `/scenario stop`.")
            await tx.add_player(game_id, host_id, host_name, now)
            row = await tx.game(game_id)
            assert row is not None
            round_id = await self._open_round(tx, row, 1, now)
        return await self.round_view(round_id)

    async def _take_over_stale(self, tx: GameStore, guild_id: int, channel_id: int, now: float) -> bool:
        """End the channel's open game if it has made no progress for longer than a round lasts."""
        game = await tx.open_game(guild_id, channel_id)
        latest = await tx.latest_round(game.id) if game else None
        if game is None:
            return False
        last_progress = max(game.started_at, latest.opened_at if latest else 0.0,
                            latest.closed_at or 0.0 if latest else 0.0)
        if now - last_progress <= game.seconds + STALE_AFTER_EXTRA:
            return False
        await self._end(tx, game, latest, now)
        return True

    async def _end(self, tx: GameStore, game: GameRow, latest: RoundRow | None, now: float) -> bool:
        """Stop a game: close its open round (answers keep their points). True if that closed a round."""
        closed = latest is not None and latest.closed_at is None and await tx.close_round(
            latest.id, now, CloseReason.STOPPED)
        await tx.end_game(game.id, GameStatus.STOPPED, now)
        return closed

    async def _open_round(self, tx: GameStore, game: GameRow, number: int, now: float) -> int:
        pool = self._pool(game.category, game.difficulty)
        key = f"user:{game.host_id}" if game.practice else f"channel:{game.channel_id}"
        in_game = await tx.game_scenario_ids(game.id)
        used = await tx.used_scenarios(game.guild_id, key)
        fresh = [s for s in pool if s.id not in used and s.id not in in_game]
        if not fresh:  # pool used up: start it over, still never repeating within this game
            await tx.forget_used(game.guild_id, key, {s.id for s in pool})
            fresh = [s for s in pool if s.id not in in_game] or pool
        scenario = self.rng.choice(fresh)
        await tx.mark_used(game.guild_id, key, scenario.id, now)
        deadline = None if game.practice else now + game.seconds
        round_id = await tx.insert_round(game.id, number, scenario, now, deadline)
        if round_id is None:
            raise GameError(f"Round {number} has already started.")
        return round_id

    async def round_view(self, round_id: int) -> RoundState:
        rnd, game = await self._load(round_id)
        now = self.clock()
        return RoundState(game.id, rnd.id, game.guild_id, game.channel_id, game.host_id, game.host_name,
                         rnd.number, game.rounds, rnd.scenario, rnd.deadline,
                         None if rnd.deadline is None else max(rnd.deadline - now, 0.0), game.seconds,
                         await self.rows.answer_count(rnd.id), game.practice, game.speed_bonus,
                         rnd.closed_at is not None)

    async def current(self, guild_id: int, channel_id: int, *,
                      practice_for: str | None = None) -> RoundState | None:
        """The open round of the channel's game (or of this player's practice), if any."""
        game = await self.rows.open_game(guild_id, channel_id, practice_for or "")
        rnd = await self.rows.latest_round(game.id) if game else None
        return await self.round_view(rnd.id) if rnd and rnd.closed_at is None else None

    async def join(self, game_id: int, user_id: str, user_name: str) -> None:
        """Declare oneself a player, so rounds (round 1 included) wait for this player's answer."""
        async with self.rows.transaction() as tx:
            game = await tx.game(game_id)
            if game is None or game.status is not GameStatus.OPEN:
                raise GameError("That game is over.")
            if game.practice and user_id != game.host_id:
                raise GameError("That is a solo practice game; start your own practice to play.")
            await tx.add_player(game_id, user_id, user_name, self.clock())

    async def answer(self, round_id: int, user_id: str, user_name: str, option_key: str) -> AnswerReceipt:
        """Lock in one answer, committed before the receipt is returned; the same click again is the same
        answer. Clicks are taken in batches (game_answers.py)."""
        return await self.desk.answer(round_id, user_id, user_name, option_key)

    async def reveal(self, round_id: int, by_user_id: str, is_moderator: bool = False) -> Reveal:
        """Close a round early and reveal it: only the host or a moderator may."""
        now = self.clock()
        async with self.rows.transaction() as tx:
            rnd, game = await self._load(round_id)
            if by_user_id != game.host_id and not is_moderator:
                raise GameError(f"Only the host ({game.host_name}) or a moderator can reveal early.")
            if rnd.closed_at is not None:
                raise GameError("This round is already revealed.")
            timed_out = rnd.deadline is not None and now >= rnd.deadline
            if not await self.close(tx, game, rnd, now, CloseReason.TIME if timed_out else CloseReason.EARLY):
                raise GameError("This round is already revealed.")
        return await self.reveal_of(round_id)

    async def next_round(self, game_id: int, by_user_id: str | None = None) -> RoundState | None:
        """Open the next round; None when the game is over. Calling it twice returns the same open round.

        by_user_id: who asked (a practice game moves on only for its player); None for the game's own driver."""
        async with self.rows.transaction() as tx:
            game = await tx.game(game_id)
            if game is None:
                raise GameError("That game does not exist.")
            if by_user_id is not None and game.practice and by_user_id != game.host_id:
                raise GameError(f"This is {game.host_name}'s practice game; start your own practice to play.")
            if game.status is not GameStatus.OPEN:
                return None
            latest = await tx.latest_round(game_id)
            if latest is not None and latest.closed_at is None:
                round_id = latest.id
            else:
                number = latest.number + 1 if latest else 1
                if number > game.rounds:  # every round revealed: normally ended by the last close already
                    await tx.end_game(game_id, GameStatus.FINISHED, self.clock())
                    return None
                round_id = await self._open_round(tx, game, number, self.clock())
        return await self.round_view(round_id)

    async def stop(self, guild_id: int, channel_id: int, by_user_id: str, is_moderator: bool = False, *,
                   practice: bool = False) -> Standings:
        """End the channel's game (or the caller's practice). Answers already given keep their points."""
        game = await self.rows.open_game(guild_id, channel_id, by_user_id if practice else "")
        if game is None:
            raise GameError("You have no practice game running here." if practice
                            else "There is no game running in this channel.")
        if by_user_id != game.host_id and not is_moderator:
            raise GameError(f"Only the host ({game.host_name}) or a moderator can stop this game.")
        now = self.clock()
        async with self.rows.transaction() as tx:
            latest = await tx.latest_round(game.id)
            closed = await self._end(tx, game, latest, now)
        reveal = await self.reveal_of(latest.id) if latest and closed else None
        rows = await self.rows.standings(game.id, game.rounds)
        return Standings(game.id, game.guild_id, game.channel_id, tuple(rows), latest.number if latest else 0,
                         game.rounds, reveal)

    # ------------------------------------------------------------ timers and restarts

    async def close_due_rounds(self) -> list[Reveal]:
        """Close every round whose time is up; each reveal is returned once, to whoever closed it."""
        now = self.clock()
        reveals = []
        for round_id in await self.rows.due_round_ids(now):
            async with self.rows.transaction() as tx:
                rnd, game = await self._load(round_id)
                closed = await self.close(tx, game, rnd, now, CloseReason.TIME)
            if closed:
                reveals.append(await self.reveal_of(round_id))
        return reveals

    # ------------------------------------------------------------ what players have been shown

    async def progress(self, game_id: int) -> Progress | None:
        return await self.rows.progress(game_id)

    async def lagging_games(self) -> list[int]:
        """Channel games whose players have not seen everything the database holds (see GameStore)."""
        return await self.rows.lagging_game_ids(self.clock() - CATCH_UP_WINDOW)

    async def round_shown(self, round_id: int, channel_id: int, message_id: int) -> None:
        await self.rows.mark_shown(ROUND_SHOWN, round_id, channel_id, message_id)

    async def reveal_shown(self, round_id: int, channel_id: int, message_id: int) -> None:
        await self.rows.mark_shown(REVEAL_SHOWN, round_id, channel_id, message_id)

    async def round_message(self, round_id: int) -> tuple[int, int] | None:
        """(channel id, message id) of the message that shows this round, once posted."""
        return await self.rows.shown(ROUND_SHOWN, round_id)

    async def abandon(self, game_id: int) -> None:
        """End a game whose channel refuses the bot's posts; nothing more will be shown there."""
        now = self.clock()
        async with self.rows.transaction() as tx:
            game = await tx.game(game_id)
            latest = await tx.latest_round(game_id)
            if game is not None and game.status is GameStatus.OPEN:
                await self._end(tx, game, latest, now)
        if latest is not None and game is not None:  # message id 0: given up, so nobody tries again
            await self.rows.mark_shown(REVEAL_SHOWN, latest.id, game.channel_id, 0)

    async def recover(self) -> Recovery:
        """On startup: reveal rounds that ran out while down, hand back the ones still running."""
        revealed = await self.close_due_rounds()
        resumed = [await self.round_view(r.id) for r in await self.rows.open_rounds()]
        waiting = []
        just_revealed = {r.game_id for r in revealed}  # the adapter moves these on after posting the reveal
        for game in await self.rows.open_games():
            latest = await self.rows.latest_round(game.id)
            if game.id not in just_revealed and (latest is None or latest.closed_at is not None):
                waiting.append(game.id)
        return Recovery(resumed, revealed, waiting)

    # ------------------------------------------------------------ community

    async def leaderboard(self, guild_id: int, period: str = "week", limit: int = 10) -> Leaderboard:
        if period not in ("week", "all"):
            raise GameError("The leaderboard period must be 'week' or 'all'.")
        limit = _whole("leaderboard places", limit, 1, 50)
        since = week_start(self.clock()) if period == "week" else None
        return Leaderboard(guild_id, period, since, tuple(await self.rows.leaderboard(guild_id, since, limit)))

    async def stats(self, guild_id: int, user_id: str) -> PersonalStats:
        return personal_stats(user_id, await self.rows.history(guild_id, user_id))

    async def show_reveal(self, round_id: int) -> Reveal:
        """A revealed round again (e.g. to re-post after a restart). Never closes anything."""
        rnd, _ = await self._load(round_id)
        if rnd.closed_at is None:
            raise GameError("This round is still open.")
        return await self.reveal_of(round_id)

    # ------------------------------------------------------------ internals

    async def _load(self, round_id: int) -> tuple[RoundRow, GameRow]:
        found = await self.rows.round_with_game(round_id)
        if found is None:
            raise GameError("That round no longer exists.")
        return found

    @staticmethod
    def check_open(rnd: RoundRow, now: float) -> None:
        if rnd.closed_at is not None:
            why = {CloseReason.TIME: "Time is up for this round.", CloseReason.STOPPED: "This game was stopped."}
            raise GameError(why.get(rnd.close_reason or CloseReason.EARLY, "This round is already revealed."))
        if rnd.deadline is not None and now >= rnd.deadline:
            raise GameError("Time is up for this round.")

    async def close(self, tx: GameStore, game: GameRow, rnd: RoundRow, now: float, reason: CloseReason) -> bool:
        """Close a round (and the game after its last round) in the caller's transaction; True if we did."""
        if not await tx.close_round(rnd.id, now, reason):
            return False
        if rnd.number >= game.rounds:
            await tx.end_game(game.id, GameStatus.FINISHED, now)
        return True

    async def reveal_of(self, round_id: int) -> Reveal:
        rnd, game = await self._load(round_id)
        latest = await self.rows.latest_round(game.id)
        return build_reveal(rnd, game, await self.rows.answers(rnd.id), await self.rows.standings(game.id, rnd.number),
                            is_last=latest is not None and latest.id == rnd.id)

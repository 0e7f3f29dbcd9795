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
from .game_store import AnswerRow, GameRow, GameStore, RoundRow
from .game_views import (
    LETTERS,
    AnswerReceipt,
    OptionShare,
    PlayerResult,
    Recovery,
    Reveal,
    RoundView,
    Standings,
    bar_chart,
)
from .leaderboard import Leaderboard, PersonalStats, personal_stats, score, week_start
from .models import CATEGORIES, Scenario, ScenarioOption
from .store import Store

__all__ = ["LETTERS", "AnswerReceipt", "Games", "OptionShare", "PlayerResult", "Recovery", "Reveal", "RoundView",
           "Standings", "bar_chart"]

ROUNDS_RANGE, SECONDS_RANGE = (1, 10), (10, 300)
DIFFICULTIES = {"easy": 1, "medium": 2, "hard": 3}
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
        self.db = GameStore(store)
        self.library = sorted(scenarios, key=lambda s: s.id)  # sorted: same rng seed, same picks
        self.clock = clock
        self.rng = rng or random.Random()

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
                    seconds: int = 45, speed_bonus: bool = False, practice: bool = False) -> RoundView:
        category, level = self._filters(category, difficulty)
        rounds = _whole("rounds", rounds, *ROUNDS_RANGE)
        seconds = 0 if practice else _whole("seconds per round", seconds, *SECONDS_RANGE)
        pool = self._pool(category, level)
        if rounds > len(pool):
            raise GameError(f"Only {len(pool)} scenario(s) match; choose at most {len(pool)} round(s).")
        now = self.clock()
        async with self.db.transaction() as tx:
            game_id = await tx.insert_game(
                guild_id=guild_id, channel_id=channel_id, scope=host_id if practice else "", host_id=host_id,
                host_name=host_name, category=category, difficulty=level, rounds=rounds, seconds=seconds,
                speed_bonus=speed_bonus and not practice, practice=practice, at=now)
            if game_id is None:
                raise GameError("You already have a practice game running here; finish or stop it first."
                                if practice else
                                "A game is already running in this channel; finish or stop it first.")
            await tx.add_player(game_id, host_id, host_name, now)
            game = await tx.game(game_id)
            assert game is not None
            round_id = await self._open_round(tx, game, 1, now)
        return await self.round_view(round_id)

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

    async def round_view(self, round_id: int) -> RoundView:
        rnd, game = await self._load(round_id)
        now = self.clock()
        return RoundView(game.id, rnd.id, game.guild_id, game.channel_id, game.host_id, game.host_name,
                         rnd.number, game.rounds, rnd.scenario, rnd.deadline,
                         None if rnd.deadline is None else max(rnd.deadline - now, 0.0), game.seconds,
                         await self.db.answer_count(rnd.id), game.practice, game.speed_bonus)

    async def current(self, guild_id: int, channel_id: int, *,
                      practice_for: str | None = None) -> RoundView | None:
        """The open round of the channel's game (or of this player's practice), if any."""
        game = await self.db.open_game(guild_id, channel_id, practice_for or "")
        rnd = await self.db.latest_round(game.id) if game else None
        return await self.round_view(rnd.id) if rnd and rnd.closed_at is None else None

    async def join(self, game_id: int, user_id: str, user_name: str) -> None:
        """Declare oneself a player, so rounds (round 1 included) wait for this player's answer."""
        async with self.db.transaction() as tx:
            game = await tx.game(game_id)
            if game is None or game.status != "open":
                raise GameError("That game is over.")
            if game.practice and user_id != game.host_id:
                raise GameError("That is a solo practice game; start your own practice to play.")
            await tx.add_player(game_id, user_id, user_name, self.clock())

    async def answer(self, round_id: int, user_id: str, user_name: str, option_key: str) -> AnswerReceipt:
        """Lock in one answer, committed before the receipt is returned."""
        now = self.clock()
        async with self.db.transaction() as tx:
            rnd, game = await self._load(round_id)
            self._check_open(rnd, now)
            if game.practice and user_id != game.host_id:
                raise GameError(f"This is {game.host_name}'s practice game; start your own practice to play.")
            option = _option(rnd.scenario, option_key)
            credit = rnd.scenario.credit(option.key)
            previous = await tx.previous_answer(game.id, rnd.number, user_id)
            remaining = None if rnd.deadline is None else rnd.deadline - now
            base, streak, streak_bonus, speed = score(credit, previous.streak if previous else 0, remaining,
                                                      game.seconds, game.speed_bonus)
            row = AnswerRow(rnd.id, user_id, user_name, option.key, credit, base, streak, streak_bonus, speed,
                            base + streak_bonus + speed, now)
            if not await tx.insert_answer(row):
                mine = await tx.answer(rnd.id, user_id)
                label = _option(rnd.scenario, mine.option_key).label if mine else "your first choice"
                raise GameError(f"You already answered this round ({label}); answers are locked in.")
            count = await tx.answer_count(rnd.id)
            closed = await self._everyone_answered(tx, game, rnd) and await self._close(tx, game, rnd, now,
                                                                                          "all_answered")
        reveal = await self._reveal(rnd.id) if closed else None
        return AnswerReceipt(rnd.id, user_id, option.key, option.label, count, reveal)

    async def reveal(self, round_id: int, by_user_id: str, is_moderator: bool = False) -> Reveal:
        """Close a round early and reveal it: only the host or a moderator may."""
        now = self.clock()
        async with self.db.transaction() as tx:
            rnd, game = await self._load(round_id)
            if by_user_id != game.host_id and not is_moderator:
                raise GameError(f"Only the host ({game.host_name}) or a moderator can reveal early.")
            if rnd.closed_at is not None:
                raise GameError("This round is already revealed.")
            timed_out = rnd.deadline is not None and now >= rnd.deadline
            if not await self._close(tx, game, rnd, now, "time" if timed_out else "early"):
                raise GameError("This round is already revealed.")
        return await self._reveal(round_id)

    async def next_round(self, game_id: int) -> RoundView | None:
        """Open the next round; None when the game is over. Calling it twice returns the same open round."""
        async with self.db.transaction() as tx:
            game = await tx.game(game_id)
            if game is None:
                raise GameError("That game does not exist.")
            if game.status != "open":
                return None
            latest = await tx.latest_round(game_id)
            if latest is not None and latest.closed_at is None:
                round_id = latest.id
            else:
                number = latest.number + 1 if latest else 1
                if number > game.rounds:  # every round revealed: normally ended by the last close already
                    await tx.end_game(game_id, "finished", self.clock())
                    return None
                round_id = await self._open_round(tx, game, number, self.clock())
        return await self.round_view(round_id)

    async def stop(self, guild_id: int, channel_id: int, by_user_id: str, is_moderator: bool = False, *,
                   practice: bool = False) -> Standings:
        """End the channel's game (or the caller's practice). Answers already given keep their points."""
        game = await self.db.open_game(guild_id, channel_id, by_user_id if practice else "")
        if game is None:
            raise GameError("You have no practice game running here." if practice
                            else "There is no game running in this channel.")
        if by_user_id != game.host_id and not is_moderator:
            raise GameError(f"Only the host ({game.host_name}) or a moderator can stop this game.")
        now = self.clock()
        closed = False
        async with self.db.transaction() as tx:
            latest = await tx.latest_round(game.id)
            if latest is not None and latest.closed_at is None:
                closed = await tx.close_round(latest.id, now, "stopped")
            await tx.end_game(game.id, "stopped", now)
        reveal = await self._reveal(latest.id) if latest and closed else None
        rows = await self.db.standings(game.id, game.rounds)
        return Standings(game.id, game.guild_id, game.channel_id, tuple(rows), latest.number if latest else 0,
                         game.rounds, reveal)

    # ------------------------------------------------------------ timers and restarts

    async def close_due_rounds(self) -> list[Reveal]:
        """Close every round whose time is up; each reveal is returned once, to whoever closed it."""
        now = self.clock()
        reveals = []
        for round_id in await self.db.due_round_ids(now):
            async with self.db.transaction() as tx:
                rnd, game = await self._load(round_id)
                closed = await self._close(tx, game, rnd, now, "time")
            if closed:
                reveals.append(await self._reveal(round_id))
        return reveals

    tick = close_due_rounds

    async def recover(self) -> Recovery:
        """On startup: reveal rounds that ran out while down, hand back the ones still running."""
        revealed = await self.close_due_rounds()
        resumed = [await self.round_view(r.id) for r in await self.db.open_rounds()]
        waiting = []
        just_revealed = {r.game_id for r in revealed}  # the adapter moves these on after posting the reveal
        for game in await self.db.open_games():
            latest = await self.db.latest_round(game.id)
            if game.id not in just_revealed and (latest is None or latest.closed_at is not None):
                waiting.append(game.id)
        return Recovery(resumed, revealed, waiting)

    # ------------------------------------------------------------ community

    async def leaderboard(self, guild_id: int, period: str = "week", limit: int = 10) -> Leaderboard:
        if period not in ("week", "all"):
            raise GameError("The leaderboard period must be 'week' or 'all'.")
        limit = _whole("leaderboard places", limit, 1, 50)
        since = week_start(self.clock()) if period == "week" else None
        return Leaderboard(guild_id, period, since, tuple(await self.db.leaderboard(guild_id, since, limit)))

    async def stats(self, guild_id: int, user_id: str) -> PersonalStats:
        return personal_stats(user_id, await self.db.history(guild_id, user_id))

    async def show_reveal(self, round_id: int) -> Reveal:
        """A revealed round again (e.g. to re-post after a restart). Never closes anything."""
        rnd, _ = await self._load(round_id)
        if rnd.closed_at is None:
            raise GameError("This round is still open.")
        return await self._reveal(round_id)

    # ------------------------------------------------------------ internals

    async def _load(self, round_id: int) -> tuple[RoundRow, GameRow]:
        rnd = await self.db.round(round_id)
        game = await self.db.game(rnd.game_id) if rnd else None
        if rnd is None or game is None:
            raise GameError("That round no longer exists.")
        return rnd, game

    @staticmethod
    def _check_open(rnd: RoundRow, now: float) -> None:
        if rnd.closed_at is not None:
            raise GameError({"time": "Time is up for this round.", "stopped": "This game was stopped."}
                            .get(rnd.close_reason or "", "This round is already revealed."))
        if rnd.deadline is not None and now >= rnd.deadline:
            raise GameError("Time is up for this round.")

    async def _everyone_answered(self, tx: GameStore, game: GameRow, rnd: RoundRow) -> bool:
        if game.practice:
            return True  # only the practising player can answer
        roster = await tx.roster(game.id, rnd.number)
        if rnd.number == 1 and len(roster) < 2:
            return False
        return roster <= {a.user_id for a in await tx.answers(rnd.id)}

    async def _close(self, tx: GameStore, game: GameRow, rnd: RoundRow, now: float, reason: str) -> bool:
        """Close a round (and the game after its last round) in the caller's transaction; True if we did."""
        if not await tx.close_round(rnd.id, now, reason):
            return False
        if rnd.number >= game.rounds:
            await tx.end_game(game.id, "finished", now)
        return True

    async def _reveal(self, round_id: int) -> Reveal:
        rnd, game = await self._load(round_id)
        scenario = rnd.scenario
        answers = await self.db.answers(rnd.id)
        total = len(answers)
        shares = tuple(
            OptionShare(LETTERS[i], o.key, o.label, n := sum(a.option_key == o.key for a in answers),
                        n / total if total else 0.0, scenario.credit(o.key))
            for i, o in enumerate(scenario.options))
        why_not = tuple((o, scenario.why_not.get(o.key, "")) for o in scenario.options
                        if o.key != scenario.answer)
        right = scenario.option(scenario.answer) or ScenarioOption(scenario.answer, scenario.answer)
        latest = await self.db.latest_round(game.id)
        game_over = game.status != "open" and latest is not None and latest.id == rnd.id
        results = tuple(sorted(answers, key=lambda a: (-a.points, a.answered_at)))
        standings = tuple(await self.db.standings(game.id, rnd.number))
        return Reveal(game.id, rnd.id, game.guild_id, game.channel_id, rnd.number, game.rounds,
                      game.practice, rnd.close_reason or "", scenario, right, scenario.explanation, why_not,
                      scenario.factors, shares, results, standings, game_over)


def _option(scenario: Scenario, key: str) -> ScenarioOption:
    """The option by key, or by its letter (A, B, ...) as shown to players."""
    wanted = key.strip().lower()
    by_key = [o for o in scenario.options if o.key.lower() == wanted]
    by_letter = [o for i, o in enumerate(scenario.options) if LETTERS[i].lower() == wanted]
    if by_key or by_letter:
        return (by_key or by_letter)[0]  # a key wins over a letter, should an option's key be 'a'
    choices = ", ".join(f"{LETTERS[i]} ({o.key})" for i, o in enumerate(scenario.options))
    raise GameError(f"'{key}' is not one of this round's options: {choices}.")

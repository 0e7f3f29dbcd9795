"""`otbot chat` driven line by line: questions, numbered follow-ups and a whole scenario game."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.app import Engine, open_engine
from bot.terminal.chat import Chat
from tests.conftest import KNOWLEDGE_DIR, SCENARIOS_DIR


class Script:
    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.output: list[str] = []

    async def read(self, prompt: str) -> str | None:
        return self.lines.pop(0) if self.lines else None

    def write(self, text: str) -> None:
        self.output.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.output)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Engine]:
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, tmp_path / "otbot.db") as opened:
        yield opened


async def test_a_question_is_answered_with_sources_and_related_entries(engine: Engine) -> None:
    script = Script(["why does my kid get OT at the clinic but not at school?", "1", "/help"])
    await Chat(engine, script.read, script.write).run()
    assert "Sources:" in script.output[1]
    assert "Related (type the number)" in script.output[1]
    assert script.output[2].startswith("== ")  # the first related entry, opened by its number
    assert "/scenario" in script.output[3]


async def test_hostile_lines_never_break_the_chat(engine: Engine) -> None:
    script = Script(["@everyone", "\u200b", "/nonsense", "99", "x" * 100_000, "/show no-such-id", "/quit"])
    await Chat(engine, script.read, script.write).run()
    assert "Unknown command '/nonsense'" in script.text
    assert "No entry 'no-such-id'" in script.text


async def test_a_full_scenario_game_is_played_and_scored(engine: Engine) -> None:
    engine.games.rng = random.Random(3)
    script = Script(["/scenario rounds 3", "z", "A", "B", "C", "/stats", "/leaderboard all"])
    await Chat(engine, script.read, script.write).run()
    text = script.text
    assert text.count("--- Round") == 3
    assert "Type a letter from A to" in text  # 'z' was refused, the round went on
    assert text.count("Why not the others:") == 3
    assert "Final standings" in text
    stats = await engine.games.stats(0, "local")
    assert stats.rounds == 3
    board = await engine.games.leaderboard(0, "all")
    assert board.rows[0].user_id == "local" and board.rows[0].points == stats.points
    assert "3 round(s)" in text and "All time:" in text

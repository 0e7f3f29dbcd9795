"""`otbot chat` driven line by line in-process: questions, small talk, commands and whole scenario games.

Output goes through the same Rich console as on a terminal, into a buffer 80 columns wide.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from rich.console import RenderableType

from bot.engine.app import Engine, open_engine
from bot.terminal.chat import GOODBYE, Chat
from bot.terminal.render import make_console
from bot.terminal.smalltalk import EXAMPLE_QUESTIONS
from tests.conftest import KNOWLEDGE_DIR, SCENARIOS_DIR

WIDTH = 80
MARKDOWN_MARKERS = re.compile(r"\*\*|(?<![\w*])\*(?=\w)|__|`")


class Script:
    """The user's lines, and each thing shown, as plain text."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        self.prompts: list[str] = []
        self.output: list[str] = []
        self.cleared = 0

    async def read(self, prompt: str) -> str | None:
        self.prompts.append(prompt)
        return self.lines.pop(0) if self.lines else None

    def show(self, renderable: RenderableType) -> None:
        buffer = io.StringIO()
        make_console(buffer, WIDTH).print(renderable)
        self.output.append(buffer.getvalue())

    def clear(self) -> None:
        self.cleared += 1

    @property
    def text(self) -> str:
        return "\n".join(self.output)


@pytest.fixture(scope="session")
def content_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")  # content parsed once for all the chats here


@pytest.fixture
async def engine(tmp_path: Path, content_cache: Path) -> AsyncIterator[Engine]:
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, tmp_path / "otbot.db", cache_dir=content_cache) as opened:
        opened.games.rng = random.Random(3)
        yield opened


async def chat(engine: Engine, lines: list[str], verbose: bool = False) -> Script:
    script = Script(lines)
    await Chat(engine, script.read, script.show, clear=script.clear, verbose=verbose).run()
    return script


async def test_an_answer_reads_cleanly_and_its_related_entries_open_by_number(engine: Engine) -> None:
    script = await chat(engine, ["why does my kid get OT at the clinic but not at school?", "1"])
    answer, opened = script.output[1], script.output[2]
    assert "Sources" in answer and "Related (type a number):" in answer
    assert answer.count("General information") == 1
    assert "confidence" not in answer  # only with --verbose
    first_related = re.search(r"^ +1\. .*?\s{2}([a-z0-9-]+)$", answer, re.M)
    assert first_related, "related entries are numbered with their ids visible"
    entry = await engine.answerer.get(first_related.group(1))
    assert entry and entry.question[:20] in opened.splitlines()[0]
    for text in script.output:
        assert max(len(line) for line in text.splitlines()) <= WIDTH
        assert not MARKDOWN_MARKERS.search(text), text
    assert script.output[-1].strip() == GOODBYE


async def test_verbose_shows_confidence_and_entry_id(engine: Engine) -> None:
    script = await chat(engine, ["why does my kid get OT at the clinic but not at school?"], verbose=True)
    assert re.search(r"confidence 0\.\d\d, entry [a-z-]+", script.output[1])


async def test_small_talk_gets_a_friendly_reply_with_example_questions(engine: Engine) -> None:
    script = await chat(engine, ["hi", "thanks!", "help", "clear", "Hello there"])
    replies = script.output[1:-1]
    assert len(replies) == 5
    for reply in replies:
        assert all(question in reply for question in EXAMPLE_QUESTIONS)
        assert "couldn't find" not in reply and "don't have an answer" not in reply
    assert script.cleared == 1


async def test_the_example_questions_are_answered(engine: Engine) -> None:
    for question in EXAMPLE_QUESTIONS:
        assert (await engine.answerer.ask(question)).answered, question


async def test_every_command_works_with_and_without_its_argument(engine: Engine) -> None:
    script = await chat(engine, ["/help", "/help scenario", "/categories", "/categories sens", "/show",
                                 "/show school-vs-clinic-ot", "/show clinic-vs-school", "/stats", "/stats me",
                                 "/leaderboard", "/leaderboard all", "/leaderboard yesterday", "/nonsense",
                                 "/scenario 7", "/scenario rounds", "/scenario nosuchcategory", "99", "/quit now"])
    out = script.output[1:]
    assert "/scenario [category] [difficulty 1-3] [rounds N]" in out[0] and "/quit" in out[0]
    assert out[1].startswith("/scenario [category]") and "Should this student" in out[1]
    assert "sensory" in out[2] and "sensory" in out[3]
    assert "Usage: /show ID" in out[4]
    assert out[5].startswith("How is school-based OT different")
    assert "No entry has the id 'clinic-vs-school'" in out[6] and "school-vs-clinic-ot" in out[6]
    assert "No rounds played yet" in out[7] and "No rounds played yet" in out[8]
    assert "This week" in out[9] and "All time" in out[10]
    assert "/leaderboard week" in out[11]
    assert "There is no command /nonsense" in out[12]
    assert "Difficulty is 1 (easy), 2 (medium) or 3 (hard)" in out[13] and "sensory" in out[13]
    assert "'rounds' needs a number" in out[14]
    assert "is not a category" in out[15] and "Usage: /scenario" in out[15]
    assert "Pick a number from 1 to" in out[16]  # beyond the list /show school-vs-clinic-ot left
    assert out[-1].strip() == GOODBYE and len(out) == 18


async def test_hostile_lines_never_break_the_chat(engine: Engine) -> None:
    script = await chat(engine, ["@everyone", "\u200b", "[bold]markup[/bold]", "99", "x" * 100_000, "/quit"])
    assert "list shown last" in script.output[4]  # a number before any list: explained
    assert script.output[-1].strip() == GOODBYE


async def test_the_terminal_decline_never_sends_anyone_to_a_moderator(engine: Engine) -> None:
    script = await chat(engine, ["what's the weather in chicago tomorrow"])
    assert "moderator" not in script.text.lower()
    assert "otbot faq add" in script.text


async def test_a_full_game_with_a_question_mid_round_and_between_rounds(engine: Engine) -> None:
    script = await chat(engine, [
        "/scenario rounds 3", "z",
        "who decides whether a student gets OT at school?",  # a question mid-round: answered, round goes on
        "/help", "A",
        "/stats",  # between rounds
        "", "B", "", "/round", "C", "/stats", "/leaderboard all",
    ])
    text = script.text
    assert text.count("Round 1 of 3") == 1 and "Round 3 of 3" in text
    assert "Type a letter from A to" in text  # 'z' was refused, the round went on
    assert "Round 1 is still open" in text
    assert text.count("Why not the others:") == 3
    assert text.count("Press Enter for the next round") >= 2
    assert "Game over" in text and "█" not in text and "░" not in text  # no bar chart for one player
    summary = text.split("Game over")[1]
    assert all(re.search(rf"^\s*{n} ", summary, re.M) for n in (1, 2, 3))
    stats = await engine.games.stats(0, "local")
    assert stats.rounds == 3
    board = await engine.games.leaderboard(0, "all")
    assert board.rows[0].user_id == "local" and board.rows[0].points == stats.points
    assert "3 round(s)" in text and "All time:" in text


async def test_the_reveal_names_options_as_the_player_saw_them(engine: Engine) -> None:
    script = await chat(engine, ["/scenario rounds 1", "B"])
    round_text = next(t for t in script.output if "Round 1 of 1" in t)
    reveal = next(t for t in script.output if "Why not the others:" in t)
    labels = [(letter, label.strip()) for letter, label in re.findall(r"^  ([A-E])\. (.+)$", round_text, re.M)]
    assert len(labels) >= 2
    flat = " ".join(reveal.split())
    for letter, label in labels:  # each option in the reveal: the answer, or a "why not" line
        assert f"{letter}. {label}" in flat, (letter, label)
    assert not re.search(r"\"(school|clinic|both|none)\"", reveal, re.I)


async def test_stop_mid_game_and_leaving_during_a_round(engine: Engine) -> None:
    stopped = await chat(engine, ["/scenario rounds 2", "A", "stop", "hi"])
    assert "Game stopped" in stopped.text and "Hello!" in stopped.text
    left = await chat(engine, ["/scenario rounds 2"])  # Ctrl-D during a round: game stopped, chat left
    assert left.output[-1].strip() == GOODBYE
    assert await engine.games.current(0, 0) is None

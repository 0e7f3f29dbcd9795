"""`otbot faq missed`: the same queue moderators see in Discord, resolved from the terminal (in-process)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.app import Engine, open_engine
from bot.engine.errors import NotFound, UserError
from bot.terminal import commands
from tests.conftest import KNOWLEDGE_DIR, SCENARIOS_DIR


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[Engine]:
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, tmp_path / "otbot.db") as opened:
        yield opened


async def run(engine: Engine, *args: str) -> str:
    out = io.StringIO()
    assert await commands.faq(engine, "missed", list(args), community=0, actor="terminal", out=out) == 0
    return out.getvalue()


async def test_list_phrasing_and_dismiss(engine: Engine) -> None:
    assert "empty" in await run(engine)
    for text in ("why is the clinic ot diffrent from the school one", "what's the weather in chicago"):
        await engine.missed.record_not_helpful(0, text, "school-vs-clinic-ot", asked_by="u1", asked_id=None)
    clinic, weather = sorted(await engine.missed.queue(0), key=lambda m: m.id)
    listed = await run(engine)
    assert f"#{clinic.id}" in listed and "what's the weather in chicago" in listed and "2 open" in listed

    assert "phrasing of 'school-vs-clinic-ot'" in await run(engine, "phrasing", str(clinic.id), "school-vs-clinic-ot")
    assert (await engine.faq.require(0, "school-vs-clinic-ot")).alternates[-1] == clinic.question
    assert f"Dismissed #{weather.id}" in await run(engine, "dismiss", str(weather.id))
    assert "empty" in await run(engine)
    with pytest.raises(NotFound):
        await run(engine, "dismiss", str(weather.id))
    with pytest.raises(UserError, match="Usage"):
        await run(engine, "dismiss", "x")

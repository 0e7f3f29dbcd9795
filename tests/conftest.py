"""Shared fixtures: real objects on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.engine.content import CuratedContent, load_knowledge
from bot.engine.errors import ContentError, Problem
from bot.engine.store import Store

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
SCENARIOS_DIR = PROJECT_ROOT / "scenarios"


@pytest.fixture(scope="session")
def knowledge() -> CuratedContent:
    problems: list[Problem] = []
    loaded = load_knowledge(KNOWLEDGE_DIR, problems)
    if problems:
        raise ContentError(problems)
    return loaded


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "otbot.db")
    try:
        yield opened
    finally:
        await opened.close()

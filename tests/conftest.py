"""Shared fixtures: real objects on a real SQLite file."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import PROJECT_ROOT
from bot.engine import answers
from bot.engine.content import Knowledge, load_knowledge
from bot.engine.errors import ContentError, Problem
from bot.engine.store import Store

KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
SCENARIOS_DIR = PROJECT_ROOT / "scenarios"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
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


INDEXES_KEPT = 4  # the curated entries, plus a few per-community variants a test builds more than once


@pytest.fixture(scope="session", autouse=True)
def _search_index_built_once_per_entry_set() -> Iterator[None]:
    """Building the search index over the curated entries takes about a second and every engine builds one;
    an index over the very same Entry objects is the same index, so it is built once per session. (The entry
    lists are kept referenced, so no id() below is ever reused for other objects.)"""
    real = answers.Retriever
    built: OrderedDict[tuple[Any, ...], tuple[list[Any], Any]] = OrderedDict()

    def retriever(entries: Any, *args: Any, **kwargs: Any) -> Any:
        entries = list(entries)
        key = (*map(id, entries), *sorted(kwargs.items()))
        if key not in built:
            built[key] = (entries, real(entries, *args, **kwargs))
            if len(built) > INDEXES_KEPT:
                built.popitem(last=False)
        built.move_to_end(key)
        return built[key][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(answers, "Retriever", retriever)
        yield

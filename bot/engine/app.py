"""Everything the adapters need, opened once and closed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from .answers import KnowledgeBase
from .content import load_all
from .content_cache import load_all_cached
from .faq import Faq
from .game import Games
from .models import Scenario
from .store import Store


@dataclass
class Engine:
    store: Store
    kb: KnowledgeBase
    faq: Faq
    games: Games
    scenarios: list[Scenario]


@asynccontextmanager
async def open_engine(knowledge_dir: Path, scenarios_dir: Path, db_path: Path | str, *,
                      cache_dir: Path | None = None) -> AsyncIterator[Engine]:
    """Load and validate content (ContentError lists every problem), then open the store. With a cache_dir,
    parsed content is reused while the files are unchanged (see content_cache)."""
    if cache_dir is None:
        knowledge, scenarios = load_all(knowledge_dir, scenarios_dir)
    else:
        knowledge, scenarios = load_all_cached(knowledge_dir, scenarios_dir, cache_dir)
    store = await Store.open(db_path)
    try:
        kb = KnowledgeBase(knowledge, store)
        yield Engine(store, kb, Faq(kb, store), Games(store, scenarios), scenarios)
    finally:
        await store.close()

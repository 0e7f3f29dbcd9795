"""Everything the adapters need, opened once and closed once: the engine's services, nothing lower.

Adapters call these services and get models back; the store (SQL) stays behind them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from .answers import Answerer
from .community import CommunitySettingsService
from .content import load_all
from .content_cache import load_all_cached
from .faq import FaqEditor
from .game import Games
from .matcher import is_cached
from .missed import MissedQuestions
from .models import Scenario
from .questions import Questions
from .semantic import encoder
from .store import Store

log = logging.getLogger(__name__)


@dataclass
class Engine:
    store: Store  # for engine services and tests; adapters use the services below
    answerer: Answerer  # the entries each community sees (curated + its own), and the matcher over them
    questions: Questions  # ask (stores the question, queues what was missed) and feedback
    faq: FaqEditor
    missed: MissedQuestions
    communities: CommunitySettingsService
    games: Games
    scenarios: list[Scenario]


@asynccontextmanager
async def open_engine(knowledge_dir: Path, scenarios_dir: Path, db_path: Path | str, *,
                      cache_dir: Path | None = None,
                      before_training: Callable[[], None] | None = None) -> AsyncIterator[Engine]:
    """Load and validate content (ContentError lists every problem), then open the store. With a cache_dir,
    parsed content is reused while the files are unchanged (see content_cache). `before_training` is called
    when the answer model for this content must be trained first (a long silence the caller may announce)."""
    if cache_dir is None:
        knowledge, scenarios = load_all(knowledge_dir, scenarios_dir)
    else:
        knowledge, scenarios = load_all_cached(knowledge_dir, scenarios_dir, cache_dir)
    if before_training is not None and not is_cached(knowledge.entries):
        before_training()
    store = await Store.open(db_path)
    try:
        answerer = Answerer(knowledge, store)
        if answerer.model.semantic is not None:  # load torch and the encoder now, off the loop, not at question one
            log.info("loading the sentence-embedding model")
            await asyncio.to_thread(encoder().encode, ["warm up"])
        faq = FaqEditor(answerer, store)
        missed = MissedQuestions(store, faq)
        yield Engine(store, answerer, Questions(store, answerer, missed), faq, missed, CommunitySettingsService(store),
                     Games(store, scenarios), scenarios)
    finally:
        await store.close()

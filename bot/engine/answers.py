"""Answer a question for one community: curated entries plus that community's own, ranked together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from .content import Knowledge, parse_entry
from .models import LOCAL_COMMUNITY, Entry, Origin, Outcome, Reply
from .scope import DOMAIN_WORDS, GENERIC_DECLINE, out_of_scope_reason
from .search import Hit, Retriever
from .store import Store
from .text import Lexicon, clean

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Thresholds:
    answer: float = 0.5  # at or above: answer
    suggest: float = 0.25  # at or above (but below answer): "did you mean"; below: decline
    suggestions: int = 3


def confidence(hits: list[Hit]) -> float:
    """0..1: how sure the classifier is of the best entry among the candidates (its naive Bayes
    posterior), and how much of the question that entry explains at all (its idf-weighted coverage).
    Either one low means "not sure": a close runner-up, or words the knowledge base never uses."""
    if not hits:
        return 0.0
    top = hits[0]
    return round(max(0.0, min(1.0, 0.5 * top.posterior + 0.5 * top.coverage)), 3)


class KnowledgeBase:
    """Holds one retriever per community view; a community with no changes shares the curated one."""

    def __init__(self, knowledge: Knowledge, store: Store | None = None,
                 thresholds: Thresholds | None = None) -> None:
        self.curated: dict[str, Entry] = {e.id: e for e in knowledge.entries}
        self.synonym_groups = knowledge.synonym_groups
        self.store = store
        self.thresholds = thresholds or Thresholds()
        self._base = Retriever(knowledge.entries, Lexicon(self.synonym_groups))
        self.domain_terms = frozenset(Lexicon(self.synonym_groups).terms(DOMAIN_WORDS, fix_typos=False))
        self._views: dict[int, tuple[dict[str, Entry], Retriever]] = {}

    def invalidate(self, community: int) -> None:
        """Call after any change to a community's entries: the next question sees it."""
        self._views.pop(community, None)

    async def _view(self, community: int) -> tuple[dict[str, Entry], Retriever]:
        cached = self._views.get(community)
        if cached:
            return cached
        rows = await self.store.faq_rows(community) if self.store else []
        if not rows:
            view = (self.curated, self._base)
        else:
            entries = dict(self.curated)
            for row in rows:
                if row.status != "active":
                    if row.status == "hidden":
                        entries.pop(row.entry_id, None)
                    continue
                entry, _ = parse_entry(row.data, Origin.COMMUNITY)
                if entry is not None:
                    entries[row.entry_id] = entry
                else:  # stored before a validation rule changed: keep serving the rest, say so in the log
                    log.warning("community %s: stored entry %r no longer validates", community, row.entry_id)
            view = (entries, Retriever(list(entries.values()), Lexicon(self.synonym_groups)))
        self._views[community] = view
        return view

    async def entries(self, community: int = LOCAL_COMMUNITY) -> dict[str, Entry]:
        """Every entry visible in a community, by id."""
        return (await self._view(community))[0]

    async def get(self, entry_id: str, community: int = LOCAL_COMMUNITY) -> Entry | None:
        return (await self.entries(community)).get(entry_id)

    async def ask(self, question: str, community: int = LOCAL_COMMUNITY, *, asked_by: str | None = None,
                  record: bool = True) -> Reply:
        """Answer, suggest or decline. Never raises on any text."""
        text = clean(question)
        entries, retriever = await self._view(community)
        reply = self._decide(text, entries, retriever)
        if record and self.store and reply.outcome in (Outcome.UNSURE, Outcome.OUT_OF_SCOPE) and text:
            await self.store.record_missed(
                community, text, "unsure" if reply.outcome is Outcome.UNSURE else "declined",
                entry_id=reply.suggestions[0].id if reply.suggestions else None,
                confidence=reply.confidence, asked_by=asked_by)
        return reply

    def _decide(self, text: str, entries: dict[str, Entry], retriever: Retriever) -> Reply:
        if not text:
            return Reply(text, Outcome.EMPTY, 0.0, decline_message="Ask me a question in your own words.")
        guard = out_of_scope_reason(text)
        if guard:
            return Reply(text, Outcome.OUT_OF_SCOPE, 0.0, decline_message=guard)
        hits, terms = retriever.search(text, limit=6)
        if not terms:
            return Reply(text, Outcome.EMPTY, 0.0,
                         decline_message="I couldn't find a question in that. Try asking in a full sentence.")
        score = confidence(hits)
        if not any(t in self.domain_terms for t in terms):
            return Reply(text, Outcome.OUT_OF_SCOPE, min(score, 0.2), decline_message=GENERIC_DECLINE)
        limits = self.thresholds
        if hits and score >= limits.answer:
            entry = hits[0].entry
            related = tuple(entries[r] for r in entry.related if r in entries)
            return Reply(text, Outcome.ANSWERED, score, entry=entry, related=related)
        if hits and score >= limits.suggest:
            suggestions = tuple(h.entry for h in hits[: limits.suggestions])
            return Reply(text, Outcome.UNSURE, score, suggestions=suggestions,
                         decline_message="I'm not sure I understood. Did you mean one of these?")
        return Reply(text, Outcome.OUT_OF_SCOPE, score, decline_message=GENERIC_DECLINE)

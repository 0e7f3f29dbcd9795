"""The answering policy: answer only when the calibrated confidence says it is very likely right; otherwise
offer "did you mean" when a suggestion is likely right, else decline honestly. A confident wrong answer is the
worst outcome, worse than a decline."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import numpy as np

from .classifier import TextModel
from .content import CuratedContent, parse_entry
from .matcher import OWN_ANSWER_COSINE, OWN_SUGGEST_COSINE, OwnPhrasings, curated_model, phrasings, verbatim_key
from .messages import FAMILY_NOTE, asks_about_own_child, question_parts
from .models import LOCAL_COMMUNITY, Entry, Origin, Outcome, Reply
from .scope import UNCOVERED_DECLINE, names_the_subject, out_of_scope_reason
from .semantic import encoder
from .store import Store
from .text import clean

log = logging.getLogger(__name__)

# Out-of-fold phrasings are all covered questions, so they cannot say where "did you mean" stops helping or what
# a question nobody covers looks like. These two are read from tests/data/dev_questions.yaml instead:
# - "Did you mean" from confidence 0.5 up to the answer threshold: 79 of the 85 lists shown there hold a right
#   entry and 10 of 62 off-topic questions get one (from 0.4: 86 of 94 and 14; from 0.6: 69 of 73 and 8).
# - Neither an answer nor suggestions unless the question comes within cosine 0.25 of a stored phrasing of the
#   top entry: this halves the off-topic questions offered suggestions (18 -> 9) and costs 1 of 116 right
#   answers. Off-topic questions resemble no phrasing; the probabilities alone cannot see that.
SUGGEST_THRESHOLD = 0.5
MIN_CLOSENESS = 0.25
# A question that is a stored phrasing word for word (case and punctuation aside) is answered with its entry
# whatever the probabilities: the content says where it belongs, and "Add as phrasing" must work. Near-duplicates
# get no such pass: out of fold, phrasings within cosine 0.8 of a stored one were still wrong 10% of the time.
UNSURE_MESSAGE = "I'm not sure I understood. Did you mean one of these?"
MAX_ALSO_ASKED = 2


@dataclass(frozen=True, slots=True)
class Thresholds:
    """`answer` None means the threshold read from out-of-fold predictions when the model was trained."""

    answer: float | None = None  # at or above: answer
    suggest: float = SUGGEST_THRESHOLD  # at or above (but below answer): "did you mean"; below: decline
    suggestions: int = 3


@dataclass(frozen=True, slots=True)
class Match:
    """The best entries for one text, with the calibrated confidence that the first is right."""

    ranked: tuple[Entry, ...]
    confidence: float
    closeness: float = 0.0  # cosine between the text and the first entry's closest stored phrasing
    vouched: bool = False  # the first entry comes from a stored phrasing word for word, or the server's own


@dataclass(frozen=True, slots=True)
class _CommunityIndex:
    """What one server sees: curated entries (minus hidden, plus overrides) and its own phrasings."""

    entries: dict[str, Entry]
    own: OwnPhrasings | None
    verbatim: dict[str, str]  # the server's own phrasings, by verbatim_key


class Answerer:
    """One shared curated model; per server, only that server's own entries and phrasings."""

    def __init__(self, knowledge: CuratedContent, store: Store | None = None,
                 thresholds: Thresholds | None = None, model: TextModel | None = None) -> None:
        """`model` defaults to the one trained on these entries (cached on disk; trained on first use)."""
        self.curated: dict[str, Entry] = {e.id: e for e in knowledge.entries}
        self.store = store
        self.thresholds = thresholds or Thresholds()
        self.model: TextModel = model or curated_model(knowledge.entries)
        self._verbatim = {verbatim_key(t): label for t, label in zip(*phrasings(knowledge.entries), strict=True)}
        self._base = _CommunityIndex(self.curated, None, {})
        self._views: dict[int, _CommunityIndex] = {}

    def invalidate(self, community: int) -> None:
        """Call after any change to a community's entries: the next question sees it."""
        self._views.pop(community, None)

    async def _view(self, community: int) -> _CommunityIndex:
        cached = self._views.get(community)
        if cached:
            return cached
        rows = await self.store.faq_rows(community) if self.store else []
        # Built off the event loop: other servers' questions are answered meanwhile.
        view = await asyncio.to_thread(self._build_view, community, rows) if rows else self._base
        self._views[community] = view
        return view

    def _build_view(self, community: int, rows: list) -> _CommunityIndex:
        entries, own = dict(self.curated), []
        for row in rows:
            if row.status != "active":
                if row.status == "hidden":
                    entries.pop(row.entry_id, None)
                continue
            entry, _ = parse_entry(row.data, Origin.COMMUNITY)
            if entry is None:  # stored before a validation rule changed: serve the rest, say so in the log
                log.warning("community %s: stored entry %r no longer validates", community, row.entry_id)
                continue
            entries[row.entry_id] = entry
            own.append(entry)
        verbatim = {verbatim_key(t): label for t, label in zip(*phrasings(own), strict=True)}
        return _CommunityIndex(entries, OwnPhrasings(self.model, own) if own else None, verbatim)

    async def entries(self, community: int = LOCAL_COMMUNITY) -> dict[str, Entry]:
        """Every entry visible in a community, by id."""
        return (await self._view(community)).entries

    async def get(self, entry_id: str, community: int = LOCAL_COMMUNITY) -> Entry | None:
        return (await self.entries(community)).get(entry_id)

    async def ask(self, question: str, community: int = LOCAL_COMMUNITY) -> Reply:
        """Answer, suggest or decline. Never raises on any text. (Storing the question and queueing what was
        missed is engine/questions.py's job.)"""
        text, parts = clean(question), question_parts(question)
        declined, features = self._screen(text)
        if declined is not None:  # nothing to match: no server view, no embedding
            return declined
        view = await self._view(community)
        vectors = None
        if self.model.semantic is not None:
            # The embedding model computes in torch, which lets go of the GIL: other servers are served meanwhile.
            vectors = await asyncio.to_thread(self._embeddings, [*parts, text])
        return self._decide(text, parts, view, features, vectors)

    def match(self, text: str, view: _CommunityIndex | None = None, vector: np.ndarray | None = None,
              features: tuple[np.ndarray, np.ndarray] | None = None) -> Match:
        """The ranked entries for one text and the confidence in the first (no policy applied). `vector` is
        the text's embedding where the model has the embedding head, `features` its TF-IDF row (each computed
        here if not given)."""
        view = view or self._base
        columns, values = features if features is not None else self.model.features(text)
        if not columns.size:
            return Match((), 0.0)
        probabilities = self.model.probabilities(text, columns, values, vector)
        order = [i for i in np.argsort(-probabilities)[:8] if self.model.labels[i] in view.entries]
        if not order:
            return Match((), 0.0)
        second = float(probabilities[order[1]]) if len(order) > 1 else 0.0
        closeness = self.model.phrasings.closeness(int(order[0]), columns, values, self.model.size)
        confidence = self.model.confidence(float(probabilities[order[0]]), second,
                                           self.model.coverage(text, int(order[0])), closeness)
        vouched = False
        entries = [view.entries[self.model.labels[i]] for i in order]
        if view.own is not None:
            own = view.own.best(columns, values, self.model.size)
            if own and own[0][1] >= OWN_SUGGEST_COSINE:
                own_confidence = _own_confidence(own[0][1], self.answer_threshold)
                own_entries = [view.entries[i] for i, c in own[:3] if c >= OWN_SUGGEST_COSINE]
                if own_confidence > confidence:
                    entries = own_entries + [e for e in entries if e not in own_entries]
                    confidence, closeness, vouched = own_confidence, own[0][1], True
                else:
                    entries += [e for e in own_entries if e not in entries]
        stored = view.verbatim.get(verbatim_key(text)) or self._verbatim.get(verbatim_key(text))
        if stored in view.entries:
            entry = view.entries[stored]
            entries = [entry, *(e for e in entries if e != entry)]
            confidence, closeness, vouched = max(confidence, min(self.answer_threshold, 1.0)), 1.0, True
        return Match(tuple(entries), confidence, closeness, vouched)

    @property
    def answer_threshold(self) -> float:
        return self.model.threshold if self.thresholds.answer is None else self.thresholds.answer

    def _candidates(self, text: str, parts: list[str], view: _CommunityIndex,
                    features: tuple[np.ndarray, np.ndarray] | None = None,
                    vectors: list[np.ndarray | None] | None = None) -> list[Match]:
        """The asked question, not the story around it: when the message holds questions, they compete and
        the story does not; the whole message is matched only when no question in it can be answered (a
        question like "what does that mean?" needs the story). Only matches near a stored phrasing count."""
        vectors = vectors or self._embeddings([*parts, text])
        matches = [self.match(p, view, v) for p, v in zip(parts, vectors, strict=False)]
        if not any(m.confidence >= self.answer_threshold for m in matches):
            matches.insert(0, self.match(text, view, vectors[-1], features))
        return [m for m in matches if m.ranked and m.closeness >= MIN_CLOSENESS]

    def _embeddings(self, texts: list[str]) -> list[np.ndarray | None]:
        """One batch for all the texts of a message (one call costs about as much as one text: ~10 ms)."""
        if self.model.semantic is None:
            return [None] * len(texts)
        return list(encoder().encode(texts))

    async def best_match(self, question: str, community: int = LOCAL_COMMUNITY) -> Match:
        """What the policy weighs for this message before applying thresholds (for evaluation); a guarded
        question has no match."""
        text = clean(question)
        declined, features = self._screen(text)
        if declined is not None:
            return Match((), 0.0)
        candidates = self._candidates(text, question_parts(question), await self._view(community), features)
        return max(candidates, key=lambda m: m.confidence, default=Match((), 0.0))

    def _screen(self, text: str) -> tuple[Reply | None, tuple[np.ndarray, np.ndarray] | None]:
        """The decline for a message that needs no matching (empty, guarded, no known word), else None and the
        message's TF-IDF row, computed once for the whole-message match."""
        if not text:
            return Reply(text, Outcome.EMPTY, 0.0, decline_message="Ask me a question in your own words."), None
        guard = out_of_scope_reason(text)
        if guard:
            return Reply(text, Outcome.OUT_OF_SCOPE, 0.0, decline_message=guard), None
        features = self.model.features(text)
        if not features[0].size:
            return Reply(text, Outcome.EMPTY, 0.0,
                         decline_message="I couldn't find a question in that. Try asking in a full sentence."), None
        return None, features

    def _decide(self, text: str, parts: list[str], view: _CommunityIndex, features: tuple[np.ndarray, np.ndarray],
                vectors: list[np.ndarray | None] | None = None) -> Reply:
        """Answer, suggest or decline a message that passed _screen."""
        candidates = self._candidates(text, parts, view, features, vectors)
        if not candidates:
            return Reply(text, Outcome.OUT_OF_SCOPE, 0.0, decline_message=UNCOVERED_DECLINE)
        best = max(candidates, key=lambda m: m.confidence)
        if best.confidence >= self.answer_threshold and (best.vouched or names_the_subject(text)):
            entry = best.ranked[0]
            related = tuple(view.entries[r] for r in entry.related if r in view.entries)
            also = []
            for other in candidates:
                if (other is not best and other.confidence >= self.answer_threshold
                        and other.ranked[0] != entry and other.ranked[0] not in also):
                    also.append(other.ranked[0])
            note = FAMILY_NOTE if asks_about_own_child(text) else None
            return Reply(text, Outcome.ANSWERED, round(best.confidence, 3), entry=entry, related=related,
                         family_note=note, also_asked=tuple(also[:MAX_ALSO_ASKED]))
        if best.confidence >= self.thresholds.suggest:
            return Reply(text, Outcome.UNSURE, round(best.confidence, 3),
                         suggestions=best.ranked[: self.thresholds.suggestions], decline_message=UNSURE_MESSAGE)
        return Reply(text, Outcome.OUT_OF_SCOPE, round(best.confidence, 3), decline_message=UNCOVERED_DECLINE)


def _own_confidence(cosine: float, answer_threshold: float) -> float:
    """A server's own phrasing match on the same scale as the curated confidence: OWN_ANSWER_COSINE maps to
    the answer threshold, a perfect match to 1."""
    if cosine >= OWN_ANSWER_COSINE:
        return answer_threshold + (1 - answer_threshold) * (cosine - OWN_ANSWER_COSINE) / (1 - OWN_ANSWER_COSINE)
    return answer_threshold * cosine / OWN_ANSWER_COSINE

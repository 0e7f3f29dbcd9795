"""The retriever: in-memory BM25F over question, alternates, tags and answer, re-ranked by the closest phrasing.

Two signals, because each fails where the other works:
- BM25F over all fields finds entries whose text covers the question's words (good for long stories).
- The closest phrasing (the entry's question or one of its alternates, compared term by term with idf
  weights) rewards an entry that someone has already asked about in nearly these words (good for short ones).

Postings are impact-ordered (best documents for a term first) and a query reads at most `candidates_per_term`
of each, so very common terms cost the same at 100 or 100,000 entries. Only the best `rerank` BM25F
candidates are compared phrasing by phrasing.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .models import Entry
from .text import Lexicon, words

FIELD_WEIGHTS = {"question": 2.0, "alternates": 1.0, "tags": 1.0, "answer": 0.5}
FIELD_B = {"question": 0.5, "alternates": 0.6, "tags": 0.3, "answer": 0.75}
K1 = 1.2
PHRASING_WEIGHT = 0.5  # how much the closest phrasing counts beside the normalised BM25F score


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: float  # the ranking score: normalised BM25F plus the weighted phrasing similarity
    bm25: float  # BM25F as a share of the best score these terms could reach (0..1)
    phrasing: float  # idf-weighted cosine with the closest phrasing (0..1)
    coverage: float  # share of the question's information (idf mass) the entry contains anywhere


def entry_fields(entry: Entry) -> dict[str, str]:
    side = " ".join(x for x in (entry.school, entry.medical) if x)
    return {
        "question": entry.question,
        "alternates": " \n ".join(entry.alternates),
        "tags": " ".join(t.replace("-", " ") for t in entry.tags),
        "answer": f"{entry.answer} {side}",
    }


def _contains(sorted_ids: array, term_id: int) -> bool:
    i = bisect_left(sorted_ids, term_id)
    return i < len(sorted_ids) and sorted_ids[i] == term_id


class Retriever:
    """Terms are interned to ints and kept in compact arrays: about 150 MB for 100,000 entries, not 1.4 GB."""

    def __init__(self, entries: Sequence[Entry], lexicon: Lexicon, *, candidates_per_term: int = 400,
                 rerank: int = 30) -> None:
        self.entries = list(entries)
        self.lexicon = lexicon
        self.candidates_per_term = candidates_per_term
        self.rerank = rerank
        self._ids: dict[str, int] = {}
        field_ids: list[list[array]] = []  # per entry, per field (FIELD_WEIGHTS order): term ids in order
        self._phrasings: list[tuple[array, ...]] = []  # per entry: sorted term ids of its question/alternates
        self._vocab: list[array] = []  # per entry: sorted unique term ids of all its fields
        word_counts: Counter[str] = Counter()
        intern = self._ids.setdefault
        for entry in self.entries:
            texts = entry_fields(entry)
            per_field = []
            for name in FIELD_WEIGHTS:
                word_counts.update(words(texts[name]))
                per_field.append(array("i", (intern(t, len(self._ids)) for t in lexicon.terms(texts[name],
                                                                                               fix_typos=False))))
            field_ids.append(per_field)
            self._phrasings.append(tuple(
                array("i", sorted({intern(t, len(self._ids)) for t in lexicon.terms(p, fix_typos=False)}))
                for p in (entry.question, *entry.alternates)))
            self._vocab.append(array("i", sorted({t for ids in per_field for t in ids})))
        count = max(len(self.entries), 1)
        weights = list(FIELD_WEIGHTS.values())
        bs = [FIELD_B[name] for name in FIELD_WEIGHTS]
        average = [max(sum(len(f[i]) for f in field_ids) / count, 1.0) for i in range(len(weights))]
        docs_of: dict[int, array] = {}
        impacts_of: dict[int, array] = {}
        for doc, per_field in enumerate(field_ids):
            weighted: Counter[int] = Counter()
            for i, ids in enumerate(per_field):
                norm = 1 - bs[i] + bs[i] * len(ids) / average[i]
                for term, tf in Counter(ids).items():
                    weighted[term] += weights[i] * tf / norm
            for term, tf in weighted.items():
                if term not in docs_of:
                    docs_of[term], impacts_of[term] = array("i"), array("f")
                docs_of[term].append(doc)
                impacts_of[term].append(tf / (K1 + tf))
        del field_ids
        self._docs: dict[int, array] = {}
        self._impacts: dict[int, array] = {}
        self._idf: dict[int, float] = {}
        for term, docs in docs_of.items():
            impacts = impacts_of[term]
            order = sorted(range(len(docs)), key=impacts.__getitem__, reverse=True)
            self._docs[term] = array("i", (docs[i] for i in order))
            self._impacts[term] = array("f", (impacts[i] for i in order))
            self._idf[term] = math.log(1 + (count - len(docs) + 0.5) / (len(docs) + 0.5))
        # A word the knowledge base never uses is the strongest evidence that a question is off-topic.
        self.unknown_idf = math.log(1 + (count + 0.5) / 0.5)
        self._phrasing_norms = [array("f", (math.sqrt(sum(self._idf.get(t, 0.0) ** 2 for t in p)) for p in ps))
                                for ps in self._phrasings]
        lexicon.learn(word_counts)

    def weight(self, term: str) -> float:
        term_id = self._ids.get(term)
        return self._idf[term_id] if term_id is not None and term_id in self._idf else self.unknown_idf

    def search(self, question: str, limit: int = 5) -> tuple[list[Hit], list[str]]:
        """Best entries first, and the query terms used."""
        terms = list(dict.fromkeys(self.lexicon.terms(question)))
        if not terms or not self.entries:
            return [], terms
        known = [(self._ids[t], self.weight(t)) for t in terms if t in self._ids and self._ids[t] in self._idf]
        scores: dict[int, float] = {}
        for term_id, idf in known:
            docs = self._docs[term_id]
            impacts = self._impacts[term_id]
            for i in range(min(len(docs), self.candidates_per_term)):
                doc = docs[i]
                scores[doc] = scores.get(doc, 0.0) + idf * impacts[i]
        candidates = sorted(scores.items(), key=lambda item: item[1], reverse=True)[: self.rerank]
        total = sum(self.weight(t) for t in terms)
        query_norm = math.sqrt(sum(self.weight(t) ** 2 for t in terms))
        ceiling = sum(w for _, w in known) or 1.0
        hits = []
        for doc, raw in candidates:
            bm25 = raw / ceiling
            phrasing = 0.0
            for ids, norm in zip(self._phrasings[doc], self._phrasing_norms[doc], strict=True):
                dot = sum(w * w for t, w in known if _contains(ids, t))
                if dot and norm:
                    phrasing = max(phrasing, dot / (norm * query_norm))
            coverage = sum(w for t, w in known if _contains(self._vocab[doc], t)) / total
            hits.append(Hit(self.entries[doc], bm25 + PHRASING_WEIGHT * phrasing, bm25, phrasing, coverage))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit], terms

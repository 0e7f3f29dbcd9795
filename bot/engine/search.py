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


class Retriever:
    def __init__(self, entries: Sequence[Entry], lexicon: Lexicon, *, candidates_per_term: int = 400,
                 rerank: int = 30) -> None:
        self.entries = list(entries)
        self.lexicon = lexicon
        self.candidates_per_term = candidates_per_term
        self.rerank = rerank
        field_terms: list[dict[str, list[str]]] = []
        self._phrasings: list[list[frozenset[str]]] = []
        self._vocab: list[frozenset[str]] = []
        word_counts: Counter[str] = Counter()
        for entry in self.entries:
            texts = entry_fields(entry)
            for text in texts.values():
                word_counts.update(words(text))
            fields = {name: lexicon.terms(text, fix_typos=False) for name, text in texts.items()}
            field_terms.append(fields)
            self._phrasings.append([frozenset(lexicon.terms(p, fix_typos=False))
                                    for p in (entry.question, *entry.alternates)])
            self._vocab.append(frozenset(t for terms in fields.values() for t in terms))
        count = max(len(self.entries), 1)
        average = {f: max(sum(len(ft[f]) for ft in field_terms) / count, 1.0) for f in FIELD_WEIGHTS}
        postings: dict[str, list[tuple[float, int]]] = {}
        for doc, fields in enumerate(field_terms):
            weighted: Counter[str] = Counter()
            for name, terms in fields.items():
                norm = 1 - FIELD_B[name] + FIELD_B[name] * len(terms) / average[name]
                for term, tf in Counter(terms).items():
                    weighted[term] += FIELD_WEIGHTS[name] * tf / norm
            for term, tf in weighted.items():
                postings.setdefault(term, []).append((tf / (K1 + tf), doc))
        self.idf: dict[str, float] = {}
        self._docs: dict[str, array] = {}
        self._impacts: dict[str, array] = {}
        for term, plist in postings.items():
            plist.sort(reverse=True)
            df = len(plist)
            self.idf[term] = math.log(1 + (count - df + 0.5) / (df + 0.5))
            self._docs[term] = array("i", (d for _, d in plist))
            self._impacts[term] = array("f", (i for i, _ in plist))
        # A word the knowledge base never uses is the strongest evidence that a question is off-topic.
        self.unknown_idf = math.log(1 + (count + 0.5) / 0.5)
        lexicon.learn(word_counts)

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.unknown_idf)

    def search(self, question: str, limit: int = 5) -> tuple[list[Hit], list[str]]:
        """Best entries first, and the query terms used."""
        terms = list(dict.fromkeys(self.lexicon.terms(question)))
        if not terms or not self.entries:
            return [], terms
        scores: dict[int, float] = {}
        for term in terms:
            docs = self._docs.get(term)
            if docs is None:
                continue
            idf = self.idf[term]
            impacts = self._impacts[term]
            for i in range(min(len(docs), self.candidates_per_term)):
                doc = docs[i]
                scores[doc] = scores.get(doc, 0.0) + idf * impacts[i]
        candidates = sorted(scores.items(), key=lambda item: item[1], reverse=True)[: self.rerank]
        query = frozenset(terms)
        weights = {t: self.weight(t) for t in terms}
        total = sum(weights.values())
        query_norm = math.sqrt(sum(w * w for w in weights.values()))
        ceiling = sum(weights[t] for t in terms if t in self.idf) or 1.0
        hits = []
        for doc, raw in candidates:
            bm25 = raw / ceiling
            phrasing = max((self._cosine(query, p, weights, query_norm) for p in self._phrasings[doc]), default=0.0)
            coverage = sum(weights[t] for t in query & self._vocab[doc]) / total
            hits.append(Hit(self.entries[doc], bm25 + PHRASING_WEIGHT * phrasing, bm25, phrasing, coverage))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit], terms

    def _cosine(self, query: frozenset[str], phrasing: frozenset[str], weights: dict[str, float],
                query_norm: float) -> float:
        shared = query & phrasing
        if not shared:
            return 0.0
        dot = sum(weights[t] ** 2 for t in shared)
        norm = math.sqrt(sum(self.weight(t) ** 2 for t in phrasing)) * query_norm
        return dot / norm if norm else 0.0

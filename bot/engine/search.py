"""The retriever: in-memory BM25F over question, alternates, tags and answer, with a calibrated confidence.

Postings are impact-ordered (best documents for a term first), so a query reads at most
`candidates_per_term` postings of each term: very common terms cost the same at 100 or 100,000 entries.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from .models import Entry
from .text import Lexicon

# Field weights: a question phrased like the entry's title or alternates is the strongest signal.
FIELD_WEIGHTS = {"question": 3.0, "alternates": 2.0, "tags": 1.5, "answer": 1.0}
FIELD_B = {"question": 0.5, "alternates": 0.6, "tags": 0.3, "answer": 0.75}
K1 = 1.2


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: float
    coverage: float  # share of the question's information (idf mass) the entry contains


def entry_fields(entry: Entry) -> dict[str, str]:
    side = " ".join(x for x in (entry.school, entry.medical) if x)
    return {
        "question": entry.question,
        "alternates": " \n ".join(entry.alternates),
        "tags": " ".join(t.replace("-", " ") for t in entry.tags),
        "answer": f"{entry.answer} {side}",
    }


class Retriever:
    def __init__(self, entries: Sequence[Entry], lexicon: Lexicon, *, candidates_per_term: int = 400) -> None:
        self.entries = list(entries)
        self.lexicon = lexicon
        self.candidates_per_term = candidates_per_term
        field_terms: list[dict[str, list[str]]] = []
        for entry in self.entries:
            field_terms.append({name: lexicon.terms(text, fix_typos=False)
                                for name, text in entry_fields(entry).items()})
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
        lexicon.learn({t: len(d) for t, d in self._docs.items()})

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
        best = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:limit]
        weights = {t: self.idf.get(t, self.unknown_idf) for t in terms}
        total = sum(weights.values())
        hits = []
        for doc, score in best:
            present = self._terms_in(doc, terms)
            hits.append(Hit(self.entries[doc], score, sum(weights[t] for t in present) / total))
        return hits, terms

    def _terms_in(self, doc: int, terms: list[str]) -> list[str]:
        # Only a handful of hits are checked, against short candidate lists: cheap.
        present = []
        for term in terms:
            docs = self._docs.get(term)
            if docs is not None and doc in docs[: self.candidates_per_term]:
                present.append(term)
        return present

    def max_score(self, terms: list[str]) -> float:
        """Upper bound of a score for these terms (every term with impact 1)."""
        return sum(self.idf.get(t, self.unknown_idf) for t in dict.fromkeys(terms))

"""The retriever: three lexical signals over interned term ids, and the evidence for a confidence.

- The entry index (BM25F over question, alternates, tags and answer) finds entries whose text covers the
  question's words: good for long stories.
- The phrasing index holds each phrasing (an entry's question or one of its alternates) as its own tiny
  document; an entry scores its best phrasing (BM25 and idf-weighted cosine): good for short questions asked
  the way someone asked before.
- A naive Bayes classifier, one class per entry, trained on the phrasings (and weakly on the answer), whose
  posterior over the candidates is the strongest single ranking signal and half of the confidence.

Postings are impact-ordered (best documents for a term first) and a query reads at most `candidates_per_term`
of each, so very common terms cost the same at 100 or 100,000 entries. Terms are interned to ints and kept in
arrays, so 100,000 entries take a few hundred MB rather than gigabytes. The weights below were tuned on
tests/data/dev_questions.yaml (`otbot eval`).
"""

from __future__ import annotations

import heapq
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
PHRASING_B = 0.5
PHRASING_FIELD_WEIGHT = 2.0
K1 = 1.2
PHRASING_WEIGHT = 0.25  # the best phrasing's normalised BM25 beside the entry's normalised BM25F
COSINE_WEIGHT = 0.5  # the closest phrasing's idf-weighted cosine with the question
RERANK = 40
BAYES_WEIGHT = 2.0  # the naive Bayes posterior, trained on phrasings (weight 1) and answers (ANSWER_EVIDENCE)
BAYES_ALPHA = 1.0
ANSWER_EVIDENCE = 0.1


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    score: float  # the ranking score: entry BM25F plus the weighted best-phrasing BM25 (both normalised)
    bm25: float  # entry BM25F as a share of what these terms could reach (0..1)
    phrasing: float  # the best phrasing's BM25 in the phrasing index, normalised the same way (0..1)
    cosine: float  # idf-weighted cosine between the question and its closest phrasing (0..1)
    posterior: float  # naive Bayes probability of this entry among the candidates (0..1)
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


class _ImpactIndex:
    """BM25F with per-term postings sorted by impact (the saturated, length-normalised term frequency)."""

    def __init__(self, docs: list[list[array]], weights: Sequence[float], bs: Sequence[float]) -> None:
        count = max(len(docs), 1)
        average = [max(sum(len(d[i]) for d in docs) / count, 1.0) for i in range(len(weights))]
        docs_of: dict[int, array] = {}
        impacts_of: dict[int, array] = {}
        for doc, fields in enumerate(docs):
            weighted: Counter[int] = Counter()
            for i, ids in enumerate(fields):
                norm = 1 - bs[i] + bs[i] * len(ids) / average[i]
                for term, tf in Counter(ids).items():
                    weighted[term] += weights[i] * tf / norm
            for term, tf in weighted.items():
                if term not in docs_of:
                    docs_of[term], impacts_of[term] = array("i"), array("f")
                docs_of[term].append(doc)
                impacts_of[term].append(tf / (K1 + tf))
        self.docs: dict[int, array] = {}
        self.impacts: dict[int, array] = {}
        self.idf: dict[int, float] = {}
        for term, found in docs_of.items():
            impacts = impacts_of[term]
            order = sorted(range(len(found)), key=impacts.__getitem__, reverse=True)
            self.docs[term] = array("i", (found[i] for i in order))
            self.impacts[term] = array("f", (impacts[i] for i in order))
            self.idf[term] = math.log(1 + (count - len(found) + 0.5) / (len(found) + 0.5))

    def scores(self, term_ids: list[int], weight: dict[int, float], limit: int) -> dict[int, float]:
        """Accumulated scores over the first `limit` postings of each term, weighted by the caller's idf."""
        scores: dict[int, float] = {}
        for term in term_ids:
            docs = self.docs.get(term)
            if docs is None:
                continue
            idf, impacts = weight[term], self.impacts[term]
            for i in range(min(len(docs), limit)):
                doc = docs[i]
                scores[doc] = scores.get(doc, 0.0) + idf * impacts[i]
        return scores


class _BayesIndex:
    """Multinomial naive Bayes with one class per entry, trained on its phrasings (and, more weakly, its
    answer). Stored sparsely: a class's score is its baseline times the number of known query terms, plus
    a bonus for each query term the class has seen, read from impact-ordered postings like BM25's."""

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self._totals = array("f")
        self._classes_of: dict[int, array] = {}
        self._bonus_of: dict[int, array] = {}

    def add_class(self, examples: list[tuple[array, float]]) -> None:
        """The next class (entry) in order, from its (term ids, weight) examples."""
        owner = len(self._totals)
        counts: Counter[int] = Counter()
        for ids, weight in examples:
            for term in ids:
                counts[term] += weight
        self._totals.append(sum(counts.values()))
        for term, n in counts.items():
            if term not in self._classes_of:
                self._classes_of[term], self._bonus_of[term] = array("i"), array("f")
            self._classes_of[term].append(owner)
            self._bonus_of[term].append(math.log((n + self.alpha) / self.alpha))

    def finish(self) -> None:
        vocabulary = len(self._classes_of) or 1
        self.base = array("f", (math.log(self.alpha / (total + self.alpha * vocabulary)) for total in self._totals))
        self.classes: dict[int, array] = {}
        self.bonus: dict[int, array] = {}
        for term, classes in self._classes_of.items():
            bonus = self._bonus_of[term]
            order = sorted(range(len(classes)), key=bonus.__getitem__, reverse=True)
            self.classes[term] = array("i", (classes[i] for i in order))
            self.bonus[term] = array("f", (bonus[i] for i in order))
        del self._classes_of, self._bonus_of, self._totals

    def scores(self, term_ids: list[int], limit: int) -> tuple[dict[int, float], int]:
        """Bonus sums for classes found in postings, and how many query terms the model knows."""
        known = [t for t in term_ids if t in self.classes]
        out: dict[int, float] = {}
        for term in known:
            classes, bonus = self.classes[term], self.bonus[term]
            for i in range(min(len(classes), limit)):
                out[classes[i]] = out.get(classes[i], 0.0) + bonus[i]
        return out, len(known)


class Retriever:
    def __init__(self, entries: Sequence[Entry], lexicon: Lexicon, *, candidates_per_term: int = 400) -> None:
        self.entries = list(entries)
        self.lexicon = lexicon
        self.candidates_per_term = candidates_per_term
        self._ids: dict[str, int] = {}
        entry_docs: list[list[array]] = []
        phrasing_docs: list[list[array]] = []
        self._phrasing_owner = array("i")  # phrasing doc -> entry index
        self._vocab: list[array] = []  # per entry: sorted unique term ids of all its fields
        word_counts: Counter[str] = Counter()
        self._bayes = _BayesIndex(BAYES_ALPHA)
        for index, entry in enumerate(self.entries):
            texts = entry_fields(entry)
            for text in texts.values():
                word_counts.update(words(text))
            fields = [self._intern(lexicon.terms(texts[name], fix_typos=False)) for name in FIELD_WEIGHTS]
            entry_docs.append(fields)
            tags, answer = fields[2], fields[3]  # FIELD_WEIGHTS order: question, alternates, tags, answer
            examples = [(tags, ANSWER_EVIDENCE), (answer, ANSWER_EVIDENCE)]
            self._vocab.append(array("i", sorted({t for ids in fields for t in ids})))
            for phrasing in (entry.question, *entry.alternates):
                ids = self._intern(lexicon.terms(phrasing, fix_typos=False))
                phrasing_docs.append([ids])
                examples.append((ids, 1.0))
                self._phrasing_owner.append(index)
            self._bayes.add_class(examples)
        self._entry_index = _ImpactIndex(entry_docs, list(FIELD_WEIGHTS.values()),
                                         [FIELD_B[name] for name in FIELD_WEIGHTS])
        del entry_docs
        self._phrasing_index = _ImpactIndex(phrasing_docs, [PHRASING_FIELD_WEIGHT], [PHRASING_B])
        self._bayes.finish()
        idf = self._entry_index.idf
        self._phrasing_norms = array("f", (math.sqrt(sum(idf.get(t, 0.0) ** 2 for t in set(doc[0])))
                                           for doc in phrasing_docs))
        del phrasing_docs
        # A word the knowledge base never uses is the strongest evidence that a question is off-topic.
        self.unknown_idf = math.log(1 + (len(self.entries) + 0.5) / 0.5)
        lexicon.learn(word_counts)

    def _intern(self, terms: list[str]) -> array:
        ids = self._ids
        return array("i", (ids.setdefault(t, len(ids)) for t in terms))

    def weight(self, term: str) -> float:
        """The entry-level idf of a term; words the knowledge base never uses weigh the most."""
        term_id = self._ids.get(term)
        idf = self._entry_index.idf.get(term_id) if term_id is not None else None
        return self.unknown_idf if idf is None else idf

    def search(self, question: str, limit: int = 5) -> tuple[list[Hit], list[str]]:
        """Best entries first, and the query terms used."""
        terms = list(dict.fromkeys(self.lexicon.terms(question)))
        if not terms or not self.entries:
            return [], terms
        known = [self._ids[t] for t in terms if self._ids.get(t) in self._entry_index.idf]
        weight = {t: self._entry_index.idf[t] for t in known}
        ceiling = sum(weight.values()) or 1.0
        entry_scores = self._entry_index.scores(known, weight, self.candidates_per_term)
        # Phrasings are scored with their own idf (a word rare among phrasings is what tells two apart); the
        # same pass adds up each phrasing's cosine numerator, so no phrasing is ever visited twice.
        phrasings = self._phrasing_index
        query_norm = math.sqrt(sum(self.weight(t) ** 2 for t in terms))
        phrasing_ceiling = sum(phrasings.idf[t] for t in known if t in phrasings.idf) or 1.0
        best_phrasing: dict[int, float] = {}
        best_cosine: dict[int, float] = {}
        bm25: dict[int, float] = {}
        dots: dict[int, float] = {}
        for term in known:
            docs = phrasings.docs.get(term)
            if docs is None:
                continue
            idf, squared, impacts = phrasings.idf[term], weight[term] ** 2, phrasings.impacts[term]
            for i in range(min(len(docs), self.candidates_per_term)):
                doc = docs[i]
                bm25[doc] = bm25.get(doc, 0.0) + idf * impacts[i]
                dots[doc] = dots.get(doc, 0.0) + squared
        owner_of, norms = self._phrasing_owner, self._phrasing_norms
        for doc, score in bm25.items():
            owner = owner_of[doc]
            best_phrasing[owner] = max(best_phrasing.get(owner, 0.0), score / phrasing_ceiling)
            cosine = dots[doc] / (norms[doc] * query_norm) if norms[doc] else 0.0
            best_cosine[owner] = max(best_cosine.get(owner, 0.0), cosine)
        bayes_bonus, bayes_terms = self._bayes.scores(known, self.candidates_per_term)
        total = sum(self.weight(t) for t in terms)

        def first_pass(entry: int) -> float:
            return (entry_scores.get(entry, 0.0) / ceiling + PHRASING_WEIGHT * best_phrasing.get(entry, 0.0)
                    + COSINE_WEIGHT * best_cosine.get(entry, 0.0))

        pool = heapq.nlargest(RERANK, set(entry_scores) | set(best_phrasing), key=first_pass)
        pool += [e for e in heapq.nlargest(RERANK // 2, bayes_bonus, key=bayes_bonus.__getitem__) if e not in pool]
        # The posterior over the pool: entries outside it share none of the question's words.
        log_odds = {e: bayes_terms * self._bayes.base[e] + bayes_bonus.get(e, 0.0) for e in pool}
        top = max(log_odds.values(), default=0.0)
        norm = sum(math.exp(v - top) for v in log_odds.values()) or 1.0
        hits = []
        for entry in pool:
            posterior = math.exp(log_odds[entry] - top) / norm if bayes_terms else 0.0
            coverage = sum(weight[t] for t in known if _contains(self._vocab[entry], t)) / total
            score = first_pass(entry) + BAYES_WEIGHT * posterior
            hits.append(Hit(self.entries[entry], score, entry_scores.get(entry, 0.0) / ceiling,
                            best_phrasing.get(entry, 0.0), best_cosine.get(entry, 0.0), posterior, coverage))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:limit], terms

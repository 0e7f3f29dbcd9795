"""Ranking behaviour of the retriever, including at a scale where postings are cut to a candidate limit."""

from __future__ import annotations

import random

from bot.engine.content import Knowledge
from bot.engine.models import Entry, Source
from bot.engine.search import Retriever
from bot.engine.text import Lexicon


def filler(n: int, vocabulary: list[str], seed: int = 1) -> list[Entry]:
    rng = random.Random(seed)
    return [Entry(id=f"filler-{i}", question=" ".join(rng.choices(vocabulary, k=8)) + "?",
                  answer=" ".join(rng.choices(vocabulary, k=50)), alternates=(" ".join(rng.choices(vocabulary, k=6)),),
                  sources=(Source("synthetic", cite="none"),)) for i in range(n)]


def test_curated_answers_survive_thousands_of_look_alike_entries(knowledge: Knowledge) -> None:
    vocabulary = [w for e in knowledge.entries for w in e.answer.lower().split()]
    entries = [*knowledge.entries, *filler(5000, vocabulary)]
    retriever = Retriever(entries, Lexicon(knowledge.synonym_groups), candidates_per_term=400)
    hits, _ = retriever.search("what is the difference between an IEP and a 504 plan")
    assert hits[0].entry.id == "iep-vs-504"


def test_scores_and_signals_stay_in_range(knowledge: Knowledge) -> None:
    retriever = Retriever(knowledge.entries, Lexicon(knowledge.synonym_groups))
    hits, terms = retriever.search("can the school say no to OT if my son has good grades")
    assert terms and hits
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for hit in hits:
        assert 0.0 <= hit.coverage <= 1.0 and 0.0 <= hit.phrasing <= 1.0 + 1e-6 and hit.bm25 >= 0.0


def test_a_word_nobody_uses_counts_against_the_match(knowledge: Knowledge) -> None:
    retriever = Retriever(knowledge.entries, Lexicon(knowledge.synonym_groups))
    plain, _ = retriever.search("school ot handwriting")
    odd, _ = retriever.search("school ot handwriting zorblax quuxification")
    assert odd[0].coverage < plain[0].coverage

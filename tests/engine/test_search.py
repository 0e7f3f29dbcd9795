"""The matcher: the numpy vectorizer equals scikit-learn's, the cached model equals the trained one, and the
stored phrasings find their own entries."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.engine.classifier import CHAR_NGRAMS, WORD_NGRAMS, TextModel
from bot.engine.content import CuratedContent
from bot.engine.matcher import curated_model, phrasings
from bot.engine.semantic import encoder
from bot.engine.vectorize import Vectorizer

ODD_STRINGS = [
    "", " ", "a", "I", "OT", "ot?", "504!!", "my  kid's   OT\tat\nschool", "Ünïcödé café naïve", "ＯＴ　ａｔ",
    "🙂🧒🏽✏️", "x" * 300, "don't can't won't", "e-mail re-eval co-teach", "IEP/504", "3rd grade, 10yo, ds & dd",
    "under_score and 123 456", "İstanbul ß ﬁ", "a b c d e f", "\u200b", "Ms. O'Neil's class (2nd)",
]


def corpus(knowledge: CuratedContent, n: int = 400) -> list[str]:
    texts, _ = phrasings(knowledge.entries)
    rng = random.Random(3)
    mixed = [" ".join(rng.sample(t.split(), len(t.split()))) + rng.choice(["", "?", " !!", " ds"]) for t in texts]
    return ODD_STRINGS + rng.sample(texts, n // 2) + rng.sample(mixed, n // 2)


@pytest.mark.parametrize(("analyzer", "ngrams"), [("word", WORD_NGRAMS), ("char_wb", CHAR_NGRAMS)])
def test_numpy_vectorizer_equals_scikit_learn(knowledge: CuratedContent, analyzer: str,
                                              ngrams: tuple[int, int]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts, _ = phrasings(knowledge.entries)
    fitted = TfidfVectorizer(analyzer=analyzer, ngram_range=ngrams, sublinear_tf=True, dtype=np.float32).fit(texts)
    ours = Vectorizer.from_sklearn(fitted)
    strings = corpus(knowledge)
    expected = fitted.transform(strings).tocsr()
    for i, text in enumerate(strings):
        columns, values = ours.transform(text)
        row = expected[i]
        order = np.argsort(row.indices)
        assert columns.tolist() == row.indices[order].tolist(), text
        assert np.allclose(values, row.data[order], rtol=1e-5, atol=1e-6), text


def test_the_cached_model_answers_exactly_like_the_trained_one(knowledge: CuratedContent, tmp_path) -> None:
    model = curated_model(knowledge.entries)
    model.save(tmp_path / "model.npz")
    loaded = TextModel.load(tmp_path / "model.npz")
    for text in corpus(knowledge, 60):
        assert np.allclose(model.probabilities(text), loaded.probabilities(text))
    assert loaded.threshold == model.threshold and loaded.platt == model.platt


def test_stored_phrasings_find_their_own_entry(knowledge: CuratedContent) -> None:
    """Self-recall: each stored phrasing, fed back to the full model, ranks its own entry first."""
    model = curated_model(knowledge.entries)
    texts, labels = phrasings(knowledge.entries)
    vectors = encoder().encode(texts) if model.semantic is not None else [None] * len(texts)  # one batch
    misses = [(t, y) for t, y, v in zip(texts, labels, vectors, strict=True)
              if model.labels[int(np.argmax(model.probabilities(t, vector=v)))] != y]
    assert len(misses) <= 0.01 * len(texts), misses


def test_confidence_is_a_probability_and_rises_with_the_model_s_certainty(knowledge: CuratedContent) -> None:
    model = curated_model(knowledge.entries)
    values = [model.confidence(p, s, c, c) for p in (0.05, 0.3, 0.6, 0.95) for s in (0.01, 0.04) for c in (0.1, 0.9)]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert model.confidence(0.95, 0.01, 0.9, 0.9) > model.confidence(0.05, 0.04, 0.1, 0.1)

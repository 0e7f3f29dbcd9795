"""The embedding half of the matcher (semantic.py): its plumbing with a small stand-in encoder, which every
install can run, and the real encoder where the semantic extra is installed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.engine import semantic
from bot.engine.calibrate import out_of_fold
from bot.engine.classifier import TextModel, content_key, fit_model
from bot.engine.content import CuratedContent

TEXTS = ["does school ot cost money", "is school therapy free for families", "who pays for school ot",
         "can my kid get ot at school", "what is needed to qualify for school ot", "is my son eligible for ot",
         "how do i bill insurance for clinic ot", "does insurance cover outpatient ot", "clinic ot copay"]
LABELS = ["cost"] * 3 + ["eligibility"] * 3 + ["insurance"] * 3


class HashingEncoder(semantic.Encoder):
    """Word hashes projected to 32 unit-length dimensions: deterministic, instant, no torch."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 32), np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 32] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture
def stand_in() -> Iterator[HashingEncoder]:
    encoder = HashingEncoder()
    previous = semantic.use_encoder(encoder)
    yield encoder
    semantic.use_encoder(previous)


def test_the_head_changes_the_probabilities_and_survives_saving(stand_in: HashingEncoder, tmp_path: Path) -> None:
    plain = fit_model(TEXTS, LABELS)
    model = fit_model(TEXTS, LABELS, vectors=stand_in.encode(TEXTS))
    assert plain.semantic is None and model.semantic is not None
    question = "is school ot free"
    mixed = model.probabilities(question)
    assert mixed.sum() == pytest.approx(1.0)
    assert not np.allclose(mixed, plain.probabilities(question))
    model.save(tmp_path / "m.npz")
    loaded = TextModel.load(tmp_path / "m.npz")
    assert loaded.semantic is not None
    assert np.allclose(loaded.probabilities(question), mixed)


def test_a_precomputed_embedding_gives_what_encoding_gives(stand_in: HashingEncoder) -> None:
    model = fit_model(TEXTS, LABELS, vectors=stand_in.encode(TEXTS))
    question = "clinic ot and insurance"
    assert np.allclose(model.probabilities(question, vector=stand_in.encode([question])[0]),
                       model.probabilities(question))


def test_out_of_fold_uses_the_embeddings_of_each_fold(stand_in: HashingEncoder) -> None:
    texts, labels = TEXTS * 2, LABELS * 2
    predictions = out_of_fold(texts, labels, folds=2, vectors=stand_in.encode(texts))
    assert len(predictions) == len(texts)
    assert all(p.ranked[0] in set(LABELS) for p in predictions)


def test_a_lone_entry_trains_without_a_head(stand_in: HashingEncoder) -> None:
    texts = TEXTS[:3]
    model = fit_model(texts, LABELS[:3], vectors=stand_in.encode(texts))
    assert model.semantic is None and model.labels[int(np.argmax(model.probabilities("school ot cost")))] == "cost"


def test_the_embedding_head_has_its_own_model_name() -> None:
    assert content_key(TEXTS, LABELS, semantic=True) != content_key(TEXTS, LABELS)


def test_otbot_semantic_0_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTBOT_SEMANTIC", "0")
    assert not semantic.enabled()


def test_combining_is_a_weighted_geometric_mean() -> None:
    tfidf = np.array([0.7, 0.2, 0.1])
    head = np.log(np.array([0.1, 0.8, 0.1]))
    mixed = semantic.combine(tfidf, head)
    weight = semantic.EMBEDDING_WEIGHT
    expected = tfidf ** (1 - weight) * np.exp(head) ** weight
    assert np.allclose(mixed, expected / expected.sum())


needs_extra = pytest.mark.skipif(not semantic.enabled(), reason="the semantic extra is not installed")


@needs_extra
def test_the_real_encoder_embeds_paraphrases_close_together() -> None:
    vectors = semantic.encoder().encode(["does school OT cost anything", "is occupational therapy at school free",
                                         "how do I reset my discord password"])
    assert vectors.shape == (3, 384)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2


@needs_extra
def test_the_shipped_semantic_model_loads_and_answers(knowledge: CuratedContent) -> None:
    from bot.engine.matcher import curated_model, shipped_model_path

    assert shipped_model_path(knowledge.entries, semantic=True).exists(), "run `otbot train` with the extra"
    model = curated_model(knowledge.entries)
    assert model.semantic is not None
    question = knowledge.entries[0].question
    assert model.labels[int(np.argmax(model.probabilities(question)))] == knowledge.entries[0].id


def test_a_broken_extra_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise ImportError("libtorch_cpu.so: cannot open shared object file")

    monkeypatch.setattr(semantic, "_load_model", broken)
    with pytest.raises(semantic.SemanticUnavailable, match="OTBOT_SEMANTIC=0"):
        semantic.Encoder().encode(["does school OT cost anything"])

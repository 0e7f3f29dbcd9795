"""scikit-learn's TfidfVectorizer.transform, reimplemented with the standard library and numpy.

Training uses scikit-learn (see classifier.py); answering must not import it (about 0.9 s of start-up).
This reproduces `TfidfVectorizer(lowercase=True, sublinear_tf=True, norm="l2", analyzer="word" or "char_wb")`
with the default preprocessor and token_pattern exactly; tests/engine/test_search.py compares the two on many
strings, so a change in either shows up there.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern
_WHITE_SPACES = re.compile(r"\s\s+")


def word_tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    tokens = _TOKEN.findall(text.lower())
    out = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        out += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return out


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    out: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:  # a short word counts once, whole
                out.append(padded)
                break
            out += [padded[i:i + n] for i in range(size - n + 1)]
    return out


ANALYZERS = {"word": word_ngrams, "char_wb": char_wb_ngrams}


@dataclass(frozen=True, slots=True)
class Vectorizer:
    """One fitted vectorizer: its analyzer, n-gram range, vocabulary (term -> column) and idf."""

    analyzer: str
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: np.ndarray  # float32, one per column

    def transform(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values) of the l2-normalised sublinear tf-idf row, columns ascending."""
        grams = ANALYZERS[self.analyzer](text, *self.ngram_range)
        counts = Counter(g for g in grams if g in self.vocabulary)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        columns = np.fromiter((self.vocabulary[g] for g in counts), np.int64, len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), np.float32, len(counts))
        values = tf * self.idf[columns]
        values /= np.float32(np.sqrt(np.dot(values, values)))
        order = np.argsort(columns)
        return columns[order], values[order]

    @classmethod
    def from_sklearn(cls, fitted: object) -> Vectorizer:
        vocabulary = {term: int(column) for term, column in fitted.vocabulary_.items()}  # type: ignore[attr-defined]
        return cls(fitted.analyzer, tuple(fitted.ngram_range), vocabulary,  # type: ignore[attr-defined]
                   np.asarray(fitted.idf_, np.float32))  # type: ignore[attr-defined]

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {f"{prefix}_terms": np.array(terms, dtype=str), f"{prefix}_idf": self.idf,
                f"{prefix}_spec": np.array([self.analyzer, *map(str, self.ngram_range)], dtype=str)}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> Vectorizer:
        analyzer, low, high = (str(x) for x in arrays[f"{prefix}_spec"])
        terms = arrays[f"{prefix}_terms"].tolist()
        return cls(analyzer, (int(low), int(high)), dict(zip(terms, range(len(terms)), strict=True)),
                   np.asarray(arrays[f"{prefix}_idf"], np.float32))


def features(word: Vectorizer, char: Vectorizer, text: str) -> tuple[np.ndarray, np.ndarray]:
    """The text's word columns, then its char columns (offset by the word vocabulary), as the classifier sees
    them: each half l2-normalised, as scikit-learn's hstack of the two vectorizers gives."""
    cols_w, vals_w = word.transform(text)
    cols_c, vals_c = char.transform(text)
    return (np.concatenate([cols_w, cols_c + len(word.vocabulary)]).astype(np.int64),
            np.concatenate([vals_w, vals_c]))

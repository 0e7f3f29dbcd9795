"""Stored phrasings as one sparse matrix: how close a question comes to each entry's closest phrasing.

The classifier says which entry is likeliest; this says whether anyone ever asked something like it. A
question that resembles no stored phrasing is likely one no entry covers, however the probabilities fall.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class PhrasingIndex:
    def __init__(self, row: np.ndarray, columns: np.ndarray, values: np.ndarray, owner: np.ndarray,
                 owners: int) -> None:
        self.row, self.columns, self.values, self.owner, self.owners = row, columns, values, owner, owners
        # Each phrasing's span in columns/values, and each owner's phrasings: to score one owner's phrasings
        # without touching the others (the whole matrix costs milliseconds a question; one entry, microseconds).
        self.row_starts = np.searchsorted(row, np.arange(owner.size + 1)).astype(np.int64)
        self.by_owner = np.argsort(owner, kind="stable")
        self.owner_starts = np.searchsorted(owner[self.by_owner], np.arange(owners + 1))
        self._owner_columns: dict[tuple[int, int], np.ndarray] = {}

    def owner_columns(self, owner: int, below: int) -> np.ndarray:
        """The distinct columns (under `below`: the word columns) used by the owner's phrasings (kept once
        computed: every answered question asks for its top entry's)."""
        key = (owner, below)
        if key not in self._owner_columns:
            self._owner_columns[key] = self._columns_of(owner, below)
        return self._owner_columns[key]

    def _columns_of(self, owner: int, below: int) -> np.ndarray:
        rows = self.by_owner[self.owner_starts[owner]:self.owner_starts[owner + 1]]
        spans = [self.columns[self.row_starts[r]:self.row_starts[r + 1]] for r in rows]
        used = np.concatenate(spans) if spans else np.zeros(0, np.int32)
        return np.unique(used[used < below])

    def closeness(self, owner: int, columns: np.ndarray, values: np.ndarray, size: int) -> float:
        """The cosine between the question and the owner's closest phrasing (0..1)."""
        if not columns.size:
            return 0.0
        dense = np.zeros(size, np.float32)
        dense[columns] = values
        best = 0.0
        for phrasing in self.by_owner[self.owner_starts[owner]:self.owner_starts[owner + 1]]:
            start, end = self.row_starts[phrasing], self.row_starts[phrasing + 1]
            best = max(best, float(np.dot(self.values[start:end], dense[self.columns[start:end]])) / 2)
        return best

    @classmethod
    def build(cls, rows: Sequence[tuple[np.ndarray, np.ndarray]], owner: Sequence[int], owners: int) -> PhrasingIndex:
        """`rows` are (columns, values) of each phrasing, `owner` its entry's index among `owners`."""
        sizes = [c.size for c, _ in rows]
        row = np.repeat(np.arange(len(rows), dtype=np.int32), sizes)
        columns = np.concatenate([c for c, _ in rows]).astype(np.int32) if rows else np.zeros(0, np.int32)
        values = np.concatenate([v for _, v in rows]).astype(np.float32) if rows else np.zeros(0, np.float32)
        return cls(row, columns, values, np.asarray(owner, np.int32), owners)

    def closest(self, columns: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
        """Per owner, the cosine between the question and its closest phrasing (0..1). The two halves of a
        row (word and char) are each of unit length, hence the halving."""
        per_owner = np.zeros(self.owners, np.float32)
        if not columns.size or not self.owner.size:
            return per_owner
        dense = np.zeros(size, np.float32)
        dense[columns] = values
        cosines = np.bincount(self.row, self.values * dense[self.columns], minlength=self.owner.size) / 2
        np.maximum.at(per_owner, self.owner, cosines.astype(np.float32))
        return per_owner

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"phr_row": self.row, "phr_columns": self.columns, "phr_values": self.values,
                "phr_owner": self.owner, "phr_owners": np.array([self.owners])}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> PhrasingIndex:
        return cls(arrays["phr_row"], arrays["phr_columns"], arrays["phr_values"], arrays["phr_owner"],
                   int(arrays["phr_owners"][0]))

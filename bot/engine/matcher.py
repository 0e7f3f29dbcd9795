"""The curated model (trained once per content, cached on disk) and each server's own phrasings beside it.

A server's own entries do not copy the curated model: they are a small nearest-phrasing index in the curated
model's feature space (its vectorizers), so memory grows with a server's own phrasings only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from contextlib import suppress
from pathlib import Path

import numpy as np

from .classifier import ANSWERS_AS_EVIDENCE, TextModel, cache_dir, content_key
from .models import Entry
from .phrasings import PhrasingIndex
from .semantic import enabled as semantic_enabled

log = logging.getLogger(__name__)

# A server's own phrasing answers when the question's cosine with it reaches this. Measured like the answer
# threshold (benchmarks/accuracy.py, "nearest phrasing" on the curated phrasings, each left out in turn): at
# cosine >= 0.6 the nearest other phrasing belongs to the same entry 98% of the time.
OWN_ANSWER_COSINE = 0.6
OWN_SUGGEST_COSINE = 0.35

_LOADED: dict[str, TextModel] = {}  # one model per content in a process, whatever number of KnowledgeBases


def phrasings(entries: Iterable[Entry]) -> tuple[list[str], list[str]]:
    """Every stored way of asking each entry (its question and alternates), with the entry's id."""
    texts, labels = [], []
    for entry in entries:
        for text in dict.fromkeys((entry.question, *entry.alternates)):
            texts.append(text)
            labels.append(entry.id)
    return texts, labels


def answer_documents(entries: Iterable[Entry]) -> list[tuple[str, str]]:
    """What each entry says (answer, school and clinic sides, tags): evidence for the classifier."""
    if not ANSWERS_AS_EVIDENCE:
        return []
    return [(" ".join(x for x in (e.answer, e.school, e.medical, " ".join(e.tags)) if x), e.id) for e in entries]


def training_set(entries: Sequence[Entry]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    return (*phrasings(entries), answer_documents(entries))


def verbatim_key(text: str) -> str:
    """A phrasing with case, punctuation and spacing aside: two texts with the same key say the same words."""
    return " ".join(re.findall(r"\w+", text.lower()))


def training_time() -> str:
    """What a user waits for `otbot train` or a first start after a content change (2 cores)."""
    return "about five minutes, with the embedding model" if semantic_enabled() else "about a minute and a half"


def model_key(entries: Sequence[Entry], semantic: bool | None = None) -> str:
    """The trained model's name for these entries, with the embedding head where the semantic extra is on."""
    return content_key(*training_set(entries), semantic=semantic_enabled() if semantic is None else semantic)


def curated_model(entries: Sequence[Entry]) -> TextModel:
    """The trained model for these entries: from memory, else the disk cache, else trained (slow: tens of
    seconds, once per content change) and cached."""
    texts, labels, extra = training_set(entries)
    semantic = semantic_enabled()
    key = model_key(entries, semantic)
    model = _LOADED.get(key)
    if model is not None:
        return model
    path = cache_dir() / f"model-{key}.npz"
    if (shipped := SHIPPED_MODELS / f"model-{key}.npz").exists():  # `otbot train` made it for this content
        path = shipped
    try:
        model = TextModel.load(path)
        with suppress(OSError):
            path.touch()  # recently used: kept by _forget_old_models
    except (OSError, ValueError, KeyError):
        from .calibrate import train

        model = train(texts, labels, extra, semantic=semantic)
        try:
            model.save(path)
            _forget_old_models(path.parent)
        except OSError as exc:  # a read-only home still answers, it just trains again next start
            log.warning("could not cache the trained model at %s: %s", path, exc)
    _LOADED[key] = model
    return model


# The model trained for the curated content, committed beside it (knowledge/model-<key>.npz): training takes
# about a minute and a half on a 2-core machine, too long for a newcomer's first question or for every CI run.
SHIPPED_MODELS = Path(__file__).resolve().parents[2] / "knowledge"
KEEP_MODELS = 6  # a few contents (branches, test folders) stay cached; older ones go (about 8 MB each)


def _forget_old_models(directory: Path) -> None:
    models = sorted(directory.glob("model-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP_MODELS:]:
        old.unlink(missing_ok=True)


def is_cached(entries: Sequence[Entry]) -> bool:
    """Whether the model for these entries is ready without training (callers may say "first run...")."""
    key = model_key(entries)
    return key in _LOADED or any((folder / f"model-{key}.npz").exists() for folder in (SHIPPED_MODELS, cache_dir()))


def shipped_model_path(entries: Sequence[Entry], semantic: bool = False) -> Path:
    """Where the committed model for exactly these entries lives (with the embedding head, or without)."""
    return SHIPPED_MODELS / f"model-{model_key(entries, semantic)}.npz"


def ship_model(entries: Sequence[Entry]) -> list[Path]:
    """Train the model for the curated entries and save it beside them, replacing those for older content,
    so a fresh install answers at once instead of training for a minute (`otbot train`). Where the semantic
    extra is installed, the model with the embedding head is trained and shipped too."""
    from .calibrate import train

    texts, labels, extra = training_set(entries)
    paths = []
    for semantic in (False, True) if semantic_enabled() else (False,):
        paths.append(shipped_model_path(entries, semantic))
        train(texts, labels, extra, semantic=semantic).save(paths[-1], compressed=True)
    keep = {shipped_model_path(entries, True), *paths}  # a current semantic model stays, even if not rebuilt
    for old in SHIPPED_MODELS.glob("model-*.npz"):
        if old not in keep:
            old.unlink()
    return paths


class OwnPhrasings:
    """A server's own phrasings in the curated model's feature space; a question scores each of the server's
    entries by its closest phrasing."""

    def __init__(self, model: TextModel, entries: Iterable[Entry]) -> None:
        texts, labels = phrasings(entries)
        self.ids = tuple(dict.fromkeys(labels))
        owner = {entry_id: i for i, entry_id in enumerate(self.ids)}
        self.index = PhrasingIndex.build([model.features(t) for t in texts], [owner[x] for x in labels],
                                         len(self.ids))

    def best(self, columns: np.ndarray, values: np.ndarray, size: int) -> list[tuple[str, float]]:
        """(entry id, cosine of its closest phrasing), best first."""
        per_entry = self.index.closest(columns, values, size)
        return [(self.ids[i], float(per_entry[i])) for i in np.argsort(-per_entry)]

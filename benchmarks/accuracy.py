"""How well the bot answers: k-fold over the stored phrasings, self-recall, and labelled question sets.

    .venv/bin/python benchmarks/accuracy.py                                  # the chosen matcher, dev set
    .venv/bin/python benchmarks/accuracy.py --questions other.yaml --compare  # any labelled file; all matchers

Works on any content (`--knowledge`) and any labelled file (`q`, `expect`, optional `also`, `audience`,
`kind`). The k-fold predicts each stored phrasing (question or alternate) with a model trained without it,
5 folds stratified by entry. "Coverage at <= 2% wrong" is the share of those phrasings answered when the
threshold is the lowest that keeps the wrong answers among them at or under 2%: what the bot would answer.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.answers import Answerer  # noqa: E402
from bot.engine.calibrate import (  # noqa: E402
    WRONG_RATE_TARGET,
    features_of,
    fit_platt,
    out_of_fold,
    pick_threshold,
    risk_coverage,
)
from bot.engine.classifier import FOLDS  # noqa: E402
from bot.engine.content import CuratedContent, load_knowledge  # noqa: E402
from bot.engine.evaluate import auroc, curve_table, evaluate, read_labeled  # noqa: E402
from bot.engine.matcher import answer_documents, curated_model, phrasings  # noqa: E402
from bot.engine.semantic import HEAD_C, encoder  # noqa: E402
from bot.engine.semantic import enabled as semantic_enabled  # noqa: E402

Scores = Callable[[list[str], list[str], list[str]], list[tuple[str, float]]]  # train texts, labels, tests


def load(directory: Path) -> CuratedContent:
    problems: list = []
    knowledge = load_knowledge(directory, problems)
    if problems:
        raise SystemExit("\n".join(str(p) for p in problems))
    return knowledge


def kfold_summary(name: str, predictions: list, seconds: float) -> str:
    """One table row from out-of-fold predictions (Prediction objects)."""
    top1 = sum(p.ranked[0] == p.label for p in predictions) / len(predictions)
    top3 = sum(p.label in p.ranked for p in predictions) / len(predictions)
    *weights, intercept = fit_platt(predictions)
    confidences = [1 / (1 + np.exp(-(np.dot(weights, features_of(p)) + intercept))) for p in predictions]
    scored = [(float(k), p.ranked[0] == p.label) for k, p in zip(confidences, predictions, strict=True)]
    curve = risk_coverage(scored)
    threshold = pick_threshold(curve)
    coverage = max((cov for t, cov, _ in curve if t >= threshold), default=0.0)
    return (f"| {name} | {top1:.1%} | {top3:.1%} | {auroc(scored):.3f} | {coverage:.1%} | {threshold:.3f} "
            f"| {seconds:.0f} s |")


def sklearn_variant(word: bool, char: bool, c: float) -> Callable[[list[str], list[str]], object]:
    """A scikit-learn variant of the matcher for the comparison (not used at run time)."""
    def fit(texts: list[str], labels: list[str]) -> object:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        parts = ([TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)] if word else []) + \
                ([TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)] if char else [])
        model = make_pipeline(make_union(*parts), LogisticRegression(C=c, solver="saga", max_iter=50, tol=1e-3,
                                                                     random_state=0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(texts, labels)
    return fit


def embedding_variant(vectors: dict[str, np.ndarray], extra: list[tuple[str, str]]
                      ) -> Callable[[list[str], list[str]], object]:
    """Logistic regression on the MiniLM embeddings alone (phrasings + answers), for the comparison."""
    def fit(texts: list[str], labels: list[str]) -> object:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import FunctionTransformer

        embed = FunctionTransformer(lambda batch: np.array([vectors[t] for t in batch]))
        model = make_pipeline(embed, LogisticRegression(C=HEAD_C, max_iter=300))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit([*texts, *(t for t, _ in extra)], [*labels, *(y for _, y in extra)])
    return fit


def variant_oof(fit: Callable[[list[str], list[str]], object], texts: list[str], labels: list[str]) -> list:
    """Out-of-fold predictions of a scikit-learn variant, as calibrate.Prediction (cosine left at 0)."""
    from sklearn.model_selection import StratifiedKFold

    from bot.engine.calibrate import Prediction

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        splits = list(StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(texts, labels))
    for train, held in splits:
        model = fit([texts[i] for i in train], [labels[i] for i in train])
        probabilities = model.predict_proba([texts[i] for i in held])  # type: ignore[attr-defined]
        classes = model.classes_  # type: ignore[attr-defined]
        for row, i in zip(probabilities, held, strict=True):
            order = np.argsort(-row)[:3]
            out.append(Prediction(labels[i], tuple(classes[order]), float(row[order[0]]), float(row[order[1]]),
                                  1.0, 0.0))  # coverage not measured for the variants: a constant
    return out


def self_recall(knowledge: CuratedContent) -> list[str]:
    model = curated_model(knowledge.entries)
    texts, labels = phrasings(knowledge.entries)
    misses = []
    for text, label in zip(texts, labels, strict=True):
        got = model.labels[int(np.argmax(model.probabilities(text)))]
        if got != label:
            misses.append(f"  {label}: '{text}' -> {got}")
    print(f"self-recall: {len(texts) - len(misses)}/{len(texts)} stored phrasings find their own entry "
          f"({1 - len(misses) / len(texts):.1%})")
    print("\n".join(misses))
    return misses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--questions", type=Path, nargs="*", default=[ROOT / "tests" / "data" / "dev_questions.yaml"])
    parser.add_argument("--compare", action="store_true", help="also k-fold the other matchers (minutes)")
    parser.add_argument("--confusions", action="store_true", help="list every wrong or missed question")
    args = parser.parse_args()
    knowledge = load(args.knowledge)
    texts, labels = phrasings(knowledge.entries)
    print(f"{len(knowledge.entries)} entries, {len(texts)} stored phrasings\n")

    start = time.perf_counter()
    answerer = Answerer(knowledge)
    print(f"model ready in {time.perf_counter() - start:.1f} s (trained now if not cached); answer threshold "
          f"{answerer.answer_threshold:.3f} (out-of-fold, <= {WRONG_RATE_TARGET:.0%} wrong); "
          f"platt {answerer.model.platt}\n")
    self_recall(knowledge)

    print(f"\n{FOLDS}-fold over the stored phrasings (each predicted by a model trained without it):")
    print("| matcher | top-1 | top-3 | AUROC | coverage at <= 2% wrong | threshold | time |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    start = time.perf_counter()
    extra = answer_documents(knowledge.entries)
    semantic = semantic_enabled()  # the semantic extra installed: the chosen matcher has the embedding head
    vectors = encoder().encode([*texts, *(t for t, _ in extra)]) if semantic else None
    chosen = out_of_fold(texts, labels, extra, vectors=vectors)
    name = "TF-IDF word 1-2 + char_wb 3-5, LR C=20, + answers"
    print(kfold_summary(f"{name} + MiniLM head, geometric mean (semantic extra)" if semantic else
                        f"{name} (default install)", chosen, time.perf_counter() - start))
    if args.compare and vectors is not None:
        start = time.perf_counter()
        print(kfold_summary(f"{name} (default install)", out_of_fold(texts, labels, extra),
                            time.perf_counter() - start))
        start = time.perf_counter()
        by_text = dict(zip([*texts, *(t for t, _ in extra)], vectors, strict=True))
        print(kfold_summary(f"MiniLM embeddings only, LR C={HEAD_C:g}, + answers³",
                            variant_oof(embedding_variant(by_text, extra), texts, labels), time.perf_counter() - start))
    if args.compare:
        start = time.perf_counter()
        print(kfold_summary(f"{name}, phrasings only (no answers)", out_of_fold(texts, labels),
                            time.perf_counter() - start))
        for name, fit in [("word 1-2 only, LR C=20", sklearn_variant(True, False, 20)),
                          ("char_wb 3-5 only, LR C=20", sklearn_variant(False, True, 20)),
                          ("word + char, LR C=5", sklearn_variant(True, True, 5)),
                          ("word + char, LR C=50", sklearn_variant(True, True, 50))]:
            start = time.perf_counter()
            print(kfold_summary(name + ", phrasings only", variant_oof(fit, texts, labels),
                                time.perf_counter() - start))
    print("\nout-of-fold risk-coverage of the chosen matcher (its calibrated confidence):")
    scored = [(answerer.model.confidence(p.top_probability, p.second_probability, p.coverage, p.cosine),
               p.ranked[0] == p.label) for p in chosen]
    print("\n".join(curve_table(scored, answerer.answer_threshold)))
    calibration(scored)

    for path in args.questions:
        report = asyncio.run(evaluate(answerer, read_labeled(path)))
        print(f"\n{path.name} (the answering policy, as users see it):")
        print(report.text(confusions=args.confusions))


def calibration(scored: list[tuple[float, bool | None]]) -> None:
    """Reliability: within each confidence band, how often the top entry was right."""
    print("calibration (out of fold): confidence band -> share right")
    for low in np.arange(0.0, 1.0, 0.2):
        band = [ok for c, ok in scored if low <= c < low + 0.2 or (low >= 0.8 and c >= 1.0)]
        if band:
            print(f"  {low:.1f}-{low + 0.2:.1f}: {sum(band) / len(band):6.1%} right of {len(band)}")


if __name__ == "__main__":
    main()

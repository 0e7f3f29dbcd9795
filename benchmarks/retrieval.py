"""Answering latency, cold start and memory, against a naive baseline in the same run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/retrieval.py            # curated and 2,000 entries
    .venv/bin/python benchmarks/retrieval.py --quick    # curated only

"ours" is the whole answering policy (`answerer.ask`: guards, question finding, the classifier, calibrated
confidence, closest phrasing). The baseline is rank-bm25's BM25Okapi scoring every entry for every question
with plain lowercase tokens (what a first version would do). Synthetic bases reuse the curated vocabulary,
so common words stay common; their model is fitted without the out-of-fold calibration (timing does not
depend on it), so their build time is one fit.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.answers import Answerer  # noqa: E402
from bot.engine.classifier import fit_model  # noqa: E402
from bot.engine.content import CuratedContent, load_knowledge  # noqa: E402
from bot.engine.matcher import answer_documents, phrasings  # noqa: E402
from bot.engine.models import Entry, Source  # noqa: E402

try:
    from rank_bm25 import BM25Okapi
except ImportError:  # pragma: no cover - the bench extra is optional
    BM25Okapi = None


def questions() -> list[str]:
    import yaml

    path = ROOT / "tests" / "data" / "dev_questions.yaml"
    return [item["q"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


def synthetic(base: CuratedContent, size: int, seed: int = 7) -> list[Entry]:
    rng = random.Random(seed)
    vocabulary = [w for e in base.entries for w in f"{e.question} {e.answer}".lower().split()]
    out = list(base.entries)
    while len(out) < size:
        n = len(out)
        pick = [rng.choice(vocabulary) for _ in range(60)] + [f"term{rng.randrange(size * 2)}" for _ in range(4)]
        out.append(Entry(
            id=f"synthetic-{n}", question=" ".join(pick[:9]) + "?", answer=" ".join(pick[9:60]),
            alternates=(" ".join(pick[2:8]), " ".join(pick[60:64]), " ".join(pick[20:26])),
            tags=tuple(pick[30:32]), sources=(Source("synthetic", cite="none"),)))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_ours(answerer: Answerer, qs: list[str]) -> list[float]:
    async def run() -> list[float]:
        for q in qs[:20]:  # warm up
            await answerer.ask(q)
        out = []
        for q in qs:
            start = time.perf_counter()
            await answerer.ask(q)
            out.append((time.perf_counter() - start) * 1000)
        return out

    return asyncio.run(run())


def time_baseline(entries: list[Entry], qs: list[str]) -> list[float]:
    docs = [" ".join((e.question, *e.alternates, e.answer)).lower().split() for e in entries]
    bm25 = BM25Okapi(docs)
    out = []
    for q in qs:
        start = time.perf_counter()
        scores = bm25.get_scores(q.lower().split())
        max(range(len(scores)), key=scores.__getitem__)
        out.append((time.perf_counter() - start) * 1000)
    return out


def cold_start(runs: int = 5) -> float:
    """Process start to first answer: `python -m bot ask --json` on the curated base, median of runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "--db", ":memory:", "ask", "--json",
                        "why does my kid get ot at the clinic but not at school"],
                       cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the 2,000-entry base")
    args = parser.parse_args()
    problems: list = []
    base = load_knowledge(ROOT / "knowledge", problems)
    qs = questions()
    sizes = [len(base.entries)] + ([] if args.quick else [2_000])
    print(f"{len(qs)} questions from tests/data/dev_questions.yaml; times in ms per question\n")
    print(f"{'entries':>8} {'build s':>8} {'p50':>7} {'p99':>7} {'base p50':>9} {'base p99':>9} "
          f"{'p50 x':>7} {'p99 x':>7} {'RSS MB':>7}")
    for size in sizes:
        entries = base.entries if size == len(base.entries) else synthetic(base, size)
        start = time.perf_counter()
        if size == len(base.entries):
            answerer = Answerer(base)  # the cached, calibrated model (trained first if not cached)
        else:
            model = fit_model(*phrasings(entries), extra=answer_documents(entries))
            answerer = Answerer(CuratedContent(entries), model=model)
        build = time.perf_counter() - start
        ours = time_ours(answerer, qs)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        row = f"{size:>8} {build:>8.2f} {percentile(ours, .5):>7.3f} {percentile(ours, .99):>7.3f}"
        if BM25Okapi is not None:
            base_times = time_baseline(entries, qs)
            b50, b99 = percentile(base_times, .5), percentile(base_times, .99)
            r50, r99 = b50 / percentile(ours, .5), b99 / percentile(ours, .99)
            row += f" {b50:>9.2f} {b99:>9.2f} {r50:>6.1f}x {r99:>6.1f}x"
        else:
            row += f" {'(pip install .[bench] for the baseline)':>41}"
        print(f"{row} {rss:>7.0f}", flush=True)
        del answerer
    print(f"\ncold start (process start to first answer, median of 5): {cold_start():.2f} s")
    # VmHWM, not ru_maxrss: after fork+exec, ru_maxrss can still hold the parent's high-water mark.
    code = ("import runpy, sys; sys.argv = ['otbot', '--db', ':memory:', 'ask', 'what is an iep']\n"
            "try:\n    runpy.run_module('bot', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
            "print(int(hwm) // 1024, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    print(f"peak RSS of one `otbot ask` on the curated base: {out.stderr.strip().splitlines()[-1]} MB")
    print("(RSS MB: this process's peak after building and querying that base, before its baseline runs;\n"
          " the 2,000-entry row includes scikit-learn's training peak.)")


if __name__ == "__main__":
    main()

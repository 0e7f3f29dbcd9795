"""Cold start: process start to the first answer of `otbot ask`, the median of N fresh processes.

    .venv/bin/python benchmarks/coldstart.py            # 15 runs of each row
    .venv/bin/python benchmarks/coldstart.py --runs 31

Every row is measured in the same run, on the same machine state, so they can be compared:
  - the floor: `python -c pass` and a baseline `python -c "import yaml"`;
  - `otbot ask` as users run it (content cache warm), as text and as JSON;
  - `otbot ask` right after a content change (cache cold: parse, validate, write the cache);
  - the previous approach: the pure-Python YAML parser and no cache.
Then one in-process breakdown of the warm path, phase by phase, to show where the rest goes.
Each process gets its own XDG folders in a temporary directory: nothing here touches your own.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "why does my kid get OT at the clinic but not at school"
TARGET_SECONDS = 0.5

PREVIOUS_APPROACH = (  # the pure-Python parser, and load_all without the cache
    "import sys, yaml, bot.engine.yaml_fields as fields, bot.engine.content_cache as cache; "
    "fields.SAFE_LOADER = yaml.SafeLoader; cache.load_all_cached = lambda k, s, _: cache.load_all(k, s); "
    "from bot.__main__ import main; sys.exit(main(sys.argv[1:]))"
)

BREAKDOWN = """
import asyncio, time
t0 = time.perf_counter()
from bot.terminal import commands, paths
from bot.engine.answers import Answerer
from bot.engine.content_cache import load_all_cached
from bot.config import PROJECT_ROOT
t1 = time.perf_counter()
knowledge, _ = load_all_cached(PROJECT_ROOT / "knowledge", PROJECT_ROOT / "scenarios", paths.cache_dir())
t2 = time.perf_counter()
answerer = Answerer(knowledge)
t3 = time.perf_counter()
reply = asyncio.run(answerer.ask(QUESTION_TEXT))
t4 = time.perf_counter()
import io
from bot.terminal.render import make_console, reply_view
make_console(io.StringIO(), 80).print(reply_view(reply))
t5 = time.perf_counter()
for name, seconds in (("imports (engine, terminal, yaml)", t1 - t0),
                      ("content from the cache", t2 - t1), ("matcher build", t3 - t2),
                      ("answer", t4 - t3), ("render (incl. importing rich)", t5 - t4)):
    print(f"{name}\\t{seconds}")
""".replace("QUESTION_TEXT", repr(QUESTION))


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds, and the child's CPU seconds (user + system): on a machine shared with other work the
    CPU time is the steadier figure, the wall time the one a person waits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode(errors='replace')}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def folders(base: Path) -> dict[str, str]:
    return {f"XDG_{name}_HOME": str(base / name.lower()) for name in ("DATA", "STATE", "CACHE", "CONFIG")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    python = sys.executable
    ask = [python, "-m", "bot", "ask", QUESTION]
    with tempfile.TemporaryDirectory() as tmp:
        warm = {**os.environ, **folders(Path(tmp) / "warm"), "PYTHONDONTWRITEBYTECODE": ""}
        run_once(ask, warm)  # fills the content cache (and the bytecode cache) once
        rows: list[tuple[str, list[str], bool]] = [
            ("python -c pass (interpreter floor)", [python, "-c", "pass"], False),
            ('python -c "import yaml" (baseline)', [python, "-c", "import yaml"], False),
            ("otbot ask QUESTION (content cache warm)", ask, False),
            ("otbot ask --json QUESTION (content cache warm)", [*ask[:4], "--json", QUESTION], False),
            ("otbot ask, content just changed (cache cold)", ask, True),
            ("previous approach: pure-Python YAML, no cache", [python, "-c", PREVIOUS_APPROACH, "ask", QUESTION],
             False),
        ]
        results: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in rows}
        for run in range(args.runs):  # interleaved, so a busy moment of the machine hits every row alike
            for name, argv, cold in rows:
                env = {**os.environ, **folders(Path(tmp) / f"cold{run}")} if cold else warm
                results[name].append(run_once(argv, env))
        print(f"Process start to first answer, {args.runs} runs each; target {TARGET_SECONDS} s\n")
        print(f"| {'command':<50} | wall median | wall p90 | CPU median |")
        print(f"|{'-' * 52}|------------:|---------:|-----------:|")
        for name, measured in results.items():
            walls = sorted(wall for wall, _ in measured)
            p90 = walls[min(len(walls) - 1, round(0.9 * (len(walls) - 1)))]
            cpu = statistics.median(cpu for _, cpu in measured)
            print(f"| {name:<50} | {statistics.median(walls):.3f} s | {p90:.3f} s | {cpu:.3f} s |")
        out = subprocess.run([python, "-c", BREAKDOWN], cwd=ROOT, env=warm, capture_output=True, text=True,
                             check=True).stdout
        print("\nWarm path, in one process (seconds):")
        for line in out.splitlines():
            name, seconds = line.split("\t")
            print(f"  {name:<50} {float(seconds):.3f}")


if __name__ == "__main__":
    main()

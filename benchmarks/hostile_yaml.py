"""How fast and how much memory `otbot check` takes on hostile content files, beside a plain PyYAML load.

    .venv/bin/python benchmarks/hostile_yaml.py

Each hostile file is checked in its own `otbot check` process (wall time and peak RSS from the kernel). The
baseline column is what `yaml.safe_load` followed by `str()` of the result (what validation does with values)
costs on the same file, capped at 10 s and 2 GB: the behaviour before the bounded loader.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.engine.test_safe_yaml import HOSTILE  # noqa: E402  (one definition of the hostile files)

BASELINE = """
import resource, sys, yaml
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
try:
    str(yaml.safe_load(open(sys.argv[1], encoding="utf-8").read()))
except BaseException as exc:
    print(type(exc).__name__)
"""


def timed(command: list[str], limit: float = 10.0) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and the last output line of one process."""
    start = time.perf_counter()
    wrapped = ["/usr/bin/time", "-f", "%M", *command]
    try:
        done = subprocess.run(wrapped, capture_output=True, text=True, timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return limit, float("nan"), f"killed after {limit:.0f} s"
    seconds = time.perf_counter() - start
    rss_kb = int(done.stderr.strip().splitlines()[-1])
    lines = (done.stdout + done.stderr).strip().splitlines()
    return seconds, rss_kb / 1024, (lines[0] if lines else "")[:90]


def main() -> None:
    print(f"{'file':<20} {'otbot check':>12} {'peak RSS':>9}  {'baseline':>9}  first line of otbot check")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (text, _, _) in sorted(HOSTILE.items()):
            knowledge, scenarios = Path(tmp, name, "k"), Path(tmp, name, "s")
            knowledge.mkdir(parents=True)
            scenarios.mkdir()
            (knowledge / name).write_text(text, encoding="utf-8")
            ours = timed([sys.executable, "-m", "bot", "--knowledge", str(knowledge), "--scenarios",
                          str(scenarios), "check"])
            base = timed([sys.executable, "-c", BASELINE, str(knowledge / name)])
            print(f"{name:<20} {ours[0]:>10.2f} s {ours[1]:>6.0f} MB  {base[0]:>7.2f} s  {ours[2]}")


if __name__ == "__main__":
    main()

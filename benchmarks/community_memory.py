"""Memory and freshness of servers' own entries: 1,000 servers x 20 own entries each, all loaded at once.

    .venv/bin/python benchmarks/community_memory.py [--servers 1000] [--entries 20]

Each server's own entries are a small phrasing index beside the one shared curated model, so memory should
grow with the servers' own phrasings, not with a copy of the curated model per server. Rows come from an
in-memory stand-in for the store (the SQL is not what is measured here). Also reports how long a server
waits, after a moderator saves an entry, until it is answered (view rebuilt off the event loop).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.answers import Answerer  # noqa: E402
from bot.engine.content import load_knowledge  # noqa: E402
from bot.engine.store import EntryStatus, FaqRow  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


class RowsOnly:
    """Just enough of Store for Answerer: each server's own entries."""

    def __init__(self, rows: dict[int, list[FaqRow]]) -> None:
        self.rows = rows

    async def faq_rows(self, community: int) -> list[FaqRow]:
        return self.rows.get(community, [])


def own_entries(server: int, count: int, words: list[str], rng: random.Random) -> list[FaqRow]:
    rows = []
    for n in range(count):
        topic = " ".join(rng.sample(words, 4))
        data = {"id": f"s{server}-e{n}", "question": f"Where is the {topic} for our district?",
                "answer": f"Room {n}, {topic}.", "alternates": [f"{topic} location", f"who runs the {topic}"],
                "sources": ["District page"]}
        rows.append(FaqRow(server, data["id"], EntryStatus.ACTIVE, data, 1))
    return rows


async def run(servers: int, per_server: int) -> None:
    problems: list = []
    knowledge = load_knowledge(ROOT / "knowledge", problems)
    rng = random.Random(5)
    words = sorted({w for e in knowledge.entries for w in e.answer.lower().split() if w.isalpha() and len(w) > 4})
    rows = {s: own_entries(s, per_server, words, rng) for s in range(1, servers + 1)}
    answerer = Answerer(knowledge, RowsOnly(rows))  # type: ignore[arg-type]
    await answerer.ask("what is an iep", 0)
    before = rss_mb()
    start = time.perf_counter()
    found = 0
    for server in range(1, servers + 1):
        question = rows[server][0].data["question"]  # type: ignore[index]
        reply = await answerer.ask(question, server)
        found += bool(reply.entry and reply.entry.id == rows[server][0].entry_id)
    loaded = time.perf_counter() - start
    after = rss_mb()
    print(f"{servers} servers x {per_server} own entries: total RSS {after:.0f} MB "
          f"({after - before:.0f} MB for the servers' own entries, {1024 * (after - before) / servers:.0f} KB each); "
          f"curated model and process {before:.0f} MB")
    print(f"first question in every server (builds its view): {loaded:.1f} s in all, "
          f"{1000 * loaded / servers:.1f} ms a server; own entry answered in {found} of {servers} servers")
    # Freshness: a moderator saves an entry, the next question sees it.
    server = 1
    extra = own_entries(server, per_server + 1, words, rng)[-1]
    rows[server].append(extra)
    start = time.perf_counter()
    answerer.invalidate(server)
    reply = await answerer.ask(extra.data["question"], server)  # type: ignore[index]
    print(f"new entry answerable after {1000 * (time.perf_counter() - start):.1f} ms "
          f"(answered: {bool(reply.entry and reply.entry.id == extra.entry_id)})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.servers, args.entries))


if __name__ == "__main__":
    main()

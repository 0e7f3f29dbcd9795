"""Finding an entry by what someone typed of its id or title: Discord autocomplete and the terminal's /show."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils

from .models import Entry

# Score (0-100) below which an entry is not offered. Tried on the curated entries: at 80, "handwritng" finds
# the handwriting entries, "clinic vs school" finds school-vs-clinic-ot, "iep" the IEP ones, "zzqx" nothing.
CUTOFF = 80


def _score(typed: str, name: str, **options: object) -> float:
    """Part of a word, typos included (partial_ratio), or the same words in any order (token_set_ratio)."""
    return max(fuzz.partial_ratio(typed, name, **options), fuzz.token_set_ratio(typed, name, **options))


def closest_ids(entries: dict[str, Entry], typed: str, limit: int) -> list[str]:
    """Entry ids whose id or title is closest to `typed`, best first; among equals, ids that start with it."""
    names = {e.id: f"{e.question} ({e.id})" for e in entries.values()}
    if not typed.strip():
        return sorted(names)[:limit]
    found = process.extract(typed, names, scorer=_score, processor=utils.default_process, limit=None,
                            score_cutoff=CUTOFF)
    wanted = typed.strip().lower()
    found.sort(key=lambda hit: (-hit[1], not hit[2].startswith(wanted), hit[2]))
    return [entry_id for _, _, entry_id in found[:limit]]

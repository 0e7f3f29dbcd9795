"""Parsed content kept between runs, keyed on the bytes of every content file and of the loader itself.

Measured on knowledge/ + scenarios/ (benchmarks/coldstart.py): parsing and validating with libyaml takes
about 0.05 s, reading this cache about 0.005 s. Any change to a file, the loader code or Python gives a
new key, so a stale cache is never read; content with problems is never cached (it raises instead).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from pathlib import Path

from .content import CuratedContent, load_all
from .models import Scenario

log = logging.getLogger(__name__)

_ENGINE = Path(__file__).resolve().parent
# The code that turns files into models: a change here must miss the cache too.
_LOADER_FILES = ("content.py", "yaml_fields.py", "schema.py", "safe_yaml.py", "models.py", "content_cache.py")
CACHE_PREFIX = "content-"


def content_key(knowledge_dir: Path, scenarios_dir: Path) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in _LOADER_FILES:
        digest.update((_ENGINE / name).read_bytes())
    for folder in (knowledge_dir, scenarios_dir):
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        digest.update(str(folder.resolve()).encode() + b"\1")
    return digest.hexdigest()[:32]


def load_all_cached(knowledge_dir: Path, scenarios_dir: Path,
                    cache_dir: Path | None) -> tuple[CuratedContent, list[Scenario]]:
    """load_all, from the cache when the files are unchanged. Never fails because of the cache."""
    if cache_dir is None:
        return load_all(knowledge_dir, scenarios_dir)
    try:
        path = cache_dir / f"{CACHE_PREFIX}{content_key(knowledge_dir, scenarios_dir)}.pickle"
    except OSError:  # a file went away mid-read: the loader reports it properly
        return load_all(knowledge_dir, scenarios_dir)
    try:
        with path.open("rb") as file:
            return pickle.load(file)
    except FileNotFoundError:
        pass
    except Exception:  # a truncated or foreign file: parse again and overwrite it
        log.warning("content cache %s unreadable; parsing the content again", cache_dir, exc_info=True)
    loaded = load_all(knowledge_dir, scenarios_dir)  # raises ContentError on any problem: nothing cached
    _write(path, loaded)
    return loaded


def _write(path: Path, loaded: tuple[CuratedContent, list[Scenario]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{CACHE_PREFIX}*.pickle"):
            old.unlink(missing_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)  # atomic: a concurrent reader sees the old file or the whole new one
    except OSError:
        log.warning("cannot write the content cache in %s", path.parent, exc_info=True)

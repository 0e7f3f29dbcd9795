"""The parsed-content cache: reused while files are unchanged, never stale, never a reason to fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine import content_cache
from bot.engine.content_cache import CACHE_PREFIX, load_all_cached
from bot.engine.errors import ContentError
from tests.conftest import KNOWLEDGE_DIR, SCENARIOS_DIR


@pytest.fixture
def content(tmp_path: Path) -> tuple[Path, Path]:
    knowledge, scenarios = tmp_path / "knowledge", tmp_path / "scenarios"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    shutil.copytree(SCENARIOS_DIR, scenarios)
    return knowledge, scenarios


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def parse(*args: object) -> None:
        raise AssertionError("parsed although the cache was valid")

    monkeypatch.setattr(content_cache, "load_all", parse)


def test_unchanged_files_are_read_from_the_cache(content: tuple[Path, Path], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    knowledge, scenarios = load_all_cached(*content, cache)
    no_parsing(monkeypatch)
    cached_knowledge, cached_scenarios = load_all_cached(*content, cache)
    assert cached_knowledge.entries == knowledge.entries and cached_scenarios == scenarios


def test_a_changed_file_is_parsed_again_and_replaces_the_old_cache(content: tuple[Path, Path],
                                                                   tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_all_cached(*content, cache)
    first = list(cache.glob(f"{CACHE_PREFIX}*"))
    (content[0] / "extra.yaml").write_text(
        "- id: cache-test-entry\n  question: Is this a cache test?\n"
        "  alternates: [cache test one, cache test two, cache test three]\n"
        "  answer: Yes.\n  audiences: [ots]\n  sources: [{title: Test, cite: none}]\n  reviewed: 2026-11-26\n",
        encoding="utf-8")
    knowledge, _ = load_all_cached(*content, cache)
    assert any(e.id == "cache-test-entry" for e in knowledge.entries)
    assert len(first) == 1 and list(cache.glob(f"{CACHE_PREFIX}*")) != first
    assert len(list(cache.glob(f"{CACHE_PREFIX}*"))) == 1


def test_a_damaged_cache_is_parsed_again(content: tuple[Path, Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_all_cached(*content, cache)
    (damaged,) = cache.glob(f"{CACHE_PREFIX}*")
    damaged.write_bytes(b"not a pickle")
    knowledge, scenarios = load_all_cached(*content, cache)
    assert knowledge.entries and scenarios


def test_content_with_problems_raises_and_is_never_cached(content: tuple[Path, Path], tmp_path: Path) -> None:
    (content[0] / "broken.yaml").write_text("- id: x\n  question: [oops\n", encoding="utf-8")
    cache = tmp_path / "cache"
    with pytest.raises(ContentError):
        load_all_cached(*content, cache)
    assert not list(cache.glob(f"{CACHE_PREFIX}*"))

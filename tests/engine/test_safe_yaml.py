"""Hostile content files end in one short file:line problem, not a freeze, a MemoryError or a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.engine import safe_yaml
from bot.terminal.commands import check

LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)

HOSTILE = {
    "billion-laughs.yaml": (LAUGHS, 2, "aliases"),
    "deep-flow.yaml": ("- " + "[" * 5000 + "]" * 5000 + "\n", 1, ""),
    "deep-block.yaml": ("".join("  " * i + "- \n" for i in range(40)) + "  " * 40 + "- x\n", None, "nested"),
    "duplicate-key.yaml": ("- id: a\n  question: one\n  question: two\n", 3, "duplicate key 'question'"),
    "huge-line.yaml": ("- id: " + "x" * 1_500_000 + "\n  : [\n", None, ""),
    "too-big.yaml": ("- x\n" * 600_000, None, "at most"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_yaml_is_one_short_problem_with_a_line(name: str) -> None:
    text, line, words = HOSTILE[name]
    with pytest.raises(safe_yaml.YamlProblem) as caught:
        safe_yaml.load(text)
    assert words in caught.value.message
    assert len(caught.value.message) < 200
    if line is not None:
        assert caught.value.line == line


def test_check_names_file_and_line_for_every_hostile_file(tmp_path: Path) -> None:
    knowledge, scenarios = tmp_path / "knowledge", tmp_path / "scenarios"
    knowledge.mkdir()
    scenarios.mkdir()
    for name, (text, _, _) in HOSTILE.items():
        (knowledge / name).write_text(text, encoding="utf-8")
    out = io.StringIO()
    assert check(knowledge, scenarios, out) == 1
    lines = out.getvalue().splitlines()
    for name, (_, line, _) in HOSTILE.items():
        shown = [row for row in lines if name in row]
        assert len(shown) == 1, (name, shown)
        if line is not None:
            assert f"{name}:{line}:" in shown[0]
    assert max(len(row) for row in lines) < 400


def test_plain_content_still_loads_with_its_nodes() -> None:
    data, node = safe_yaml.load("- id: a\n  tags: [x, y]\n- id: b\n")
    assert data == [{"id": "a", "tags": ["x", "y"]}, {"id": "b"}]
    assert node.value[1].start_mark.line == 2


def test_an_anchor_without_alias_is_harmless() -> None:
    assert safe_yaml.load("a: &x 1\nb: 2\n")[0] == {"a": 1, "b": 2}

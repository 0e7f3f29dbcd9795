"""Content loading: the shipped files are valid, and every kind of mistake is reported with file and line."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.engine.content import load_all, load_knowledge, load_scenarios
from bot.engine.errors import ContentError, Problem
from bot.terminal.commands import check

KNOWLEDGE = PROJECT_ROOT / "knowledge"
SCENARIOS = PROJECT_ROOT / "scenarios"

GOOD_ENTRY = """\
- id: first-entry
  question: What is school OT?
  alternates: [school ot, ot at school, what do school ots do]
  answer: It helps students take part in school.
  tags: [basics]
  audiences: [parents, teachers]
  related: [second-entry]
  sources:
    - title: IDEA regulations
      cite: 34 CFR 300.34
  reviewed: 2026-11-26
- id: second-entry
  question: What is clinic OT?
  alternates: [clinic ot, outpatient ot, private ot]
  answer: It treats what the payer covers.
  audiences: [parents]
  sources: [{title: A page, url: "https://example.org"}]
  reviewed: 2026-11-26
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_shipped_content_is_valid_and_large_enough() -> None:
    knowledge, scenarios = load_all(KNOWLEDGE, SCENARIOS)
    assert len(knowledge.entries) >= 80
    assert all(e.sources for e in knowledge.entries)
    assert len(scenarios) >= 40


def test_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD_ENTRY)
    problems: list[Problem] = []
    knowledge = load_knowledge(tmp_path, problems)
    assert problems == []
    assert [e.id for e in knowledge.entries] == ["first-entry", "second-entry"]
    assert knowledge.entries[0].sources[0].cite == "34 CFR 300.34"
    assert knowledge.entries[0].reviewed == "2026-11-26"


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "bad.yaml", GOOD_ENTRY + "- id: broken\n  question: [unclosed\n  answer: x\n")
    problems: list[Problem] = []
    load_knowledge(tmp_path, problems)
    assert len(problems) == 1
    assert problems[0].path.endswith("bad.yaml")
    assert problems[0].line is not None and problems[0].line >= 18
    assert "invalid YAML" in problems[0].message


@pytest.mark.parametrize(
    ("mutation", "expected", "line"),
    [
        (lambda t: t.replace("id: second-entry", "id: first-entry"), "duplicate id 'first-entry'", 12),
        (lambda t: t.replace("related: [second-entry]", "related: [nowhere]"), "related id 'nowhere'", 7),
        (lambda t: t.replace("  sources: [{title: A page, url: \"https://example.org\"}]\n", ""),
         "missing source", 12),
        (lambda t: t.replace("It treats what the payer covers.", "x" * 1501), "too long (1501", 15),
        (lambda t: t.replace("  tags: [basics]\n", "  tags: [basics]\n  colour: blue\n"), "unknown key 'colour'", 6),
        (lambda t: t.replace("alternates: [clinic ot, outpatient ot, private ot]", "alternates: [one]"),
         "at least 3 alternates", 14),
        (lambda t: t.replace("reviewed: 2026-11-26\n- id", "reviewed: someday\n- id"), "must be a date", 11),
        (lambda t: t.replace("  audiences: [parents]\n", ""), "missing 'audiences'", 12),
        (lambda t: t.replace("audiences: [parents]", "audiences: [pupils]"), "unknown audience 'pupils'", 16),
        (lambda t: t.replace("It helps students take part in school.", "It helps your child at school."),
         "says 'your child' but the entry is also for teachers", 4),
        (lambda t: t.replace('url: "https://example.org"', 'url: "https://studylib.net/doc/1"'),
         "is on studylib.net, a copy or proxy", 17),
    ],
)
def test_each_mistake_is_reported_with_its_line(tmp_path: Path, mutation, expected: str, line: int) -> None:
    write(tmp_path, "a.yaml", mutation(GOOD_ENTRY))
    problems: list[Problem] = []
    load_knowledge(tmp_path, problems)
    assert any(expected in p.message for p in problems), problems
    found = next(p for p in problems if expected in p.message)
    assert found.line == line
    assert str(found).startswith(f"{found.path}:{line}: ")


def test_check_prints_every_problem_and_fails(tmp_path: Path) -> None:
    text = GOOD_ENTRY.replace("related: [second-entry]", "related: [nowhere]")
    text += "  colour: blue\n"  # on the second entry, so the first one's dangling link is checked too
    write(tmp_path / "k", "a.yaml", text)
    (tmp_path / "s").mkdir()
    out = io.StringIO()
    assert check(tmp_path / "k", tmp_path / "s", out) == 1
    printed = out.getvalue()
    assert "unknown key 'colour'" in printed and "related id 'nowhere'" in printed
    assert "2 problem(s)" in printed


def test_load_all_raises_with_all_problems(tmp_path: Path) -> None:
    write(tmp_path / "k", "a.yaml", "- id: Bad Id\n  question: q\n")
    write(tmp_path / "s", "s.yaml", "not: a list\n")
    with pytest.raises(ContentError) as info:
        load_all(tmp_path / "k", tmp_path / "s")
    messages = " | ".join(p.message for p in info.value.problems)
    assert "lowercase words" in messages and "missing 'answer'" in messages and "must be a YAML list" in messages


SCENARIO = """\
- id: velcro
  title: Laces or velcro?
  grade: "2"
  setting: classroom
  category: self-care
  difficulty: 1
  vignette: A second-grader cannot tie laces but wears velcro shoes every day, including in PE, and manages well.
  answer: none
  partial: [clinic]
  explanation: The student takes part fully at school without the skill.
  why_not:
    school: No educational impact.
    clinic: Possible, but a family choice, not a school need.
    both: School OT is not needed.
  factors: [educational impact, accommodation]
  sources: [{title: IDEA, cite: 34 CFR 300.34}]
"""


def test_good_scenario_loads(tmp_path: Path) -> None:
    write(tmp_path, "s.yaml", SCENARIO)
    problems: list[Problem] = []
    [scenario] = load_scenarios(tmp_path, problems)
    assert problems == []
    assert [o.key for o in scenario.options] == ["school", "clinic", "both", "none"]
    assert scenario.credit("none") == "correct" and scenario.credit("clinic") == "partial"
    assert scenario.credit("school") == "wrong"


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (lambda t: t.replace("    both: School OT is not needed.\n", ""), "option 'both' is not explained"),
        (lambda t: t.replace("answer: none", "answer: maybe"), "answer 'maybe' is not among the options"),
        (lambda t: t.replace("factors: [educational impact, accommodation]", "factors: [vibes]"),
         "factor 'vibes'"),
        (lambda t: t.replace("category: self-care", "category: cooking"), "category 'cooking'"),
        (lambda t: t.replace("difficulty: 1", "difficulty: 7"), "difficulty must be"),
        (lambda t: t + t.replace("id: velcro", "id: velcro-again"), "nearly duplicates 'velcro'"),
        (lambda t: t + t, "duplicate id 'velcro'"),
    ],
)
def test_scenario_mistakes_are_reported(tmp_path: Path, mutation, expected: str) -> None:
    write(tmp_path, "s.yaml", mutation(SCENARIO))
    problems: list[Problem] = []
    load_scenarios(tmp_path, problems)
    assert any(expected in p.message for p in problems), problems
    assert all(p.line for p in problems)


def test_hard_wrapped_text_is_joined_but_lists_keep_their_lines() -> None:
    from bot.engine.yaml_fields import unwrap

    assert unwrap("one two\nthree\n\n- a\n- b\n  more\n1. c\n\nend") == "one two three\n\n- a\n- b more\n1. c\n\nend"


def test_parent_wording_is_fine_in_an_entry_only_for_parents(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD_ENTRY.replace("It treats what the payer covers.", "It helps your son at home."))
    problems: list[Problem] = []
    load_knowledge(tmp_path, problems)
    assert problems == []


def test_check_lists_entries_not_reviewed_for_a_year_without_failing(tmp_path: Path) -> None:
    write(tmp_path / "k", "a.yaml", GOOD_ENTRY.replace("reviewed: 2026-11-26\n- id", "reviewed: 2019-01-02\n- id"))
    (tmp_path / "s").mkdir()
    out = io.StringIO()
    assert check(tmp_path / "k", tmp_path / "s", out) == 0
    assert "'first-entry' was last reviewed on 2019-01-02" in out.getvalue()
    assert "second-entry' was last" not in out.getvalue()


def test_the_committed_answer_models_were_trained_on_this_content() -> None:
    from bot.engine.matcher import shipped_model_path

    knowledge, _ = load_all(KNOWLEDGE, SCENARIOS)
    path = shipped_model_path(knowledge.entries)
    assert path.exists(), ("knowledge/ changed since the answer model was trained: run `otbot train` and commit "
                           f"{path.name} (otherwise every fresh install trains it for a minute and a half)")
    current = {path, shipped_model_path(knowledge.entries, semantic=True)}
    stale = [p.name for p in KNOWLEDGE.glob("model-*.npz") if p not in current]
    assert stale == [], "models for older content: run `otbot train` (it removes them)"

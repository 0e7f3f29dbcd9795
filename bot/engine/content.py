"""Load and validate knowledge/ and scenarios/ into models. Every problem names its file and line."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import ContentError, Problem
from .models import (
    AUDIENCES,
    CATEGORIES,
    DEFAULT_OPTIONS,
    FACTORS,
    MAX_ANSWER_CHARS,
    MAX_NOTE_CHARS,
    MAX_SIDE_CHARS,
    Entry,
    Origin,
    Scenario,
    ScenarioOption,
)
from .yaml_fields import (
    SAFE_LOADER,
    KeyProblem,
    check_id,
    read_list,
    shown_path,
    sources_field,
    text_field,
    text_list,
    unknown_keys,
    unwrap,
)

SYNONYMS_FILE = "synonyms.yaml"
ENTRY_KEYS = {"id", "question", "alternates", "answer", "school", "medical", "tags", "related", "sources", "reviewed",
              "audiences", "for_teachers", "for_ots"}
SCENARIO_KEYS = {
    "id", "title", "grade", "age", "setting", "category", "difficulty", "vignette", "question", "options",
    "answer", "partial", "explanation", "why_not", "factors", "sources",
}
MIN_ALTERNATES = 3
MAX_VIGNETTE_CHARS = 900
MAX_EXPLANATION_CHARS = 1000
MAX_WHY_NOT_CHARS = 300
NEAR_DUPLICATE_SIMILARITY = 0.6


@dataclass
class Knowledge:
    entries: list[Entry] = field(default_factory=list)
    synonym_groups: list[list[str]] = field(default_factory=list)


# ---------------------------------------------------------------- entries


def parse_entry(raw: Any, origin: Origin = Origin.CURATED) -> tuple[Entry | None, list[KeyProblem]]:
    """Validate one knowledge entry. Shared by the file loader, moderator edits and imports."""
    if not isinstance(raw, dict):
        return None, [(None, "each item must be a mapping with id, question, answer, ...")]
    problems: list[KeyProblem] = []
    unknown_keys(raw, ENTRY_KEYS, problems)
    entry_id = check_id(raw, problems)
    question = text_field(raw, "question", problems)
    answer = text_field(raw, "answer", problems, limit=MAX_ANSWER_CHARS)
    school = text_field(raw, "school", problems, required=False, limit=MAX_SIDE_CHARS)
    medical = text_field(raw, "medical", problems, required=False, limit=MAX_SIDE_CHARS)
    alternates = text_list(raw, "alternates", problems)
    if origin is Origin.CURATED and len(alternates) < MIN_ALTERNATES:
        problems.append(("alternates", f"needs at least {MIN_ALTERNATES} alternates, has {len(alternates)}"))
    tags = tuple(t.lower() for t in text_list(raw, "tags", problems))
    related = text_list(raw, "related", problems)
    audiences = tuple(a.lower() for a in text_list(raw, "audiences", problems))
    for bad in sorted(set(audiences) - set(AUDIENCES)):
        problems.append(("audiences", f"unknown audience '{bad}' (allowed: {', '.join(AUDIENCES)})"))
    for_teachers = text_field(raw, "for_teachers", problems, required=False, limit=MAX_NOTE_CHARS)
    for_ots = text_field(raw, "for_ots", problems, required=False, limit=MAX_NOTE_CHARS)
    sources = sources_field(raw, problems)
    reviewed = raw.get("reviewed")
    if isinstance(reviewed, dt.date):
        reviewed = reviewed.isoformat()
    elif reviewed is not None:
        reviewed = str(reviewed)
        try:
            dt.date.fromisoformat(reviewed)
        except ValueError:
            problems.append(("reviewed", f"'reviewed' must be a date like 2026-11-26, not '{reviewed}'"))
    elif origin is Origin.CURATED:
        problems.append(("reviewed", "missing 'reviewed' date"))
    if problems or entry_id is None or question is None or answer is None:
        return None, problems
    entry = Entry(entry_id, question, answer, alternates, school, medical, tags, related, sources,
                  reviewed, origin, audiences, for_teachers, for_ots)
    return entry, []


def _read_synonyms(path: Path, shown: str, problems: list[Problem]) -> list[list[str]]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        problems.append(Problem(shown, mark.line + 1 if mark else None, f"invalid YAML: {exc.problem}"))
        return []
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(Problem(shown, None, f"cannot read synonyms: {exc}"))
        return []
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        problems.append(Problem(shown, 1, "synonyms file needs a 'groups' list of lists"))
        return []
    seen: dict[str, int] = {}
    out = []
    for number, group in enumerate(groups, 1):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(t, str) for t in group):
            problems.append(Problem(shown, None, f"group {number} must be a list of at least two terms"))
            continue
        terms = [t.strip().lower() for t in group]
        for term in terms:
            if term in seen:
                problems.append(Problem(shown, None, f"'{term}' is in group {seen[term]} and group {number}"))
            seen[term] = number
        out.append(terms)
    return out


def load_knowledge(directory: Path, problems: list[Problem]) -> Knowledge:
    """Read every entry file and the synonyms; append what is wrong to `problems`."""
    knowledge = Knowledge()
    if not directory.is_dir():
        problems.append(Problem(str(directory), None, "knowledge folder not found"))
        return knowledge
    first_seen: dict[str, str] = {}
    related_refs: list[tuple[str, int, str, str]] = []
    invalid_ids: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        shown = shown_path(path)
        if path.name == SYNONYMS_FILE:
            knowledge.synonym_groups = _read_synonyms(path, shown, problems)
            continue
        for record in read_list(path, shown, problems):
            entry, found = parse_entry(record.data)
            problems.extend(Problem(shown, record.line_of(key), msg) for key, msg in found)
            if entry is None:
                if isinstance(record.data, dict) and isinstance(record.data.get("id"), str):
                    invalid_ids.add(record.data["id"])  # already reported: links to it are not a second problem
                continue
            if entry.id in first_seen:
                problems.append(Problem(shown, record.line_of("id"),
                                        f"duplicate id '{entry.id}' (first at {first_seen[entry.id]})"))
                continue
            first_seen[entry.id] = f"{shown}:{record.line_of('id')}"
            knowledge.entries.append(entry)
            related_refs += [(shown, record.line_of("related"), entry.id, r) for r in entry.related]
    for shown, line, owner, target in related_refs:
        if target not in first_seen and target not in invalid_ids:
            problems.append(Problem(shown, line, f"entry '{owner}' has related id '{target}' that does not exist"))
        elif target == owner:
            problems.append(Problem(shown, line, f"entry '{owner}' lists itself as related"))
    return knowledge


# ---------------------------------------------------------------- scenarios


def _options(raw: dict[str, Any], problems: list[KeyProblem]) -> tuple[ScenarioOption, ...]:
    value = raw.get("options")
    if value is None:
        return DEFAULT_OPTIONS
    if not isinstance(value, dict) or not 2 <= len(value) <= 5:
        problems.append(("options", "'options' must map 2 to 5 option keys to labels"))
        return DEFAULT_OPTIONS
    options = []
    for key, label in value.items():
        if not isinstance(label, str) or not label.strip() or len(label) > 80:
            problems.append(("options", f"option '{key}' needs a label of at most 80 characters"))
        options.append(ScenarioOption(str(key), str(label).strip()))
    return tuple(options)


def parse_scenario(raw: Any) -> tuple[Scenario | None, list[KeyProblem]]:
    if not isinstance(raw, dict):
        return None, [(None, "each scenario must be a mapping with id, title, vignette, ...")]
    problems: list[KeyProblem] = []
    unknown_keys(raw, SCENARIO_KEYS, problems)
    scenario_id = check_id(raw, problems)
    title = text_field(raw, "title", problems, limit=80)
    setting = text_field(raw, "setting", problems) or ""
    vignette = text_field(raw, "vignette", problems, limit=MAX_VIGNETTE_CHARS)
    question = text_field(raw, "question", problems, required=False) or "Should this student receive OT services?"
    explanation = text_field(raw, "explanation", problems, limit=MAX_EXPLANATION_CHARS)
    if "grade" in raw:
        level = f"Grade {raw['grade']}"
    elif "age" in raw:
        level = f"Age {raw['age']}"
    else:
        level = ""
        problems.append((None, "needs a 'grade' or an 'age'"))
    category = raw.get("category")
    if category not in CATEGORIES:
        problems.append(("category", f"category '{category}' is not one of: {', '.join(CATEGORIES)}"))
    difficulty = raw.get("difficulty")
    if difficulty not in (1, 2, 3):
        problems.append(("difficulty", "difficulty must be 1, 2 or 3"))
    options = _options(raw, problems)
    keys = [o.key for o in options]
    answer = raw.get("answer")
    if answer not in keys:
        problems.append(("answer", f"answer '{answer}' is not among the options ({', '.join(keys)})"))
    partial = text_list(raw, "partial", problems)
    for key in partial:
        if key not in keys or key == answer:
            problems.append(("partial", f"partial '{key}' must be an option other than the answer"))
    why_not = raw.get("why_not") or {}
    if not isinstance(why_not, dict):
        problems.append(("why_not", "'why_not' must map option keys to one line each"))
        why_not = {}
    for key in keys:
        if key != answer and not str(why_not.get(key) or "").strip():
            problems.append(("why_not", f"option '{key}' is not explained in 'why_not'"))
    for key, line in why_not.items():
        if key not in keys or key == answer:
            problems.append(("why_not", f"'why_not' explains '{key}', which is not a wrong option"))
        elif len(str(line)) > MAX_WHY_NOT_CHARS:
            problems.append(("why_not", f"'why_not' for '{key}' is longer than {MAX_WHY_NOT_CHARS} characters"))
    factors = text_list(raw, "factors", problems)
    if not factors:
        problems.append(("factors", "needs at least one factor"))
    for factor in factors:
        if factor not in FACTORS:
            problems.append(("factors", f"factor '{factor}' is not one of: {', '.join(FACTORS)}"))
    sources = sources_field(raw, problems)
    if problems or None in (scenario_id, title, vignette, explanation):
        return None, problems
    scenario = Scenario(
        scenario_id, title, level, setting, category, difficulty, vignette, question, options, answer,
        explanation, {str(k): unwrap(str(v)) for k, v in why_not.items()}, partial, factors, sources,
    )
    return scenario, []


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i:i + 3]) for i in range(max(len(words) - 2, 1))}


def _similarity(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def load_scenarios(directory: Path, problems: list[Problem]) -> list[Scenario]:
    if not directory.is_dir():
        problems.append(Problem(str(directory), None, "scenarios folder not found"))
        return []
    scenarios: list[Scenario] = []
    where: dict[str, str] = {}
    shingles: list[tuple[Scenario, set[tuple[str, ...]]]] = []
    for path in sorted(directory.glob("*.yaml")):
        shown = shown_path(path)
        for record in read_list(path, shown, problems):
            scenario, found = parse_scenario(record.data)
            problems.extend(Problem(shown, record.line_of(key), msg) for key, msg in found)
            if scenario is None:
                continue
            here = f"{shown}:{record.line_of('id')}"
            if scenario.id in where:
                problems.append(Problem(shown, record.line_of("id"),
                                        f"duplicate id '{scenario.id}' (first at {where[scenario.id]})"))
                continue
            own = _shingles(scenario.vignette)
            for other, theirs in shingles:
                if _similarity(own, theirs) >= NEAR_DUPLICATE_SIMILARITY:
                    problems.append(Problem(shown, record.line_of("vignette"),
                                            f"vignette of '{scenario.id}' nearly duplicates '{other.id}'"))
            where[scenario.id] = here
            shingles.append((scenario, own))
            scenarios.append(scenario)
    return scenarios


def load_all(knowledge_dir: Path, scenarios_dir: Path) -> tuple[Knowledge, list[Scenario]]:
    """Load everything or raise ContentError listing every problem."""
    problems: list[Problem] = []
    knowledge = load_knowledge(knowledge_dir, problems)
    scenarios = load_scenarios(scenarios_dir, problems)
    if problems:
        raise ContentError(problems)
    return knowledge, scenarios


def entries_to_yaml(entries: Iterable[Entry]) -> str:
    """The knowledge/ file format, for export."""
    return yaml.safe_dump([e.as_dict() for e in entries], sort_keys=False, allow_unicode=True, width=100)

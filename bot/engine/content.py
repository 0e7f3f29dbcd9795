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
from .models import AUDIENCES, DEFAULT_OPTIONS, Entry, Origin, Scenario, ScenarioOption, Source
from .yaml_fields import KeyProblem, read_list, shown_path

MIN_ALTERNATES = 3
# Wording that speaks to a parent only; an entry that also serves teachers or OTs must not use it.
PARENT_ONLY_WORDING = re.compile(r"\byour (?:own )?(?:child|children|son|daughter|kid|kiddo)(?:'s)?\b", re.IGNORECASE)
STALE_AFTER_DAYS = 365  # `otbot check` lists entries not reviewed for longer than this
DEFAULT_SCENARIO_QUESTION = "Should this student receive OT services?"
NEAR_DUPLICATE_SIMILARITY = 0.6


@dataclass
class CuratedContent:
    entries: list[Entry] = field(default_factory=list)


# ---------------------------------------------------------------- entries


def parse_entry(raw: Any, origin: Origin = Origin.CURATED) -> tuple[Entry | None, list[KeyProblem]]:
    """Validate one knowledge entry. Shared by the file loader, moderator edits and imports."""
    if not isinstance(raw, dict):
        return None, [(None, "each item must be a mapping with id, question, answer, ...")]
    from . import schema  # pydantic builds its validators on import (~0.1 s): only when content is parsed

    record, problems = schema.validate(schema.EntryRecord, raw)
    if record is None:
        return None, problems
    if origin is Origin.CURATED:  # shipped content is held to more than a moderator's quick entry
        if len(record.alternates) < MIN_ALTERNATES:
            problems.append(("alternates", f"needs at least {MIN_ALTERNATES} alternates, has {len(record.alternates)}"))
        if not record.audiences:
            problems.append(("audiences", f"missing 'audiences': who it is written for ({', '.join(AUDIENCES)})"))
        if record.reviewed is None:
            problems.append(("reviewed", "missing 'reviewed' date"))
    others = [a for a in record.audiences if a != "parents"]
    if others and (parental := PARENT_ONLY_WORDING.search(record.answer)):
        problems.append(("answer", f"the answer says '{parental.group(0)}' but the entry is also for "
                                   f"{' and '.join(others)}: write 'the student' or 'the family', and say who acts"))
    if problems:
        return None, problems
    sources = tuple(Source(s.title, s.url, s.cite) for s in record.sources)
    return Entry(record.id, record.question, record.answer, record.alternates, record.school, record.medical,
                 record.tags, record.related, sources, record.reviewed, origin, record.audiences,
                 record.for_teachers, record.for_ots), []


def load_knowledge(directory: Path, problems: list[Problem]) -> CuratedContent:
    """Read every entry file; append what is wrong to `problems`."""
    knowledge = CuratedContent()
    if not directory.is_dir():
        problems.append(Problem(str(directory), None, "knowledge folder not found"))
        return knowledge
    first_seen: dict[str, str] = {}
    related_refs: list[tuple[str, int, str, str]] = []
    invalid_ids: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        shown = shown_path(path)
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


def parse_scenario(raw: Any) -> tuple[Scenario | None, list[KeyProblem]]:
    if not isinstance(raw, dict):
        return None, [(None, "each scenario must be a mapping with id, title, vignette, ...")]
    from . import schema

    record, problems = schema.validate(schema.ScenarioRecord, raw)
    if record is None:
        return None, problems
    if record.grade is None and record.age is None:
        problems.append((None, "needs a 'grade' or an 'age'"))
    options = DEFAULT_OPTIONS
    if record.options is not None:
        if 2 <= len(record.options) <= 5:
            options = tuple(ScenarioOption(key, label) for key, label in record.options.items())
        else:
            problems.append(("options", "'options' must map 2 to 5 option keys to labels"))
    problems += _answer_problems(record, [o.key for o in options])
    if not record.factors:
        problems.append(("factors", "needs at least one factor"))
    if problems:
        return None, problems
    level = f"Grade {record.grade}" if record.grade is not None else f"Age {record.age}"
    return Scenario(
        record.id, record.title, level, record.setting, record.category, record.difficulty, record.vignette,
        record.question or DEFAULT_SCENARIO_QUESTION, options, record.answer, record.explanation,
        {key: line for key, line in record.why_not.items() if line}, record.partial, record.factors,
        tuple(Source(s.title, s.url, s.cite) for s in record.sources),
    ), []


def _answer_problems(record: Any, keys: list[str]) -> list[KeyProblem]:
    """The answer, partial credit and why_not lines must fit the options: every wrong option explained."""
    problems: list[KeyProblem] = []
    if record.answer not in keys:
        problems.append(("answer", f"answer '{record.answer}' is not among the options ({', '.join(keys)})"))
    for key in record.partial:
        if key not in keys or key == record.answer:
            problems.append(("partial", f"partial '{key}' must be an option other than the answer"))
    for key in keys:
        if key != record.answer and not record.why_not.get(key):
            problems.append(("why_not", f"option '{key}' is not explained in 'why_not'"))
    for key in record.why_not:
        if key not in keys or key == record.answer:
            problems.append(("why_not", f"'why_not' explains '{key}', which is not a wrong option"))
    return problems


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


def load_all(knowledge_dir: Path, scenarios_dir: Path) -> tuple[CuratedContent, list[Scenario]]:
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


def stale_entries(entries: Iterable[Entry], today: dt.date) -> list[Entry]:
    """Entries whose `reviewed` date is more than STALE_AFTER_DAYS old: listed by `otbot check`, not errors."""
    cutoff = today - dt.timedelta(days=STALE_AFTER_DAYS)
    return [e for e in entries if e.reviewed and dt.date.fromisoformat(e.reviewed) < cutoff]

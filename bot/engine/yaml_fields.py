"""Reading content YAML with line numbers, and the field checks entries and scenarios share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .models import Source

# libyaml's parser, where PyYAML was built with it, reads our content about 7 times faster than the pure
# Python one (0.05 s against 0.37 s for knowledge/ + scenarios/) with the same nodes and line marks.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# A problem found while parsing one record: the key it concerns (for the line number) and the message.
KeyProblem = tuple[str | None, str]


@dataclass
class Record:
    """One item of a YAML list, with the line of the item and of each of its keys."""

    data: Any
    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str | None) -> int:
        return self.key_lines.get(key, self.line) if key else self.line


def read_list(path: Path, shown: str, problems: list[Problem]) -> list[Record]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(shown, None, f"cannot read file: {exc}"))
        return []
    loader = SAFE_LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problems.append(Problem(shown, line, f"invalid YAML: {exc.problem or exc.context}"))
        return []
    except yaml.YAMLError as exc:
        problems.append(Problem(shown, None, f"invalid YAML: {exc}"))
        return []
    finally:
        loader.dispose()
    if data is None:
        return []
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(shown, 1, "the file must be a YAML list (each item starts with '- ')"))
        return []
    records = []
    for item, item_node in zip(data, node.value, strict=True):
        key_lines = {}
        if isinstance(item_node, yaml.MappingNode):
            key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in item_node.value}
        records.append(Record(item, item_node.start_mark.line + 1, key_lines))
    return records


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


def unwrap(text: str) -> str:
    """Join hard-wrapped lines into paragraphs (YAML authors wrap at 100 columns; Discord and terminals
    wrap themselves). Blank lines and list items keep their line breaks."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines: list[str] = []
        for line in block.splitlines():
            if lines and not _LIST_ITEM.match(line):  # a continuation, of a paragraph or of a list item
                lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
            else:
                lines.append(line.rstrip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def text_field(raw: dict[str, Any], key: str, problems: list[KeyProblem], *, required: bool = True,
          limit: int | None = None) -> str | None:
    value = raw.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append((key, f"missing '{key}'"))
        return None
    if not isinstance(value, str | int | float):
        problems.append((key, f"'{key}' must be text"))
        return None
    text = unwrap(str(value))
    if limit is not None and len(text) > limit:
        problems.append((key, f"'{key}' is too long ({len(text)} characters, at most {limit})"))
    return text


def text_list(raw: dict[str, Any], key: str, problems: list[KeyProblem]) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        problems.append((key, f"'{key}' must be a list of text items"))
        return ()
    return tuple(str(v).strip() for v in value if str(v).strip())


def sources_field(raw: dict[str, Any], problems: list[KeyProblem]) -> tuple[Source, ...]:
    value = raw.get("sources")
    if not value:
        problems.append(("sources", "missing source: every item needs at least one entry under 'sources'"))
        return ()
    if not isinstance(value, list):
        value = [value]
    sources = []
    for item in value:
        if isinstance(item, str):
            # A bare string is accepted from moderators: a URL or a citation.
            text = item.strip()
            is_url = text.startswith(("http://", "https://"))
            sources.append(Source(title=text, url=text) if is_url else Source(title=text, cite=text))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not item["title"].strip():
            problems.append(("sources", "each source needs a 'title'"))
            continue
        unknown = set(item) - {"title", "url", "cite"}
        if unknown:
            problems.append(("sources", f"unknown key(s) in source: {', '.join(sorted(map(str, unknown)))}"))
        url, cite = item.get("url"), item.get("cite")
        if not url and not cite:
            problems.append(("sources", f"source '{item['title']}' needs a 'url' or a 'cite'"))
        sources.append(Source(item["title"].strip(), str(url).strip() if url else None,
                              str(cite).strip() if cite else None))
    return tuple(sources)


def check_id(raw: dict[str, Any], problems: list[KeyProblem]) -> str | None:
    value = raw.get("id")
    if not isinstance(value, str) or not value.strip():
        problems.append(("id", "missing 'id'"))
        return None
    if not ID_PATTERN.match(value):
        problems.append(("id", f"id '{value}' must be lowercase words joined by '-'"))
    return value


def unknown_keys(raw: dict[str, Any], allowed: set[str], problems: list[KeyProblem]) -> None:
    for key in raw:
        if key not in allowed:
            problems.append((str(key), f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})"))


def shown_path(path: Path) -> str:
    """A path as a person would type it: relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

"""Reading content YAML with line numbers, and the field checks entries and scenarios share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import safe_yaml
from .errors import Problem

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Hosts that copy, proxy or archive other people's documents: cite the original instead (issue 8's review).
MIRROR_HOSTS = (
    "studylib.net", "corada.com", "info.5y1.org", "slideplayer.com", "slideshare.net", "scribd.com",
    "coursehero.com", "pdfcoffee.com", "dokumen.pub", "vdocuments.net", "documents.pub", "web.archive.org",
    "archive.ph", "archive.today", "archive.is", "jurris.com",
)
MIRROR_HOST_PREFIXES = ("redlib.", "libreddit.", "teddit.")  # Reddit front-ends on many domains

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
    try:
        data, node = safe_yaml.load(text)
    except safe_yaml.YamlProblem as exc:
        problems.append(Problem(shown, exc.line, exc.message))
        return []
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


def mirror_host(url: str) -> str | None:
    """The host of `url` when it is a known mirror, proxy or archive."""
    host = urlsplit(url.strip()).hostname or ""
    host = host.removeprefix("www.")
    if host.startswith(MIRROR_HOST_PREFIXES) or any(host == h or host.endswith("." + h) for h in MIRROR_HOSTS):
        return host
    return None


def shown_path(path: Path) -> str:
    """A path as a person would type it: relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)

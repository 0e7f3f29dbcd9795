"""Score the retriever against a labeled question set: the numbers we tune on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .answers import KnowledgeBase
from .errors import UserError
from .models import Outcome


@dataclass(frozen=True, slots=True)
class Labeled:
    question: str
    expect: str | None
    also: tuple[str, ...] = ()


@dataclass
class Report:
    in_scope: int = 0
    top1_correct: int = 0
    out_of_scope: int = 0
    declined: int = 0
    unsure_right: int = 0  # in scope, not answered, but the right entry among the suggestions
    confusions: list[str] = field(default_factory=list)

    @property
    def top1_accuracy(self) -> float:
        return self.top1_correct / self.in_scope if self.in_scope else 0.0

    @property
    def decline_rate(self) -> float:
        return self.declined / self.out_of_scope if self.out_of_scope else 0.0

    def text(self) -> str:
        lines = [
            f"in scope:     {self.top1_correct}/{self.in_scope} answered with the right entry "
            f"({self.top1_accuracy:.1%}); {self.unsure_right} more had it among the suggestions",
            f"out of scope: {self.declined}/{self.out_of_scope} declined ({self.decline_rate:.1%})",
        ]
        if self.confusions:
            lines.append(f"confusions ({len(self.confusions)}):")
            lines += [f"  {c}" for c in self.confusions]
        return "\n".join(lines)


def read_labeled(path: Path) -> list[Labeled]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"{path}: cannot read the question set: {exc}") from exc
    if not isinstance(data, list):
        raise UserError(f"{path}: expected a YAML list of {{q: ..., expect: id-or-null}}")
    out = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise UserError(f"{path}: item {number} needs a 'q' text")
        out.append(Labeled(item["q"], item.get("expect"), tuple(item.get("also") or ())))
    return out


async def evaluate(kb: KnowledgeBase, labeled: list[Labeled]) -> Report:
    report = Report()
    for item in labeled:
        reply = await kb.ask(item.question)
        got = reply.entry.id if reply.entry else None
        short = item.question if len(item.question) < 70 else item.question[:67] + "..."
        if item.expect is None:
            report.out_of_scope += 1
            if not reply.answered:
                report.declined += 1
            else:
                report.confusions.append(f"answered out-of-scope '{short}' with {got} ({reply.confidence:.2f})")
            continue
        report.in_scope += 1
        accepted = {item.expect, *item.also}
        if reply.answered and got in accepted:
            report.top1_correct += 1
            continue
        if reply.outcome is Outcome.UNSURE and any(s.id in accepted for s in reply.suggestions):
            report.unsure_right += 1
        shown = got or ("suggested " + ",".join(s.id for s in reply.suggestions) if reply.suggestions
                        else "declined")
        report.confusions.append(f"'{short}': expected {item.expect}, got {shown} ({reply.confidence:.2f})")
    return report

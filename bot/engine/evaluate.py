"""Score the answering policy against a labelled question set: right, WRONG and declined answers, per audience.

A labelled item is `{q, expect: entry-id or null, also: [ids], audience: parent|teacher|ot|other, kind:
covered|uncovered|out_of_scope}`; only `q` and `expect` are required. `expect: null` means "should decline":
any answer to it is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .answers import Answerer
from .errors import UserError
from .models import Outcome


@dataclass(frozen=True, slots=True)
class Labeled:
    question: str
    expect: str | None
    also: tuple[str, ...] = ()
    audience: str = "other"
    kind: str = ""

    @property
    def accepted(self) -> set[str]:
        return {self.expect, *self.also} if self.expect else set()


@dataclass
class Tally:
    total: int = 0
    right: int = 0  # answered with an accepted entry
    wrong: int = 0  # answered with another entry, or answered when it should have declined
    declined: int = 0  # not answered (includes "did you mean")
    should_decline: int = 0
    declined_rightly: int = 0
    suggested_right: int = 0  # covered, not answered, the right entry among the suggestions

    def line(self, name: str) -> str:
        if not self.total:
            return f"{name:<14} -"
        covered = self.total - self.should_decline
        return (f"{name:<14} {self.total:>4}  right {self.right:>4} ({self.right / self.total:6.1%})  "
                f"WRONG {self.wrong:>3} ({self.wrong / self.total:5.1%})  declined {self.declined:>4}"
                f"  | covered right {self.right}/{covered}, +{self.suggested_right} in suggestions"
                f"  | should decline: {self.declined_rightly}/{self.should_decline}")


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=dict)
    scored: list[tuple[float, bool | None]] = field(default_factory=list)  # (confidence, top entry right?)
    confusions: list[str] = field(default_factory=list)
    threshold: float = 0.5

    @property
    def overall(self) -> Tally:
        return self.tallies["overall"]

    def text(self, *, confusions: bool = True) -> str:
        lines = [self.tallies[name].line(name) for name in sorted(self.tallies, key=lambda n: n != "overall")]
        lines.append(f"AUROC of confidence, right vs wrong top entry: {auroc(self.scored):.3f}")
        lines.append("risk-coverage (threshold: share answered, share of answered that is wrong):")
        lines += curve_table(self.scored, self.threshold)
        if confusions and self.confusions:
            lines.append(f"confusions ({len(self.confusions)}):")
            lines += [f"  {c}" for c in self.confusions]
        return "\n".join(lines)


def auroc(scored: Sequence[tuple[float, bool | None]]) -> float:
    """Chance that a right top entry has higher confidence than a wrong one (ties count half)."""
    right = sorted(c for c, ok in scored if ok)
    wrong = sorted(c for c, ok in scored if not ok)
    if not right or not wrong:
        return float("nan")
    from bisect import bisect_left, bisect_right

    wins = sum(bisect_left(wrong, c) + 0.5 * (bisect_right(wrong, c) - bisect_left(wrong, c)) for c in right)
    return wins / (len(right) * len(wrong))


def curve_table(scored: Sequence[tuple[float, bool | None]], chosen: float,
                steps: Sequence[float] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)) -> list[str]:
    """A compact risk-coverage table at fixed thresholds and the chosen one."""
    out = []
    for t in sorted({*steps, round(chosen, 3)}):
        answered = [ok for c, ok in scored if c >= t]
        risk = sum(1 for ok in answered if not ok) / len(answered) if answered else 0.0
        mark = "  <- chosen" if abs(t - chosen) < 5e-4 else ""
        out.append(f"  >= {t:.3f}: answered {len(answered) / max(len(scored), 1):6.1%}, wrong {risk:5.1%}{mark}")
    return out


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
        expect = item.get("expect")
        kind = item.get("kind") or ("covered" if expect else "")
        out.append(Labeled(item["q"], expect, tuple(item.get("also") or ()), str(item.get("audience") or "other"),
                           str(kind)))
    return out


async def evaluate(answerer: Answerer, labeled: Sequence[Labeled]) -> Report:
    report = Report(threshold=answerer.answer_threshold)
    for item in labeled:
        reply = await answerer.ask(item.question)
        best = await answerer.best_match(item.question)
        top = best.ranked[0].id if best.ranked else None
        report.scored.append((best.confidence, (top in item.accepted) if top else False))
        got = reply.entry.id if reply.entry else None
        groups = ["overall", f"audience:{item.audience}"] + ([f"kind:{item.kind}"] if item.kind else [])
        tallies = [report.tallies.setdefault(g, Tally()) for g in groups]
        short = item.question if len(item.question) < 70 else item.question[:67] + "..."
        for t in tallies:
            t.total += 1
            t.should_decline += item.expect is None
        if reply.answered and got in item.accepted:
            for t in tallies:
                t.right += 1
            continue
        if reply.answered:
            for t in tallies:
                t.wrong += 1
            report.confusions.append(
                f"WRONG '{short}': expected {item.expect}, answered {got} ({reply.confidence:.2f})")
            continue
        suggested = reply.outcome is Outcome.UNSURE and any(s.id in item.accepted for s in reply.suggestions)
        for t in tallies:
            t.declined += 1
            t.declined_rightly += item.expect is None
            t.suggested_right += suggested
        if item.expect is not None:
            shown = "suggested " + ",".join(s.id for s in reply.suggestions) if reply.suggestions else "declined"
            report.confusions.append(f"missed '{short}': expected {item.expect}, {shown} ({reply.confidence:.2f})")
    return report

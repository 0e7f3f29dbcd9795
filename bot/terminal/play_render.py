"""Scenario rounds, reveals and the game summary as Rich renderables, for one player at a terminal.

A solo round has no bar chart (a chart of one answer says nothing) and the reveal names every option by
the letter and label the player saw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..engine.game import LETTERS, Reveal, RoundState
from ..engine.models import Scenario
from .render import markdown

DIFFICULTY_NAMES = {1: "easy", 2: "medium", 3: "hard"}
CREDIT_STYLES = {"correct": "bold green", "partial": "yellow", "wrong": "red"}


def option_name(scenario: Scenario, key: str) -> str:
    """'B. Outpatient (medical-model) OT': how the player saw the option."""
    for letter, option in zip(LETTERS, scenario.options, strict=False):
        if option.key == key:
            return f"{letter}. {option.label}"
    return key


def with_labels(text: str, scenario: Scenario) -> str:
    """Explanations quote options by their key ('"Clinic" earns partial credit'); the player saw labels."""
    for letter, option in zip(LETTERS, scenario.options, strict=False):
        quoted = re.compile(rf"[\"“]{re.escape(option.key)}[\"”]", re.IGNORECASE)
        text = quoted.sub(f"{letter} (“{option.label}”)", text)
    return text


def lettered(rows: Sequence[tuple[str, RenderableType]]) -> Table:
    """'  B. text' rows whose wrapped lines stay indented under the text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True, min_width=4)
    grid.add_column()
    for letter, text in rows:
        grid.add_row(f"{letter}.", text)
    return grid


def round_view(view: RoundState) -> RenderableType:
    s = view.scenario
    where = " · ".join(part for part in (s.level, s.setting) if part)
    lines: list[RenderableType] = [
        Text(f"Round {view.number} of {view.total}: {s.title}", style="bold magenta"),
        Text(f"{where} · {DIFFICULTY_NAMES.get(s.difficulty, s.difficulty)}", style="dim"),
        markdown(s.vignette),
        Text(s.question, style="bold"),
    ]
    lines.append(lettered([(LETTERS[i], o.label) for i, o in enumerate(s.options)]))
    lines.append(Text(f"Type a letter from A to {LETTERS[len(s.options) - 1]}. "
                      "Questions and /help work too; 'stop' ends the game.", style="dim"))
    return Group(*lines)


@dataclass(frozen=True, slots=True)
class RoundResult:
    """One line of the final summary."""

    number: int
    title: str
    chosen: str | None  # the option name the player picked; None if the round closed without an answer
    credit: str
    points: int
    right: str


def result_of(reveal: Reveal, user_id: str) -> RoundResult:
    mine = next((r for r in reveal.results if r.user_id == user_id), None)
    scenario = reveal.scenario
    return RoundResult(reveal.number, scenario.title, option_name(scenario, mine.option_key) if mine else None,
                       mine.credit if mine else "wrong", mine.points if mine else 0,
                       option_name(scenario, reveal.answer.key))


def reveal_view(reveal: Reveal, user_id: str) -> RenderableType:
    scenario = reveal.scenario
    result = result_of(reveal, user_id)
    total = next((row.points for row in reveal.standings if row.user_id == user_id), 0)
    lines: list[RenderableType] = [Text.assemble(("Answer: ", "bold"), (result.right, "bold green"))]
    if result.chosen:
        bonus = next((r.streak_bonus + r.speed_bonus for r in reveal.results if r.user_id == user_id), 0)
        lines.append(Text.assemble(
            f"You chose {result.chosen}: ", (result.credit, CREDIT_STYLES.get(result.credit, "")),
            f", +{result.points} points" + (f" (with a +{bonus} streak bonus)" if bonus else "")
            + f"; {total} in total."))
    else:
        lines.append(Text("The round closed before you answered.", style="yellow"))
    lines.append(markdown(with_labels(reveal.explanation, scenario)))
    lines.append(Text("Why not the others:", style="bold"))
    letters = dict(zip((o.key for o in scenario.options), LETTERS, strict=False))
    lines.append(lettered([(letters.get(option.key, "?"), Text.assemble(
        (f"{option.label}: ", "bold"), with_labels(why, scenario))) for option, why in reveal.why_not]))
    lines.append(Text.assemble(("Deciding factors: ", "bold"), ", ".join(reveal.factors)))
    return Group(*lines)


def summary_view(results: Sequence[RoundResult], stopped: bool) -> RenderableType:
    table = Table(title="Game stopped" if stopped else "Game over", title_style="bold", title_justify="left",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for name, justify in (("#", "right"), ("Scenario", "left"), ("You", "left"), ("Answer", "left"),
                          ("Points", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in results:
        you = Text(r.chosen or "no answer", style=CREDIT_STYLES.get(r.credit, ""))
        table.add_row(str(r.number), r.title, you, r.right, f"+{r.points}")
    correct = sum(r.credit == "correct" for r in results)
    partial = sum(r.credit == "partial" for r in results)
    points = sum(r.points for r in results)
    line = (f"{correct} of {len(results)} correct" + (f", {partial} partly right" if partial else "")
            + f": {points} points. /scenario plays again; /stats shows your results so far.")
    if not results:
        return Text("Game stopped before any round was answered. /scenario starts a new one.")
    return Group(table, Text(line))

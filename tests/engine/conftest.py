"""Shared by the game, recovery and leaderboard tests: a small scenario library and a clock the test moves."""

from __future__ import annotations

from bot.engine.models import DEFAULT_OPTIONS, Scenario, Source

T0 = 1_704_283_200.0  # Wednesday 2024-01-03 12:00 UTC
GUILD, CHANNEL = 1, 10


def make_scenario(scenario_id: str, category: str = "self-care", difficulty: int = 1,
                  answer: str = "school", partial: tuple[str, ...] = (),
                  factors: tuple[str, ...] = ("educational impact",)) -> Scenario:
    return Scenario(
        id=scenario_id, title=scenario_id.replace("-", " "), level="Grade 2", setting="classroom",
        category=category, difficulty=difficulty, vignette=f"A student in {scenario_id}.",
        question="Should this student receive OT services?", options=DEFAULT_OPTIONS, answer=answer,
        explanation="Because the team decides on educational need.",
        why_not={o.key: f"Not {o.key}." for o in DEFAULT_OPTIONS if o.key != answer},
        partial=partial, factors=factors, sources=(Source("IDEA", cite="34 CFR §300.34"),),
    )


# Six self-care (answer school; s3 also gives partial credit for 'both'), two sensory, one hard transition.
LIBRARY: list[Scenario] = [
    make_scenario("s1"), make_scenario("s2"), make_scenario("s3", partial=("both",)),
    make_scenario("s4", difficulty=2), make_scenario("s5", difficulty=2), make_scenario("s6", difficulty=2),
    make_scenario("sensory-a", "sensory", answer="none", factors=("accommodation", "educational impact")),
    make_scenario("sensory-b", "sensory", answer="none", factors=("accommodation",)),
    make_scenario("transition-a", "transition", difficulty=3, answer="both", factors=("team decision",)),
]


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

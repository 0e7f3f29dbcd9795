"""Plain data the engine passes around. Frozen so that nothing downstream mutates shared content."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

MAX_ANSWER_CHARS = 1500
MAX_SIDE_CHARS = 1000
MAX_NOTE_CHARS = 500
AUDIENCES = ("parents", "teachers", "ots")

# Guild id used by the terminal adapter: a community of one.
LOCAL_COMMUNITY = 0


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str | None = None
    cite: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"title": self.title}
        if self.url:
            out["url"] = self.url
        if self.cite:
            out["cite"] = self.cite
        return out


class Origin(StrEnum):
    CURATED = "curated"  # shipped in knowledge/
    COMMUNITY = "community"  # added by a community's moderators (new id or an override of a curated id)


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    school: str | None = None
    medical: str | None = None
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    reviewed: str | None = None
    origin: Origin = Origin.CURATED
    audiences: tuple[str, ...] = ()  # who the entry is written for: parents, teachers, ots
    for_teachers: str | None = None  # a short practical note for teachers and paraprofessionals
    for_ots: str | None = None  # a short practical note for OTs, OTAs and OT students

    def as_dict(self) -> dict[str, object]:
        """The knowledge/ YAML shape (used by export and by the store)."""
        out: dict[str, object] = {
            "id": self.id,
            "question": self.question,
            "alternates": list(self.alternates),
            "answer": self.answer,
        }
        if self.school:
            out["school"] = self.school
        if self.medical:
            out["medical"] = self.medical
        out["tags"] = list(self.tags)
        out["related"] = list(self.related)
        out["sources"] = [s.as_dict() for s in self.sources]
        if self.reviewed:
            out["reviewed"] = self.reviewed
        if self.audiences:
            out["audiences"] = list(self.audiences)
        if self.for_teachers:
            out["for_teachers"] = self.for_teachers
        if self.for_ots:
            out["for_ots"] = self.for_ots
        return out


class Outcome(StrEnum):
    ANSWERED = "answered"
    UNSURE = "unsure"  # below the threshold: "did you mean" suggestions
    OUT_OF_SCOPE = "out_of_scope"  # clearly not about OT at school or in the clinic
    EMPTY = "empty"  # nothing searchable in the text


@dataclass(frozen=True, slots=True)
class Reply:
    """What the engine says to a question. Adapters only render this."""

    question: str
    outcome: Outcome
    confidence: float
    entry: Entry | None = None
    suggestions: tuple[Entry, ...] = ()
    related: tuple[Entry, ...] = ()
    decline_message: str | None = None
    # Set only when a parent asks about their own child: the "bring this to the IEP/504 team" line, shown once.
    family_note: str | None = None
    # A second question in the same message that another entry answers well ("You also asked about ...").
    also_asked: tuple[Entry, ...] = ()

    @property
    def answered(self) -> bool:
        return self.outcome is Outcome.ANSWERED


@dataclass(frozen=True, slots=True)
class ScenarioOption:
    key: str
    label: str


DEFAULT_OPTIONS: tuple[ScenarioOption, ...] = (
    ScenarioOption("school", "School-based OT services"),
    ScenarioOption("clinic", "Outpatient (medical-model) OT"),
    ScenarioOption("both", "Both school-based and outpatient OT"),
    ScenarioOption("none", "No OT needed: accommodations or another professional cover it"),
)

CATEGORIES: tuple[str, ...] = (
    "handwriting-fine-motor",
    "self-care",
    "sensory",
    "attention-regulation",
    "visual-motor-organisation",
    "play-recess-peers",
    "physical-access",
    "assistive-technology",
    "early-childhood",
    "transition",
    "accommodations-only",
    "other-professional",
    "home-only",
    "medical-rehab",
    "section-504",
)

FACTORS: tuple[str, ...] = (
    "educational impact",
    "access to education",
    "related service",
    "other professional",
    "setting",
    "accommodation",
    "medical necessity",
    "team decision",
)


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    level: str  # "Grade 2", "Age 2", ...
    setting: str
    category: str
    difficulty: int
    vignette: str
    question: str
    options: tuple[ScenarioOption, ...]
    answer: str
    explanation: str
    why_not: dict[str, str] = field(default_factory=dict)
    partial: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()

    def option(self, key: str) -> ScenarioOption | None:
        return next((o for o in self.options if o.key == key), None)

    def credit(self, key: str) -> str:
        """'correct', 'partial' or 'wrong' for a chosen option key."""
        if key == self.answer:
            return "correct"
        if key in self.partial:
            return "partial"
        return "wrong"

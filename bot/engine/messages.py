"""Reading a message the way a person wrote it: the questions in it, and who is asking."""

from __future__ import annotations

import re

from .text import clean

# Sentence ends, line breaks, and the joins people use to tack on a second question.
_SPLIT = re.compile(r"(?<=[.?!])\s+|\n+|;\s*|,?\s+(?:and|oh and|plus) also,?\s+|\s+also,\s+", re.IGNORECASE)
_QUESTION_START = re.compile(r"^(?:so |and |but |ok |okay |also |well )*(?:what|whats|why|how|can|could|does|do|did|"
                             r"is|isn'?t|are|should|will|would|who|when|where|which|has|have|anyone|any)\b",
                             re.IGNORECASE)
MIN_PART_WORDS = 3  # "thanks!" or "help." is not a question of its own


def question_parts(raw: str) -> list[str]:
    """The message's questions, in order: sentences that end in "?" or open like a question. Empty when the
    message is a single sentence (the whole message is then the question)."""
    parts = [clean(p) for p in _SPLIT.split(raw or "") if p and p.strip()]
    parts = [p for p in parts if len(p.split()) >= MIN_PART_WORDS]
    if len(parts) < 2:
        return []
    return [p for p in parts if p.endswith("?") or _QUESTION_START.match(p)]


_OWN_CHILD = re.compile(
    r"\b(?:my|our)\s+(?:\d+\s*(?:yo|y/o|year[- ]old)\s+)?(?:little\s+)?(?:son|daughter|kid|kiddo|child|boy|girl|"
    r"twins?|toddler|stepson|stepdaughter|grandson|granddaughter|preschooler|kindergartner|\d+\s*(?:yo|y/o)|"
    r"\d+[- ]year[- ]old)s?\b|\b(?:ds|dd)\d*\b|\bmy kid'?s\b", re.IGNORECASE)
_PROFESSIONAL = re.compile(
    r"\bmy\s+(?:students?|class(?:room)?|caseload|clients?|patients?|para(?:s|professionals?)?|school'?s? ot)\b|"
    r"\bon my caseload\b|\bas an?\s+(?:ot|ota|cota|occupational therapist|teacher|para|paraprofessional|sped teacher|"
    r"slp|therapist|school ot)\b|\bi(?:'m| am)\s+(?:an?\s+)?(?:ot|ota|cota|occupational therapist|teacher|para|"
    r"paraprofessional|sped|special ed|school ot|slp)\b|\b(?:teacher|ot|para|sped teacher) here\b", re.IGNORECASE)

FAMILY_NOTE = ("Bring this to your child's IEP or 504 team: they decide what your child gets at school, and you "
               "are a member of that team.")


def asks_about_own_child(text: str) -> bool:
    """A parent asking about their own child (not a teacher or OT asking about a student)."""
    return bool(_OWN_CHILD.search(text)) and not _PROFESSIONAL.search(text)

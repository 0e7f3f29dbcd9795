"""Answering: hostile text never raises, off-topic is declined, community entries rank with curated ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from yaml import safe_load

from bot.engine.answers import Answerer
from bot.engine.content import CuratedContent
from bot.engine.faq import FaqEditor
from bot.engine.matcher import phrasings
from bot.engine.messages import FAMILY_NOTE
from bot.engine.models import Outcome
from bot.engine.scope import UNCOVERED_DECLINE, out_of_scope_reason
from bot.engine.store import Store

DATA = Path(__file__).resolve().parent.parent / "data"

HOSTILE = [
    "",
    "   ",
    '" OR 1=1; DROP TABLE faq_entries; --',
    'NEAR(ot school) AND "iep" OR * ^ -clinic',
    "'; SELECT * FROM sqlite_master; --",
    "ot " * 40_000,
    "x" * 100_000,
    "🙂🧒🏽✏️ 👟" * 50,
    "\u200b\u200c\u200d\ufeff",
    "@everyone <@&123> <@!456> @here",
    "\x00\x01\x02 null bytes \x7f",
    "𝓸𝓽 𝓪𝓽 𝓼𝓬𝓱𝓸𝓸𝓵",  # fancy Unicode letters
    "ＯＴ　ａｔ　ｓｃｈｏｏｌ",  # full width
    "\ud800 lone surrogate".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "[link](https://evil.example) **bold** `code` ||spoiler||",
    "?" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_text_is_answered_or_declined(knowledge: CuratedContent, store: Store, text: str) -> None:
    answerer = Answerer(knowledge, store)
    reply = await answerer.ask(text, 1)
    assert reply.outcome in set(Outcome)
    assert 0.0 <= reply.confidence <= 1.0
    assert len(reply.question) <= 2000
    assert "@everyone" not in reply.question and "<@&" not in reply.question


@pytest.mark.parametrize(
    "question",
    [
        "how much melatonin can I give my 6 year old",
        "whats the dose of adderall for a 9yo",
        "how do i reset my discord password",
        "is the 504 tax form due in april",
        "what's the weather in chicago tomorrow",
        "give me a recipe for banana bread",
    ],
)
async def test_off_topic_questions_are_declined(knowledge: CuratedContent, question: str) -> None:
    reply = await Answerer(knowledge).ask(question)
    assert reply.outcome is Outcome.OUT_OF_SCOPE
    assert reply.entry is None and reply.decline_message


async def test_a_stored_question_is_answered_with_sources(knowledge: CuratedContent) -> None:
    entry = next(e for e in knowledge.entries if e.id == "school-vs-clinic-ot")
    answerer = Answerer(knowledge)
    reply = await answerer.ask(entry.question)
    assert reply.answered and reply.entry == entry
    assert reply.entry.sources and reply.confidence >= answerer.answer_threshold


async def test_a_paraphrase_is_answered_or_offered_first(knowledge: CuratedContent) -> None:
    """Below the answer threshold the right entry still leads the "did you mean" list."""
    reply = await Answerer(knowledge).ask("what's the difference between school OT and clinic OT?")
    shown = [reply.entry] if reply.answered else list(reply.suggestions)
    assert shown and shown[0] is not None and shown[0].id == "school-vs-clinic-ot"


NEW_ENTRY = {
    "question": "Where do I park for the district's parent OT workshop?",
    "answer": "Park in the **east lot** behind the gym; the workshop is in room 12.",
    "alternates": ["parking for the ot workshop", "where is the parent workshop"],
    "tags": ["local"],
    "sources": ["District newsletter, November issue"],
}


async def test_community_entry_is_searchable_at_once_and_only_in_its_community(
        knowledge: CuratedContent, store: Store) -> None:
    answerer = Answerer(knowledge, store)
    faq = FaqEditor(answerer, store)
    before = await answerer.ask("where do i park for the parent ot workshop", 111)
    entry = await faq.add(111, NEW_ENTRY, actor="mod")
    reply = await answerer.ask("where do i park for the parent ot workshop", 111)
    assert reply.answered and reply.entry is not None and reply.entry.id == entry.id
    assert before.entry is None or before.entry.id != entry.id
    elsewhere = await answerer.ask("where do i park for the parent ot workshop", 222)
    assert elsewhere.entry is None or elsewhere.entry.id != entry.id
    assert await answerer.get(entry.id, 222) is None


async def test_curated_entries_can_be_hidden_or_overridden_per_community(
        knowledge: CuratedContent, store: Store) -> None:
    answerer = Answerer(knowledge, store)
    faq = FaqEditor(answerer, store)
    original = await answerer.get("school-vs-clinic-ot", 1)
    assert original is not None
    changed = {**original.as_dict(), "answer": "Our district's own explanation of the difference."}
    await faq.edit(1, "school-vs-clinic-ot", changed, actor="mod")
    reply = await answerer.ask(original.question, 1)
    assert reply.entry is not None and reply.entry.answer == "Our district's own explanation of the difference."
    other = await answerer.ask(original.question, 2)
    assert other.entry is not None and other.entry.answer == original.answer
    await faq.remove(1, "school-vs-clinic-ot", actor="mod")  # drops the override: curated text is back
    assert (await answerer.get("school-vs-clinic-ot", 1)) == original
    await faq.remove(1, "school-vs-clinic-ot", actor="mod")  # now hides the curated entry here
    assert await answerer.get("school-vs-clinic-ot", 1) is None
    hidden = await answerer.ask(original.question, 1)
    assert hidden.entry is None or hidden.entry.id != "school-vs-clinic-ot"
    assert all(s.id != "school-vs-clinic-ot" for s in hidden.suggestions)


async def test_a_community_entry_is_found_even_without_the_curated_subject_words(
        knowledge: CuratedContent, store: Store) -> None:
    answerer = Answerer(knowledge, store)
    entry = await FaqEditor(answerer, store).add(3, {
        "question": "How do we borrow a weighted vest from the Maplewood lending library?",
        "answer": "Email the library desk; loans last four weeks.", "sources": ["Maplewood library page"]},
        actor="mod")
    reply = await answerer.ask("how do I borrow a weighted vest from the maplewood lending library?", 3)
    assert reply.answered and reply.entry is not None and reply.entry.id == entry.id
    elsewhere = await answerer.ask("how do I borrow a weighted vest from the maplewood lending library?", 4)
    assert not elsewhere.answered


@pytest.mark.parametrize(
    "question",
    [
        "my kid's teacher is mean what do I do",
        "how many kids are in a typical class",
        "when is spring break for the district",
        "is the district pool open?",
        "school bus is always late who do I call",
        "best pizza near the school?",
        "best velcro for crafts",
        "recommend a good pediatrician in austin",
    ],
)
async def test_everyday_school_questions_get_no_confident_ot_answer(knowledge: CuratedContent, question: str) -> None:
    """Sharing words like "kid", "class" or "district" with the FAQ is not being about OT."""
    reply = await Answerer(knowledge).ask(question)
    assert not reply.answered, (reply.entry.id if reply.entry else None, reply.confidence)


# One test per guard message, emergency first: each pins its message and fails if the guard is neutralised.
GUARDED = [
    ("my son said he wants to kill himself after OT today", "call **911**"),
    ("how much melatonin can I give my 6 year old", "medicines or doses"),
    ("how much does a school OT make a year, salary range?", "OT careers, jobs or exams"),
    ("does my son have autism? he lines up his toys", "can't tell whether a child has a condition"),
    ("can you recommend a good pediatrician near denver", "recommend particular providers"),
    ("which chromebook is best for a kid with dysgraphia", "recommend products or brands"),
    ("how do I tie a necktie", "doesn't look like a question about occupational therapy"),
    ("can I deduct clinic OT on my taxes", "I can't help with taxes"),
    ("how do I mute someone in this discord server", "I can't help with Discord accounts"),
]


@pytest.mark.parametrize(("question", "message"), GUARDED, ids=[m for _, m in GUARDED])
async def test_each_guard_declines_with_its_own_message(knowledge: CuratedContent, question: str, message: str) -> None:
    reply = await Answerer(knowledge).ask(question)
    assert reply.outcome is Outcome.OUT_OF_SCOPE and reply.entry is None
    assert reply.decline_message is not None and message in reply.decline_message


@pytest.mark.parametrize(
    "question",
    [
        "does clinic OT cost a lot with a high deductible",
        "my student missed his medication dose this morning and can't focus, can the school OT help with attention?",
        "moving states for a school ot job, do i need a new license or a department of education credential?",
    ],
)
async def test_guards_stay_narrow(knowledge: CuratedContent, question: str) -> None:
    """A word a guard watches for, used in an OT question, does not stop the knowledge base."""
    reply = await Answerer(knowledge).ask(question)
    assert reply.outcome is not Outcome.OUT_OF_SCOPE or reply.decline_message == UNCOVERED_DECLINE


async def test_a_parent_asking_about_their_own_child_gets_the_family_note(knowledge: CuratedContent) -> None:
    entry = next(e for e in knowledge.entries if e.id == "school-vs-clinic-ot")
    answerer = Answerer(knowledge)
    parent = await answerer.ask(f"My son gets OT at a clinic. {entry.question}")
    teacher = await answerer.ask(f"As an OT on my caseload I see this a lot. {entry.question}")
    general = await answerer.ask(entry.question)
    assert parent.answered and parent.family_note == FAMILY_NOTE
    assert teacher.answered and teacher.family_note is None
    assert general.answered and general.family_note is None


async def test_a_second_question_is_offered_and_does_not_override_the_first(knowledge: CuratedContent) -> None:
    first = next(e for e in knowledge.entries if e.id == "school-vs-clinic-ot")
    second = next(e for e in knowledge.entries if e.id == "iep-vs-504")
    answerer = Answerer(knowledge)
    reply = await answerer.ask(f"We just moved and I am new to all of this. {first.question} Also, {second.question}")
    assert reply.answered and reply.entry is not None
    assert {reply.entry.id, *(e.id for e in reply.also_asked)} == {first.id, second.id}


async def test_a_story_sentence_does_not_override_the_question(knowledge: CuratedContent) -> None:
    question = next(e for e in knowledge.entries if e.id == "iep-vs-504").question
    story = next(e for e in knowledge.entries if e.id == "school-vs-clinic-ot").answer.split(". ")[0] + "."
    reply = await Answerer(knowledge).ask(f"{story} Anyway, my real question: {question}")
    assert reply.answered and reply.entry is not None and reply.entry.id == "iep-vs-504"


async def test_private_school_is_not_the_private_clinic(knowledge: CuratedContent) -> None:
    """"private" in "private school" is about where a child is enrolled, not medical-model OT."""
    reply = await Answerer(knowledge).ask(
        "our daughter goes to a private catholic school, can she still get OT from the public school district?")
    assert not (reply.answered and reply.entry is not None and "clinic" in reply.entry.id)


async def test_a_server_s_own_entries_are_built_off_the_event_loop(knowledge: CuratedContent, store: Store) -> None:
    import threading

    answerer = Answerer(knowledge, store)
    await FaqEditor(answerer, store).add(5, NEW_ENTRY, actor="mod")
    built_in: list[str] = []
    original = answerer._build_view

    def spy(*args: object) -> object:
        built_in.append(threading.current_thread().name)
        return original(*args)  # type: ignore[arg-type]

    answerer._build_view = spy  # type: ignore[method-assign]
    answerer.invalidate(5)
    await answerer.ask(NEW_ENTRY["question"], 5)
    assert built_in and built_in[0] != threading.main_thread().name


def test_the_diagnosis_guard_declines_requests_and_lets_questions_that_name_a_condition_through() -> None:
    """On tests/data/diagnosis_questions.yaml: most requests are caught, and no question that only names a
    condition ("my son has autism, can he get OT?") is stopped (that would hide a right answer)."""
    items = safe_load((DATA / "diagnosis_questions.yaml").read_text())
    requests = [i["q"] for i in items if i["kind"] == "diagnosis-request"]
    mentions = [i["q"] for i in items if i["kind"] == "mentions-diagnosis"]
    caught = [q for q in requests if (out_of_scope_reason(q) or "").startswith("I can't tell whether")]
    assert len(caught) >= 0.85 * len(requests), sorted(set(requests) - set(caught))
    assert [q for q in mentions if out_of_scope_reason(q)] == []


def test_no_stored_phrasing_is_stopped_by_a_guard(knowledge: CuratedContent) -> None:
    """A guard that stops an entry's own phrasing hides that entry from everyone who asks that way."""
    texts, _ = phrasings(knowledge.entries)
    assert [t for t in texts if out_of_scope_reason(t)] == []

"""Answering: hostile text never raises, off-topic is declined, community entries rank with curated ones."""

from __future__ import annotations

import pytest

from bot.engine.answers import KnowledgeBase
from bot.engine.content import Knowledge
from bot.engine.faq import FaqEditor
from bot.engine.models import Outcome
from bot.engine.store import Store

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
async def test_hostile_text_is_answered_or_declined(knowledge: Knowledge, store: Store, text: str) -> None:
    kb = KnowledgeBase(knowledge, store)
    reply = await kb.ask(text, 1)
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
async def test_off_topic_questions_are_declined(knowledge: Knowledge, question: str) -> None:
    reply = await KnowledgeBase(knowledge).ask(question)
    assert reply.outcome is Outcome.OUT_OF_SCOPE
    assert reply.entry is None and reply.decline_message


async def test_a_plain_question_is_answered_with_sources(knowledge: Knowledge) -> None:
    reply = await KnowledgeBase(knowledge).ask("what's the difference between school OT and clinic OT?")
    assert reply.answered and reply.entry is not None
    assert reply.entry.id == "school-vs-clinic-ot"
    assert reply.entry.sources and reply.confidence >= 0.5


NEW_ENTRY = {
    "question": "Where do I park for the district's parent OT workshop?",
    "answer": "Park in the **east lot** behind the gym; the workshop is in room 12.",
    "alternates": ["parking for the ot workshop", "where is the parent workshop"],
    "tags": ["local"],
    "sources": ["District newsletter, November issue"],
}


async def test_community_entry_is_searchable_at_once_and_only_in_its_community(
        knowledge: Knowledge, store: Store) -> None:
    kb = KnowledgeBase(knowledge, store)
    faq = FaqEditor(kb, store)
    before = await kb.ask("where do i park for the parent ot workshop", 111)
    entry = await faq.add(111, NEW_ENTRY, actor="mod")
    reply = await kb.ask("where do i park for the parent ot workshop", 111)
    assert reply.answered and reply.entry is not None and reply.entry.id == entry.id
    assert before.entry is None or before.entry.id != entry.id
    elsewhere = await kb.ask("where do i park for the parent ot workshop", 222)
    assert elsewhere.entry is None or elsewhere.entry.id != entry.id
    assert await kb.get(entry.id, 222) is None


async def test_curated_entries_can_be_hidden_or_overridden_per_community(
        knowledge: Knowledge, store: Store) -> None:
    kb = KnowledgeBase(knowledge, store)
    faq = FaqEditor(kb, store)
    original = await kb.get("school-vs-clinic-ot", 1)
    assert original is not None
    changed = {**original.as_dict(), "answer": "Our district's own explanation of the difference."}
    await faq.edit(1, "school-vs-clinic-ot", changed, actor="mod")
    reply = await kb.ask("difference between school ot and clinic ot", 1)
    assert reply.entry is not None and reply.entry.answer == "Our district's own explanation of the difference."
    other = await kb.ask("difference between school ot and clinic ot", 2)
    assert other.entry is not None and other.entry.answer == original.answer
    await faq.remove(1, "school-vs-clinic-ot", actor="mod")  # drops the override: curated text is back
    assert (await kb.get("school-vs-clinic-ot", 1)) == original
    await faq.remove(1, "school-vs-clinic-ot", actor="mod")  # now hides the curated entry here
    assert await kb.get("school-vs-clinic-ot", 1) is None
    hidden = await kb.ask("difference between school ot and clinic ot", 1)
    assert hidden.entry is None or hidden.entry.id != "school-vs-clinic-ot"


async def test_a_community_entry_is_found_even_without_the_curated_subject_words(
        knowledge: Knowledge, store: Store) -> None:
    kb = KnowledgeBase(knowledge, store)
    entry = await FaqEditor(kb, store).add(3, {
        "question": "How do we borrow a weighted vest from the Maplewood lending library?",
        "answer": "Email the library desk; loans last four weeks.", "sources": ["Maplewood library page"]},
        actor="mod")
    reply = await kb.ask("how do I borrow a weighted vest from the maplewood lending library?", 3)
    assert reply.answered and reply.entry is not None and reply.entry.id == entry.id
    elsewhere = await kb.ask("how do I borrow a weighted vest from the maplewood lending library?", 4)
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
async def test_everyday_school_questions_get_no_confident_ot_answer(knowledge: Knowledge, question: str) -> None:
    """Sharing words like "kid", "class" or "district" with the FAQ is not being about OT."""
    reply = await KnowledgeBase(knowledge).ask(question)
    assert not reply.answered, (reply.entry.id if reply.entry else None, reply.confidence)

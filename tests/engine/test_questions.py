"""Questions are stored once; what the bot missed is queued for moderators, who resolve it from any adapter."""

from __future__ import annotations

import pytest

from bot.engine.answers import Answerer
from bot.engine.content import CuratedContent
from bot.engine.errors import NotFound
from bot.engine.faq import FaqEditor
from bot.engine.missed import MissedQuestions
from bot.engine.questions import Questions
from bot.engine.store import MissedReason, Store

WEATHER = "what's the weather in chicago tomorrow"
CLEAR = "How is school-based OT different from clinic (medical-model) OT?"  # a stored question: answered for sure


@pytest.fixture
def faq(knowledge: CuratedContent, store: Store) -> FaqEditor:
    return FaqEditor(Answerer(knowledge, store), store)


@pytest.fixture
def missed(store: Store, faq: FaqEditor) -> MissedQuestions:
    return MissedQuestions(store, faq)


@pytest.fixture
def questions(store: Store, faq: FaqEditor, missed: MissedQuestions) -> Questions:
    return Questions(store, faq.answerer, missed)


async def test_declined_questions_are_queued_per_community(questions: Questions, missed: MissedQuestions) -> None:
    await questions.ask(WEATHER, 7, asked_by="u1")
    await questions.ask(WEATHER, 8, asked_by="u2")
    queue = await missed.queue(7)
    assert [(m.question, m.reason, m.asked_by) for m in queue] == [(WEATHER, MissedReason.DECLINED, "u1")]


async def test_answered_and_unremembered_questions_are_not_queued(questions: Questions,
                                                                  missed: MissedQuestions) -> None:
    answered = await questions.ask(CLEAR, 7)
    assert answered.reply.answered and answered.asked_id is not None
    unremembered = await questions.ask(WEATHER, 7, remember=False)
    assert unremembered.asked_id is None
    assert await missed.queue(7) == []


async def test_not_helpful_queues_the_whole_question_behind_the_answer(questions: Questions,
                                                                       missed: MissedQuestions) -> None:
    long_question = CLEAR + " " + "my son is in second grade and " * 12  # longer than an embed author line
    asked = await questions.ask(long_question, 7, asked_by="parent")
    assert asked.reply.entry is not None and asked.asked_id is not None
    await questions.feedback(7, asked.reply.entry.id, "parent", True, asked.asked_id)
    assert await missed.queue(7) == []
    await questions.feedback(7, asked.reply.entry.id, "parent", False, asked.asked_id)
    [queued] = await missed.queue(7)
    assert (queued.question, queued.reason, queued.asked_id) == (asked.reply.question, MissedReason.NOT_HELPFUL,
                                                                 asked.asked_id)
    assert len(queued.question) > 256
    with pytest.raises(NotFound):  # another community cannot read it through its own buttons
        await questions.question(8, asked.asked_id)


async def test_a_missed_question_becomes_an_entry_a_phrasing_or_is_dismissed(missed: MissedQuestions,
                                                                            faq: FaqEditor) -> None:
    for text in ("when is the parent ot night", "why is the clinic ot diffrent from the school one", WEATHER):
        await missed.record_not_helpful(5, text, "school-vs-clinic-ot", asked_by=None, asked_id=None)
    night, phrasing, weather = sorted(await missed.queue(5), key=lambda m: m.id)
    raw = {"question": "When is the parent OT night?", "answer": "The first Tuesday of each month.",
           "sources": ["https://district.example/events"]}
    entry = await missed.make_entry(5, night.id, raw, "mod")
    assert await missed.make_entry(5, night.id, raw, "mod") == entry  # the same form twice saves once
    assert len(await faq.history(5, entry.id)) == 1
    await missed.add_as_phrasing(5, phrasing.id, "school-vs-clinic-ot", "mod")
    assert (await faq.require(5, "school-vs-clinic-ot")).alternates[-1] == phrasing.question
    await missed.dismiss(5, weather.id)
    assert await missed.queue(5) == []
    with pytest.raises(NotFound, match="no longer in the queue"):
        await missed.dismiss(5, weather.id)
    with pytest.raises(NotFound, match="no longer in the queue"):
        await missed.get(5, phrasing.id)

"""The labelled development set: the accuracy bar the retriever must clear (see `otbot eval`)."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from bot.engine.answers import KnowledgeBase
from bot.engine.content import Knowledge
from bot.engine.evaluate import evaluate, read_labeled

DEV_SET = PROJECT_ROOT / "tests" / "data" / "dev_questions.yaml"


def test_dev_set_is_large_and_labelled_with_real_ids(knowledge: Knowledge) -> None:
    labeled = read_labeled(DEV_SET)
    ids = {e.id for e in knowledge.entries}
    assert len(labeled) >= 200
    assert sum(1 for item in labeled if item.expect is None) >= 40
    unknown = {i for item in labeled for i in (item.expect, *item.also) if i is not None and i not in ids}
    assert unknown == set()


async def test_top1_accuracy_and_declines_meet_the_bar(knowledge: Knowledge) -> None:
    report = await evaluate(KnowledgeBase(knowledge), read_labeled(DEV_SET))
    assert report.top1_accuracy >= 0.90, report.text()
    assert report.decline_rate >= 0.95, report.text()

"""The labelled development set: the bar the answering policy must clear (see `otbot eval`)."""

from __future__ import annotations

from bot.config import PROJECT_ROOT
from bot.engine.answers import Answerer
from bot.engine.content import CuratedContent
from bot.engine.evaluate import evaluate, read_labeled

DEV_SET = PROJECT_ROOT / "tests" / "data" / "dev_questions.yaml"


def test_dev_set_is_large_and_labelled_with_real_ids(knowledge: CuratedContent) -> None:
    labeled = read_labeled(DEV_SET)
    ids = {e.id for e in knowledge.entries}
    assert len(labeled) >= 200
    assert sum(1 for item in labeled if item.expect is None) >= 40
    unknown = {i for item in labeled for i in (item.expect, *item.also) if i is not None and i not in ids}
    assert unknown == set()


async def test_few_wrong_answers_and_off_topic_declined(knowledge: CuratedContent) -> None:
    """The policy's promise: at most 2% of all questions answered with a wrong entry; off-topic declined; most
    covered questions answered right or offered the right entry."""
    report = await evaluate(Answerer(knowledge), read_labeled(DEV_SET))
    overall = report.overall
    assert overall.wrong <= 0.02 * overall.total, report.text()
    assert overall.declined_rightly >= 0.95 * overall.should_decline, report.text()
    covered = overall.total - overall.should_decline
    assert overall.right + overall.suggested_right >= 0.8 * covered, report.text()

"""Moderator changes: every change is versioned with who, when, before and after; restore and import."""

from __future__ import annotations

import threading

import pytest

from bot.engine import faq as engine_faq
from bot.engine.answers import Answerer
from bot.engine.content import CuratedContent
from bot.engine.errors import NotFound, UserError
from bot.engine.faq import FaqEditor
from bot.engine.store import ConcurrentEdit, Store

ENTRY = {
    "question": "When is the parent OT night?",
    "answer": "The first Tuesday of each month at 6 pm in the library.",
    "alternates": ["ot parent night date"],
    "tags": ["local", "events"],
    "sources": ["https://district.example/events"],
}


@pytest.fixture
def faq(knowledge: CuratedContent, store: Store) -> FaqEditor:
    return FaqEditor(Answerer(knowledge, store), store)


async def test_add_edit_remove_are_recorded_in_history(faq: FaqEditor) -> None:
    entry = await faq.add(5, ENTRY, actor="alice")
    assert entry.id == "when-is-the-parent-ot-night"
    assert entry.sources[0].url == "https://district.example/events"
    await faq.edit(5, entry.id, {**ENTRY, "answer": "Moved to Wednesdays."}, actor="bob")
    await faq.remove(5, entry.id, actor="carol")
    history = await faq.history(5, entry.id)
    assert [(h.version, h.action, h.actor) for h in history] == [
        (1, "add", "alice"), (2, "edit", "bob"), (3, "remove", "carol")]
    assert history[1].before is not None and history[1].before["answer"] == ENTRY["answer"]
    assert history[1].after is not None and history[1].after["answer"] == "Moved to Wednesdays."
    assert await faq.answerer.get(entry.id, 5) is None


async def test_restore_brings_back_an_old_version_as_a_new_one(faq: FaqEditor) -> None:
    entry = await faq.add(5, ENTRY, actor="alice")
    await faq.edit(5, entry.id, {**ENTRY, "answer": "Wrong text."}, actor="bob")
    restored = await faq.restore(5, entry.id, 1, actor="alice")
    assert restored.answer == ENTRY["answer"]
    assert [h.action for h in await faq.history(5, entry.id)] == ["add", "edit", "restore v1"]
    with pytest.raises(NotFound, match="no version 9"):
        await faq.restore(5, entry.id, 9, actor="alice")


async def test_invalid_entries_are_refused_with_reasons(faq: FaqEditor) -> None:
    with pytest.raises(UserError, match="missing source"):
        await faq.add(5, {**ENTRY, "sources": []}, actor="a")
    with pytest.raises(UserError, match="too long"):
        await faq.add(5, {**ENTRY, "answer": "x" * 1600}, actor="a")
    with pytest.raises(UserError, match="already exists"):
        await faq.add(5, {**ENTRY, "id": "school-vs-clinic-ot"}, actor="a")
    with pytest.raises(UserError, match="Related id"):
        await faq.add(5, {**ENTRY, "related": ["no-such-entry"]}, actor="a")


async def test_two_moderators_editing_at_once_do_not_overwrite_each_other(faq: FaqEditor) -> None:
    entry = await faq.add(5, ENTRY, actor="alice")
    await faq.edit(5, entry.id, {**ENTRY, "answer": "First edit."}, actor="alice", expected_version=1)
    with pytest.raises(ConcurrentEdit):
        await faq.edit(5, entry.id, {**ENTRY, "answer": "Stale edit."}, actor="bob", expected_version=1)
    assert (await faq.require(5, entry.id)).answer == "First edit."


async def test_phrasing_from_the_missed_queue_is_added_to_an_entry(faq: FaqEditor) -> None:
    await faq.add_phrasing(5, "school-vs-clinic-ot", "why is the clinic ot diffrent from the school one", "mod")
    entry = await faq.require(5, "school-vs-clinic-ot")
    assert entry.alternates[-1] == "why is the clinic ot diffrent from the school one"
    assert await faq.answerer.get("school-vs-clinic-ot", 6) != entry  # only this community changed


async def test_export_then_import_round_trips_into_another_community(faq: FaqEditor) -> None:
    with pytest.raises(UserError, match="no entries of its own"):
        await faq.export(5)
    await faq.add(5, ENTRY, actor="alice")
    exported = await faq.export(5)
    plan = await faq.plan_import(9, exported)
    assert [e.id for e in plan.added] == ["when-is-the-parent-ot-night"] and not plan.problems
    assert await faq.answerer.get("when-is-the-parent-ot-night", 9) is None  # a dry run writes nothing
    assert await faq.apply_import(9, plan, actor="admin") == 1
    assert (await faq.require(9, "when-is-the-parent-ot-night")).answer == ENTRY["answer"]
    again = await faq.plan_import(9, exported)
    assert again.unchanged == ["when-is-the-parent-ot-night"] and not again.added


async def test_import_reports_problems_and_refuses_to_apply(faq: FaqEditor) -> None:
    plan = await faq.plan_import(9, "- id: x\n  question: [broken\n")
    assert plan.problems and "line" in plan.problems[0]
    plan = await faq.plan_import(9, "- id: no-answer\n  question: Hi?\n  sources: [a]\n")
    assert any("missing 'answer'" in p for p in plan.problems)
    with pytest.raises(UserError):
        await faq.apply_import(9, plan, actor="admin")


async def test_editing_a_curated_entry_guards_against_a_concurrent_edit(faq: FaqEditor) -> None:
    opened_by_alice = await faq.version(5, "school-vs-clinic-ot")
    opened_by_bob = await faq.version(5, "school-vs-clinic-ot")
    assert opened_by_alice == opened_by_bob == 0
    curated = (await faq.require(5, "school-vs-clinic-ot")).as_dict()
    await faq.edit(5, "school-vs-clinic-ot", {**curated, "answer": "Alice's text."}, "alice",
                   expected_version=opened_by_alice)
    with pytest.raises(ConcurrentEdit, match="changed by someone else"):
        await faq.edit(5, "school-vs-clinic-ot", {**curated, "answer": "Bob's text."}, "bob",
                       expected_version=opened_by_bob)
    assert await faq.version(5, "school-vs-clinic-ot") == 1


async def test_an_import_that_reads_too_long_is_refused(faq: FaqEditor, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def stuck(text: str, existing: dict[str, object]) -> engine_faq.ImportPlan:
        release.wait(5)  # a file whose aliases expand without end, say
        return engine_faq.ImportPlan()

    monkeypatch.setattr(engine_faq, "plan_import", stuck)
    monkeypatch.setattr(engine_faq, "IMPORT_SECONDS", 0.05)
    try:
        with pytest.raises(UserError, match="took more than"):
            await faq.plan_import(9, "- id: x\n")
    finally:
        release.set()


async def test_an_import_confirmed_twice_writes_once(faq: FaqEditor) -> None:
    await faq.add(5, ENTRY, actor="alice")
    plan = await faq.plan_import(9, await faq.export(5))
    assert await faq.apply_import(9, plan, actor="admin") == 1
    assert await faq.apply_import(9, plan, actor="admin") == 0
    assert len(await faq.history(9, "when-is-the-parent-ot-night")) == 1


async def test_the_same_edit_or_phrasing_twice_is_one_version(faq: FaqEditor) -> None:
    entry = await faq.add(5, ENTRY, actor="alice")
    changed = {**ENTRY, "answer": "Moved to Wednesdays."}
    await faq.edit(5, entry.id, changed, actor="bob", expected_version=1)
    await faq.edit(5, entry.id, changed, actor="bob", expected_version=1)  # resubmitted: not a conflict
    await faq.add_phrasing(5, entry.id, "ot night when", "carol")
    await faq.add_phrasing(5, entry.id, "ot night when", "carol")
    assert [h.version for h in await faq.history(5, entry.id)] == [1, 2, 3]

"""FAQ moderation end to end: the add/edit modals, history, remove, permissions, and one server's entries
staying in that server."""

from __future__ import annotations

import threading
from typing import Any

import discord
import pytest

from bot.discord_app.client import OtBot
from bot.engine import faq as engine_faq
from bot.engine.app import Engine

from .conftest import (
    ADMIN,
    ADMIN_B,
    ANSWER,
    CHAN_A,
    CHAN_B,
    GUILD_A,
    GUILD_B,
    MEMBER,
    MOD,
    MOD_ROLE,
    QUESTION,
    SOURCES,
    acked,
    add_entry,
    answered,
    button_id,
    button_labels,
    custom_ids,
    embeds_of,
    is_ephemeral,
    open_modal,
    text_of,
)
from .fake_discord import FakeDiscord


async def set_moderator_role(fake: FakeDiscord) -> None:
    body = await acked(await fake.slash("otbot config moderator-role", channel_id=CHAN_A, user=ADMIN,
                                          options={"role": MOD_ROLE}))
    assert f"<@&{MOD_ROLE}>" in text_of(body)


async def test_add_modal_then_ask_history_edit_remove(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    submitted, entry_id = await add_entry(fake)
    assert is_ephemeral(submitted) and embeds_of(submitted)[0]["title"] == QUESTION
    sources = next(f["value"] for f in embeds_of(submitted)[0]["fields"] if f["name"] == "Sources")
    assert "34 CFR §300.34(c)(6) —" not in sources  # a bare citation is shown once

    reply_body = await answered(await fake.slash("ask", channel_id=CHAN_A, user=MEMBER,
                                                 options={"question": "how can my child borrow a weighted vest "
                                                                      "from the district lending library?"}))
    assert embeds_of(reply_body)[0]["title"] == QUESTION
    assert button_id(reply_body, f"otbot:fb:y:{entry_id}")

    history = await acked(await fake.slash("faq history", channel_id=CHAN_A, user=ADMIN,
                                             options={"entry": entry_id}))
    assert is_ephemeral(history) and "**v1**" in text_of(history) and "add" in text_of(history)

    modal_id, inputs = await open_modal(fake, "faq edit", ADMIN, options={"entry": entry_id})
    assert inputs["Question"]["value"] == QUESTION and inputs["Answer"]["value"] == ANSWER
    assert inputs["Sources"]["value"].splitlines() == SOURCES.splitlines()
    edited = await acked(await fake.submit_modal(modal_id, {inputs["Answer"]["custom_id"]: ANSWER + " Updated."}))
    assert edited["data"]["content"].startswith(f"Updated `{entry_id}`")
    assert (await engine.answerer.get(entry_id, GUILD_A)).answer.endswith("Updated.")  # type: ignore[union-attr]
    assert [h.version for h in await engine.faq.history(GUILD_A, entry_id)] == [1, 2]

    handle = await fake.slash("faq remove", channel_id=CHAN_A, user=ADMIN, options={"entry": entry_id})
    confirm = await acked(handle)
    assert is_ephemeral(confirm) and custom_ids(confirm) == [f"otbot:faqrm:{entry_id}"]
    assert handle.original is not None
    message = handle.original
    removed = await acked(await fake.click(message, f"otbot:faqrm:{entry_id}", ADMIN))
    assert removed["type"] == 7 and "removed" in removed["data"]["content"]
    assert await engine.answerer.get(entry_id, GUILD_A) is None


async def test_the_same_form_sent_again_saves_once(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    # As after a lost acknowledgement: the moderator opens /faq add again and sends the same text.
    _, first = await add_entry(fake)
    _, second = await add_entry(fake)
    assert first == second
    assert [e.id for e in await engine.faq.list(GUILD_A) if e.question == QUESTION] == [first]
    assert len(await engine.faq.history(GUILD_A, first)) == 1


async def test_member_without_rights_gets_no_modal_and_the_moderator_role_does(
        fake: FakeDiscord, bot: OtBot) -> None:
    for user in (MEMBER, MOD):  # MOD's role is not configured yet
        body = await acked(await fake.slash("faq add", channel_id=CHAN_A, user=user))
        assert body["type"] == 4 and is_ephemeral(body) and "Only moderators" in body["data"]["content"]
    assert not fake.modals

    await set_moderator_role(fake)
    refused = await acked(await fake.slash("faq add", channel_id=CHAN_A, user=MEMBER))
    assert "Only moderators" in refused["data"]["content"] and not fake.modals
    _, entry_id = await add_entry(fake, user=MOD)
    assert entry_id


async def test_modal_submit_rechecks_rights(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    modal_id, inputs = await open_modal(fake, "faq add", ADMIN)
    body = await acked(await fake.submit_modal(modal_id, {inputs["Question"]["custom_id"]: QUESTION,
                                                            inputs["Answer"]["custom_id"]: ANSWER,
                                                            inputs["Sources"]["custom_id"]: SOURCES}, MEMBER))
    assert is_ephemeral(body) and "Only moderators" in body["data"]["content"]
    assert await engine.store.faq_rows(GUILD_A) == []


async def test_invalid_entry_explains_what_is_wrong(fake: FakeDiscord, bot: OtBot) -> None:
    modal_id, inputs = await open_modal(fake, "faq add", ADMIN)
    body = await acked(await fake.submit_modal(modal_id, {inputs["Question"]["custom_id"]: QUESTION,
                                                            inputs["Answer"]["custom_id"]: "   ",
                                                            inputs["Sources"]["custom_id"]: SOURCES}))
    assert is_ephemeral(body) and "can't be saved" in body["data"]["content"]


async def test_a_second_server_never_sees_the_first_servers_entry(fake: FakeDiscord, bot: OtBot) -> None:
    _, entry_id = await add_entry(fake, tags="maplewood")

    in_a = await acked(await fake.slash("faq list", channel_id=CHAN_A, user=MEMBER, options={"tag": "maplewood"}))
    assert entry_id in text_of(in_a)

    asked = await answered(await fake.slash("ask", channel_id=CHAN_B, user=MEMBER, options={"question": QUESTION}))
    assert QUESTION not in text_of(asked).replace(f"Q: {QUESTION}", "")
    assert not any(entry_id in c for c in custom_ids(asked))

    listed = await acked(await fake.slash("faq list", channel_id=CHAN_B, user=MEMBER, options={"tag": "maplewood"}))
    assert entry_id not in text_of(listed) and "No entries" in text_of(listed)
    handle = await fake.slash("faq list", channel_id=CHAN_B, user=MEMBER)
    await acked(handle)
    message = handle.original
    assert message is not None
    pages = [text_of(message)]
    while nxt := next((c for c, label in button_labels(message).items() if "Next" in label), None):
        await acked(await fake.click(message, nxt, MEMBER))
        message = fake.messages[int(message["id"])]
        pages.append(text_of(message))
    assert len(pages) > 1 and all(entry_id not in page for page in pages)

    auto = await acked(await fake.autocomplete("faq show", focused="entry", options={"entry": "weighted"},
                                                 channel_id=CHAN_B, user=MEMBER))
    assert auto["type"] == 8 and entry_id not in [c["value"] for c in auto["data"]["choices"]]
    auto_a = await acked(await fake.autocomplete("faq show", focused="entry", options={"entry": "weighted"},
                                                   channel_id=CHAN_A, user=MEMBER))
    assert entry_id in [c["value"] for c in auto_a["data"]["choices"]]

    shown = await acked(await fake.slash("faq show", channel_id=CHAN_B, user=MEMBER, options={"entry": entry_id}))
    assert is_ephemeral(shown) and "No entry" in shown["data"]["content"]

    exported = await acked(await fake.slash("faq export", channel_id=CHAN_B, user=ADMIN_B))
    assert is_ephemeral(exported) and "no entries of its own to export" in exported["data"]["content"]
    assert not exported["data"].get("attachments")
    exported_a = await acked(await fake.slash("faq export", channel_id=CHAN_A, user=ADMIN))
    assert is_ephemeral(exported_a) and exported_a["data"].get("attachments")


async def test_about_shows_counts(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    await add_entry(fake)
    body = await acked(await fake.slash("otbot about", channel_id=CHAN_A, user=MEMBER))
    fields = {f["name"]: f["value"] for f in embeds_of(body)[0]["fields"]}
    assert fields["FAQ entries"] == str(len(engine.answerer.curated) + 1)
    assert fields["Scenarios"] == str(len(engine.scenarios))
    in_b = await acked(await fake.slash("otbot about", channel_id=CHAN_B, user=MEMBER))
    about_b = {f["name"]: f["value"] for f in embeds_of(in_b)[0]["fields"]}
    assert about_b["FAQ entries"] == str(len(engine.answerer.curated))
    assert GUILD_A != GUILD_B


async def test_autocomplete_ranks_entries_despite_typos_and_word_order(fake: FakeDiscord, bot: OtBot) -> None:
    async def choices(typed: str) -> list[str]:
        body = await acked(await fake.autocomplete("faq show", focused="entry", options={"entry": typed},
                                                   channel_id=CHAN_A, user=MEMBER))
        return [c["value"] for c in body["data"]["choices"]]

    assert any("handwriting" in entry_id for entry_id in (await choices("handwritng"))[:3])
    assert "school-vs-clinic-ot" in await choices("clinic vs school")
    assert await choices("zzqx") == []
    assert len(await choices("")) == 25


IMPORT = f"""- id: maplewood-vest-loans
  question: {QUESTION}
  answer: {ANSWER}
  sources: [https://example.org/maplewood-lending-library]
"""


async def test_members_are_answered_while_an_import_is_read(fake: FakeDiscord, bot: OtBot,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading an import runs off the event loop: here it cannot finish until a member's /ask was answered."""
    asked = threading.Event()
    real_plan = engine_faq.plan_import

    def plan_after_the_member(text: str, existing: dict[str, Any]) -> engine_faq.ImportPlan:
        assert asked.wait(10), "the member's /ask was not answered while the import was being read"
        return real_plan(text, existing)

    monkeypatch.setattr(engine_faq, "plan_import", plan_after_the_member)
    data = IMPORT.encode()

    async def read(self: discord.Attachment, **kwargs: Any) -> bytes:  # the fake serves no attachment files
        return data

    monkeypatch.setattr(discord.Attachment, "read", read)
    importing = await fake.slash("faq import", channel_id=CHAN_A, user=ADMIN, options={"file": {
        "filename": "faq.yaml", "size": len(data)}})
    assert (await acked(importing))["type"] == 5  # "thinking" while the file is read
    reply_body = await answered(await fake.slash("ask", channel_id=CHAN_A, user=MEMBER,
                                                 options={"question": "what is an IEP?"}))
    assert embeds_of(reply_body)
    asked.set()
    [summary] = await importing.wait_followups(1, timeout=10)
    assert "Dry run" in summary["content"] and "1 new" in summary["content"]

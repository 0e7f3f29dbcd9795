"""No pings from user-written text, Discord's size limits, acknowledgement times, and errors as replies."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.discord_app import delivery
from bot.discord_app.client import OtBot
from bot.discord_app.errors import UNEXPECTED
from bot.engine.answers import Thresholds
from bot.engine.app import Engine
from bot.engine.content import load_knowledge
from tests.conftest import KNOWLEDGE_DIR

from .conftest import (
    ADMIN,
    CHAN_A,
    CHAN_GAME,
    EPHEMERAL,
    GUILD_A,
    HOST,
    MEMBER,
    MOD,
    NO_PINGS,
    P1,
    acked,
    add_entry,
    answered,
    assert_every_interaction_acknowledged,
    button_id,
    button_labels,
    custom_ids,
    embeds_of,
    is_ephemeral,
    message_requests,
    modal_inputs,
)
from .fake_discord import FakeDiscord, InteractionHandle
from .fake_discord.limits import message_problems

PINGY_ANSWER = ("Tell @everyone on the team, and <@&123> too: the school OT writes goals with the IEP team. "
                "@here is also plain text here.")

# A stored question is answered whatever paraphrases get; these tests need an answer, not a particular one.
STORED_QUESTION = load_knowledge(KNOWLEDGE_DIR, []).entries[0].question


async def test_entry_with_mentions_goes_out_without_pings(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    question = "Who should hear about the new school OT goals for the @everyone IEP team?"
    _, entry_id = await add_entry(fake, question=question, answer=PINGY_ANSWER, alternates="<@&123> ot goals")
    await answered(await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": question}))
    await acked(await fake.slash("faq show", channel_id=CHAN_A, user=MEMBER, options={"entry": entry_id}))
    await fake.send_message(CHAN_A, MEMBER, f"<@{fake.app_id}> {question}", mentions=[fake.app_id])
    await fake.wait_for_message(CHAN_A)
    engine.answerer.thresholds = Thresholds(answer=1.01, suggest=0.05)  # now a "did you mean" with that entry
    handle = await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": question})
    body = await answered(handle)
    assert handle.original is not None
    await acked(await fake.click(handle.original, button_id(body, f"otbot:entry:{entry_id}"), MEMBER))

    sent = message_requests(fake)
    carrying = [data for _, data in sent if "@everyone" in str(data) and "<@&123>" in str(data)]
    assert len(carrying) >= 5  # modal reply, /ask, /faq show, mention reply, "did you mean" click
    assert all(data.get("allowed_mentions") in NO_PINGS for _, data in sent), [d.get("allowed_mentions")
                                                                                for _, d in sent]


async def test_longest_entry_fits_discords_limits(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    question = ("Our school team says the OT goals in the IEP only cover handwriting, but my child also struggles "
                "with buttons, zippers, opening lunch containers and getting through the cafeteria line in time; "
                "is it reasonable to ask the IEP team whether school-based occupational therapy should also address "
                "these self-care tasks at school?")[:300].ljust(300, "?")
    answer = ("School OT can work on self care when it gets in the way of the school day. " * 30)[:1490]
    answer = answer.ljust(1500, ".")
    sources = [{"title": f"A very long source title number {i} " + "about school-based occupational therapy " * 4,
                "url": f"https://example.org/{'very-long-path-segment/' * 6}{i}", "cite": f"34 CFR §300.34(c)({i})"}
               for i in range(12)]
    raw = {"question": question, "answer": answer, "school": "S" * 1000, "medical": "M" * 1000,
           "alternates": ["self care goals at school"], "tags": ["self-care"],
           "related": sorted(engine.answerer.curated)[:3], "sources": sources}
    entry = await engine.faq.add(GUILD_A, raw, "test")
    assert len(entry.question) == 300 and len(entry.answer) == 1500

    body = await answered(await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": question}))
    [embed] = embeds_of(body)
    assert embed["title"].endswith("…") and len(embed["title"]) <= 256
    assert message_problems(body["data"]) == []
    sources_field = next(f["value"] for f in embed["fields"] if f["name"] == "Sources")
    assert len(sources_field) <= 1024 and sources_field.endswith("…")
    assert all(len(label) <= 80 for label in button_labels(body).values())

    shown = await acked(await fake.slash("faq show", channel_id=CHAN_A, user=MEMBER, options={"entry": entry.id}))
    assert message_problems(shown["data"]) == []
    opened = await acked(await fake.slash("faq edit", channel_id=CHAN_A, user=ADMIN, options={"entry": entry.id}))
    inputs = modal_inputs(opened)
    assert inputs["Question"]["value"] == question and inputs["Answer"]["value"] == answer
    # Everything the fake would have refused (over-long title, description, field, total, label, content,
    # a pre-filled value over its max_length) is a teardown failure of the `fake` fixture.


async def test_every_interaction_is_acknowledged_quickly(fake: FakeDiscord, bot: OtBot) -> None:
    handles = [await fake.slash("ask", channel_id=CHAN_A, user=MEMBER,
                                options={"question": f"Can my child get school OT and clinic OT at once? #{i}"})
               for i in range(20)]
    for handle in handles:
        await acked(handle)
    assert max(h.ack_latency or 99 for h in handles) < 3.0
    assert_every_interaction_acknowledged(fake)


async def private_text(handle: InteractionHandle) -> str:
    """What only the person who acted sees: the reply itself, or the private "thinking" it completes."""
    body = await acked(handle)
    assert is_ephemeral(body), body
    if body["type"] == 5:
        return (await handle.wait_original(lambda m: m["content"]))["content"]
    return body["data"]["content"]


async def test_unexpected_error_is_a_private_apology_and_is_logged(
        fake: FakeDiscord, bot: OtBot, engine: Engine, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(engine.answerer, "ask", broken)
    with caplog.at_level(logging.ERROR, logger="bot.discord_app"):
        shown = await private_text(await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": "hi?"}))
    assert shown == UNEXPECTED
    assert shown.startswith("Something went wrong on my side")  # an apology, not a traceback
    [record] = [r for r in caplog.records if r.name == "bot.discord_app.errors"]
    assert "ask" in record.getMessage() and record.exc_info and "database on fire" in str(record.exc_info[1])


async def test_unexpected_error_in_a_button_and_a_modal(fake: FakeDiscord, bot: OtBot, engine: Engine,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    handle = await fake.slash("ask", channel_id=CHAN_A, user=MEMBER,
                              options={"question": STORED_QUESTION})
    body = await answered(handle)
    helpful = next(c for c in custom_ids(body) if c.startswith("otbot:fb:y:"))

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine.store, "record_feedback", broken)
    assert handle.original is not None
    assert await private_text(await fake.click(handle.original, helpful, MEMBER)) == UNEXPECTED

    monkeypatch.setattr(engine.faq, "add", broken)
    opened = await acked(await fake.slash("faq add", channel_id=CHAN_A, user=ADMIN))
    inputs = modal_inputs(opened)
    submitted = await acked(await fake.submit_modal(opened["data"]["custom_id"], {
        inputs["Question"]["custom_id"]: "q?", inputs["Answer"]["custom_id"]: "a",
        inputs["Sources"]["custom_id"]: "34 CFR §300.34"}))
    assert is_ephemeral(submitted) and submitted["data"]["content"] == UNEXPECTED


async def test_domain_errors_show_their_own_message(fake: FakeDiscord, bot: OtBot) -> None:
    body = await acked(await fake.slash("faq show", channel_id=CHAN_A, user=MEMBER, options={"entry": "nope"}))
    assert is_ephemeral(body) and body["data"]["content"].startswith("No entry 'nope' here.")
    body = await acked(await fake.slash("retired-command", channel_id=CHAN_A, user=MEMBER))
    assert is_ephemeral(body) and "try again in a minute" in body["data"]["content"]
    body = await acked(await fake.slash("otbot config round-seconds", channel_id=CHAN_A, user=MEMBER,
                                          options={"seconds": 30}))
    assert is_ephemeral(body) and "Manage Server" in body["data"]["content"]
    body = await acked(await fake.slash("otbot config round-seconds", channel_id=CHAN_A, user=ADMIN,
                                          options={"seconds": 30}))
    assert is_ephemeral(body) and "30" in str(body["data"]["embeds"])


async def test_rate_limited_asker_is_told_to_wait(fake: FakeDiscord, start_bot: Any) -> None:
    async with start_bot(ask_rate=2):
        for _ in range(2):
            body = await answered(await fake.slash("ask", channel_id=CHAN_A, user=MEMBER,
                                                  options={"question": "what is an IEP?"}))
            assert not is_ephemeral(body)
        slow = await answered(await fake.slash("ask", channel_id=CHAN_A, user=MEMBER,
                                              options={"question": "what is an IEP?"}))
        assert is_ephemeral(slow) and "wait" in slow["data"]["content"]
        other = await answered(await fake.slash("ask", channel_id=CHAN_A, user=MOD,
                                               options={"question": "what is an IEP?"}))
        assert not is_ephemeral(other) and embeds_of(other)  # the limit is per member, not per server


def slow(method: Any, seconds: float = 0.3) -> Any:
    async def slower(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(seconds)
        return await method(*args, **kwargs)

    return slower


async def test_slow_work_is_acknowledged_first_then_delivered(fake: FakeDiscord, bot: OtBot, engine: Engine,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A locked database or a loaded machine must not make Discord drop the interaction (3 s)."""
    monkeypatch.setattr(delivery, "ACK_WAIT", 0.05)
    monkeypatch.setattr(engine.answerer, "ask", slow(engine.answerer.ask))
    monkeypatch.setattr(engine.games, "answer", slow(engine.games.answer))

    handle = await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": STORED_QUESTION},)
    assert (await acked(handle))["type"] == 5  # "thinking..."
    answered = await handle.wait_original(lambda m: m["embeds"])
    assert answered["embeds"][0]["title"] and answered["flags"] & 128 == 0 and not answered["flags"] & 64

    started = await fake.slash("scenario play", channel_id=CHAN_GAME, user=HOST)
    await acked(started)  # the round itself is posted to the channel
    round_message = await fake.wait_for_message(CHAN_GAME, lambda m: bool(m["components"]), since=started.id)
    answer = next(c for c in custom_ids(round_message) if c.startswith("otbot:ans:"))
    click = await fake.click(round_message, answer, P1)
    assert (await acked(click)) == {"type": 5, "data": {"flags": EPHEMERAL}}
    locked = await click.wait_original(lambda m: "Locked in" in m["content"])
    assert locked["flags"] & EPHEMERAL

    practice = await fake.slash("scenario practice", channel_id=CHAN_GAME, user=MEMBER)
    await acked(practice)
    own = await practice.wait_original(lambda m: m["components"])
    first = next(c for c in custom_ids(own) if c.startswith("otbot:ans:"))
    clicked = await fake.click(own, first, MEMBER)
    assert (await acked(clicked))["type"] == 6  # deferred update: the practice message itself changes
    revealed = await fake.wait_until(lambda: fake.messages[int(own["id"])]["embeds"][0]["title"].startswith(
        "Answer:") and fake.messages[int(own["id"])], what="the practice reveal")
    assert any(c.startswith("otbot:next:") for c in custom_ids(revealed))


async def test_an_error_after_thinking_replaces_the_placeholder(fake: FakeDiscord, bot: OtBot, engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.3)
        raise RuntimeError("disk gone")

    monkeypatch.setattr(delivery, "ACK_WAIT", 0.05)
    monkeypatch.setattr(engine.answerer, "ask", broken)
    handle = await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": "what is an IEP?"})
    assert (await acked(handle))["type"] == 5
    shown = await handle.wait_original(lambda m: m["content"])
    assert shown["content"] == UNEXPECTED and not handle.followup_ids

"""The missed-questions queue, restoring versions, server settings and discussion threads, end to end."""

from __future__ import annotations

from bot.discord_app.client import OtBot
from bot.engine.app import Engine

from .conftest import (
    ADMIN,
    ANSWER,
    CHAN_A,
    CHAN_GAME,
    GUILD_A,
    HOST,
    MEMBER,
    QUESTION,
    SOURCES,
    acked,
    add_entry,
    answer_ids,
    answered,
    button_labels,
    custom_ids,
    embeds_of,
    is_ephemeral,
    modal_inputs,
    settled,
    start_game,
    text_of,
)
from .fake_discord import FakeDiscord

UNKNOWN = ["what's the weather in chicago", "best pizza near the school?", "is the district pool open?"]


async def test_missed_queue_new_entry_phrasing_and_dismiss(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    _, entry_id = await add_entry(fake)
    for question in UNKNOWN:
        await answered(await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": question}))
    queue = await engine.missed.queue(GUILD_A)
    assert {m.question for m in queue} >= set(UNKNOWN)
    by_question = {m.question: m.id for m in queue}

    refused = await acked(await fake.slash("faq missed", channel_id=CHAN_A, user=MEMBER))
    assert is_ephemeral(refused) and "Only moderators" in refused["data"]["content"]
    handle = await fake.slash("faq missed", channel_id=CHAN_A, user=ADMIN)
    listing = await acked(handle)
    assert is_ephemeral(listing) and all(q in text_of(listing) for q in UNKNOWN)
    assert all(len(label) <= 80 for label in button_labels(listing).values())
    message = handle.original
    assert message is not None

    pool, pizza, weather = (by_question[q] for q in reversed(UNKNOWN))
    opened = await acked(await fake.click(message, f"otbot:missed:new:{weather}", ADMIN))
    inputs = modal_inputs(opened)
    assert inputs["Question"]["value"] == UNKNOWN[0]
    added = await acked(await fake.submit_modal(opened["data"]["custom_id"], {
        inputs["Answer"]["custom_id"]: "School OT does not cover weather; check a forecast. Ask the IEP team "
                                       "about outdoor recess supports.",
        inputs["Sources"]["custom_id"]: SOURCES}))
    assert added["data"]["content"].startswith("Added `")

    phrasing = await acked(await fake.click(message, f"otbot:missed:phr:{pizza}", ADMIN))
    [entry_input] = modal_inputs(phrasing).values()
    done = await acked(await fake.submit_modal(phrasing["data"]["custom_id"], {entry_input["custom_id"]: entry_id}))
    assert done["data"]["content"] == f"Added as a phrasing of `{entry_id}`."
    assert UNKNOWN[1] in (await engine.answerer.get(entry_id, GUILD_A)).alternates  # type: ignore[union-attr]

    dismissed = await acked(await fake.click(message, f"otbot:missed:dismiss:{pool}", ADMIN))
    assert is_ephemeral(dismissed) and dismissed["data"]["content"] == "Dismissed."
    again = await acked(await fake.click(message, f"otbot:missed:dismiss:{pool}", ADMIN))
    assert is_ephemeral(again) and again["data"]["content"] == "That question is no longer in the queue."
    assert not {weather, pizza, pool} & {m.id for m in await engine.missed.queue(GUILD_A)}


async def test_restore_an_earlier_version(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    _, entry_id = await add_entry(fake)
    await engine.faq.edit(GUILD_A, entry_id, {"question": QUESTION, "answer": "Changed. Ask the IEP team.",
                                              "sources": ["34 CFR §300.34"]}, "test")
    body = await acked(await fake.slash("faq restore", channel_id=CHAN_A, user=ADMIN,
                                        options={"entry": entry_id, "version": 1}))
    assert body["data"]["content"] == f"Restored `{entry_id}` to version 1."
    assert (await engine.answerer.get(entry_id, GUILD_A)).answer == ANSWER  # type: ignore[union-attr]
    missing = await acked(await fake.slash("faq restore", channel_id=CHAN_A, user=ADMIN,
                                           options={"entry": entry_id, "version": 9}))
    assert is_ephemeral(missing) and "has no version 9" in missing["data"]["content"]


async def test_help_settings_and_threads_under_reveals(fake: FakeDiscord, bot: OtBot) -> None:
    help_body = await acked(await fake.slash("otbot help", channel_id=CHAN_A, user=MEMBER))
    assert is_ephemeral(help_body) and "/ask" in text_of(help_body)
    shown = await acked(await fake.slash("otbot config show", channel_id=CHAN_A, user=ADMIN))
    assert is_ephemeral(shown) and "Answer channels" in text_of(shown)
    on = await acked(await fake.slash("otbot config threads", channel_id=CHAN_A, user=ADMIN,
                                      options={"enabled": True}))
    assert "Discussion threads\non" in text_of(on)

    message = await start_game(fake, rounds=1)
    await acked(await fake.click(message, next(iter(answer_ids(message).values())), MEMBER))
    await acked(await fake.click(message, next(c for c in custom_ids(message) if "reveal" in c), HOST))
    await fake.wait_until(lambda: fake.messages[int(message["id"])].get("thread"), what="a discussion thread")
    await settled(fake, bot)
    assert fake.messages[int(message["id"])]["thread"]["name"].startswith("Discuss: ")
    assert embeds_of(fake.messages[int(message["id"])])[1]["fields"][-1]["name"] == "🏁 Final standings"
    public = [m for m in fake.channel_messages(CHAN_GAME) if not m["flags"] & 64]
    assert [m["id"] for m in public] == [message["id"]]  # game over: no round 2

"""Questions end to end: /ask, mentions, answer channels, "did you mean", feedback buttons."""

from __future__ import annotations

from bot.discord_app.client import OtBot
from bot.engine.answers import Thresholds
from bot.engine.app import Engine
from bot.engine.content import load_knowledge
from bot.engine.models import Outcome
from tests.conftest import KNOWLEDGE_DIR

from .conftest import (
    ADMIN,
    CHAN_A,
    CHAN_ANSWERS,
    EPHEMERAL,
    GUILD_A,
    MEMBER,
    MOD,
    Asker,
    BotFactory,
    acked,
    answered,
    button_id,
    custom_ids,
    embeds_of,
    is_ephemeral,
    text_of,
)
from .fake_discord import FakeDiscord

# A stored question: answered whatever the threshold (paraphrases may get "did you mean" instead).
CLEAR_QUESTION = next(e.question for e in load_knowledge(KNOWLEDGE_DIR, []).entries if e.id == "school-vs-clinic-ot")
OFF_TOPIC = "what's the weather in chicago"


async def test_ask_answers_with_embed_sources_and_feedback_buttons(ask: Asker, engine: Engine) -> None:
    expected = await engine.answerer.ask(CLEAR_QUESTION, GUILD_A)
    assert expected.outcome is Outcome.ANSWERED and expected.entry is not None

    body = await ask(CLEAR_QUESTION)
    assert body["type"] == 4 and not is_ephemeral(body)
    [embed] = embeds_of(body)
    assert embed["title"] == expected.entry.question
    assert embed["author"]["name"] == f"Q: {CLEAR_QUESTION}"
    sources = next(f for f in embed["fields"] if f["name"] == "Sources")
    assert sources["value"].startswith("• ")
    [asked] = await engine.store.fetchall("SELECT id, question FROM asked")
    assert asked["question"] == CLEAR_QUESTION  # stored once; the buttons carry its id, not the text
    ids = custom_ids(body)
    assert f"otbot:fb:y:{expected.entry.id}:{asked['id']}" in ids
    assert f"otbot:fb:n:{expected.entry.id}:{asked['id']}" in ids
    assert body["data"]["allowed_mentions"] == {"parse": []}


async def test_private_ask_is_ephemeral(ask: Asker) -> None:
    body = await ask(CLEAR_QUESTION, private=True)
    assert body["data"]["flags"] & EPHEMERAL
    assert embeds_of(body)[0]["title"]


async def test_did_you_mean_buttons_show_the_entry_privately(fake: FakeDiscord, ask: Asker, engine: Engine) -> None:
    # A strict answer threshold makes any real question "low confidence", whatever the ranking tweaks.
    engine.answerer.thresholds = Thresholds(answer=0.999, suggest=0.05)
    question = "what is the difference between school OT and clinic OT"
    expected = await engine.answerer.ask(question, GUILD_A)
    assert expected.outcome is Outcome.UNSURE and expected.suggestions

    body = await ask(question)
    assert expected.decline_message and expected.decline_message in text_of(body)
    suggestion = expected.suggestions[0]
    assert button_id(body, f"otbot:entry:{suggestion.id}")
    assert [m.reason for m in await engine.missed.queue(GUILD_A)] == ["unsure"]

    handle = await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": question})
    message = (await answered(handle)) and handle.original
    assert message is not None
    click = await fake.click(message, button_id(message, f"otbot:entry:{suggestion.id}"), MEMBER)
    shown = await acked(click)
    assert shown["type"] == 4 and is_ephemeral(shown)
    assert embeds_of(shown)[0]["title"] == suggestion.question
    assert embeds_of(shown)[0]["author"]["name"] == f"Q: {question}"
    assert click.original is not None  # "not helpful" on the suggestion keeps the question that was asked
    await acked(await fake.click(click.original, button_id(click.original, f"otbot:fb:n:{suggestion.id}"), MEMBER))
    missed = await engine.missed.queue(GUILD_A)
    assert (missed[0].question, missed[0].reason, missed[0].entry_id) == (question, "not_helpful", suggestion.id)


async def test_off_topic_is_declined_politely_and_queued(ask: Asker, engine: Engine) -> None:
    expected = await engine.answerer.ask(OFF_TOPIC, GUILD_A)
    assert expected.outcome is Outcome.OUT_OF_SCOPE and expected.decline_message
    body = await ask(OFF_TOPIC)
    text = text_of(body)
    assert expected.decline_message in text and "moderator" in text and not is_ephemeral(body)
    assert "otbot:fb" not in " ".join(custom_ids(body))
    missed = await engine.missed.queue(GUILD_A)
    assert [(m.question, m.reason) for m in missed] == [(OFF_TOPIC, "declined")]


async def test_not_helpful_click_records_a_missed_question(fake: FakeDiscord, bot: OtBot, engine: Engine) -> None:
    handle = await fake.slash("ask", channel_id=CHAN_A, user=MEMBER, options={"question": CLEAR_QUESTION})
    body = await answered(handle)
    entry_id = next(c for c in custom_ids(body) if c.startswith("otbot:fb:n:")).split(":")[3]
    assert handle.original is not None

    thanks = await acked(await fake.click(handle.original, button_id(body, f"otbot:fb:n:{entry_id}"), MEMBER))
    assert is_ephemeral(thanks) and "moderator" in thanks["data"]["content"]
    [missed] = await engine.missed.queue(GUILD_A)
    assert (missed.question, missed.reason, missed.entry_id) == (CLEAR_QUESTION, "not_helpful", entry_id)

    helpful = await acked(await fake.click(handle.original, button_id(body, f"otbot:fb:y:{entry_id}"), MEMBER))
    assert is_ephemeral(helpful)
    votes = await engine.store.fetchall("SELECT helpful FROM feedback WHERE guild_id = ? AND entry_id = ?",
                                        (GUILD_A, entry_id))
    assert sorted(v["helpful"] for v in votes) == [0, 1]


async def test_buttons_posted_before_questions_were_stored_still_work(fake: FakeDiscord, bot: OtBot,
                                                                      engine: Engine) -> None:
    entry = await engine.answerer.get("school-vs-clinic-ot", GUILD_A)
    assert entry is not None
    old = {"embeds": [], "components": [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "Not helpful", "custom_id": f"otbot:fb:n:{entry.id}"},
        {"type": 2, "style": 2, "label": entry.question[:80], "custom_id": f"otbot:entry:{entry.id}"}]}]}
    message = await fake.create_message(CHAN_A, old, echo=False)  # as the bot posted it back then
    thanks = await acked(await fake.click(message, f"otbot:fb:n:{entry.id}", MEMBER))
    assert "moderator" in thanks["data"]["content"]
    [missed] = await engine.missed.queue(GUILD_A)
    assert (missed.question, missed.asked_id) == (f"(feedback on {entry.id})", None)
    shown = await acked(await fake.click(message, f"otbot:entry:{entry.id}", MEMBER))
    assert embeds_of(shown)[0]["title"] == entry.question


async def test_mention_gets_an_answer_reply_without_pings(fake: FakeDiscord, bot: OtBot) -> None:
    sent = await fake.send_message(CHAN_A, MEMBER, f"<@{fake.app_id}> {CLEAR_QUESTION}", mentions=[fake.app_id])
    reply = await fake.wait_for_message(CHAN_A)
    assert reply["message_reference"]["message_id"] == sent["id"]
    assert reply["embeds"][0]["author"]["name"] == f"Q: {CLEAR_QUESTION}"
    assert reply["embeds"][0]["title"]
    assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_plain_messages_and_reply_pings_are_ignored(fake: FakeDiscord, bot: OtBot) -> None:
    await fake.send_message(CHAN_A, MEMBER, f"<@{fake.app_id}> {CLEAR_QUESTION}", mentions=[fake.app_id])
    answer = await fake.wait_for_message(CHAN_A)
    await fake.send_message(CHAN_A, MEMBER, CLEAR_QUESTION)  # no mention, not an answer channel
    # A reply to the bot's answer pings it (Discord lists the bot in mentions) without a question for it.
    await fake.send_message(CHAN_A, MEMBER, "thanks, that helps!", mentions=[fake.app_id], reply_to=int(answer["id"]))
    last = await fake.send_message(CHAN_A, MEMBER, f"<@!{fake.app_id}> what is an IEP?", mentions=[fake.app_id])
    next_reply = await fake.wait_for_message(CHAN_A, since=int(answer["id"]))
    assert next_reply["message_reference"]["message_id"] == last["id"]  # only the written mention was answered


async def test_answer_channel_set_by_admin_answers_plain_questions(fake: FakeDiscord, start_bot: BotFactory) -> None:
    async with start_bot(message_content=True) as running:
        assert running.intents.message_content
        refused = await acked(await fake.slash("otbot config answer-channel", channel_id=CHAN_A, user=MOD,
                                                 options={"channel": CHAN_ANSWERS}))
        assert is_ephemeral(refused) and "Manage Server" in refused["data"]["content"]

        done = await acked(await fake.slash("otbot config answer-channel", channel_id=CHAN_A, user=ADMIN,
                                              options={"channel": CHAN_ANSWERS}))
        assert is_ephemeral(done) and f"<#{CHAN_ANSWERS}>" in text_of(done)
        assert "Message Content" not in text_of(done)  # the intent is on: no warning

        await fake.send_message(CHAN_ANSWERS, MEMBER, "thanks everyone!")  # chatter: no "I don't know"
        question = await fake.send_message(CHAN_ANSWERS, MEMBER, CLEAR_QUESTION)
        reply = await fake.wait_for_message(CHAN_ANSWERS, since=0)
        assert reply["message_reference"]["message_id"] == question["id"]
        assert reply["embeds"][0]["title"]


async def test_answer_channel_without_the_intent_warns(fake: FakeDiscord, bot: OtBot) -> None:
    done = await acked(await fake.slash("otbot config answer-channel", channel_id=CHAN_A, user=ADMIN,
                                          options={"channel": CHAN_ANSWERS}))
    assert "Message Content" in text_of(done)

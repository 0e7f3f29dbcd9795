"""Shared fixtures for the end-to-end tests: the real OtBot, a real engine on a temp SQLite file, a fake Discord.

Two servers: A (admin, moderator role, members, players) and B (its own admin). Every test starts with the
slash commands synced to the fake, as discord.py needs registered command ids. After each test, checked for
every test that uses the `fake` fixture: the fake did not crash; no request broke Discord's size limits (the
fake answers those with 400 like Discord); every interaction was acknowledged within 3 seconds; and every
message the bot posted or edited carried allowed_mentions that ping nobody.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.discord_app.client import OtBot
from bot.discord_app.runner import make_intents
from bot.engine import app as engine_app
from bot.engine.app import Engine, open_engine

from .fake_discord import FakeDiscord, InteractionHandle, RecordedRequest, channel, member, role, run_bot
from .fake_discord.limits import message_routes

GUILD_A, GUILD_B = 710000000000000001, 720000000000000001
CHAN_A, CHAN_GAME, CHAN_ANSWERS, CHAN_B = 710000000000000101, 710000000000000102, 710000000000000103, 720000000000000101
ADMIN_ROLE, MOD_ROLE = 710000000000000201, 710000000000000202
ADMIN_B_ROLE = 720000000000000201
ADMIN, MOD, MEMBER, HOST, P1, P2, P3 = (710000000000000300 + i for i in range(1, 8))
ADMIN_B = 720000000000000301
MANAGE_GUILD = discord.Permissions(manage_guild=True).value
EPHEMERAL = 64
# The shipped content, unless OTBOT_KNOWLEDGE / OTBOT_SCENARIOS point elsewhere (as for `otbot` itself).
KNOWLEDGE_DIR = Path(os.environ.get("OTBOT_KNOWLEDGE") or PROJECT_ROOT / "knowledge")
SCENARIOS_DIR = Path(os.environ.get("OTBOT_SCENARIOS") or PROJECT_ROOT / "scenarios")

Bot = OtBot
BotFactory = Callable[..., AbstractAsyncContextManager[OtBot]]


def bot_settings(db_path: Path, **overrides: Any) -> Settings:
    """Settings like Settings.load() would give, without reading the environment or a .env file."""
    values: dict[str, Any] = {"knowledge_dir": KNOWLEDGE_DIR, "scenarios_dir": SCENARIOS_DIR,
                              "db_path": db_path, "token": "fake-token", "ask_rate": 1000, "ask_per_seconds": 60.0}
    values.update(overrides)
    return Settings(**values)


_load_all = engine_app.load_all
_loaded: dict[tuple[Path, Path], Any] = {}


@pytest.fixture(autouse=True)
def _content_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parse knowledge/ and scenarios/ once per session (a quarter second each time otherwise); each engine
    still builds its own search index and opens its own database."""

    def load_all(knowledge_dir: Path, scenarios_dir: Path) -> Any:
        key = (Path(knowledge_dir), Path(scenarios_dir))
        if key not in _loaded:
            _loaded[key] = _load_all(knowledge_dir, scenarios_dir)
        return _loaded[key]

    monkeypatch.setattr(engine_app, "load_all", load_all)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "otbot.db"


@pytest.fixture
async def engine(db_path: Path) -> AsyncIterator[Engine]:
    async with open_engine(KNOWLEDGE_DIR, SCENARIOS_DIR, db_path) as opened:
        yield opened


async def add_guilds(fake: FakeDiscord) -> None:
    await fake.add_guild(
        GUILD_A, "OT parents",
        channels=[channel(CHAN_A, "general"), channel(CHAN_GAME, "games"), channel(CHAN_ANSWERS, "questions")],
        roles=[role(ADMIN_ROLE, "admins", permissions=MANAGE_GUILD), role(MOD_ROLE, "faq-mods")],
        members=[member(ADMIN, username="ada", roles=[ADMIN_ROLE]), member(MOD, username="mo", roles=[MOD_ROLE]),
                 member(MEMBER, username="mel"), member(HOST, username="hostie"), member(P1, username="pia"),
                 member(P2, username="pete"), member(P3, username="quinn")],
    )
    await fake.add_guild(
        GUILD_B, "Teachers",
        channels=[channel(CHAN_B, "general")],
        roles=[role(ADMIN_B_ROLE, "admins", permissions=MANAGE_GUILD)],
        members=[member(ADMIN_B, username="bea", roles=[ADMIN_B_ROLE]), member(MEMBER, username="mel")],
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(app_id=900000000000000001, bot_name="otbot") as server:
        await add_guilds(server)
        yield server
        assert not server.errors, f"the fake crashed: {server.errors}"
        assert not server.rejected, f"Discord would reject: {[(r.path, p) for r, p in server.rejected]}"
        assert_every_interaction_acknowledged(server)
        assert_nothing_pings(server)


NO_PINGS = ({"parse": []}, {"parse": [], "replied_user": False})


def message_requests(fake: FakeDiscord) -> list[tuple[RecordedRequest, dict[str, Any]]]:
    """Every request by which the bot posted or edited a message (responses and follow-ups too), with its body."""
    found = []
    for request in fake.requests:
        body = request.json
        if isinstance(body, dict) and (data := message_routes(request.method, request.path, body)) is not None:
            found.append((request, data))
    return found


def assert_nothing_pings(fake: FakeDiscord) -> None:
    pinging = [(r.method, r.path, data.get("allowed_mentions")) for r, data in message_requests(fake)
               if data.get("allowed_mentions") not in NO_PINGS]
    assert not pinging, f"requests that could ping someone: {pinging}"


def assert_every_interaction_acknowledged(fake: FakeDiscord) -> None:
    late = {h.id: h.ack_latency for h in fake.interactions.values()
            if h.ack_latency is None or h.ack_latency >= 3.0}
    assert not late, f"interactions not acknowledged within 3 s (None = never): {late}"


@pytest.fixture
def start_bot(fake: FakeDiscord, engine: Engine, db_path: Path) -> BotFactory:
    """`async with start_bot(message_content=False, engine=None) as bot:` runs an OtBot with synced commands."""

    @asynccontextmanager
    async def start(*, message_content: bool = False, engine_: Engine | None = None,
                    **settings: Any) -> AsyncIterator[OtBot]:
        client = OtBot(engine_ or engine, bot_settings(db_path, **settings),
                       intents=make_intents(message_content), round_pause=0.05)
        async with run_bot(client, fake) as running:
            await running.tree.sync()
            yield running

    return start


@pytest.fixture
async def bot(start_bot: BotFactory) -> AsyncIterator[OtBot]:
    async with start_bot() as running:
        yield running


# ---------------------------------------------------------------- helpers for the tests


async def acked(handle: InteractionHandle, timeout: float = 3.0) -> dict[str, Any]:
    """The interaction's callback body, after checking it came inside Discord's 3 seconds."""
    body = await handle.response(timeout)
    assert handle.ack_latency is not None and handle.ack_latency < 3.0, handle.ack_latency
    return body


async def answered(handle: InteractionHandle, timeout: float = 5.0) -> dict[str, Any]:
    """An /ask interaction's answer as a callback body, whether it came in the first response or, when answering
    took longer than the acknowledgement wait (the semantic install embeds the question first), in the completed
    "thinking..." response."""
    body = await acked(handle, timeout)
    if body["type"] != 5:
        return body
    return {"type": 4, "data": await completed_original(handle, timeout)}


async def completed_original(handle: InteractionHandle, timeout: float) -> dict[str, Any]:
    """The deferred ("thinking...") response once the bot has completed it."""
    return await handle.wait_original(lambda m: not m["flags"] & 128, timeout)


def embeds_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return (body.get("data") or body).get("embeds") or []


def custom_ids(message_or_body: dict[str, Any]) -> list[str]:
    data = message_or_body.get("data") if "type" in message_or_body and "data" in message_or_body else None
    rows = (data or message_or_body).get("components") or []
    return [c["custom_id"] for row in rows for c in row.get("components", []) if "custom_id" in c]


def button_id(message_or_body: dict[str, Any], prefix: str) -> str:
    """The one custom id starting with `prefix` (ids end with state the test does not know, e.g. a stored id)."""
    [found] = [c for c in custom_ids(message_or_body) if c == prefix or c.startswith(prefix + ":")]
    return found


def button_labels(message_or_body: dict[str, Any]) -> dict[str, str]:
    data = message_or_body.get("data") if "type" in message_or_body and "data" in message_or_body else None
    rows = (data or message_or_body).get("components") or []
    return {c["custom_id"]: c.get("label", "") for row in rows for c in row.get("components", [])
            if "custom_id" in c}


def is_ephemeral(body: dict[str, Any]) -> bool:
    """An interaction callback body whose message only the person who acted sees."""
    return private(body.get("data") or {})


def text_of(body: dict[str, Any]) -> str:
    """Content plus every embed's visible text, for loose 'says something about X' checks."""
    data = body.get("data") or body
    parts = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or "",
                  (embed.get("author") or {}).get("name") or "", (embed.get("footer") or {}).get("text") or ""]
        parts += [f"{f.get('name')}\n{f.get('value')}" for f in embed.get("fields") or []]
    return "\n".join(p for p in parts if p)


Asker = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def ask(fake: FakeDiscord, bot: OtBot) -> Asker:
    async def run(question: str, *, user: int = MEMBER, channel_id: int = CHAN_A, private: bool | None = None,
                  ) -> dict[str, Any]:
        options: dict[str, Any] = {"question": question}
        if private is not None:
            options["private"] = private
        return await answered(await fake.slash("ask", channel_id=channel_id, user=user, options=options))

    return run


@pytest.fixture(autouse=True)
def _quiet_discord_logs() -> None:
    logging.getLogger("discord").setLevel(logging.WARNING)


# Flows several test modules share (test modules never import each other).

QUESTION = "How do we borrow a weighted vest from the Maplewood district sensory lending library?"
ANSWER = ("Ask your child's case manager to request one from the Maplewood lending library. A school OT "
          "checks the fit and writes down when it is used. Bring questions to the IEP team.")
SOURCES = "https://example.org/maplewood-lending-library\n34 CFR §300.34(c)(6)"


def modal_inputs(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Text inputs of a modal callback (type 9), by label: {label: {custom_id, value, ...}}."""
    assert body["type"] == 9, body
    inputs: dict[str, dict[str, Any]] = {}
    for row in body["data"]["components"]:
        for comp in row.get("components") or [row.get("component")]:
            label = comp.get("label") or row.get("label")
            inputs[label] = comp
    return inputs


async def open_modal(fake: FakeDiscord, command: str, user: int, channel_id: int = CHAN_A,
                     options: dict[str, Any] | None = None) -> tuple[str, dict[str, dict[str, Any]]]:
    body = await acked(await fake.slash(command, channel_id=channel_id, user=user, options=options))
    return body["data"]["custom_id"], modal_inputs(body)


async def add_entry(fake: FakeDiscord, user: int = ADMIN, channel_id: int = CHAN_A, *, question: str = QUESTION,
                    answer: str = ANSWER, sources: str = SOURCES, tags: str = "equipment, maplewood",
                    alternates: str = "weighted vest loan") -> tuple[dict[str, Any], str]:
    """Add an entry through /faq add; returns (the modal-submit response, the new entry id)."""
    modal_id, inputs = await open_modal(fake, "faq add", user, channel_id)
    values = {"Question": question, "Answer": answer, "Alternate phrasings (one per line)": alternates,
              "Tags": tags, "Sources": sources}
    submitted = await acked(await fake.submit_modal(
        modal_id, {inputs[label]["custom_id"]: value for label, value in values.items()}))
    content = submitted["data"]["content"]
    assert content.startswith("Added `"), submitted
    return submitted, content.split("`")[1]


def answer_ids(message: dict[str, Any]) -> dict[str, str]:
    """Option key -> answer button custom id."""
    return {cid.rsplit(":", 1)[1]: cid for cid in custom_ids(message) if cid.startswith("otbot:ans:")}


def round_title(message: dict[str, Any]) -> str:
    return (message.get("embeds") or [{}])[0].get("title") or ""


def round_id_of(message: dict[str, Any]) -> int:
    return int(next(iter(answer_ids(message).values())).split(":")[2])


async def settled(fake: FakeDiscord, bot: OtBot) -> None:
    """Wait until the scenario cog's background work (recovery, reveals, next rounds) is done."""
    cog = bot.get_cog("Scenarios")
    await fake.wait_until(lambda: not cog.driver.tasks, timeout=3, what="scenario background work")  # type: ignore


async def reply(handle: InteractionHandle, timeout: float = 2.0) -> dict[str, Any]:
    """What the person who acted finally sees: the completed "thinking" reply, or the first follow-up."""
    body = await acked(handle, timeout)
    if body["type"] == 5:
        return await completed_original(handle, timeout)
    if body["type"] == 6:
        return (await handle.wait_followups(1, timeout))[0]
    return body["data"]


def private(message: dict[str, Any]) -> bool:
    return bool(int(message.get("flags") or 0) & EPHEMERAL)


async def start_game(fake: FakeDiscord, rounds: int = 2, seconds: int = 60, user: int = HOST) -> dict[str, Any]:
    handle = await fake.slash("scenario play", channel_id=CHAN_GAME, user=user,
                              options={"rounds": rounds, "seconds": seconds})
    started = await reply(handle)
    assert private(started) and "round 1" in started["content"], started
    return await fake.wait_for_message(CHAN_GAME, lambda m: round_title(m).startswith(f"Round 1/{rounds}"),
                                       since=handle.id, timeout=3)

"""Self-tests for the fake Discord API, driven through a tiny throwaway discord.py bot."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from .fake_discord import FakeDiscord, channel, member, role, run_bot

GUILD, CHAN, USER, MOD_ROLE, DM_CHAN = 111, 222, 333, 444, 666
Log = list[tuple[Any, ...]]


class PressView(discord.ui.View):
    def __init__(self, log: Log) -> None:
        super().__init__(timeout=60)
        self.log = log

    @discord.ui.button(label="Press me", custom_id="ping:press")
    async def press(self, interaction: discord.Interaction, button: discord.ui.Button[PressView]) -> None:
        message_id = interaction.message.id if interaction.message else None
        self.log.append(("pressed", interaction.user.id, message_id))
        await interaction.response.send_message("pressed!", ephemeral=True)

    @discord.ui.button(label="Edit", custom_id="ping:edit")
    async def edit(self, interaction: discord.Interaction, button: discord.ui.Button[PressView]) -> None:
        await interaction.response.edit_message(content="edited", view=None)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    def __init__(self, log: Log) -> None:
        super().__init__(custom_id="fb:modal")
        self.log = log
        self.text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(custom_id="fb:text")
        self.add_item(discord.ui.Label(text="Your feedback", component=self.text))
        self.extra: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            label="Extra", custom_id="fb:extra", required=False
        )
        self.add_item(self.extra)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.log.append(("modal", self.text.value, self.extra.value))
        await interaction.response.send_message(f"thanks: {self.text.value}")


def make_bot(log: Log) -> commands.Bot:
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True
    bot = commands.Bot(command_prefix="!", intents=intents, allowed_mentions=discord.AllowedMentions.none())

    @bot.tree.command(name="ping", description="Ping")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", view=PressView(log))

    @bot.tree.command(name="feedback", description="Feedback")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal(log))

    @bot.tree.command(name="slow", description="Deferred")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        note = discord.File(io.BytesIO(b"some notes"), filename="notes.txt")
        await interaction.followup.send("follow-up", ephemeral=True, file=note)
        await interaction.edit_original_response(content="done")
        original = await interaction.original_response()
        log.append(("original", original.content))

    async def fruit_choices(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        names = ["apple", "apricot", "banana"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @bot.tree.command(name="fruit", description="Pick a fruit")
    @app_commands.autocomplete(name=fruit_choices)
    async def fruit(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(f"fruit={name}")

    admin = app_commands.Group(name="admin", description="Admin")

    @admin.command(name="greet", description="Greet a member")
    @app_commands.checks.has_permissions(manage_messages=True)
    async def greet(interaction: discord.Interaction, who: discord.Member, times: int = 1) -> None:
        roles = [r.name for r in who.roles if not r.is_default()]
        await interaction.response.send_message(f"hi {who.name} x{times} roles={roles}")

    @greet.error
    async def greet_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await interaction.response.send_message(f"denied: {type(error).__name__}", ephemeral=True)

    bot.tree.add_command(admin)

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author.bot:
            return
        if message.content == "hello":
            await message.reply(f"hi {message.author.name}", mention_author=False)
        elif message.content == "thread":
            thread = await message.create_thread(name="discussion")
            await thread.send("in thread")
        elif message.content == "roles" and message.guild is not None:
            try:
                await message.guild.fetch_roles()  # not implemented by the fake
            except discord.NotFound as exc:
                await message.channel.send(f"not found: {exc.text}")

    return bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        await server.add_guild(
            GUILD,
            "Test Guild",
            channels=[channel(CHAN, "general")],
            roles=[role(MOD_ROLE, "mods", permissions=discord.Permissions(manage_messages=True).value)],
            members=[member(USER, username="alice", roles=[MOD_ROLE]), member(555, username="bob")],
        )
        yield server


@pytest.fixture
async def env(fake: FakeDiscord) -> AsyncIterator[tuple[FakeDiscord, commands.Bot, Log]]:
    log: Log = []
    async with run_bot(make_bot(log), fake) as bot:
        yield fake, bot, log
    assert not fake.errors


async def test_ready_with_guild(env: tuple[FakeDiscord, commands.Bot, Log]) -> None:
    fake, bot, _ = env
    guild = bot.get_guild(GUILD)
    assert guild is not None and guild.name == "Test Guild"
    assert guild.get_channel(CHAN) is not None
    alice = guild.get_member(USER)
    assert alice is not None and [r.name for r in alice.roles] == ["@everyone", "mods"]
    assert guild.me is not None and bot.user is not None and bot.user.id == fake.app_id
    assert fake.gateway.identify is not None and fake.gateway.identify["intents"] == bot.intents.value
    assert fake.gateway.connections[0].query["compress"] in ("zlib-stream", "zstd-stream")
    assert fake.requests_to("GET", "/users/@me") and fake.requests_to("GET", "/oauth2/applications/@me")


async def test_slash_then_button_click(env: tuple[FakeDiscord, commands.Bot, Log]) -> None:
    fake, bot, log = env
    synced = await bot.tree.sync()
    assert {c.name for c in synced} == {"ping", "feedback", "slow", "fruit", "admin"}
    ping_cmd = fake.command("ping")
    assert ping_cmd is not None and int(ping_cmd["id"]) == next(c.id for c in synced if c.name == "ping")

    handle = await fake.slash("ping", guild_id=GUILD, channel_id=CHAN, user=USER)
    assert handle.payload["data"]["id"] == ping_cmd["id"]
    body = await handle.response()
    assert body["type"] == 4 and body["data"]["content"] == "pong"
    assert body["data"]["allowed_mentions"] == {"parse": []}
    msg = handle.original
    assert msg is not None and msg["components"][0]["components"][0]["custom_id"] == "ping:press"
    assert fake.channel_messages(CHAN) == [msg]

    click = await fake.click(msg, "ping:press", user=USER)
    click_body = await click.response()
    assert click_body["type"] == 4 and click_body["data"]["content"] == "pressed!"
    assert click_body["data"]["flags"] == 64
    assert log == [("pressed", USER, int(msg["id"]))]

    edit = await fake.click(msg, "ping:edit", user=USER)
    assert (await edit.response())["type"] == 7
    assert fake.messages[int(msg["id"])]["content"] == "edited"
    assert fake.messages[int(msg["id"])]["components"] == []
    assert any(f.get("t") == "MESSAGE_UPDATE" for f in fake.gateway.sent)


async def test_on_message_reply(env: tuple[FakeDiscord, commands.Bot, Log]) -> None:
    fake, _, _ = env
    sent = await fake.send_message(CHAN, USER, "hello")
    reply = await fake.wait_for_message(CHAN)
    assert reply["content"] == "hi alice"
    assert reply["message_reference"]["message_id"] == sent["id"]
    assert reply["allowed_mentions"] == {"parse": [], "replied_user": False}  # merged by Message.reply
    assert reply["author"]["id"] == str(fake.app_id)

    await fake.send_message(DM_CHAN, USER, "hello")  # a channel in no guild is a DM
    dm_reply = await fake.wait_for_message(DM_CHAN)
    assert dm_reply["content"] == "hi alice" and "guild_id" not in dm_reply


async def test_modal_submit(env: tuple[FakeDiscord, commands.Bot, Log]) -> None:
    fake, _, log = env
    opener = await fake.slash("feedback", channel_id=CHAN, user=USER)
    body = await opener.response()
    assert body["type"] == 9 and body["data"]["custom_id"] == "fb:modal"
    assert body["data"]["components"][0]["type"] == 18  # Label-wrapped input

    submit = await fake.submit_modal("fb:modal", {"fb:text": "great bot"})
    result = await submit.response()
    assert result["data"]["content"] == "thanks: great bot"
    assert log == [("modal", "great bot", "")]


async def test_defer_followup_and_edit(env: tuple[FakeDiscord, commands.Bot, Log]) -> None:
    fake, _, log = env
    handle = await fake.slash("slow", guild_id=GUILD, channel_id=CHAN, user=USER)
    assert (await handle.response())["type"] == 5
    followups = await handle.wait_followups(1)
    assert followups[0]["content"] == "follow-up" and followups[0]["flags"] == 64
    attachment = followups[0]["attachments"][0]
    assert attachment["filename"] == "notes.txt" and fake.files[int(attachment["id"])] == b"some notes"
    original = await handle.wait_original(lambda m: m["content"] == "done")
    assert original["flags"] & 128 == 0 and original["edited_timestamp"] is not None
    await fake.wait_until(lambda: log, what="original_response()")
    assert log == [("original", "done")]


async def test_429_is_retried(env: tuple[FakeDiscord, commands.Bot, Log]) -> None:
    fake, _, _ = env
    fake.fail_next("POST", rf"/channels/{CHAN}/messages", retry_after=0.05)
    await fake.send_message(CHAN, USER, "hello")
    reply = await fake.wait_for_message(CHAN)
    assert reply["content"] == "hi alice"
    assert [r.status for r in fake.requests_to("POST", rf"/channels/{CHAN}/messages")] == [429, 200]

    fake.fail_next("POST", r"/interactions/\d+/[^/]+/callback", retry_after=0.05)  # webhook adapter path
    handle = await fake.slash("ping", channel_id=CHAN, user=USER)
    assert (await handle.response())["data"]["content"] == "pong"
    assert [r.status for r in fake.requests_to("POST", r"/interactions/.*")] == [429, 200]


async def test_gateway_resume_after_drop(env: tuple[FakeDiscord, commands.Bot, Log]) -> None:
    fake, _, _ = env
    await fake.gateway.close_all(code=4000)  # discord.py reconnects and RESUMEs
    await fake.wait_until(lambda: any(f.get("op") == 6 for f in fake.gateway.received), what="RESUME")
    await fake.send_message(CHAN, USER, "hello")
    assert (await fake.wait_for_message(CHAN))["content"] == "hi alice"


async def test_autocomplete_and_subcommand_with_member_option(
    env: tuple[FakeDiscord, commands.Bot, Log],
) -> None:
    fake, bot, _ = env
    await bot.tree.sync(guild=discord.Object(GUILD))  # guild scope: copy_global_to not used, so empty
    await bot.tree.sync()
    auto = await fake.autocomplete(
        "fruit", focused="name", options={"name": "ap"}, channel_id=CHAN, user=USER
    )
    body = await auto.response()
    assert body["type"] == 8 and [c["value"] for c in body["data"]["choices"]] == ["apple", "apricot"]

    greet = await fake.slash("admin greet", channel_id=CHAN, user=USER, options={"who": 555, "times": 2})
    assert (await greet.response())["data"]["content"] == "hi bob x2 roles=[]"
    denied = await fake.slash("admin greet", channel_id=CHAN, user=555, options={"who": USER})
    assert (await denied.response())["data"]["content"] == "denied: MissingPermissions"


async def test_thread_and_unknown_route(env: tuple[FakeDiscord, commands.Bot, Log]) -> None:
    fake, bot, _ = env
    sent = await fake.send_message(CHAN, USER, "thread")
    in_thread = await fake.wait_for_message(predicate=lambda m: m["content"] == "in thread")
    assert in_thread["channel_id"] == sent["id"]  # a message thread's id is the starter message id
    thread = bot.get_guild(GUILD).get_thread(int(sent["id"]))  # type: ignore[union-attr]
    assert thread is not None and thread.name == "discussion"

    await fake.send_message(CHAN, USER, "roles")
    answer = await fake.wait_for_message(CHAN)
    assert answer["content"] == f"not found: fake_discord: no handler for GET /api/v10/guilds/{GUILD}/roles"
    assert [(r.method, r.path) for r in fake.unknown_routes] == [("GET", f"/guilds/{GUILD}/roles")]

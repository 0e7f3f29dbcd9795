"""The fake refuses what Discord refuses: over-long message parts come back as 400 (50035), not stored."""

from __future__ import annotations

import discord
import pytest

from .fake_discord import FakeDiscord, channel, run_bot


@pytest.mark.parametrize("kwargs", [
    {"content": "x" * 2001},
    {"embed": discord.Embed(title="t" * 257)},
    {"embed": discord.Embed(description="d" * 4097)},
    {"embed": discord.Embed().add_field(name="f", value="v" * 1025)},
    {"embeds": [discord.Embed(description="d" * 4000), discord.Embed(description="e" * 2500)]},
    {"view": discord.ui.View().add_item(discord.ui.Button(label="l" * 81, custom_id="x"))},
])
async def test_over_long_messages_are_rejected_like_discord(kwargs: dict[str, object]) -> None:
    async with FakeDiscord() as fake:
        await fake.add_guild(1, channels=[channel(2)])
        client = discord.Client(intents=discord.Intents.none())
        async with run_bot(client, fake):
            with pytest.raises(discord.HTTPException) as caught:
                await client.get_partial_messageable(2).send(**kwargs)  # type: ignore[arg-type]
        assert caught.value.status == 400 and caught.value.code == 50035
        assert fake.rejected and not fake.channel_messages(2)


async def test_messages_within_the_limits_pass() -> None:
    async with FakeDiscord() as fake:
        await fake.add_guild(1, channels=[channel(2)])
        client = discord.Client(intents=discord.Intents.none())
        async with run_bot(client, fake):
            embed = discord.Embed(title="t" * 256, description="d" * 4096).add_field(name="f", value="v" * 1024)
            await client.get_partial_messageable(2).send("x" * 2000, embed=embed)
        assert not fake.rejected and len(fake.channel_messages(2)) == 1

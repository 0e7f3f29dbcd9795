"""Interaction tokens and the bot token never reach the logs, at any level."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.discord_app import redact
from bot.discord_app.client import OtBot

from .conftest import CHAN_GAME, P1, acked
from .fake_discord import FakeDiscord


@pytest.fixture
def installed() -> Iterator[redact.RedactSecrets]:
    secret_filter = redact.install(["fake-token"])
    yield secret_filter
    for logger in [logging.getLogger(), *(logging.getLogger(n) for n in redact.DISCORD_LOGGERS)]:
        logger.removeFilter(secret_filter)
        for handler in logger.handlers:
            handler.removeFilter(secret_filter)


def test_redact_tokens_in_urls_payloads_and_headers() -> None:
    text = ("POST https://discord.com/api/v10/interactions/123/aW50ZXJhY3Rpb246MTIz.x-y_z/callback "
            "PATCH /webhooks/456/aW50ZXJhY3Rpb246MTIz/messages/@original {'token': 'aW50ZXJh', \"id\": 1} "
            "Authorization: Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123")
    cleaned = redact.redact(text, ["sekrit"])
    assert "aW50ZXJh" not in cleaned and "MTIzNDU2" not in cleaned
    assert "/interactions/123/[redacted]/callback" in cleaned and "/webhooks/456/[redacted]/messages" in cleaned


async def test_no_interaction_token_in_debug_logs(fake: FakeDiscord, bot: OtBot, installed: redact.RedactSecrets,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in redact.DISCORD_LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    handle = await fake.slash("scenario leaderboard", channel_id=CHAN_GAME, user=P1)
    await acked(handle)
    await handle.wait_original(lambda m: m["embeds"])
    logging.getLogger("bot.test").warning("callback failed: POST /interactions/1/%s/callback", handle.token)
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "[redacted]" in text  # there were tokens to hide
    assert handle.token not in text and "token-" not in text

"""Keep secrets out of logs at every level: interaction tokens (in callback and webhook URLs and in gateway
payloads that discord.py logs at DEBUG) and the bot's own token. Anyone holding an interaction token can
answer as the bot for 15 minutes; logs get pasted into bug reports."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"(/interactions/\d+/)[^/\s'\"?]+"),  # .../interactions/<id>/<token>/callback
    re.compile(r"(/webhooks/\d+/)[^/\s'\"?]+"),  # .../webhooks/<application id>/<token>[/messages/...]
    re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+"""),  # a payload's "token": "..."
    re.compile(r"((?:Authorization['\"]?\s*[:=]\s*['\"]?)?Bot )[A-Za-z0-9_.\-]{20,}"),
)
# Loggers that can carry a token. A filter on a logger sees records logged there directly (handlers that
# tests or other code add included); the filter on root's handlers sees everything that propagates.
DISCORD_LOGGERS = ("discord", "discord.http", "discord.gateway", "discord.client", "discord.state",
                   "discord.webhook.async_", "discord.interactions", "discord.app_commands.tree", "discord.ui.view")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text, self.secrets)
        return True


def install(secrets: Iterable[str] = ()) -> RedactSecrets:
    """Add the filter to the discord loggers, the root logger, and every handler they have now."""
    secret_filter = RedactSecrets(secrets)
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in DISCORD_LOGGERS)]
    for logger in loggers:
        logger.addFilter(secret_filter)
        for handler in logger.handlers:
            handler.addFilter(secret_filter)
    return secret_filter

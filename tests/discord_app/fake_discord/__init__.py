"""A fake Discord API (REST + gateway) on 127.0.0.1 that the real discord.py client runs against."""

from .models import FailRule, InteractionHandle, RecordedRequest
from .payloads import GuildState, channel, member, role, snowflake, user
from .runner import run_bot
from .server import FakeDiscord

__all__ = [
    "FailRule",
    "FakeDiscord",
    "GuildState",
    "InteractionHandle",
    "RecordedRequest",
    "channel",
    "member",
    "role",
    "run_bot",
    "snowflake",
    "user",
]

"""JSON payload builders for the fake Discord API.

Shapes follow what discord.py 2.7's parsers read (see discord/state.py, guild.py, member.py, message.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

JSON = dict[str, Any]
DISCORD_EPOCH_MS = 1420070400000
ALL_PERMISSIONS = discord.Permissions.all().value
DEFAULT_EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_application_commands=True,
).value

_last_snowflake = 0


def snowflake() -> int:
    """A fresh, strictly increasing snowflake whose timestamp part is 'now'."""
    global _last_snowflake
    candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
    _last_snowflake = max(candidate, _last_snowflake + 1)
    return _last_snowflake


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user(
    user_id: int, username: str | None = None, *, global_name: str | None = None, bot: bool = False
) -> JSON:
    data: JSON = {
        "id": str(user_id),
        "username": username or f"user{user_id}",
        "global_name": global_name,
        "discriminator": "0",
        "avatar": None,
        "public_flags": 0,
    }
    if bot:
        data["bot"] = True
    return data


def as_user(value: int | JSON) -> JSON:
    """int -> default user; member payload -> its user; user payload -> itself."""
    if isinstance(value, int):
        return user(value)
    return value.get("user", value)


def member(
    user_or_id: int | JSON,
    *,
    roles: tuple[int, ...] | list[int] = (),
    nick: str | None = None,
    username: str | None = None,
    joined_at: str | None = None,
) -> JSON:
    usr = user(user_or_id, username) if isinstance(user_or_id, int) else as_user(user_or_id)
    return {
        "user": usr,
        "roles": [str(r) for r in roles],
        "nick": nick,
        "joined_at": joined_at or now_iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }


def role(role_id: int, name: str, *, permissions: int = 0, position: int = 1, **extra: Any) -> JSON:
    return {
        "id": str(role_id),
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
        **extra,
    }


def channel(
    channel_id: int, name: str | None = None, *, type: int = 0, position: int = 0, **extra: Any
) -> JSON:
    """A guild channel (type 0 text, 2 voice, 4 category, 5 news, 15 forum)."""
    return {
        "id": str(channel_id),
        "type": type,
        "name": name or f"channel-{channel_id}",
        "position": position,
        "permission_overwrites": [],
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "rate_limit_per_user": 0,
        "last_message_id": None,
        **extra,
    }


@dataclass
class GuildState:
    id: int
    name: str
    owner_id: int
    roles: dict[int, JSON] = field(default_factory=dict)
    members: dict[int, JSON] = field(default_factory=dict)
    channels: dict[int, JSON] = field(default_factory=dict)
    threads: dict[int, JSON] = field(default_factory=dict)

    def payload(self) -> JSON:
        """GUILD_CREATE payload; member_count == len(members) so discord.py never needs to chunk."""
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "icon": None,
            "splash": None,
            "banner": None,
            "description": None,
            "features": [],
            "roles": list(self.roles.values()),
            "emojis": [],
            "stickers": [],
            "members": list(self.members.values()),
            "member_count": len(self.members),
            "channels": list(self.channels.values()),
            "threads": list(self.threads.values()),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": now_iso(),
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
        }

    def member_for(self, who: int | JSON) -> JSON:
        """Member payload for a user id / user / member payload (synthesised if not in the guild)."""
        if isinstance(who, dict) and "user" in who:
            return who
        uid = int(who) if isinstance(who, int) else int(who["id"])
        found = self.members.get(uid)
        if found is not None:
            return found
        return member(who if isinstance(who, dict) else uid)

    def permissions_of(self, mem: JSON) -> int:
        uid = int(mem["user"]["id"])
        if uid == self.owner_id:
            return ALL_PERMISSIONS
        everyone = self.roles.get(self.id)
        value = int(everyone["permissions"]) if everyone else 0
        for rid in mem.get("roles", []):
            r = self.roles.get(int(rid))
            if r is not None:
                value |= int(r["permissions"])
        return ALL_PERMISSIONS if value & 0x8 else value

    def channel_or_thread(self, channel_id: int) -> JSON | None:
        return self.channels.get(channel_id) or self.threads.get(channel_id)

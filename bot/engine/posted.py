"""Messages an adapter posted and must find again after a restart (e.g. a round's message, to edit it)."""

from __future__ import annotations

from .store import Store


class PostedMessages:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def remember(self, kind: str, key: str, channel_id: int, message_id: int) -> None:
        await self._store.remember_message(kind, key, channel_id, message_id)

    async def find(self, kind: str, key: str) -> tuple[int, int] | None:
        """(channel id, message id), or None when nothing was posted under that key."""
        return await self._store.posted_message(kind, key)

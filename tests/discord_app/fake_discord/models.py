"""Records kept by the fake: requests, injected failures, interactions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .payloads import JSON

if TYPE_CHECKING:
    from .state import FakeState


@dataclass
class RecordedRequest:
    """One REST request the bot made. `path` is relative to /api/v10 (e.g. "/channels/1/messages")."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[JSON] = field(default_factory=list)
    status: int = 0
    response: Any = None


@dataclass
class FailRule:
    """Answer the next `count` requests matching (method, path regex) with an error (default: a 429)."""

    method: str
    path: re.Pattern[str]
    status: int = 429
    count: int = 1
    retry_after: float = 0.01
    is_global: bool = False
    body: JSON | None = None
    via: bool = True  # a 429 without Via is Cloudflare's: discord.py does not retry it

    def headers(self) -> dict[str, str]:
        headers = {"Retry-After": str(self.retry_after)}
        if self.via:
            headers["Via"] = "1.1 google"
        if self.status == 429:
            headers["X-RateLimit-Scope"] = "global" if self.is_global else "user"
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
        return headers

    def payload(self) -> JSON:
        data = self.body or {
            "message": "You are being rate limited." if self.status == 429 else "injected error"
        }
        if self.status == 429:
            data = {"retry_after": self.retry_after, "global": self.is_global, "code": 0, **data}
        return data

    def matches(self, method: str, path: str) -> bool:
        return self.count > 0 and method == self.method and self.path.fullmatch(path) is not None


@dataclass(eq=False)
class InteractionHandle:
    """An INTERACTION_CREATE the fake dispatched, plus everything the bot did in response to it."""

    fake: FakeState = field(repr=False)
    id: int
    token: str
    type: int
    payload: JSON = field(repr=False)
    guild_id: int | None
    channel_id: int
    callback: JSON | None = None  # body the bot POSTed to /interactions/{id}/{token}/callback
    callback_result: JSON | None = None  # what the fake answered (InteractionCallbackResponse payload)
    original_id: int | None = None  # message behind @original
    followup_ids: list[int] = field(default_factory=list)
    dispatched_at: float | None = None  # loop time when INTERACTION_CREATE was sent to the bot
    acked_at: float | None = None  # loop time when the bot's callback arrived (Discord allows 3 s)

    @property
    def ack_latency(self) -> float | None:
        """Seconds from dispatch to the bot's callback; None while unanswered."""
        if self.dispatched_at is None or self.acked_at is None:
            return None
        return self.acked_at - self.dispatched_at

    async def response(self, timeout: float = 2.0) -> JSON:
        """Wait for the interaction callback; returns its body, e.g. {"type": 4, "data": {...}}."""
        await self.fake.wait_until(lambda: self.callback, timeout, f"a callback for interaction {self.id}")
        assert self.callback is not None
        return self.callback

    @property
    def original(self) -> JSON | None:
        """The current stored message behind @original (None if none / deleted)."""
        return None if self.original_id is None else self.fake.messages.get(self.original_id)

    @property
    def followups(self) -> list[JSON]:
        return [self.fake.messages[m] for m in self.followup_ids if m in self.fake.messages]

    async def wait_followups(self, count: int = 1, timeout: float = 2.0) -> list[JSON]:
        await self.fake.wait_until(
            lambda: len(self.followup_ids) >= count, timeout, f"{count} follow-up(s) to interaction {self.id}"
        )
        return self.followups

    async def wait_original(self, predicate: Any = None, timeout: float = 2.0) -> JSON:
        """Wait until @original exists (and satisfies predicate(message) if given)."""

        def check() -> JSON | None:
            msg = self.original
            return msg if msg is not None and (predicate is None or predicate(msg)) else None

        return await self.fake.wait_until(check, timeout, f"@original of interaction {self.id}")

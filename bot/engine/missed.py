"""The missed-questions queue: questions the bot declined, was unsure about, or answered unhelpfully.

Moderators turn each one into a new entry, add it as a phrasing of an existing entry, or dismiss it: from
Discord (`/faq missed`) or the terminal (`otbot faq missed`). This is the "active learning" loop of QnA tools.
"""

from __future__ import annotations

from typing import Any

from .errors import NotFound
from .faq import FaqEditor
from .models import Entry, Outcome, Reply
from .store import MissedQuestion, MissedReason, Store

QUEUE_LENGTH = 25  # one Discord message lists at most this many (one button row each for five of them)


class MissedQuestions:
    def __init__(self, store: Store, faq: FaqEditor) -> None:
        self._store = store
        self._faq = faq

    async def record_reply(self, community: int, reply: Reply, *, asked_by: str | None,
                           asked_id: int | None) -> None:
        """Queue a reply that declined or only suggested; answered and empty ones are not missed."""
        if reply.outcome not in (Outcome.UNSURE, Outcome.OUT_OF_SCOPE) or not reply.question:
            return
        reason = MissedReason.UNSURE if reply.outcome is Outcome.UNSURE else MissedReason.DECLINED
        await self._store.record_missed(community, reply.question, reason,
                                        entry_id=reply.suggestions[0].id if reply.suggestions else None,
                                        confidence=reply.confidence, asked_by=asked_by, asked_id=asked_id)

    async def record_not_helpful(self, community: int, question: str, entry_id: str, *, asked_by: str | None,
                                 asked_id: int | None) -> None:
        await self._store.record_missed(community, question, MissedReason.NOT_HELPFUL, entry_id=entry_id,
                                        asked_by=asked_by, asked_id=asked_id)

    async def queue(self, community: int, limit: int = QUEUE_LENGTH) -> list[MissedQuestion]:
        """Open questions, newest first."""
        return await self._store.missed(community, limit)

    async def get(self, community: int, missed_id: int) -> MissedQuestion:
        missed = await self._store.missed_one(community, missed_id)
        if missed is None:
            raise NotFound("That question is no longer in the queue.")
        return missed

    async def make_entry(self, community: int, missed_id: int, raw: dict[str, Any], actor: str) -> Entry:
        """A new entry written from a missed question; the question leaves the queue. Submitting the same form
        twice saves once (the second finds the entry already there)."""
        saved = await self._faq.add(community, raw, actor)
        await self._store.resolve_missed(community, missed_id, f"entry {saved.id}")
        return saved

    async def add_as_phrasing(self, community: int, missed_id: int, entry_id: str, actor: str) -> Entry:
        missed = await self.get(community, missed_id)
        saved = await self._faq.add_phrasing(community, entry_id, missed.question, actor)
        await self._store.resolve_missed(community, missed_id, f"phrasing of {entry_id}")
        return saved

    async def dismiss(self, community: int, missed_id: int) -> None:
        if not await self._store.resolve_missed(community, missed_id, "dismissed"):
            raise NotFound("That question is no longer in the queue.")

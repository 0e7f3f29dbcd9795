"""Members' questions: answered, stored once (buttons under an answer refer to it by id), and feedback on them."""

from __future__ import annotations

from dataclasses import dataclass

from .answers import Answerer
from .errors import NotFound
from .missed import MissedQuestions
from .models import Reply
from .store import Store


@dataclass(frozen=True, slots=True)
class AskedReply:
    """The engine's reply and the id under which the question was stored (None when not stored)."""

    asked_id: int | None
    reply: Reply


class Questions:
    def __init__(self, store: Store, answerer: Answerer, missed: MissedQuestions) -> None:
        self._store = store
        self._answerer = answerer
        self._missed = missed

    async def ask(self, question: str, community: int, *, asked_by: str | None = None,
                  remember: bool = True) -> AskedReply:
        """Answer, suggest or decline (never raises on any text). With `remember`, the question is stored and,
        when the bot could not answer it, queued for moderators."""
        reply = await self._answerer.ask(question, community)
        return await self.remember(community, reply, asked_by) if remember else AskedReply(None, reply)

    async def remember(self, community: int, reply: Reply, asked_by: str | None) -> AskedReply:
        """Store the question of a reply given by `ask(..., remember=False)`, queueing it if it was missed."""
        if not reply.question:
            return AskedReply(None, reply)
        asked_id = await self._store.record_asked(community, reply.question, asked_by)
        await self._missed.record_reply(community, reply, asked_by=asked_by, asked_id=asked_id)
        return AskedReply(asked_id, reply)

    async def question(self, community: int, asked_id: int) -> str:
        asked = await self._store.asked(community, asked_id)
        if asked is None:
            raise NotFound("That question is no longer stored.")
        return asked.question

    async def feedback(self, community: int, entry_id: str, user: str, helpful: bool,
                       asked_id: int | None) -> None:
        """A 👍 or 👎 on an answer. 👎 queues the question for moderators (or, for buttons older than stored
        questions, a note naming the entry)."""
        asked = await self._store.asked(community, asked_id) if asked_id is not None else None
        await self._store.record_feedback(community, entry_id, user, helpful, asked)
        if not helpful:
            question = asked.question if asked else f"(feedback on {entry_id})"
            await self._missed.record_not_helpful(community, question, entry_id, asked_by=user,
                                                  asked_id=asked.id if asked else None)

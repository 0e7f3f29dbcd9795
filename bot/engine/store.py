"""The one place with SQL: an aiosqlite repository with typed methods and numbered migrations.

Every write commits before the method returns (WAL mode), so a crash right after a call loses nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import aiosqlite

from .errors import UserError
from .migrations import MIGRATIONS


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class EntryStatus(StrEnum):
    """A community's row for one entry: its own text, a curated entry hidden there, or removed."""

    ACTIVE = "active"
    HIDDEN = "hidden"
    REMOVED = "removed"


class MissedReason(StrEnum):
    DECLINED = "declined"  # out of scope, or nothing close enough
    UNSURE = "unsure"  # "did you mean" offered instead of an answer
    NOT_HELPFUL = "not_helpful"  # answered, and the member clicked 👎


@dataclass(frozen=True, slots=True)
class FaqRow:
    guild_id: int
    entry_id: str
    status: EntryStatus
    data: dict[str, Any] | None
    version: int


@dataclass(frozen=True, slots=True)
class HistoryRow:
    entry_id: str
    version: int
    action: str
    status: EntryStatus
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    actor: str
    at: str


@dataclass(frozen=True, slots=True)
class MissedQuestion:
    id: int
    question: str
    reason: MissedReason
    entry_id: str | None
    confidence: float | None
    asked_by: str | None
    asked_at: str
    asked_id: int | None  # the `asked` row it came from (None for rows older than that table)


@dataclass(frozen=True, slots=True)
class AskedQuestion:
    """A question as a member asked it, stored once: buttons on its answer refer to it by id."""

    id: int
    guild_id: int
    question: str
    asked_by: str | None


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _unjson(value: str | None) -> dict[str, Any] | None:
    return None if value is None else json.loads(value)


def _faq_row(r: aiosqlite.Row) -> FaqRow:
    return FaqRow(r["guild_id"], r["entry_id"], EntryStatus(r["status"]), _unjson(r["data"]), r["version"])


def _missed(r: aiosqlite.Row) -> MissedQuestion:
    return MissedQuestion(r["id"], r["question"], MissedReason(r["reason"]), r["entry_id"], r["confidence"],
                          r["asked_by"], r["asked_at"], r["asked_id"])


class Store:
    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(str(path), isolation_level=None)
        try:
            db.row_factory = aiosqlite.Row
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")  # durable across a process crash in WAL mode
            await db.execute("PRAGMA foreign_keys=ON")
            await db.execute("PRAGMA busy_timeout=5000")
            store = cls(db)
            await store._migrate()
        except BaseException:
            await db.close()
            raise
        return store

    async def close(self) -> None:
        await self.db.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        async with self.db.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        version = await self.schema_version()
        for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
            try:
                await self.db.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
            except Exception:
                if self.db.in_transaction:
                    await self.db.execute("ROLLBACK")
                raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One writer at a time on this connection; commit on success, roll back on any error."""
        async with self._write_lock:
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def write(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Cursor:
        """One statement, committed on its own (autocommit): one round trip instead of three. Taken under
        the writer lock so it never lands inside another coroutine's open transaction."""
        async with self._write_lock:
            return await self.db.execute(sql, params)

    async def fetchall(self, sql: str, params: tuple[Any, ...] = ()) -> list[aiosqlite.Row]:
        async with self.db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: tuple[Any, ...] = ()) -> aiosqlite.Row | None:
        async with self.db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    # ------------------------------------------------------------ FAQ entries

    async def faq_rows(self, guild_id: int) -> list[FaqRow]:
        rows = await self.fetchall("SELECT * FROM faq_entries WHERE guild_id = ? ORDER BY entry_id", (guild_id,))
        return [_faq_row(r) for r in rows]

    async def faq_row(self, guild_id: int, entry_id: str) -> FaqRow | None:
        r = await self.fetchone("SELECT * FROM faq_entries WHERE guild_id = ? AND entry_id = ?",
                                (guild_id, entry_id))
        return None if r is None else _faq_row(r)

    async def change_faq(self, guild_id: int, entry_id: str, *, status: EntryStatus, data: dict[str, Any] | None,
                         action: str, actor: str, before: dict[str, Any] | None,
                         expected_version: int | None = None) -> int:
        """Write the new state of one entry and its history row in one transaction; return the version.

        `expected_version` guards against two moderators editing the same entry at once.
        """
        async with self.transaction() as db:
            async with db.execute("SELECT version FROM faq_entries WHERE guild_id = ? AND entry_id = ?",
                                  (guild_id, entry_id)) as cursor:
                row = await cursor.fetchone()
            current = row[0] if row else await self._last_history_version(guild_id, entry_id)
            if expected_version is not None and current != expected_version:
                raise ConcurrentEdit(entry_id)
            version = current + 1
            stamp = now()
            await db.execute(
                "INSERT INTO faq_entries (guild_id, entry_id, status, data, version, updated_at, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, entry_id) DO UPDATE SET "
                "status = excluded.status, data = excluded.data, version = excluded.version, "
                "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                (guild_id, entry_id, status, _json(data), version, stamp, actor),
            )
            await db.execute(
                "INSERT INTO faq_history (guild_id, entry_id, version, action, status, before, after, actor, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (guild_id, entry_id, version, action, status, _json(before), _json(data), actor, stamp),
            )
        return version

    async def _last_history_version(self, guild_id: int, entry_id: str) -> int:
        row = await self.fetchone("SELECT MAX(version) FROM faq_history WHERE guild_id = ? AND entry_id = ?",
                                  (guild_id, entry_id))
        return int(row[0]) if row and row[0] is not None else 0

    async def history(self, guild_id: int, entry_id: str) -> list[HistoryRow]:
        rows = await self.fetchall(
            "SELECT * FROM faq_history WHERE guild_id = ? AND entry_id = ? ORDER BY version", (guild_id, entry_id))
        return [HistoryRow(r["entry_id"], r["version"], r["action"], EntryStatus(r["status"]), _unjson(r["before"]),
                           _unjson(r["after"]), r["actor"], r["at"]) for r in rows]

    # ------------------------------------------------------------ questions asked, missed, and feedback

    async def record_asked(self, guild_id: int, question: str, asked_by: str | None) -> int:
        cursor = await self.write("INSERT INTO asked (guild_id, question, asked_by, asked_at) VALUES (?, ?, ?, ?)",
                                  (guild_id, question, asked_by, now()))
        return int(cursor.lastrowid or 0)

    async def asked(self, guild_id: int, asked_id: int) -> AskedQuestion | None:
        r = await self.fetchone("SELECT * FROM asked WHERE guild_id = ? AND id = ?", (guild_id, asked_id))
        return None if r is None else AskedQuestion(r["id"], r["guild_id"], r["question"], r["asked_by"])

    async def record_missed(self, guild_id: int, question: str, reason: MissedReason, *,
                            entry_id: str | None = None, confidence: float | None = None,
                            asked_by: str | None = None, asked_id: int | None = None) -> int:
        cursor = await self.write(
            "INSERT INTO missed_questions (guild_id, question, reason, entry_id, confidence, asked_by, asked_at, "
            "asked_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (guild_id, question, reason.value, entry_id, confidence, asked_by, now(), asked_id),
        )
        return int(cursor.lastrowid or 0)

    async def missed(self, guild_id: int, limit: int = 25) -> list[MissedQuestion]:
        """The open queue, newest first."""
        rows = await self.fetchall(
            "SELECT * FROM missed_questions WHERE guild_id = ? AND resolved_at IS NULL ORDER BY id DESC LIMIT ?",
            (guild_id, limit))
        return [_missed(r) for r in rows]

    async def missed_one(self, guild_id: int, missed_id: int) -> MissedQuestion | None:
        """One open question of the queue (None once resolved)."""
        r = await self.fetchone(
            "SELECT * FROM missed_questions WHERE guild_id = ? AND id = ? AND resolved_at IS NULL",
            (guild_id, missed_id))
        return None if r is None else _missed(r)

    async def resolve_missed(self, guild_id: int, missed_id: int, resolution: str) -> bool:
        cursor = await self.write(
            "UPDATE missed_questions SET resolved_at = ?, resolution = ? "
            "WHERE guild_id = ? AND id = ? AND resolved_at IS NULL",
            (now(), resolution, guild_id, missed_id))
        return cursor.rowcount > 0

    async def record_feedback(self, guild_id: int, entry_id: str, user_id: str, helpful: bool,
                              asked: AskedQuestion | None) -> None:
        await self.write(
            "INSERT INTO feedback (guild_id, entry_id, user_id, helpful, question, at, asked_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (guild_id, entry_id, user_id, int(helpful), asked.question if asked else None, now(),
             asked.id if asked else None))

    # ------------------------------------------------------------ per-community settings

    async def settings(self, guild_id: int) -> dict[str, Any]:
        row = await self.fetchone("SELECT data FROM guild_settings WHERE guild_id = ?", (guild_id,))
        return json.loads(row[0]) if row else {}

    async def any_answer_channels(self) -> bool:
        """Whether any community set answer channels (the bot then needs the Message Content intent)."""
        row = await self.fetchone(
            "SELECT 1 FROM guild_settings WHERE json_array_length(json_extract(data, '$.answer_channels')) > 0")
        return row is not None

    async def save_settings(self, guild_id: int, data: dict[str, Any]) -> None:
        await self.write(
            "INSERT INTO guild_settings (guild_id, data) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET data = excluded.data",
            (guild_id, json.dumps(data, sort_keys=True)))


class ConcurrentEdit(UserError):
    def __init__(self, entry_id: str) -> None:
        super().__init__(f"'{entry_id}' was changed by someone else meanwhile; open it again and retry.")

from __future__ import annotations

from pathlib import Path

from bot.engine.migrations import MIGRATIONS
from bot.engine.store import Store


async def test_migrations_apply_once_and_set_user_version(tmp_path: Path) -> None:
    path = tmp_path / "otbot.db"
    async with await Store.open(path) as store:
        assert await store.schema_version() == len(MIGRATIONS)
        mode = await store.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        await store.save_settings(1, {"answer_channels": [5]})
    async with await Store.open(path) as store:  # reopening does not re-run migrations or lose data
        assert await store.schema_version() == len(MIGRATIONS)
        assert await store.settings(1) == {"answer_channels": [5]}


async def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    try:
        async with store.transaction() as db:
            await db.execute("INSERT INTO guild_settings (guild_id, data) VALUES (1, '{}')")
            raise RuntimeError("crash mid-write")
    except RuntimeError:
        pass
    assert await store.settings(1) == {}

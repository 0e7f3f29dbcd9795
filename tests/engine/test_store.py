from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.community import CommunitySettings, CommunitySettingsService
from bot.engine.errors import UserError
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
    # The row written inside the failed transaction is one `settings()` could never mistake for "no row".
    with pytest.raises(RuntimeError, match="crash mid-write"):
        async with store.transaction() as db:
            await db.execute("INSERT INTO guild_settings (guild_id, data) VALUES (1, '{\"threads\": true}')")
            raise RuntimeError("crash mid-write")
    assert await store.fetchone("SELECT * FROM guild_settings WHERE guild_id = 1") is None
    assert not store.db.in_transaction
    async with store.transaction() as db:  # and the next writer is not blocked by a half-open transaction
        await db.execute("INSERT INTO guild_settings (guild_id, data) VALUES (2, '{}')")
    assert await store.fetchone("SELECT 1 FROM guild_settings WHERE guild_id = 2") is not None


async def test_settings_are_set_and_cleared_through_the_service(store: Store) -> None:
    settings = CommunitySettingsService(store)
    await settings.update(1, moderator_role=42, round_seconds=90, threads=True, answer_channels=(5, 5, 6))
    fresh = CommunitySettingsService(store)  # read back from the database, not a cache
    assert (await fresh.get(1)).moderator_role == 42 and (await fresh.get(1)).answer_channels == (5, 6)
    cleared = await fresh.update(1, moderator_role=None, round_seconds=None, answer_channels=None)
    assert (cleared.moderator_role, cleared.round_seconds, cleared.answer_channels, cleared.threads) == (
        None, CommunitySettings().round_seconds, (), True)
    assert await CommunitySettingsService(store).get(1) == cleared
    assert not await fresh.any_answer_channels()
    await fresh.set_answer_channel(1, 7, True)
    assert await fresh.any_answer_channels()
    with pytest.raises(UserError, match="between 10 and 300"):
        await fresh.update(1, round_seconds=5)
    with pytest.raises(TypeError, match="unknown setting"):
        await fresh.update(1, colour="red")

"""Command syncs: the digest of what was last synced to a guild survives a restart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.storage import SqliteStore, open_store
from tests.unit.storage import START


async def test_the_last_synced_digest_is_kept_per_guild(
    store: SqliteStore, store_at: Path | str
) -> None:
    assert await store.synced_commands(42) is None
    await store.save_synced_commands(42, "first", START)
    await store.save_synced_commands(43, "other", START)
    await store.save_synced_commands(42, "second", START + timedelta(days=1))
    await store.close()

    reopened = await open_store(store_at)  # the bot restarted
    try:
        assert await reopened.synced_commands(42) == "second"
        assert await reopened.synced_commands(43) == "other"
        assert await reopened.synced_commands(44) is None
    finally:
        await reopened.close()

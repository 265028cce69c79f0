"""Several processes opening one SQLite file at the same moment (python -m bot run started
by a supervisor for each shard): the schema is migrated once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.storage import open_store
from bot.storage.migrations import LATEST_VERSION


async def test_processes_opening_an_empty_database_together_migrate_it_once(
    tmp_path: Path,
) -> None:
    """Several processes starting at once on a new file: each migration is applied once (a
    second would fail on its CREATE TABLE), and all of them open it."""
    path = tmp_path / "bot.db"
    stores = await asyncio.gather(*(open_store(path) for _ in range(4)))
    try:
        versions = {await store.db.schema_version() for store in stores}
        assert versions == {LATEST_VERSION}
        assert await stores[0].leases() == []
    finally:
        for store in stores:
            await store.close()

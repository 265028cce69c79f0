"""The storage contract: every test here that asks for ``store`` runs on SQLite and on
PostgreSQL (a real server, see tests/support/postgres.py), each with a fresh database.

Mark a test of one backend's own machinery ``sqlite_only`` or ``postgresql_only``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import SqlStore, open_store

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend this run of the test uses."""
    name = str(request.param)
    other = "postgresql_only" if name == "sqlite" else "sqlite_only"
    if request.node.get_closest_marker(other) is not None:
        pytest.skip(f"{other.replace('_', ' ')}")
    return name


@pytest.fixture
def store_at(backend: str, request: pytest.FixtureRequest, db_path: Path) -> Path | str:
    """Where ``store`` opens: an SQLite file, or a fresh PostgreSQL database's URL."""
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return db_path


@pytest.fixture
async def store(store_at: Path | str) -> AsyncIterator[SqlStore]:
    """A migrated store on ``backend``."""
    opened = await open_store(store_at)
    yield opened
    await opened.close()

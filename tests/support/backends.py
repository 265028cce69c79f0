"""Tests on both backends, and the tests of SQLite's own machinery.

A test folder whose tests should run on SQLite and on PostgreSQL imports the fixtures here
into its conftest.py (``from tests.support.backends import backend, store, store_at``): every
test asking for ``store`` then runs twice, on an SQLite file and on a fresh PostgreSQL
database (a real server, see tests/support/postgres.py). Mark a test of one backend's own
machinery ``sqlite_only`` or ``postgresql_only``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import SqlStore, open_store
from bot.storage.db import SqliteDatabase


def sqlite_database(store: SqlStore) -> SqliteDatabase:
    """The store's SQLite database (the test is about SQLite)."""
    assert isinstance(store.db, SqliteDatabase), "an SQLite-only test ran on another backend"
    return store.db


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

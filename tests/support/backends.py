"""For the tests of SQLite's own machinery (its file, pragmas, connection)."""

from __future__ import annotations

from bot.storage import SqlStore
from bot.storage.db import SqliteDatabase


def sqlite_database(store: SqlStore) -> SqliteDatabase:
    """The store's SQLite database (the test is about SQLite)."""
    assert isinstance(store.db, SqliteDatabase), "an SQLite-only test ran on another backend"
    return store.db

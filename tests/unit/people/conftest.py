"""/chat people reads through the store's topic search, whose SQL differs by backend
(FTS5 on SQLite, tsvector on PostgreSQL): these tests run on both."""

from tests.support.backends import backend, store, store_at

__all__ = ["backend", "store", "store_at"]

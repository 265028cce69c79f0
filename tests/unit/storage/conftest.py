"""The storage contract: every test here that asks for ``store`` runs on SQLite and on
PostgreSQL (a real server, see tests/support/postgres.py), each with a fresh database.

Mark a test of one backend's own machinery ``sqlite_only`` or ``postgresql_only``.
"""

from tests.support.backends import backend, store, store_at

__all__ = ["backend", "store", "store_at"]

"""Storage: one repository per aggregate over a :class:`~bot.storage.db.Database`.

The same repositories (and SQL) run on SQLite (a file; the default) and on PostgreSQL
(``DATABASE_URL=postgresql://...``, :mod:`bot.storage.postgres`); :func:`open_store` picks
the backend. Each has versioned migrations with the same numbers: SQLite's in
:mod:`bot.storage.migrations`, PostgreSQL's derived from them in
:mod:`bot.storage.pg_migrations` (whose docstring says how to mirror a new one).

Rules for SQL in a repository, so that it runs on both: ``?`` placeholders; ``INSERT ... ON
CONFLICT (...) DO UPDATE/DO NOTHING``; ``CASE`` (not ``IIF``, nor two-argument ``MIN``/
``MAX``); ``WITH RECURSIVE`` for a recursive CTE; an alias on every subquery in ``FROM``;
``RETURNING id`` (not ``lastrowid``); ``CAST(? AS BIGINT|TEXT)`` where a parameter's type
cannot be inferred from a column (``SELECT ?, ?`` feeding an ``INSERT``); anything else that
must differ is a snippet of :mod:`bot.storage.dialect`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.errors import StorageError
from bot.core.ports import EventLink, Store
from bot.storage.alerts import AlertRepository
from bot.storage.answer_reads import AnswerReadRepository
from bot.storage.boards import BoardRepository
from bot.storage.cards import CardRepository
from bot.storage.chats import ChatRepository
from bot.storage.command_syncs import CommandSyncRepository
from bot.storage.db import Database, open_database
from bot.storage.drafts import DraftRepository
from bot.storage.events import EventRepository
from bot.storage.leases import LeaseRepository
from bot.storage.occurrences import OccurrenceRepository
from bot.storage.participants import ParticipantRepository
from bot.storage.people import PeopleRepository
from bot.storage.polls import PollRepository
from bot.storage.posts import PostRepository
from bot.storage.recaps import LiveRecapRepository
from bot.storage.suggestions import SuggestionRepository

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresDatabase

__all__ = ["EventLink", "SqlStore", "SqliteStore", "StorageError", "open_store"]


class SqlStore(
    ChatRepository,
    OccurrenceRepository,
    PostRepository,
    ParticipantRepository,  # and the answer write pipeline it extends
    AnswerReadRepository,
    EventRepository,
    LiveRecapRepository,
    CommandSyncRepository,
    DraftRepository,
    PeopleRepository,
    PollRepository,
    CardRepository,
    BoardRepository,
    AlertRepository,
    SuggestionRepository,
    LeaseRepository,
):
    """The bot's store over one database (SQLite or PostgreSQL): every port of
    :class:`bot.core.ports.Store`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()


#: The name the store had when SQLite was its only backend.
SqliteStore = SqlStore


async def open_store(where: Path | str) -> SqlStore:
    """Open (create, migrate) the database at ``where`` as a store: a ``postgresql://`` URL
    (see :mod:`bot.storage.postgres`), else the path of an SQLite file."""
    if isinstance(where, str) and is_database_url(where):
        return SqlStore(await open_postgres_database(where))
    return SqlStore(await open_database(where))


def is_database_url(where: str) -> bool:
    """True when ``where`` is a PostgreSQL URL rather than an SQLite file's path."""
    return where.startswith(("postgresql://", "postgres://"))


async def open_postgres_database(url: str) -> PostgresDatabase:
    """The PostgreSQL database at ``url`` (asyncpg is imported only then)."""
    from bot.storage.postgres import open_postgres

    return await open_postgres(url)


def _implements_the_ports(store: SqlStore) -> Store:
    """Never called: mypy checks here that SqlStore implements every port."""
    return store

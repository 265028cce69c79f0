"""The PostgreSQL database (``DATABASE_URL=postgresql://...``): an asyncpg pool behind
:class:`bot.storage.db.Database`, so every repository runs its SQL unchanged.

* ``?`` placeholders become ``$1, $2, …`` (outside string literals and quoted names);
  the translation is cached per statement text. Rows are ``asyncpg.Record`` (``row[0]`` and
  ``row["name"]``), and a statement's ``rowcount`` comes from the server's command tag.
* Reads run concurrently on the pool; writes (:meth:`~PostgresDatabase.write`, and each
  :meth:`~PostgresDatabase.transaction`) are serialised inside the process as on SQLite,
  so the repositories see the same order of their own writes on both backends.
* Migrations (:mod:`bot.storage.pg_migrations`, the same numbers as SQLite's) run at start
  under ``pg_advisory_lock``: processes starting together migrate once; the others wait,
  then find the schema current. Each version is one row of ``schema_version``.
* Every failure surfaces as one :class:`StorageError` that names the server (never the
  password) and says what to do; ``transient`` is set when retrying may help.

**Several processes on one database.** The write lock is per process; between processes,
transactions are PostgreSQL's default READ COMMITTED and the schema's unique keys keep the
rules (an occurrence per chat and start, a post intent per step, an answer per message
part: a second process's insert finds the row, or fails and is retried). The topic index
is an expression index on the answers, current with every write: nothing to catch up,
nothing to race on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.core.errors import StorageError
from bot.storage.db import Connection, Cursor, Database, Row
from bot.storage.dialect import POSTGRESQL
from bot.storage.migrations import LATEST_VERSION
from bot.storage.pg_migrations import PG_MIGRATIONS

log = logging.getLogger(__name__)

#: The advisory lock migrations run under (any constant number, the same in every process).
MIGRATION_LOCK = 0x6B6F_6E76_6F73
#: Connections per process (reads run concurrently; writes take one at a time).
POOL_SIZE = 8
URL_SCHEMES = ("postgresql://", "postgres://")

_ERRORS: tuple[type[BaseException], ...] = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)
_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    asyncpg.LockNotAvailableError,
    asyncpg.DiskFullError,
    asyncpg.QueryCanceledError,
)


def is_postgres_url(url: str) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return url.startswith(URL_SCHEMES)


def redacted(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def explain(where: str, error: BaseException) -> StorageError:
    """An asyncpg/OS error as one clear sentence naming the server ``where``."""
    text = str(error)
    if isinstance(
        error, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError
    ):
        hint = "the server refused the user or password; check DATABASE_URL"
    elif isinstance(error, asyncpg.InvalidCatalogNameError):
        hint = "that database does not exist; create it (createdb NAME) or fix DATABASE_URL"
    elif isinstance(error, asyncpg.InsufficientPrivilegeError):
        hint = "the user lacks a privilege it needs (to create the bot's tables, or use them)"
    elif isinstance(error, asyncpg.DiskFullError):
        hint = "the server's disk is full; free space on it"
    elif isinstance(error, asyncpg.TooManyConnectionsError):
        hint = "the server has no connection left; raise max_connections or stop other clients"
    elif isinstance(error, OSError | asyncpg.PostgresConnectionError | asyncpg.InterfaceError):
        hint = "the server cannot be reached; check DATABASE_URL's host and port and that it runs"
    else:
        hint = text
    problem = StorageError(f"database {where}: {hint} ({type(error).__name__}: {text})")
    problem.transient = isinstance(error, _TRANSIENT)
    return problem


@lru_cache(maxsize=4096)
def _translated(sql: str) -> tuple[str, bool]:
    """``sql`` with ``$n`` placeholders, and whether it returns rows."""
    out: list[str] = []
    number = 0
    quote = ""
    index = 0
    while index < len(sql):
        char = sql[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "-" and sql.startswith("--", index):
            end = sql.find("\n", index)
            end = len(sql) if end < 0 else end
            out.append(sql[index:end])
            index = end
            continue
        elif char == "?":
            number += 1
            out.append(f"${number}")
            index += 1
            continue
        out.append(char)
        index += 1
    text = "".join(out)
    returns_rows = text.lstrip()[:6].upper().startswith(("SELECT", "WITH", "VALUES"))
    return text, returns_rows or re.search(r"\bRETURNING\b", text, re.IGNORECASE) is not None


def _count(status: str) -> int:
    """The rows a command tag (``UPDATE 3``, ``INSERT 0 5``) says were changed."""
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else 0


class _Result:
    """A :class:`bot.storage.db.Cursor` over rows already fetched."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[Row], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    async def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    async def fetchall(self) -> Iterable[Row]:
        return self.rows


class _PgConnection:
    """One pooled connection inside a transaction, as a :class:`bot.storage.db.Connection`."""

    __slots__ = ("connection",)

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        text, returns_rows = _translated(sql)
        if returns_rows:
            rows = await self.connection.fetch(text, *parameters)
            return _Result(rows, len(rows))
        status = await self.connection.execute(text, *parameters)
        return _Result([], _count(status))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> None:
        rows = list(parameters)
        if rows:
            await self.connection.executemany(_translated(sql)[0], rows)


class PostgresDatabase(Database):
    """An asyncpg pool as the bot's :class:`bot.storage.db.Database`."""

    dialect = POSTGRESQL

    def __init__(self, url: str, pool: Any) -> None:
        self.url = url
        self.path = redacted(url)
        self.pool = pool
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A write transaction: committed on success, rolled back on error."""
        async with self._write_lock:
            try:
                async with self.pool.acquire() as connection, connection.transaction():
                    yield _PgConnection(connection)
            except _ERRORS as error:
                raise explain(str(self.path), error) from error

    async def write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement (atomic by itself); returns the rows it changed."""
        async with self._write_lock:
            try:
                status = await self.pool.execute(_translated(sql)[0], *params)
            except _ERRORS as error:
                raise explain(str(self.path), error) from error
            return _count(status)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Run a read query and return every row."""
        try:
            return list(await self.pool.fetch(_translated(sql)[0], *params))
        except _ERRORS as error:
            raise explain(str(self.path), error) from error

    async def schema_version(self) -> int:
        """The applied migration count (the newest row of ``schema_version``)."""
        row = await self.fetchone("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return int(row[0]) if row else 0

    async def close(self) -> None:
        """Close the pool; safe to call twice."""
        with contextlib.suppress(*_ERRORS):
            await self.pool.close()


async def open_postgres(url: str, *, migrate_to: int = LATEST_VERSION) -> PostgresDatabase:
    """Connect to the database at ``url`` and migrate it (under the advisory lock)."""
    where = redacted(url)
    try:
        pool = await asyncpg.create_pool(
            url,
            min_size=1,
            max_size=POOL_SIZE,
            server_settings={"application_name": "discord-chat-bot"},
        )
    except _ERRORS as error:
        raise explain(where, error) from error
    database = PostgresDatabase(url, pool)
    try:
        await migrate(database, migrate_to)
    except _ERRORS as error:
        await database.close()
        raise explain(where, error) from error
    except BaseException:
        await database.close()
        raise
    return database


async def migrate(database: PostgresDatabase, target: int = LATEST_VERSION) -> None:
    """Apply every migration after the database's version, up to ``target``, each in its
    own transaction, holding the advisory lock so that only one process migrates."""
    async with database.pool.acquire() as connection:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        try:
            await connection.execute(
                """CREATE TABLE IF NOT EXISTS schema_version (
                       version    BIGINT PRIMARY KEY,
                       applied_at TEXT NOT NULL)"""
            )
            version = int(
                await connection.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            )
            if version > LATEST_VERSION:
                raise StorageError(
                    f"database {database.path}: schema version {version} is newer than this "
                    f"bot understands ({LATEST_VERSION}); upgrade the bot or use another "
                    "DATABASE_URL"
                )
            for number in range(version + 1, target + 1):
                async with connection.transaction():
                    await connection.execute(PG_MIGRATIONS[number - 1])
                    await connection.execute(
                        "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                        number,
                        datetime.now(UTC).isoformat(timespec="microseconds"),
                    )
            if target > version:
                log.info(
                    "database %s migrated to version %d (%d migrations applied)",
                    database.path,
                    target,
                    target - version,
                )
        finally:
            with contextlib.suppress(*_ERRORS):
                await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)

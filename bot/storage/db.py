"""The database the repositories talk to: one small interface, two backends.

:class:`Database` is all a repository uses: :meth:`~Database.fetchall`,
:meth:`~Database.fetchone`, :meth:`~Database.write` (one statement) and
:meth:`~Database.transaction`, whose :class:`Connection` offers ``execute`` (a
:class:`Cursor` with ``rowcount`` and ``fetchone``/``fetchall``) and ``executemany``.
SQL is written once, portably, with ``?`` placeholders; rows support ``row[0]`` and
``row["name"]``. :class:`SqliteDatabase` (here) runs it on aiosqlite;
:class:`bot.storage.postgres.PostgresDatabase` on an asyncpg pool, translating the
placeholders. What differs between the two dialects is in :attr:`Database.dialect`
(:mod:`bot.storage.dialect`) and in each backend's migrations.

The SQLite database: one file, opened with the pragmas this bot relies on.

* WAL journal: readers never block the writer, and a crash loses nothing committed.
* ``synchronous=NORMAL``: in WAL mode this is durable across application crashes
  (a power cut may lose the last transactions, never corrupt the file).
* foreign keys on; a busy timeout so another process holding the lock briefly
  is waited for instead of failing at once.

Every failure to open, migrate or write surfaces as :class:`StorageError` with a
message that names the file and says what to do, never as a raw traceback.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import aiosqlite

from bot.core.errors import StorageError
from bot.storage.dialect import SQLITE, Dialect
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS

log = logging.getLogger(__name__)

#: A result row: ``row[0]`` and ``row["name"]`` (an ``sqlite3.Row`` or an ``asyncpg.Record``).
Row: TypeAlias = Any


class Cursor(Protocol):
    """What ``Connection.execute`` returns."""

    @property
    def rowcount(self) -> int:
        """Rows the statement changed (or returned, for a query)."""
        ...

    async def fetchone(self) -> Row | None:
        """The first row a query (or ``RETURNING``) produced, or None."""
        ...

    async def fetchall(self) -> Iterable[Row]:
        """Every row a query (or ``RETURNING``) produced."""
        ...


class Connection(Protocol):
    """The statements of one transaction."""

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        """Run one statement."""
        ...

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> None:
        """Run one statement once per parameter row."""
        ...


class Database(abc.ABC):
    """The interface every repository uses; see the module docstring. Each backend
    implements the abstract methods (Python refuses to create one that does not)."""

    #: How this backend's SQL differs (see :mod:`bot.storage.dialect`).
    dialect: Dialect
    #: What error messages call the database (a file path, or a server with no password).
    path: Path | str

    @abc.abstractmethod
    def transaction(self) -> contextlib.AbstractAsyncContextManager[Connection]:
        """A write transaction: committed on success, rolled back on error."""

    @abc.abstractmethod
    async def write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement as its own transaction; returns the rows it changed."""

    @abc.abstractmethod
    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Run a read query and return every row."""

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        """Run a read query and return its first row, or None."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    @abc.abstractmethod
    async def schema_version(self) -> int:
        """The applied migration count."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Close; safe to call twice."""


class _SqliteConnection:
    """aiosqlite's connection as a :class:`Connection`."""

    __slots__ = ("connection",)

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self.connection = connection

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Cursor:
        return await self.connection.execute(sql, parameters)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> None:
        await self.connection.executemany(sql, parameters)


BUSY_TIMEOUT_MS = 5000


def explain(path: Path, error: BaseException) -> StorageError:
    """Turn an sqlite3/OS error into one clear sentence naming ``path``."""
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        hint = "it is locked by another process; stop the other bot or tool using it"
    elif "readonly" in text or "read-only" in text or isinstance(error, PermissionError):
        hint = "it is read-only; give the bot write access to the file and its folder"
    elif "not a database" in text or "malformed" in text or "corrupt" in text:
        hint = "it is not a valid SQLite database (corrupt?); restore a backup or move it away"
    elif "disk" in text and ("full" in text or "i/o" in text):
        hint = "the disk is full or failing; free space on it"
    elif isinstance(error, FileExistsError | NotADirectoryError):
        hint = (
            "a file is in the way of its folder; point DATABASE_PATH to a file in a writable folder"
        )
    elif "unable to open" in text or isinstance(error, FileNotFoundError | IsADirectoryError):
        hint = "it cannot be opened; check that DATABASE_PATH points to a file in a writable folder"
    else:
        hint = str(error)
    return StorageError(f"database {path}: {hint} ({type(error).__name__}: {error})")


class SqliteDatabase(Database):
    """An open SQLite connection plus a lock that serialises write transactions."""

    dialect = SQLITE
    path: Path

    def __init__(self, path: Path, connection: aiosqlite.Connection) -> None:
        self.path = path
        self.connection = connection
        self._wrapped = _SqliteConnection(connection)
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A write transaction (``BEGIN IMMEDIATE``): committed on success, rolled back on error.

        Any SQLite error inside it surfaces as one :class:`StorageError` naming the file.
        """
        async with self._write_lock:
            try:
                await self.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise explain(self.path, error) from error
            try:
                yield self._wrapped
                await self.connection.execute("COMMIT")
            except sqlite3.Error as error:
                await self._rollback()
                raise explain(self.path, error) from error
            except BaseException:
                await self._rollback()
                raise

    async def write(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement as its own transaction; returns the rows it changed.

        SQLite applies a lone statement atomically (all its rows, triggers included, or
        none), so this is as safe as :meth:`transaction` for one statement and makes one
        call to aiosqlite's thread where a transaction makes three (begin, statement,
        commit): each call is a hand-over of the GIL, costly while the event loop is busy.
        """
        async with self._write_lock:
            try:
                cursor = await self.connection.execute(sql, params)  # no copy: a batch is big
            except sqlite3.Error as error:
                raise explain(self.path, error) from error
            return cursor.rowcount

    async def _rollback(self) -> None:
        # SQLite may already have rolled back by itself (a full disk does that).
        if self.connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                await self.connection.execute("ROLLBACK")

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        """Run a read query and return every row."""
        try:
            # One job on aiosqlite's thread (execute and fetch together): a write of another
            # task can never start between them with this read still open.
            return list(await self.connection.execute_fetchall(sql, tuple(params)))
        except sqlite3.Error as error:
            raise explain(self.path, error) from error

    async def schema_version(self) -> int:
        """The applied migration count (``PRAGMA user_version``)."""
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def close(self) -> None:
        """Checkpoint and close; safe to call twice."""
        with contextlib.suppress(ValueError):  # already closed
            await self.connection.close()


async def open_database(path: Path | str, *, migrate_to: int = LATEST_VERSION) -> SqliteDatabase:
    """Open (creating file and folder) and migrate the database at ``path``.

    ``migrate_to`` exists for tests that build a database as an earlier version made it.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise explain(path, error) from error
    if path.is_dir():
        raise explain(path, IsADirectoryError(f"{path} is a folder"))
    try:
        connection = await aiosqlite.connect(path, isolation_level=None)
    except (sqlite3.Error, OSError) as error:
        raise explain(path, error) from error
    connection.row_factory = sqlite3.Row
    database = SqliteDatabase(path, connection)
    try:
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await connection.execute("PRAGMA foreign_keys = ON")
        async with connection.execute("PRAGMA journal_mode = WAL") as cursor:
            mode = await cursor.fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise StorageError(f"database {path}: could not switch to WAL (got {mode})")
        await connection.execute("PRAGMA synchronous = NORMAL")
        await migrate(database, migrate_to)
    except sqlite3.Error as error:
        await database.close()
        raise explain(path, error) from error
    except BaseException:
        await database.close()
        raise
    return database


async def migrate(database: SqliteDatabase, target: int = LATEST_VERSION) -> None:
    """Apply every migration after the database's version, up to ``target``."""
    version = await database.schema_version()
    if version > LATEST_VERSION:
        raise StorageError(
            f"database {database.path}: schema version {version} is newer than this bot "
            f"understands ({LATEST_VERSION}); upgrade the bot or use another DATABASE_PATH"
        )
    applied: list[int] = []
    for number in range(version + 1, target + 1):
        async with database.transaction() as connection:
            # Another process opening the same file at the same moment may have applied it
            # while this one waited for the write lock: read the version again inside.
            row = await (await connection.execute("PRAGMA user_version")).fetchone()
            if row is not None and int(row[0]) >= number:
                continue
            for statement in split_statements(MIGRATIONS[number - 1]):
                await connection.execute(statement)
            await connection.execute(f"PRAGMA user_version = {number}")
            applied.append(number)
    if applied:
        # Processes opening a new file together may share the work: each migration once.
        log.info(
            "database %s migrated to version %d (%d migrations applied)",
            database.path,
            applied[-1],
            len(applied),
        )


def split_statements(script: str) -> list[str]:
    """Split an SQL script into statements (``executescript`` would commit mid-transaction)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements

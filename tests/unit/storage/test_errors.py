"""A database the bot cannot use gives one clear error naming the file and the fix.

Each case is a real file in tmp_path in a state an operator can get into:
random bytes, a folder where the file should be, a file where the folder
should be, another process holding the lock, a full disk, no write access.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.storage.db
from bot.storage import SqliteStore, StorageError, open_store
from tests.support.backends import sqlite_database
from tests.support.permissions import obeying_file_modes, read_only
from tests.support.specs import make_spec
from tests.unit.storage import answer, new_occurrence


def _assert_clear(error: StorageError, path: Path, fix: str) -> None:
    """One line that names the database file and says what to do."""
    message = str(error)
    assert "\n" not in message
    assert str(path) in message
    assert fix in message


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait 50 ms (not 5 s) for a lock before giving up, so lock tests are quick."""
    monkeypatch.setattr(bot.storage.db, "BUSY_TIMEOUT_MS", 50)


@pytest.fixture
def other_process_lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another program's connection to the same file; the test decides what it holds."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(db_path, isolation_level=None)
    yield connection
    if connection.in_transaction:
        connection.execute("ROLLBACK")
    connection.close()


@pytest.fixture
def garbage(db_path: Path) -> bytes:
    """The database file overwritten with random bytes; returns them."""
    db_path.parent.mkdir(parents=True)
    data = random.Random(7).randbytes(8192)
    db_path.write_bytes(data)
    return data


@pytest.fixture
async def existing_database(db_path: Path) -> Path:
    """A database the bot created and closed."""
    store = await open_store(db_path)
    await store.close()
    return db_path


def _bytes_of(path: Path) -> bytes:
    return path.read_bytes()


async def test_corrupt_file_is_named_and_left_untouched(db_path: Path, garbage: bytes) -> None:
    """Random bytes are reported as not a database (restore a backup); the bytes stay as they were."""
    with pytest.raises(StorageError) as raised:
        await open_store(db_path)
    _assert_clear(raised.value, db_path, "restore a backup or move it away")
    assert _bytes_of(db_path) == garbage


@pytest.fixture
def folder_at_db_path(db_path: Path) -> None:
    """A folder where the database file should be."""
    db_path.mkdir(parents=True)


def _join_aiosqlite_workers() -> None:
    """Wait for aiosqlite's worker threads to stop.

    When ``aiosqlite.connect`` itself fails, aiosqlite stops its worker thread without
    waiting for it; if the test's event loop closed first, the thread would report
    "Event loop is closed" as an unhandled thread exception.
    """
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            thread.join(timeout=5)


@pytest.mark.usefixtures("folder_at_db_path")
async def test_directory_at_the_database_path(db_path: Path) -> None:
    """DATABASE_PATH naming a folder says to point it at a file."""
    with pytest.raises(StorageError) as raised:
        await open_store(db_path)
    _join_aiosqlite_workers()
    _assert_clear(raised.value, db_path, "check that DATABASE_PATH points to a file")


@pytest.fixture
def blocker(tmp_path: Path) -> Path:
    """A regular file named like the data folder."""
    path = tmp_path / "data"
    path.write_bytes(b"not a folder")
    return path


@pytest.mark.parametrize("below", ["", "sub"], ids=["parent-is-file", "grandparent-is-file"])
async def test_file_in_the_way_of_the_data_folder(blocker: Path, below: str) -> None:
    """A regular file where the data folder should be: the message says to fix DATABASE_PATH."""
    path = blocker / below / "bot.db" if below else blocker / "bot.db"
    with pytest.raises(StorageError) as raised:
        await open_store(path)
    _assert_clear(raised.value, path, "DATABASE_PATH")


async def test_file_in_the_way_of_the_data_folder_is_one_storage_error(blocker: Path) -> None:
    """Even without a hint, the failure is a single StorageError naming the file, not an OSError."""
    path = blocker / "bot.db"
    with pytest.raises(StorageError) as raised:
        await open_store(path)
    assert str(path) in str(raised.value)
    assert _bytes_of(blocker) == b"not a folder"


@pytest.mark.usefixtures("short_busy_timeout")
async def test_locked_new_database(db_path: Path, other_process_lock: sqlite3.Connection) -> None:
    """Another tool holding an exclusive lock: the bot says the file is locked and what to stop."""
    other_process_lock.execute("CREATE TABLE tool_table (a)")
    other_process_lock.execute("BEGIN EXCLUSIVE")

    with pytest.raises(StorageError) as raised:
        await open_store(db_path)
    _assert_clear(raised.value, db_path, "locked by another process; stop the other bot or tool")


@pytest.mark.usefixtures("short_busy_timeout")
async def test_locked_while_running_then_recovers(
    db_path: Path, other_process_lock: sqlite3.Connection
) -> None:
    """A write blocked by another process fails clearly, and the next write after it lets go works."""
    store = await open_store(db_path)
    try:
        other_process_lock.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StorageError) as raised:
            await store.save_chat(make_spec())
        _assert_clear(raised.value, db_path, "stop the other bot or tool")

        other_process_lock.execute("ROLLBACK")
        assert await store.save_chat(make_spec()) is True
        assert [spec.id for spec in await store.chat_specs()] == ["careerchat"]
    finally:
        await store.close()


async def _fill_disk(store: SqliteStore) -> None:
    """Let the file grow no more: SQLite's own way of simulating a full disk."""
    await sqlite_database(store).connection.execute("PRAGMA max_page_count = 1")


async def _write_many_answers(store: SqliteStore, occurrence_id: int) -> None:
    await store.upsert_answers(
        [answer(occurrence_id, 1000 + n, "A1: " + "x" * 5000) for n in range(20)]
    )


@pytest.mark.sqlite_only  # SQLite's max_page_count; PostgreSQL's errors: test_postgres.py
async def test_full_disk_during_a_write(store: SqliteStore, db_path: Path) -> None:
    """A full disk while storing answers says the disk is full and names the file."""
    run = await new_occurrence(store)
    await _fill_disk(store)
    with pytest.raises(StorageError) as raised:
        await _write_many_answers(store, run.occurrence_id)
    _assert_clear(raised.value, db_path, "the disk is full")


@pytest.mark.sqlite_only
async def test_full_disk_loses_nothing_and_writes_resume(store: SqliteStore) -> None:
    """The failed write stores nothing half-way; once there is room the same write succeeds."""
    run = await new_occurrence(store)
    await _fill_disk(store)
    with pytest.raises(StorageError):
        await _write_many_answers(store, run.occurrence_id)
    assert await store.answers(run.occurrence_id) == []

    await sqlite_database(store).connection.execute("PRAGMA max_page_count = 1073741823")
    await _write_many_answers(store, run.occurrence_id)
    assert len(await store.answers(run.occurrence_id)) == 20


REPO = Path(__file__).resolve().parents[3]


# Opens the store (and writes a chat) in a fresh process; prints the StorageError or "ok".
_PROBE = """
import asyncio, sys
from bot.storage import StorageError, open_store
from tests.support.permissions import obeying_file_modes, read_only
from tests.support.specs import make_spec

async def main():
    try:
        store = await open_store(sys.argv[1])
        try:
            await store.save_chat(make_spec())
        finally:
            await store.close()
    except StorageError as error:
        print(error)
    else:
        print("ok")

asyncio.run(main())
"""


def _open_elsewhere(path: Path) -> str:
    """The probe's answer, in a process that obeys file modes (see obeying_file_modes)."""
    command = obeying_file_modes([sys.executable, "-c", _PROBE, str(path)], path.parent)
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=False, cwd=REPO
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_read_only_file_and_folder(existing_database: Path) -> None:
    """No write access: the message names the file and asks for write access to it and its folder."""
    with read_only(existing_database, folder=True):
        message = _open_elsewhere(existing_database)
    assert str(existing_database) in message
    assert "write access" in message or "writable folder" in message


def test_read_only_file_in_a_writable_folder(existing_database: Path) -> None:
    """Only the file is read-only: opening or the first write says to give write access."""
    with read_only(existing_database, folder=False):
        message = _open_elsewhere(existing_database)
    assert str(existing_database) in message
    assert "give the bot write access" in message

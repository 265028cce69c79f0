"""The database locked by another process, or full, during a run: one clear error per attempt,
the step retried after a backoff, and posted exactly once in the end."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.clock import VirtualClock
from bot.runtime.engine import FAILURE_BACKOFF, Engine
from bot.storage import SqliteStore, db, open_store
from bot.storage.db import explain
from tests.conftest import T0
from tests.support.backends import sqlite_database
from tests.support.driving import drive
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)


@pytest.fixture
async def quick_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SqliteStore]:
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)  # fail fast instead of waiting 5 s
    store = await open_store(tmp_path / "bot.db")
    yield store
    await store.close()


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another process holds an exclusive lock on the database."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


async def test_locked_database_delays_a_step_but_never_loses_or_doubles_it(
    quick_store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    clock = VirtualClock(T0)
    venue = MemoryVenue(clock)
    engine = Engine(quick_store, venue, clock)
    await engine.schedule_chat(make_spec(reminders=()))
    clock.set(START)
    with locked(sqlite_database(quick_store).path), caplog.at_level(logging.ERROR):
        await engine.run_due()
    assert venue.step_keys() == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "locked by another process" in errors[0].getMessage()
    assert errors[0].exc_info is None  # one clear line, no traceback

    clock.advance(FAILURE_BACKOFF)
    await drive(engine, clock, START + timedelta(hours=2))
    assert venue.step_keys().count("intro") == 1
    assert venue.step_keys()[-1] == "recap"


async def test_storage_retries_come_soon_then_slow_down(
    quick_store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    """While the database stays locked the intro is retried after 2 s, then 4, 8, 16 and
    30 s at most (not before: nothing is attempted while backing off); once the lock goes,
    the next retry posts it once."""
    clock = VirtualClock(T0)
    venue = MemoryVenue(clock)
    engine = Engine(quick_store, venue, clock)
    await engine.schedule_chat(make_spec(reminders=()))
    clock.set(START)
    waits: list[float] = []
    with locked(sqlite_database(quick_store).path), caplog.at_level(logging.ERROR):
        for _ in range(6):
            await engine.run_due()
            clock.advance(timedelta(seconds=1))
            await engine.run_due()  # still backing off: no attempt
            waits = [
                float(r.getMessage().rsplit("retrying in ", 1)[1].rstrip("s"))
                for r in caplog.records
                if r.levelno == logging.ERROR
            ]
            clock.advance(timedelta(seconds=waits[-1] - 1))
    assert waits == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert venue.step_keys() == []
    await engine.run_due()
    assert venue.step_keys() == ["intro"]


async def test_full_disk_mid_run_recovers_once_space_is_back(
    quick_store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    """The disk fills while Q2 is due (the real disk-full error is produced by the storage tests;
    here the store's write raises it): Q2 waits, then goes out once, and the chat completes."""
    clock = VirtualClock(T0)
    venue = MemoryVenue(clock)
    engine = Engine(quick_store, venue, clock)
    await engine.schedule_chat(make_spec(reminders=()))
    await drive(engine, clock, START + timedelta(minutes=15, seconds=30))  # through lastcall-1
    full = {"writes": 2}
    record_intent = quick_store.record_intent

    async def disk_full(*args: Any, **kwargs: Any) -> Any:
        if full["writes"] > 0:
            full["writes"] -= 1
            raise explain(
                sqlite_database(quick_store).path,
                sqlite3.OperationalError("database or disk is full"),
            )
        return await record_intent(*args, **kwargs)

    quick_store.record_intent = disk_full  # type: ignore[method-assign]
    clock.set(START + timedelta(minutes=16))
    with caplog.at_level(logging.ERROR):
        await engine.run_due()
        clock.advance(FAILURE_BACKOFF)
        await engine.run_due()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(messages) == 2
    assert all("disk is full" in m for m in messages)
    clock.advance(FAILURE_BACKOFF)
    await drive(engine, clock, START + timedelta(hours=2))
    keys = venue.step_keys()
    assert len(keys) == len(set(keys))  # nothing posted twice
    assert keys[keys.index("q1") + 1 :][:2] == ["lastcall-1", "q2"]
    assert keys[-1] == "recap"

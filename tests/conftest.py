"""Shared fixtures: a real SQLite store in tmp_path, a virtual clock, an in-memory venue;
a real PostgreSQL server for the tests that run on both backends (tests/support/postgres.py)."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.storage import SqliteStore, open_store
from tests.browser.chromium import find_chromium
from tests.support.postgres import PostgresServer, missing, postgres_bin
from tests.support.venue import MemoryVenue

T0 = datetime(2027, 1, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where this test's database lives."""
    return tmp_path / "data" / "bot.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    """A migrated store on a real file."""
    opened = await open_store(db_path)
    yield opened
    await opened.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session, with a migrated template database (skips
    without PostgreSQL installed, fails in CI)."""
    binaries = postgres_bin()
    if binaries is None:
        missing("no initdb/pg_ctl under /usr/lib/postgresql (apt-get install postgresql)")
    assert binaries is not None
    server = PostgresServer(binaries)
    try:
        server.start()
        server.prepare_template()
    except (subprocess.SubprocessError, OSError) as error:
        log = server.log()
        server.stop()
        detail = getattr(error, "stderr", "") or ""
        missing(f"the server did not start: {error} {detail} {log}")
    except BaseException:
        server.stop()  # never leave a server running
        raise
    yield server
    server.stop()


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """The URL of a fresh, migrated database of its own on the session's server."""
    name = await postgres_server.fresh_database()
    yield postgres_server.url(name)
    await postgres_server.drop(name)


@pytest.fixture
def clock() -> VirtualClock:
    """Virtual time starting at 2027-01-01 00:00 UTC."""
    return VirtualClock(T0)


@pytest.fixture
def venue(clock: VirtualClock) -> MemoryVenue:
    """The platform, in memory."""
    return MemoryVenue(clock)


@pytest.fixture
def engine(store: SqliteStore, venue: MemoryVenue, clock: VirtualClock) -> Engine:
    """An engine over the fixtures."""
    return Engine(store, venue, clock)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """For tests that configure the root logger: put pytest's handlers and levels back."""
    root = logging.getLogger()
    discord = logging.getLogger("discord")
    handlers, level, discord_level = root.handlers[:], root.level, discord.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    discord.setLevel(discord_level)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary, for the browser tests and the e2e tests that open the archive;
    a failure in CI when there is none, a skip elsewhere."""
    found = find_chromium()
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(
            "chromium is not installed, and the archive's browser test may not be skipped in "
            "CI: install Debian's chromium package (.ci/run does: apt-get install chromium)"
        )
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")

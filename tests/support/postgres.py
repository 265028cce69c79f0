"""A throwaway PostgreSQL server for tests, from Debian's ``postgresql`` package.

:class:`PostgresServer` runs ``initdb`` and ``pg_ctl`` in a temporary folder, listening only
on a Unix socket there (no TCP port to collide with), with durability off (a test database
never outlives the session). initdb refuses to run as root, so as root the server runs as
the ``postgres`` user (``runuser``) in a folder it owns. Every test gets a fresh database
cloned from a migrated template (``CREATE DATABASE ... TEMPLATE``: a file copy, fast), so
tests stay independent.

Without the binaries the PostgreSQL tests skip, except in CI (``CI`` set), where they fail:
``.ci/run`` installs the package first.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

#: The migrated database every test's database is cloned from.
TEMPLATE = "bot_template"


def postgres_bin() -> Path | None:
    """The folder with initdb and pg_ctl (the newest installed version), or None."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    for folder in versions:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").exists() else None


def missing(reason: str) -> None:
    """Skip the test asking for PostgreSQL, or fail it in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL unavailable: {reason}")


class PostgresServer:
    """A server in a temporary folder; :meth:`url` names a database on it."""

    def __init__(self, binaries: Path, *, durable: bool = False) -> None:
        self.binaries = binaries
        #: PostgreSQL's default durability (the bench); tests turn fsync off.
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="bot-pg-"))
        self._as_owner: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            self._as_owner = ["runuser", "-u", "postgres", "--"]
        self._numbers = itertools.count(1)

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self._as_owner, *command], check=True, capture_output=True, text=True, timeout=120
        )

    def start(self) -> None:
        """initdb and start; raises ``subprocess.CalledProcessError`` with the server's words."""
        data = self.root / "data"
        self._run(
            str(self.binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = f"-k {self.root} -c listen_addresses='' -c max_connections=300"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.binaries / "pg_ctl"), "-D", str(data), "-l", str(self.root / "log"),
            "-w", "-t", "60", "-o", options, "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop at once and remove the folder."""
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run(
                str(self.binaries / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            )
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """The ``DATABASE_URL`` of ``database`` on this server (over its socket)."""
        return f"postgresql://postgres@/{database}?host={self.root}"

    def log(self) -> str:
        """The server's log so far (for a failing test's message)."""
        try:
            return (self.root / "log").read_text(errors="replace")
        except OSError:
            return ""

    async def admin(self, sql: str) -> None:
        """Run one statement as the superuser on the ``postgres`` database."""
        import asyncpg

        connection = await asyncpg.connect(self.url())
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    def prepare_template(self) -> None:
        """Create and migrate :data:`TEMPLATE` (once per session)."""
        from bot.storage.postgres import open_postgres

        async def prepare() -> None:
            await self.admin(f"CREATE DATABASE {TEMPLATE}")
            database = await open_postgres(self.url(TEMPLATE))
            await database.close()

        # In a thread of its own: the session fixture may be set up inside a test's loop.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(lambda: asyncio.run(prepare())).result()

    async def fresh_database(self, template: str | None = TEMPLATE) -> str:
        """A new database (a clone of the migrated template, or empty); returns its name."""
        name = f"test_{os.getpid()}_{next(self._numbers)}"
        clone = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        await self.admin(f"CREATE DATABASE {name}{clone}")
        return name

    async def drop(self, name: str) -> None:
        """Drop a test's database (its connections closed)."""
        await self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run_sync(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement (``?`` placeholders) on ``url`` from synchronous code; its rows."""
    import asyncpg

    from bot.storage.postgres import _translated

    async def run() -> list[tuple[Any, ...]]:
        connection = await asyncpg.connect(url)
        try:
            return [tuple(row) for row in await connection.fetch(_translated(sql)[0], *params)]
        finally:
            await connection.close()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(lambda: asyncio.run(run())).result()

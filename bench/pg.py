"""A PostgreSQL server for the benchmarks that measure on PostgreSQL (tests/support/postgres.py),
with PostgreSQL's default durability (fsync on, synchronous commit), started for one figure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bench.common import Figure
from tests.support.postgres import PostgresServer, postgres_bin


def not_installed(bench: str, what: str) -> list[Figure]:
    """The one row of a PostgreSQL figure on a machine without PostgreSQL."""
    return [
        Figure(bench, what, "not installed", "-", "-", None,
               "apt-get install postgresql to measure it")
    ]  # fmt: skip


@contextmanager
def postgres_server() -> Iterator[PostgresServer | None]:
    """A started server with the migrated template database (None when PostgreSQL is not
    installed), stopped and removed afterwards."""
    binaries = postgres_bin()
    if binaries is None:
        yield None
        return
    server = PostgresServer(binaries, durable=True)
    try:
        server.start()
        server.prepare_template()
        yield server
    finally:
        server.stop()

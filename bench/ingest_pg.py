"""Ingest into PostgreSQL: the ingest figure (:mod:`bench.ingest`) with ``DATABASE_URL``.

The same N MESSAGE_CREATE payloads through discord.py, the bot's listener, attribution and
the PostgreSQL store (the ``incoming_answers`` view and its trigger, one multi-row statement
per batch), until committed; against the same run's limit on the same server:

* **Limit.** discord.py's parse of the payloads (as in the SQLite figure) plus a bare asyncpg
  ``executemany`` of the very rows the bot stored into the same ``answers`` table (a fresh
  migrated database: the same schema, indexes and triggers), in transactions of the
  collector's batch size, timed together.
* **Share of the limit.** Each repeat runs the bot path then its limit back to back; the
  figure is the median of those pairs' ratios.

The server is started for the run (tests/support/postgres.py) with PostgreSQL's default
durability (fsync on, synchronous commit), in the bench's folder's file system.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.common import Figure, below, bot_gc, ms, per_second, percentile
from bench.gateway import Chat, Messages, Payload, guild_create
from bench.ingest import YIELD_EVERY, BotRun, _bot_path, _bot_run, _parse_only
from bench.pg import not_installed, postgres_server
from bench.world import chat_spec, chats_of, run_chats_until, threads_of
from bot.runtime.answer_writer import BATCH_ROWS
from bot.runtime.collector import Collector
from bot.storage import open_store
from tests.support.postgres import TEMPLATE, PostgresServer, run_sync

NAME = "ingest_pg"
TARGET_RATIO = 0.5
_COLUMNS = (
    "message_id, part, occurrence_id, channel_id, thread_id, author_id, question, content, "
    "source, created_at, edited_at, deleted, reactions, reply_to, late"
)
_WORLD = "ingest_world"


@dataclass
class PgIngestResult:
    """What the PostgreSQL ingest measured."""

    messages: int
    rows: int
    best: BotRun
    parse_seconds: float
    insert_seconds: float
    pair_ratios: list[float]

    @property
    def rate(self) -> float:
        """Messages stored per second on the bot path."""
        return self.messages / self.best.seconds

    @property
    def limit(self) -> float:
        """Messages per second of parse + bare insert."""
        return self.messages / (self.parse_seconds + self.insert_seconds)


async def _world(server: PostgresServer, chats: int) -> tuple[Payload, list[Chat]]:
    """The database :data:`_WORLD` with ``chats`` running chats; the guild and its chats."""
    await server.admin(f"CREATE DATABASE {_WORLD} TEMPLATE {TEMPLATE}")
    store = await open_store(server.url(_WORLD))
    try:
        now = datetime.now(UTC)
        start = now - timedelta(minutes=20)
        specs = [
            chat_spec(i, start, questions=5, interval=timedelta(minutes=4)) for i in range(chats)
        ]
        venue = await run_chats_until(store, specs, now, start - timedelta(seconds=1))
    finally:
        await store.close()
    return guild_create([s.channel for s in specs], threads_of(venue)), chats_of(venue, specs)


async def measure(n: int, server: PostgresServer, *, chats: int, repeats: int) -> PgIngestResult:
    """Run the bot path and the limit on the same ``n`` payloads, ``repeats`` pairs."""
    guild, live = await _world(server, chats)
    payloads = Messages().many(live, n)
    gc.collect()
    gc.freeze()  # python -m bench unfreezes after each figure (bench.common.bot_gc)
    runs, parses, inserts, ratios = [], [], [], []
    rows: list[tuple[Any, ...]] = []
    for attempt in range(repeats):
        name = await server.fresh_database(template=_WORLD)
        runs.append(await _bot_run(server.url(name), chats, guild, payloads, YIELD_EVERY))
        if attempt == 0:
            rows = await _stored_rows(server.url(name))
        await server.drop(name)
        parses.append(await _parse_only(guild, payloads))
        bare = await server.fresh_database()
        inserts.append(await _bare_insert(server.url(bare), rows))
        await server.drop(bare)
        ratios.append((parses[-1] + inserts[-1]) / runs[-1].seconds)
    return PgIngestResult(
        messages=n,
        rows=len(rows),
        best=min(runs, key=lambda run: run.seconds),
        parse_seconds=min(parses),
        insert_seconds=min(inserts),
        pair_ratios=ratios,
    )


async def _stored_rows(url: str) -> list[tuple[Any, ...]]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(f"SELECT {_COLUMNS} FROM answers ORDER BY rowid")
    finally:
        await connection.close()
    return [tuple(row) for row in rows]


async def _bare_insert(url: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to insert ``rows`` with a bare executemany into a fresh migrated database."""
    connection = await asyncpg.connect(url)
    try:
        authors = sorted({row[5] for row in rows})
        await connection.executemany(
            "INSERT INTO participants (user_id, name, first_seen) VALUES ($1, $2, '')",
            [(author, str(author)) for author in authors],
        )
        await connection.execute("INSERT INTO chats VALUES ('c', NULL, '{}', '', 1, '')")
        await connection.executemany(
            "INSERT INTO occurrences (id, chat_id, start_at, phase, spec_json, created_at) "
            "VALUES ($1, 'c', $2, 'running', '{}', '')",
            [(o, str(o)) for o in sorted({r[2] for r in rows})],
        )
        marks = ", ".join(f"${n}" for n in range(1, 16))
        insert = f"INSERT INTO answers ({_COLUMNS}) VALUES ({marks})"
        gc.collect()
        started = time.perf_counter()
        for first in range(0, len(rows), BATCH_ROWS):
            async with connection.transaction():
                await connection.executemany(insert, rows[first : first + BATCH_ROWS])
        return time.perf_counter() - started
    finally:
        await connection.close()


def run(n: int, folder: Path, *, chats: int, repeats: int) -> list[Figure]:
    """Start a server, measure, stop it; the figures (one row saying why when PostgreSQL is
    not installed)."""
    with postgres_server() as server:
        if server is None:
            return not_installed(NAME, "answers/s into PostgreSQL")
        result = asyncio.run(measure(n, server, chats=chats, repeats=repeats))
    return figures(result)


def figures(result: PgIngestResult) -> list[Figure]:
    """The PostgreSQL ingest rows of the table."""
    ratio = statistics.median(result.pair_ratios)
    latencies = result.best.latencies
    return [
        Figure(
            NAME,
            f"answers/s into PostgreSQL, {result.messages:,} messages ({result.rows:,} rows)",
            per_second(result.rate),
            f"limit {per_second(result.limit)} (parse "
            f"{per_second(result.messages / result.parse_seconds)} + bare insert "
            f"{per_second(result.messages / result.insert_seconds)})",
            "(information)",
            None,
            f"best of {len(result.pair_ratios)}; commit latency p50 "
            f"{ms(percentile(latencies, 0.5))} / p99 {ms(percentile(latencies, 0.99))}",
        ),
        Figure(
            NAME,
            "answers/s into PostgreSQL as a share of the limit",
            f"{ratio:.2f}",
            "1.00 (the limit)",
            f">= {TARGET_RATIO}",
            ratio >= TARGET_RATIO,
            f"median of {len(result.pair_ratios)} pairs (pairs: "
            + ", ".join(f"{r:.2f}" for r in result.pair_ratios)
            + "); the limit: discord.py's parse + a bare asyncpg executemany, same rows, "
            "same server",
            below(ratio, TARGET_RATIO) if ratio < TARGET_RATIO else "",
        ),
    ]


# --- several processes ---------------------------------------------------------------------


@dataclass
class ProcessesResult:
    """Answers/s ingested into one database by one process, and by two at once."""

    messages: int
    one: list[float]
    two: list[float]
    #: Messages each of the two processes ingested.
    split: tuple[int, int]

    @property
    def ratio(self) -> float:
        """Two processes' total rate over one process's (best runs)."""
        return max(self.two) / max(self.one)


def _ingest_process(
    url: str, chats: int, guild: Payload, payloads: list[Payload], ready: Any, go: Any, done: Any
) -> None:
    """One bot process (spawned): its store and collector, then, when ``go`` is set, the
    bot path over its ``payloads``; puts the wall-clock time its last answer was committed."""

    async def main() -> float:
        store = await open_store(url)
        try:
            collector = Collector(store)
            await collector.refresh()
            if len(collector.live) != chats:
                raise RuntimeError(f"{len(collector.live)} of {chats} chats are collecting")
            ready.put(True)
            go.wait()
            await _bot_path(store, collector, guild, payloads, [], YIELD_EVERY)
            finished = time.time()
            await collector.close()
            return finished
        finally:
            await store.close()

    with bot_gc():
        done.put(asyncio.run(main()))


def _ingest_by(url: str, chats: int, guild: Payload, shares: list[list[Payload]]) -> float:
    """Answers/s when one process per share (started beforehand, released together) ingests
    it into ``url``: every message over the time from the release to the last commit."""
    context = multiprocessing.get_context("spawn")
    ready, done, go = context.Queue(), context.Queue(), context.Event()
    workers = [
        context.Process(
            target=_ingest_process, args=(url, chats, guild, share, ready, go, done), daemon=True
        )
        for share in shares
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            ready.get(timeout=300)
        released = time.time()
        go.set()
        finished = [float(done.get(timeout=600)) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
    return sum(map(len, shares)) / (max(finished) - released)


def measure_processes(
    n: int, server: PostgresServer, *, chats: int, repeats: int
) -> ProcessesResult:
    """``n`` messages ingested into a fresh database by one process, then the same number by
    two processes at once, each receiving the messages of half of the chats (as each shard's
    process receives its servers' events); ``repeats`` such pairs, in separate processes
    spawned for the run (the parent only times)."""
    guild, live = asyncio.run(_world(server, chats))
    messages = Messages()
    halves = [messages.many(live[0::2], n // 2), messages.many(live[1::2], n - n // 2)]
    one, two = [], []

    def fresh() -> str:
        return server.url(asyncio.run(server.fresh_database(template=_WORLD)))

    for _ in range(repeats):
        url = fresh()
        one.append(_ingest_by(url, chats, guild, [halves[0] + halves[1]]))
        _stored(url, n)
        url = fresh()
        two.append(_ingest_by(url, chats, guild, halves))
        _stored(url, n)
    return ProcessesResult(n, one, two, (len(halves[0]), len(halves[1])))


def _stored(url: str, n: int) -> None:
    rows = run_sync(url, "SELECT COUNT(DISTINCT message_id) FROM answers")
    if rows[0][0] != n:
        raise RuntimeError(f"{n} messages fed, {rows[0][0]} stored")


def processes_figures(result: ProcessesResult, bench: str) -> list[Figure]:
    """The row: two processes' total answers/s against one process's, same database."""
    return [
        Figure(
            bench,
            f"answers/s into one PostgreSQL database by 2 processes at once, "
            f"{result.messages:,} messages",
            f"{per_second(max(result.two))} ({result.ratio:.2f}x)",
            f"1 process: {per_second(max(result.one))}",
            "(information)",
            None,
            f"best of {len(result.two)}; each process received the messages of half of the "
            f"chats ({result.split[0]:,} + {result.split[1]:,}); runs: 2 processes "
            + ", ".join(per_second(r) for r in result.two)
            + "; 1 process "
            + ", ".join(per_second(r) for r in result.one)
            + f"; {os.cpu_count()} cores shared with the server",
        )
    ]

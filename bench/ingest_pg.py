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
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.common import Figure, below, ms, per_second, percentile
from bench.gateway import Messages, Payload, guild_create
from bench.ingest import YIELD_EVERY, BotRun, _bot_path, _parse_only
from bench.world import chat_spec, chats_of, run_chats_until, threads_of
from bot.core.writes import AnswerWrite, StoreMessage
from bot.runtime.answer_writer import BATCH_ROWS
from bot.runtime.collector import Collector
from bot.storage import open_store
from tests.support.postgres import TEMPLATE, PostgresServer, postgres_bin

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


async def measure(n: int, server: PostgresServer, *, chats: int, repeats: int) -> PgIngestResult:
    """Run the bot path and the limit on the same ``n`` payloads, ``repeats`` pairs."""
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
    guild = guild_create([s.channel for s in specs], threads_of(venue))
    payloads = Messages().many(chats_of(venue, specs), n)
    gc.collect()
    gc.freeze()  # python -m bench unfreezes after each figure (bench.common.bot_gc)
    runs, parses, inserts, ratios = [], [], [], []
    rows: list[tuple[Any, ...]] = []
    for attempt in range(repeats):
        name = await server.fresh_database(template=_WORLD)
        runs.append(await _bot_run(server.url(name), chats, guild, payloads))
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


async def _bot_run(url: str, chats: int, guild: Payload, payloads: list[Payload]) -> BotRun:
    store = await open_store(url)
    try:
        collector = Collector(store)
        await collector.refresh()
        if len(collector.live) != chats:
            raise RuntimeError(f"{len(collector.live)} of {chats} chats are collecting")
        received: list[float] = []
        committed: dict[int, float] = {}
        batches = 0
        write_answers = store.write_answers

        async def timed_write(writes: Sequence[AnswerWrite]) -> list[int]:
            nonlocal batches
            results = await write_answers(writes)
            at = time.perf_counter()
            batches += 1
            for write in writes:
                if isinstance(write, StoreMessage):
                    committed[write.message_id] = at
            return results

        store.write_answers = timed_write  # type: ignore[method-assign]
        seconds = await _bot_path(store, collector, guild, payloads, received, YIELD_EVERY)
        await collector.close()
        stored = await store.db.fetchone("SELECT COUNT(DISTINCT message_id) FROM answers")
        if stored is None or int(stored[0]) != len(payloads):
            raise RuntimeError(f"{len(payloads)} messages fed, {stored and stored[0]} stored")
        ids = [int(payload["id"]) for payload in payloads]
        return BotRun(
            seconds, [committed[m] - at for m, at in zip(ids, received, strict=True)], batches
        )
    finally:
        await store.close()


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
    binaries = postgres_bin()
    if binaries is None:
        return [
            Figure(NAME, "answers/s into PostgreSQL", "not installed", "-", "-", None,
                   "apt-get install postgresql to measure it")
        ]  # fmt: skip
    server = PostgresServer(binaries, durable=True)
    try:
        server.start()
        server.prepare_template()
        result = asyncio.run(measure(n, server, chats=chats, repeats=repeats))
    finally:
        server.stop()
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

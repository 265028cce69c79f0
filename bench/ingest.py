"""Ingest: N MESSAGE_CREATE payloads through discord.py, the bot's listener, attribution and
storage, until durably committed; against the same run's limit.

* **Bot path.** The ``ConnectionState`` of a client of the bot's own class
  (:func:`bench.client.bot_gateway`) parses each payload and calls that client's
  ``dispatch`` (:meth:`bot.discord_app.client.ChatBot.dispatch`: the listener at once,
  then discord.py's dispatch), which attributes the message in memory and queues it;
  the collector's writer commits in batches.
  The clock stops when :meth:`Collector.flush` returns: every row committed.
  Latency per message: from the payload reaching discord.py's parse to its batch's
  commit.
* **Limit.** The same payloads parsed by another ``ConnectionState`` (dispatch
  does nothing), plus a bare aiosqlite loop inserting the very rows the bot
  stored (``executemany``, batches of the collector's size, WAL, ``synchronous``
  as the bot sets it, the bot's schema and indexes), timed together.
* **Share of the limit.** Each repeat runs the bot path and then its limit, back to
  back; the figure is the median of those pairs' ratios. (Comparing the best bot run
  with the best limit run mixed moments of a shared machine: it read 0.51-0.54 where
  the pairs read 0.46-0.50.)
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from bench.client import bot_gateway
from bench.common import Figure, above, below, ms, per_second, percentile
from bench.gateway import Messages, Payload, connection_state, guild_create
from bench.world import chat_spec, chats_of, run_chats_until, temp_db, threads_of
from bot.core.writes import AnswerWrite, StoreMessage
from bot.runtime.answer_writer import BATCH_ROWS
from bot.runtime.collector import Collector
from bot.storage import SqliteStore, open_store
from bot.storage.db import split_statements
from bot.storage.migrations import MIGRATIONS

NAME = "ingest"
TARGET_RATIO = 0.5
TARGET_FLOOR = 5_000.0
TARGET_P99 = 0.100
#: The gateway reader yields to the event loop after this many events. discord.py reads
#: frames already buffered without suspending (``poll_event`` awaits a ready queue), so in a
#: burst one network read brings many events; 16 is a small read's worth.
YIELD_EVERY = 16


@dataclass
class BotRun:
    """One pass of the bot path."""

    seconds: float
    latencies: list[float]
    batches: int


@dataclass
class IngestResult:
    """What the ingest benchmark measured (best of ``repeats`` for each path)."""

    messages: int
    rows: int
    best: BotRun
    every_event: BotRun
    parse_seconds: float
    insert_seconds: float
    insert_batches: list[float]
    yield_every: int
    repeats: int
    #: Each repeat's bot-path rate over the limit measured right after it (parse + insert
    #: back to back): a slow spell of the shared machine then slows both sides of a pair.
    pair_ratios: list[float]

    @property
    def rate(self) -> float:
        """Messages stored per second on the bot path."""
        return self.messages / self.best.seconds

    @property
    def limit(self) -> float:
        """Messages per second of parse + bare insert."""
        return self.messages / (self.parse_seconds + self.insert_seconds)


async def measure(
    n: int, folder: Path, *, chats: int = 10, repeats: int = 2, yield_every: int = YIELD_EVERY
) -> IngestResult:
    """Run the bot path and the limit on the same ``n`` payloads."""
    world = temp_db(folder, "ingest-world.db")
    store = await open_store(world)
    try:
        now = datetime.now(UTC)
        start = now - timedelta(minutes=20)
        specs = [
            chat_spec(i, start, questions=5, interval=timedelta(minutes=4)) for i in range(chats)
        ]
        venue = await run_chats_until(store, specs, now, start - timedelta(seconds=1))
    finally:
        await store.close()
    live = chats_of(venue, specs)
    guild = guild_create([s.channel for s in specs], threads_of(venue))
    payloads = Messages().many(live, n)
    # The payloads stand for the network: keep them (and the setup) out of the cyclic
    # collector's way on both paths, as the gateway's short-lived dicts would be. Frozen
    # for the rest of this figure: python -m bench unfreezes everything after each figure
    # (bench.common.bot_gc), so nothing frozen here reaches the next one.
    gc.collect()
    gc.freeze()
    runs, parses, inserts, pair_ratios = [], [], [], []
    rows: list[tuple[Any, ...]] = []
    people: list[tuple[Any, ...]] = []
    for attempt in range(repeats):
        # The bot path, then its limit on the very rows it stored, back to back.
        path = temp_db(folder, f"ingest-{attempt}.db")
        shutil.copyfile(world, path)
        runs.append(await _bot_run(path, chats, guild, payloads, yield_every))
        if attempt == 0:
            rows, people = await _stored_rows(path)
        parses.append(await _parse_only(guild, payloads))
        inserts.append(
            await _bare_insert(temp_db(folder, f"ingest-bare-{attempt}.db"), rows, people)
        )
        pair_ratios.append((parses[-1] + inserts[-1][0]) / runs[-1].seconds)
    every_event = await _bot_run(
        temp_db(folder, "ingest-every.db"), chats, guild, payloads, 1, copy_from=world
    )
    best = min(runs, key=lambda run: run.seconds)
    parse_seconds = min(parses)
    insert_seconds, insert_batches = min(inserts, key=lambda pair: pair[0])
    return IngestResult(
        messages=n,
        rows=len(rows),
        best=best,
        every_event=every_event,
        parse_seconds=parse_seconds,
        insert_seconds=insert_seconds,
        insert_batches=insert_batches,
        yield_every=yield_every,
        repeats=repeats,
        pair_ratios=pair_ratios,
    )


async def _bot_run(
    where: Path | str,
    chats: int,
    guild: Payload,
    payloads: list[Payload],
    yield_every: int,
    copy_from: Path | None = None,
) -> BotRun:
    """The bot's own path (parse, collect, batched writes) over the store at ``where`` (an
    SQLite file, copied from ``copy_from`` first, or a PostgreSQL URL)."""
    if copy_from is not None:
        shutil.copyfile(copy_from, where)
    store = await open_store(where)
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
        seconds = await _bot_path(store, collector, guild, payloads, received, yield_every)
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


async def _stored_rows(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    store = await open_store(path)
    try:
        rows = await store.db.fetchall(
            "SELECT message_id, part, occurrence_id, channel_id, thread_id, author_id, question, "
            "content, source, created_at, edited_at, deleted, reactions, reply_to, late "
            "FROM answers ORDER BY rowid"
        )
        people = await store.db.fetchall("SELECT user_id, name, first_seen FROM participants")
    finally:
        await store.close()
    return [tuple(r) for r in rows], [tuple(p) for p in people]


async def _bot_path(
    store: SqliteStore,
    collector: Collector,
    guild: Payload,
    payloads: list[Payload],
    received: list[float],
    yield_every: int,
) -> float:
    async with bot_gateway(store, collector) as state:
        state.parse_guild_create(guild)
        parse: Callable[[Payload], None] = state.parse_message_create  # type: ignore[assignment]
        clock = time.perf_counter
        gc.collect()
        started = clock()
        for index, payload in enumerate(payloads, start=1):
            received.append(clock())
            parse(payload)
            if index % yield_every == 0:
                await asyncio.sleep(0)  # the gateway's reader awaits the socket: tasks run
        await collector.flush()
        return clock() - started


async def _parse_only(guild: Payload, payloads: list[Payload]) -> float:
    state = connection_state(lambda *_: None)
    state.parse_guild_create(guild)
    parse: Callable[[Payload], None] = state.parse_message_create  # type: ignore[assignment]
    gc.collect()
    started = time.perf_counter()
    for payload in payloads:
        parse(payload)
    return time.perf_counter() - started


async def _bare_insert(
    path: Path, rows: list[tuple[Any, ...]], people: list[tuple[Any, ...]]
) -> tuple[float, list[float]]:
    connection = await aiosqlite.connect(path, isolation_level=None)
    try:
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA synchronous = NORMAL")
        for script in MIGRATIONS:
            for statement in split_statements(script):
                await connection.execute(statement)
        await connection.executemany(
            "INSERT INTO participants (user_id, name, first_seen) VALUES (?, ?, ?)", people
        )
        await connection.execute("INSERT INTO chats VALUES ('c', NULL, '{}', '', 1, '')")
        await connection.executemany(
            "INSERT INTO occurrences (id, chat_id, start_at, phase, spec_json, created_at) "
            "VALUES (?, 'c', ?, 'running', '{}', '')",
            [(o, str(o)) for o in sorted({r[2] for r in rows})],
        )
        insert = f"INSERT INTO answers VALUES ({','.join('?' * len(rows[0]))})" if rows else ""
        gc.collect()
        batches: list[float] = []
        started = time.perf_counter()
        for first in range(0, len(rows), BATCH_ROWS):
            began = time.perf_counter()
            await connection.execute("BEGIN")
            await connection.executemany(insert, rows[first : first + BATCH_ROWS])
            await connection.execute("COMMIT")
            batches.append(time.perf_counter() - began)
        return time.perf_counter() - started, batches
    finally:
        await connection.close()


def figures(result: IngestResult) -> list[Figure]:
    """The ingest rows of the table."""
    ratio = statistics.median(result.pair_ratios)
    latencies = result.best.latencies
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    every = result.every_event
    every_rate = result.messages / every.seconds
    return [
        Figure(
            NAME,
            f"answers/s, {result.messages:,} messages ({result.rows:,} rows)",
            per_second(result.rate),
            f"limit {per_second(result.limit)} (parse "
            f"{per_second(result.messages / result.parse_seconds)} + bare insert "
            f"{per_second(result.messages / result.insert_seconds)})",
            f">= {TARGET_FLOOR:,.0f}/s",
            result.rate >= TARGET_FLOOR,
            f"best of {result.repeats}; the gateway reader yields every {result.yield_every} "
            "events",
            below(result.rate, TARGET_FLOOR, "/s") if result.rate < TARGET_FLOOR else "",
        ),
        Figure(
            NAME,
            "answers/s as a share of the limit",
            f"{ratio:.2f}",
            "1.00 (the limit)",
            f">= {TARGET_RATIO}",
            ratio >= TARGET_RATIO,
            f"median of {len(result.pair_ratios)} pairs, each the bot path then its limit back "
            "to back (pairs: " + ", ".join(f"{r:.2f}" for r in result.pair_ratios) + "); the "
            "limit: discord.py's parse + a bare aiosqlite executemany loop, same rows",
            below(ratio, TARGET_RATIO) if ratio < TARGET_RATIO else "",
        ),
        Figure(
            NAME,
            "commit latency p50 / p99 (parse -> committed)",
            f"{ms(p50)} / {ms(p99)}",
            f"bare batch commit p50 {ms(percentile(result.insert_batches, 0.5))} / p99 "
            f"{ms(percentile(result.insert_batches, 0.99))}",
            f"p99 < {TARGET_P99 * 1000:.0f} ms",
            p99 < TARGET_P99,
            f"{result.best.batches} batches of {result.messages / max(result.best.batches, 1):.0f}"
            f" messages on average; max {ms(max(latencies, default=0))}",
            above(p99 * 1000, TARGET_P99 * 1000, " ms") if p99 >= TARGET_P99 else "",
        ),
        Figure(
            NAME,
            "answers/s, gateway yielding after every event",
            per_second(every_rate),
            f"ratio {every_rate / result.limit:.2f}",
            "(information)",
            None,
            f"latency p99 {ms(percentile(every.latencies, 0.99))}",
        ),
    ]

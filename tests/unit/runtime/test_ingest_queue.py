"""The collector's write queue: batched commits, order, idempotency, flush and shutdown.

The Discord listener queues messages without waiting (``enqueue``); one writer
task commits them in batches. Nothing here measures time: a "lone message" is
only required to be stored eventually without a flush.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.answers import AnswerSource
from bot.core.ports import PostRequest
from bot.core.writes import AnswerWrite
from bot.runtime import answer_writer
from bot.runtime.clock import VirtualClock
from bot.runtime.collector import Collector
from bot.runtime.engine import Engine
from bot.runtime.routing import IncomingMessage
from bot.storage import SqliteStore, StorageError
from tests.support.driving import drive
from tests.support.messages import message
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)


async def live(
    engine: Engine, store: SqliteStore, clock: VirtualClock, **options: float
) -> Collector:
    """A collector for a chat that has just posted Q1."""
    collector = Collector(store, **options)  # type: ignore[arg-type]
    engine.on_run_saved.append(collector.on_run_saved)
    await engine.schedule_chat(make_spec())
    await collector.refresh()
    await drive(engine, clock, START + timedelta(minutes=9))
    assert collector.live
    return collector


def count_writes(store: SqliteStore) -> list[int]:
    """Record the size of every batch the store is asked to write."""
    sizes: list[int] = []
    write_answers = store.write_answers

    async def counted(writes: Sequence[AnswerWrite]) -> list[int]:
        sizes.append(len(writes))
        return await write_answers(writes)

    store.write_answers = counted  # type: ignore[method-assign]
    return sizes


async def stored(store: SqliteStore) -> list[tuple[int, int, int | None, str, int]]:
    rows = await store.db.fetchall(
        "SELECT message_id, part, question, content, deleted FROM answers ORDER BY message_id, part"
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def test_enqueue_returns_at_once_and_a_flush_commits_one_batch(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    collector = await live(engine, store, clock)
    sizes = count_writes(store)
    parts = [collector.enqueue(message(clock, f"A1: answer {n}")) for n in range(200)]
    assert parts == [1] * 200
    assert await stored(store) == []  # queued, not written yet
    await collector.flush()
    assert len(await stored(store)) == 200
    assert len(sizes) == 1  # one transaction for the lot


async def test_a_lone_message_is_stored_without_a_flush(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    collector = await live(engine, store, clock)
    collector.enqueue(message(clock, "A1: on my own"))
    for _ in range(500):
        if await stored(store):
            break
        await asyncio.sleep(0.01)
    assert [row[3] for row in await stored(store)] == ["on my own"]


@pytest.mark.parametrize("batch_rows", [1, 1000])
async def test_edits_deletes_and_reactions_apply_in_the_order_received(
    engine: Engine, store: SqliteStore, clock: VirtualClock, batch_rows: int
) -> None:
    """Whether they share a transaction or not, a later event for a message wins."""
    collector = await live(engine, store, clock, batch_rows=batch_rows)
    first = message(clock, "A1: yes A2: no")
    doomed = message(clock, "A1: delete me")
    collector.enqueue_reaction(first.message_id, 9, "👍", True)  # before its message
    collector.enqueue(first)
    collector.enqueue(doomed)
    clock.advance(timedelta(seconds=5))
    collector.enqueue(first._replace(content="A1: only", edited_at=clock.now()))
    collector.enqueue_delete([doomed.message_id])
    collector.enqueue(doomed)  # a late redelivery never brings it back
    await collector.flush()

    answers = await store.answers(1)
    assert [(a.message_id, a.part, a.content, a.reactions) for a in answers] == [
        (first.message_id, 0, "only", 1)
    ]
    rows = await stored(store)
    assert (first.message_id, 1, 2, "no", 2) in rows  # the part the edit dropped
    assert (doomed.message_id, 0, 1, "delete me", 1) in rows


async def test_a_message_delivered_twice_is_stored_once(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    collector = await live(engine, store, clock)
    twice = message(clock, "A1: again")
    collector.enqueue(twice)
    collector.enqueue(twice)
    await collector.ingest(twice)
    assert len(await stored(store)) == 1


async def test_ingest_waits_for_its_commit(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    collector = await live(engine, store, clock, batch_delay=3600)
    answers = await collector.ingest(message(clock, "A1: committed"))
    assert [(a.question, a.source) for a in answers] == [(1, AnswerSource.PREFIX)]
    assert len(await stored(store)) == 1


async def test_close_stores_everything_queued(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    """SIGTERM during a burst: the client closes the collector before the store."""
    collector = await live(engine, store, clock, batch_delay=3600)
    for n in range(50):
        collector.enqueue(message(clock, f"A1: burst {n}"))
    await collector.close(grace=30)
    assert len(await stored(store)) == 50
    assert collector.pending == 0


async def test_conversation_queued_before_its_question_was_known_is_reattributed(
    engine: Engine, store: SqliteStore, clock: VirtualClock, venue: MemoryVenue
) -> None:
    """A participant answers in Q2's thread before the bot has recorded Q2's post."""
    collector = await live(engine, store, clock, batch_delay=3600)
    early: list[IncomingMessage] = []

    def answer_in_new_thread(request: PostRequest) -> None:
        if request.step_key == "q2":
            thread = venue.messages[-1].thread_id
            early.append(message(clock, "fast answer", thread_id=thread))
            collector.enqueue(early[-1])  # attributed now: its thread is not known yet

    venue.after_post = answer_in_new_thread
    await drive(engine, clock, START + timedelta(minutes=17))
    await collector.flush()
    [answer] = await store.answers(1)
    assert (answer.message_id, answer.question, answer.source) == (
        early[0].message_id,
        2,
        AnswerSource.THREAD,
    )


async def test_a_locked_database_delays_writes_but_loses_none(
    engine: Engine, store: SqliteStore, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answer_writer, "RETRY_FIRST", 0.001)
    collector = await live(engine, store, clock)
    write_answers = store.write_answers
    failures = [StorageError("database is locked")]
    failures[0].__cause__ = sqlite3.OperationalError("database is locked")

    async def flaky(writes: Sequence[AnswerWrite]) -> list[int]:
        if failures:
            raise failures.pop()
        return await write_answers(writes)

    store.write_answers = flaky  # type: ignore[method-assign]
    with pytest.raises(StorageError):
        await collector.ingest(message(clock, "A1: waits a little"))
    await collector.flush()
    assert [row[3] for row in await stored(store)] == ["waits a little"]


async def test_a_write_that_can_never_be_stored_is_dropped_alone(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    """A message id beyond SQLite's 64-bit integers can never be stored: that message is
    logged and dropped, its batch is stored."""
    collector = await live(engine, store, clock)
    collector.enqueue(message(clock, "A1: fine"))
    collector.enqueue(message(clock, "A1: impossible id", message_id=2**64))
    collector.enqueue(message(clock, "A1: also fine"))
    await collector.flush()
    assert [row[3] for row in await stored(store)] == ["fine", "also fine"]
    await collector.ingest(message(clock, "A1: and the writer goes on"))
    assert len(await stored(store)) == 3


async def test_a_lone_surrogate_is_stored_as_a_replacement_character(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    """JSON allows "\\ud800" but UTF-8 cannot hold it: the message is stored with U+FFFD in
    its place (and the rest of its batch as it is)."""
    collector = await live(engine, store, clock)
    collector.enqueue(message(clock, "A1: fine"))
    collector.enqueue(message(clock, "A1: broken \ud800 text", author_name="x\udfff"))
    await collector.flush()
    assert [row[3] for row in await stored(store)] == ["fine", "broken \ufffd text"]
    names = await store.db.fetchall("SELECT name FROM participants ORDER BY name")
    assert "x\ufffd" in [row[0] for row in names]


async def test_messages_of_no_collecting_chat_are_not_queued(
    store: SqliteStore, clock: VirtualClock
) -> None:
    collector = Collector(store)
    await collector.refresh()
    assert collector.enqueue(message(clock, "A1: nobody is listening")) == 0
    assert collector.pending == 0
    await collector.flush()


async def test_a_message_that_cannot_be_attributed_is_logged_not_raised(
    engine: Engine, store: SqliteStore, clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    collector = await live(engine, store, clock)
    naive = message(clock, "A1: no time zone", created_at=datetime(2027, 1, 6, 2, 5))
    assert collector.enqueue(naive) == 0
    assert "could not be attributed" in caplog.text

"""The composition root: a runtime built by build_runtime is wired as the bot and the
rehearsal need it (recaps see every queued answer, published recaps follow changes, which
recaps are live is read at start)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.ports import Occurrence, PostRequest
from bot.runtime.clock import VirtualClock
from bot.runtime.root import Runtime, RuntimeSettings, build_runtime
from bot.storage import SqliteStore
from tests.support.driving import drive
from tests.support.messages import message
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)
SPEC = make_spec()
RECAP_AT = START + SPEC.run_length + SPEC.late_answers + timedelta(minutes=1)


async def scheduled(runtime: Runtime) -> int:
    """Schedule the test chat; returns its occurrence id."""
    occurrence = await runtime.engine.schedule_chat(SPEC)
    assert occurrence is not None
    await runtime.collector.refresh()
    return occurrence.run.occurrence_id


async def test_the_recap_sees_answers_queued_just_before_it(
    store: SqliteStore, venue: MemoryVenue, clock: VirtualClock
) -> None:
    seen: list[int] = []

    async def recap(occurrence: Occurrence, request: PostRequest) -> PostRequest:
        seen.append(len(await store.answers(occurrence.run.occurrence_id)))
        return request

    runtime = build_runtime(store, venue, clock, recap_builder=recap)
    runtime.writer.batch_delay = 3600  # nothing is committed unless someone flushes
    await scheduled(runtime)
    await drive(runtime.engine, clock, START + timedelta(minutes=50))  # closed: late answers
    for n in range(30):
        runtime.collector.enqueue(message(clock, f"A5: late {n}"))
    await drive(runtime.engine, clock, RECAP_AT)
    assert seen == [30]
    await runtime.collector.close()


async def test_a_published_recap_is_marked_for_an_update_after_the_settings_delay(
    store: SqliteStore, venue: MemoryVenue, clock: VirtualClock
) -> None:
    settings = RuntimeSettings(recap_update_delay=timedelta(seconds=5))
    runtime = build_runtime(store, venue, clock, settings)
    occurrence_id = await scheduled(runtime)
    await drive(runtime.engine, clock, RECAP_AT)
    q1 = next(m for m in venue.messages if m.step_key == "q1")

    await runtime.collector.ingest(message(clock, "late, in Q1's thread", thread_id=q1.thread_id))
    await runtime.live_recaps.settle()
    live = await store.live_recap(occurrence_id)
    assert live is not None
    assert live.dirty_since == clock.now()
    clock.advance(timedelta(seconds=5))
    assert await runtime.live_recaps.update_due() is None
    updated = await store.live_recap(occurrence_id)
    assert updated is not None
    assert (updated.revision, updated.dirty_since) == (1, None)
    await runtime.collector.close()


async def test_start_reads_the_live_recaps_before_the_loop_runs(
    store: SqliteStore, venue: MemoryVenue, clock: VirtualClock
) -> None:
    first = build_runtime(store, venue, clock)
    occurrence_id = await scheduled(first)
    await drive(first.engine, clock, RECAP_AT)
    await first.collector.close()

    restarted = build_runtime(store, venue, clock)  # the bot started again
    assert restarted.live_recaps.live == frozenset()
    task = await restarted.start()
    assert restarted.live_recaps.live == {occurrence_id}
    await restarted.engine.stop()
    await task

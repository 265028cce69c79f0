"""Collecting answers during a run: threads, prefixes, replies, edits, deletes, reactions, late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.answers import AnswerSource
from bot.runtime.clock import VirtualClock
from bot.runtime.collector import Collector
from bot.runtime.engine import Engine
from bot.storage import SqliteStore
from tests.support.driving import drive
from tests.support.messages import message
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)


async def live_collector(engine: Engine, store: SqliteStore) -> Collector:
    collector = Collector(store)
    engine.on_run_saved.append(collector.on_run_saved)
    await collector.refresh()
    return collector


async def test_answers_are_attributed_and_stored_once(
    engine: Engine, store: SqliteStore, clock: VirtualClock, venue: MemoryVenue
) -> None:
    collector = await live_collector(engine, store)
    await engine.schedule_chat(make_spec())
    assert await collector.ingest(message(clock, "A1: too early")) == []  # not started

    await drive(engine, clock, START + timedelta(minutes=17))  # Q2 is up
    q1 = next(m for m in venue.messages if m.step_key == "q1")
    in_thread = message(clock, "thread answer", thread_id=q1.thread_id)
    prefixed = message(clock, "A1: late to Q1 A2: and Q2", author_id=8, author_name="ben")
    reply = message(
        clock, "replying to the question", reply_to=q1.message_id, author_id=9, author_name="cy"
    )
    chatter = message(clock, "hello everyone", author_id=10, author_name="dee")
    for incoming in (in_thread, prefixed, reply, chatter, in_thread):  # in_thread delivered twice
        await collector.ingest(incoming)

    stored = await store.answers(1)
    assert [(a.author_name, a.question, a.source) for a in stored] == [
        ("ana", 1, AnswerSource.THREAD),
        ("ben", 1, AnswerSource.PREFIX),
        ("ben", 2, AnswerSource.PREFIX),
        ("cy", 1, AnswerSource.REPLY),
        ("dee", 2, AnswerSource.CONVERSATION),
    ]

    # An edit that drops the second prefix leaves one answer; a delete hides it.
    edited = prefixed._replace(content="A1: only Q1 now", edited_at=clock.now())
    await collector.ingest(edited)
    await collector.react(in_thread.message_id, 8, "👍", True)
    await collector.react(in_thread.message_id, 8, "👍", True)  # redelivered
    await collector.react(in_thread.message_id, 9, "🎉", True)
    await collector.delete([reply.message_id])
    stored = await store.answers(1)
    assert [(a.author_name, a.question, a.content) for a in stored if a.is_answer] == [
        ("ana", 1, "thread answer"),
        ("ben", 1, "only Q1 now"),
    ]
    assert stored[0].reactions == 2


async def test_answers_after_closing_are_late_and_after_recap_ignored(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    collector = await live_collector(engine, store)
    await engine.schedule_chat(make_spec())
    await drive(engine, clock, START + timedelta(minutes=50))  # closed at +48
    late = await collector.ingest(message(clock, "A5: sorry I'm late"))
    assert [(a.question, a.late) for a in late] == [(5, True)]
    await drive(engine, clock, START + timedelta(hours=2))  # recapped at +78
    assert await collector.ingest(message(clock, "A5: way too late")) == []


async def test_shared_channel_prefers_the_chat_named_by_hashtag(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    collector = await live_collector(engine, store)
    await engine.schedule_chat(make_spec(id="one", hashtag="#One"))
    await engine.schedule_chat(
        make_spec(id="two", hashtag="#Two", start=datetime(2027, 1, 5, 19, 1))
    )
    await drive(engine, clock, START + timedelta(minutes=10))
    to_one = await collector.ingest(message(clock, "A1: for the first chat #one"))
    untagged = await collector.ingest(message(clock, "A1: no tag"))
    assert to_one[0].occurrence_id == 1
    assert untagged[0].occurrence_id == 2  # the most recently started

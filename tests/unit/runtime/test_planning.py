"""Chat files are the schedule: sync at start and on reload, without disturbing a live chat."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.core.run import Phase
from bot.core.spec import QuestionSpec
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.storage import SqliteStore
from tests.support.driving import drive
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)
FILE = "chats/careerchat.yaml"


async def unfinished(store: SqliteStore, chat_id: str = "careerchat") -> list[Phase]:
    return [o.run.phase for o in await store.occurrences(chat_id=chat_id, unfinished=True)]


async def test_sync_plans_each_chat_once(engine: Engine, store: SqliteStore) -> None:
    spec = make_spec(source=FILE, repeat="weekly")
    await engine.sync_chats([spec], [FILE])
    await engine.sync_chats([spec], [FILE])
    occurrences = await store.occurrences(chat_id="careerchat")
    assert [o.run.start for o in occurrences] == [START]


async def test_changed_file_replans_the_future_occurrence(
    engine: Engine, store: SqliteStore, clock: VirtualClock, venue: MemoryVenue
) -> None:
    spec = make_spec(source=FILE)
    await engine.sync_chats([spec], [FILE])
    await drive(engine, clock, START - timedelta(hours=2))  # the 24h reminder went out
    edited = replace(spec, questions=(*spec.questions, QuestionSpec("A sixth question?")))
    await engine.sync_chats([edited], [FILE])
    occurrence = (await store.occurrences(chat_id="careerchat"))[0]
    assert occurrence.run.phase is Phase.ANNOUNCED
    assert occurrence.spec.questions[-1].text == "A sixth question?"
    assert occurrence.run.has_step("q6")
    await drive(engine, clock, START + timedelta(hours=3))
    assert venue.step_keys().count("reminder-1d") == 1
    assert "q6" in venue.step_keys()


async def test_moved_start_drops_the_old_time_and_plans_the_new(
    engine: Engine, store: SqliteStore
) -> None:
    spec = make_spec(source=FILE)
    await engine.sync_chats([spec], [FILE])
    moved = replace(spec, start=datetime(2027, 1, 7, 19, 0))
    await engine.sync_chats([moved], [FILE])
    occurrences = await store.occurrences(chat_id="careerchat")
    assert [o.run.start for o in occurrences] == [START + timedelta(days=2)]


async def test_reload_never_disturbs_a_running_occurrence(
    engine: Engine, store: SqliteStore, clock: VirtualClock, venue: MemoryVenue
) -> None:
    spec = make_spec(source=FILE)
    await engine.sync_chats([spec], [FILE])
    await drive(engine, clock, START + timedelta(minutes=10))
    edited = replace(spec, questions=spec.questions[:2], question_interval=timedelta(minutes=2))
    await engine.sync_chats([edited], [FILE])
    await engine.sync_chats([], [])  # even the file's removal does not stop it
    occurrence = (await store.occurrences(chat_id="careerchat"))[0]
    assert occurrence.spec == spec
    await drive(engine, clock, START + timedelta(hours=3))
    assert [k for k in venue.step_keys() if k.startswith("q")] == ["q1", "q2", "q3", "q4", "q5"]


async def test_removed_file_cancels_future_occurrences(engine: Engine, store: SqliteStore) -> None:
    spec = make_spec(source=FILE, repeat="weekly")
    await engine.sync_chats([spec], [FILE])
    await engine.sync_chats([], [])
    assert await store.occurrences(chat_id="careerchat") == []
    assert await store.chat_specs() == []


async def test_broken_file_keeps_its_chat(engine: Engine, store: SqliteStore) -> None:
    spec = make_spec(source=FILE)
    await engine.sync_chats([spec], [FILE])
    await engine.sync_chats([], [FILE])  # the file is there but did not validate
    assert await unfinished(store) == [Phase.SCHEDULED]


async def test_chats_scheduled_by_command_survive_file_sync(
    engine: Engine, store: SqliteStore
) -> None:
    await engine.schedule_chat(make_spec(id="uploaded", source=None))
    await engine.sync_chats([], [])
    assert await unfinished(store, "uploaded") == [Phase.SCHEDULED]


async def test_long_downtime_plans_the_next_future_occurrence(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    clock.set(START + timedelta(days=15))  # two weekly occurrences passed unplanned
    await engine.schedule_chat(make_spec(repeat="weekly"))
    occurrences = await store.occurrences(chat_id="careerchat")
    assert [o.run.start for o in occurrences] == [START + timedelta(days=21)]

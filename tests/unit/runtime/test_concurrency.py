"""Many chats at once, in one channel or many; one failing chat never stalls the others."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.core.plan import build_plan
from bot.core.ports import PostRequest, VenueError
from bot.core.run import Phase
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.storage import SqliteStore
from tests.support.driving import drive
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)


async def test_two_chats_in_one_channel_run_independently(
    engine: Engine, venue: MemoryVenue, clock: VirtualClock, store: SqliteStore
) -> None:
    first = make_spec(id="first", hashtag="#First")
    second = make_spec(id="second", hashtag="#Second", start=datetime(2027, 1, 5, 19, 4))
    await engine.schedule_chat(first)
    await engine.schedule_chat(second)
    await drive(engine, clock, START + timedelta(hours=3))
    for spec, offset in ((first, 0), (second, 4)):
        occurrence = (await store.occurrences(chat_id=spec.id))[0]
        posted = [m for m in venue.messages if m.occurrence_id == occurrence.run.occurrence_id]
        assert [m.step_key for m in posted] == [
            s.key for s in build_plan(spec, START + timedelta(minutes=offset))
        ]
        assert all(m.channel_id == 111 for m in posted)
        assert all(spec.hashtag in m.text for m in posted if m.step_key.startswith("q"))
        assert occurrence.run.phase is Phase.RECAPPED


async def test_a_hundred_chats_at_once_all_post_on_time(
    engine: Engine, venue: MemoryVenue, clock: VirtualClock
) -> None:
    specs = [make_spec(id=f"chat-{n:03d}", channel=1000 + n % 7) for n in range(100)]
    for spec in specs:
        await engine.schedule_chat(spec)
    await drive(engine, clock, START + timedelta(hours=3))
    expected = [s.key for s in build_plan(specs[0], START)]
    by_occurrence: dict[int, list[str]] = {}
    for message in venue.messages:
        by_occurrence.setdefault(message.occurrence_id, []).append(message.step_key)
        plan_due = {s.key: s.due for s in build_plan(specs[0], START)}[message.step_key]
        assert message.at == plan_due  # nobody waited for anybody
    assert len(by_occurrence) == 100
    assert all(keys == expected for keys in by_occurrence.values())


async def test_one_failing_chat_does_not_stall_the_others(
    engine: Engine, venue: MemoryVenue, clock: VirtualClock, store: SqliteStore
) -> None:
    broken = make_spec(id="broken", channel=666)
    healthy = make_spec(id="healthy", channel=777)
    await engine.schedule_chat(broken)
    await engine.schedule_chat(healthy)

    def refuse(request: PostRequest) -> None:
        if request.channel_id == 666 and request.kind.value != "notice":
            raise VenueError("Missing Permissions: send messages", permanent=True)

    venue.before_post = refuse
    await drive(engine, clock, START + timedelta(hours=3))
    healthy_run = (await store.occurrences(chat_id="healthy"))[0].run
    assert [m.step_key for m in venue.messages if m.channel_id == 777] == [
        s.key for s in build_plan(healthy, START)
    ]
    assert healthy_run.phase is Phase.RECAPPED
    notices = [m for m in venue.messages if m.channel_id == 666]
    # Moderators hear about each failed step once; nothing loops.
    assert notices
    assert all(m.step_key.startswith("notice-failed-") for m in notices)
    assert len(notices) == len({m.step_key for m in notices})


def _failing(failures: dict[str, int], reason: str) -> Callable[[PostRequest], None]:
    """A venue hook: the posts of these steps fail for a passing reason this many times."""

    def fail(request: PostRequest) -> None:
        if failures.get(request.step_key, 0) > 0:
            failures[request.step_key] -= 1
            raise VenueError(reason)

    return fail


async def test_a_transient_failure_is_retried_and_posts_once(
    engine: Engine, venue: MemoryVenue, clock: VirtualClock
) -> None:
    await engine.schedule_chat(make_spec())
    venue.before_post = _failing({"q2": 2}, "503 Service Unavailable")
    await drive(engine, clock, START + timedelta(hours=3))
    assert venue.step_keys().count("q2") == 1
    q2 = next(m for m in venue.messages if m.step_key == "q2")
    assert q2.at - START == timedelta(minutes=16, seconds=30)  # two retries, 15 s apart
    # The rest of the run waited for Q2, keeping its spacing: nothing overtook it.
    questions = [m.step_key for m in venue.messages if m.kind.value == "question"]
    assert questions == ["q1", "q2", "q3", "q4", "q5"]
    q3 = next(m for m in venue.messages if m.step_key == "q3")
    assert q3.at - q2.at == timedelta(minutes=8)


async def test_a_question_retried_for_longer_than_the_spacing_keeps_the_order(
    engine: Engine, venue: MemoryVenue, clock: VirtualClock
) -> None:
    """A rate-limit storm outlasting the client's retries on Q1 (the intro went out): Q2's
    time comes and goes while Q1 waits for its retry, yet Q2 follows Q1."""
    await engine.schedule_chat(make_spec(question_interval=timedelta(seconds=20)))
    venue.before_post = _failing({"q1": 3}, "429 Too Many Requests")
    await drive(engine, clock, START + timedelta(hours=3))
    posted = [m for m in venue.messages if m.kind.value in ("intro", "question", "closing")]
    assert [m.step_key for m in posted] == ["intro", "q1", "q2", "q3", "q4", "q5", "closing"]
    times = [m.at for m in posted[1:-1]]
    assert all(b - a == timedelta(seconds=20) for a, b in itertools.pairwise(times))


async def test_a_lost_answer_is_found_at_once_and_holds_nothing_back(
    engine: Engine, venue: MemoryVenue, clock: VirtualClock
) -> None:
    """Q2 went out but its answer was lost (a 500 after the platform applied it): the engine
    finds it in the history at once instead of retrying later and moving the rest of the run."""
    await engine.schedule_chat(make_spec())
    venue.after_post = _failing({"q2": 1}, "500 Internal Server Error")
    await drive(engine, clock, START + timedelta(hours=3))
    assert venue.step_keys().count("q2") == 1
    planned = {"q2": timedelta(minutes=16), "q3": timedelta(minutes=24)}
    for key, offset in planned.items():
        assert next(m for m in venue.messages if m.step_key == key).at - START == offset

"""Many chats at once, in one channel or many; one failing chat never stalls the others."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

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


class JumpingClock(VirtualClock):
    """Virtual time that moves to the next deadline as soon as every task waits for time, and
    no sooner (trio's MockClock with autojump, but a task waiting for the database thread is
    not waiting for time): work that can go on without time moving is done first."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._sleepers: dict[asyncio.Task[Any], tuple[datetime | None, asyncio.Event]] = {}

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event) -> None:
        """As :class:`VirtualClock`, and known to be waiting meanwhile."""
        task = asyncio.current_task()
        assert task is not None
        self._sleepers[task] = (when, wake)
        try:
            await super().sleep_until(when, wake)
        finally:
            del self._sleepers[task]

    def _busy(self, driver: asyncio.Task[Any]) -> list[asyncio.Task[Any]]:
        """The tasks that can go on without time moving."""
        busy = []
        for task in asyncio.all_tasks():
            if task is driver or task.done() or _waits_in_the_clock(task):
                continue
            sleeping = self._sleepers.get(task)
            if sleeping is None:
                busy.append(task)
                continue
            when, wake = sleeping
            if wake.is_set() or (when is not None and when <= self.now()):
                busy.append(task)
        return busy

    async def run(self, engine: Engine, until: datetime) -> None:
        """Run ``engine``'s timer loop (the bot's own), moving time as its tasks wait for it,
        until the next deadline is after ``until``."""
        driver = asyncio.current_task()
        assert driver is not None
        loop_task = asyncio.create_task(engine.run_forever())
        try:
            while True:
                give_up = time.monotonic() + 60
                while busy := self._busy(driver):
                    assert time.monotonic() < give_up, f"tasks that never wait: {busy}"
                    await asyncio.sleep(0.001)  # real time: the database thread runs
                deadlines = [when for when, _ in self._sleepers.values() if when is not None]
                upcoming = min(deadlines, default=None)
                if upcoming is None or upcoming > until:
                    break
                self.set(upcoming)
        finally:
            await engine.stop()
            await asyncio.gather(loop_task, return_exceptions=True)


def _waits_in_the_clock(task: asyncio.Task[Any]) -> bool:
    """One of the event waits :meth:`VirtualClock.sleep_until` makes for its sleeper."""
    return getattr(task.get_coro(), "__qualname__", "") == "Event.wait"


#: How long the platform takes to answer a post (virtual time): less than the shortest gap
#: between two steps of one chat (a last call comes a minute before the next question).
POST_TAKES = timedelta(seconds=10)


async def test_a_hundred_chats_at_once_all_post_on_time(store: SqliteStore) -> None:
    """Every post takes 10 s to be answered and time moves while it is in flight, so a chat
    that waited for another chat's post would be 10 s late or more: nobody is."""
    clock = JumpingClock(START - timedelta(days=2))
    venue = MemoryVenue(clock, post_takes=POST_TAKES)
    engine = Engine(store, venue, clock)
    specs = [make_spec(id=f"chat-{n:03d}", channel=1000 + n % 7) for n in range(100)]
    for spec in specs:
        await engine.schedule_chat(spec)

    await clock.run(engine, until=START + timedelta(hours=3))

    plan = build_plan(specs[0], START)
    due = {s.key: s.due for s in plan}
    off = [(m, m.at - due[m.step_key]) for m in venue.messages]
    late = [
        f"{m.step_key} of occurrence {m.occurrence_id}: {lateness.total_seconds():g} s late"
        for m, lateness in off
        if not timedelta(0) <= lateness < POST_TAKES
    ]
    assert not late, f"{len(late)} of {len(off)} posts off their time: {late[:5]}"
    by_occurrence: dict[int, list[str]] = {}
    for message in venue.messages:
        by_occurrence.setdefault(message.occurrence_id, []).append(message.step_key)
    assert len(by_occurrence) == 100
    assert all(keys == [s.key for s in plan] for keys in by_occurrence.values())


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

"""Two processes (two engines over one SQLite file) share the chats through leases: each
chat's steps are run by its home; when a home dies another process takes its chat over once
the lease expired, posting every step exactly once; the home gets it back when it returns.

Virtual time; a "process" is a store, an engine and its leases; its death is simply that
it stops running (no heartbeat, no steps), as after kill -9.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.core.errors import HeldElsewhere
from bot.core.plan import build_plan
from bot.core.ports import PostRequest, PostResult
from bot.core.run import Cancel, Next, Start
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.runtime.leases import SharedLeases, lease_name
from bot.storage import SqliteStore, open_store
from tests.conftest import T0
from tests.support.specs import make_spec
from tests.support.venue import Crash, MemoryVenue

LEASE = timedelta(seconds=30)
FIRST = make_spec(id="first", channel=111)
SECOND = make_spec(id="second", channel=222)


class TaggedVenue:
    """One platform for every process; remembers which process posted each step, and can
    die (kill -9) right after a post reached the platform, before its id is recorded."""

    def __init__(self, venue: MemoryVenue, name: str, posted_by: dict[tuple[int, str], list[str]]):
        self.venue = venue
        self.name = name
        self.posted_by = posted_by
        self.die_after: str | None = None

    async def post(self, request: PostRequest) -> PostResult:
        key = (request.occurrence_id, request.step_key)
        self.posted_by.setdefault(key, []).append(self.name)
        result = await self.venue.post(request)
        if request.step_key == self.die_after:
            raise Crash(f"{self.name} died after posting {request.step_key}")
        return result

    def __getattr__(self, attribute: str) -> object:
        return getattr(self.venue, attribute)


@dataclass
class Process:
    name: str
    store: SqliteStore
    engine: Engine
    leases: SharedLeases
    venue: TaggedVenue


async def _process(
    path: Path,
    name: str,
    home_channel: int,
    platform: MemoryVenue,
    clock: VirtualClock,
    posted_by: dict[tuple[int, str], list[str]],
) -> Process:
    store = await open_store(path)
    leases = SharedLeases(
        store, clock, name, lease_time=LEASE, is_home=lambda channel: channel == home_channel
    )
    venue = TaggedVenue(platform, name, posted_by)
    engine = Engine(store, venue, clock, leases=leases)  # type: ignore[arg-type]
    return Process(name, store, engine, leases, venue)


async def _tick(clock: VirtualClock, processes: list[Process], until: datetime) -> None:
    """Run the live processes through virtual time, a second at a time, each renewing its
    leases every 10 s as the heartbeat does."""
    while clock.now() < until:
        clock.set(clock.now() + timedelta(seconds=1))
        for process in processes:
            if int(clock.now().timestamp()) % 10 == 0:
                await process.leases.renew()
            await process.engine.run_due()


async def _walk(clock: VirtualClock, processes: list[Process], plan: dict[str, datetime]) -> None:
    """Every step of ``plan`` in order, jumping between them (the heartbeat going on)."""
    for _key, due in sorted(plan.items(), key=lambda item: item[1]):
        clock.set(due - timedelta(seconds=1))
        for process in processes:
            await process.leases.renew()
        await _tick(clock, processes, due + timedelta(seconds=2))


async def test_each_home_runs_its_chat_and_a_dead_homes_chat_is_taken_over_once(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.db"
    clock = VirtualClock(T0)
    platform = MemoryVenue(clock)
    posted_by: dict[tuple[int, str], list[str]] = {}
    a = await _process(path, "a", FIRST.channel, platform, clock, posted_by)
    b = await _process(path, "b", SECOND.channel, platform, clock, posted_by)
    try:
        await a.engine.schedule_chat(FIRST)
        await b.engine.schedule_chat(SECOND)
        [first] = await a.store.occurrences(chat_id="first")
        [second] = await a.store.occurrences(chat_id="second")
        start = first.run.start
        plan = {step.key: step.due for step in build_plan(FIRST, start)}
        # Both running up to just after Q1: each chat's steps by its home only.
        clock.set(start - timedelta(days=2))
        await _tick(clock, [a, b], start - timedelta(days=2, seconds=-1))
        for key, due in sorted(plan.items(), key=lambda item: item[1]):
            if key == "q2":
                break
            clock.set(due - timedelta(seconds=1))
            for process in (a, b):  # the heartbeat went on while the clock jumped
                await process.leases.renew()
            await _tick(clock, [a, b], due + timedelta(seconds=2))
        first_id, second_id = first.run.occurrence_id, second.run.occurrence_id
        assert {posted_by[(first_id, k)][0] for k in plan if (first_id, k) in posted_by} == {"a"}
        assert {posted_by[(second_id, k)][0] for k in plan if (second_id, k) in posted_by} == {"b"}
        lease = await a.store.lease(lease_name(second_id))
        assert lease is not None
        assert (lease.owner, lease.home) == ("b", True)

        # b dies just after Q1 (no heartbeat from now on); a posts b's Q2 once the lease
        # expired, and every later step until b comes back.
        died = clock.now()
        q2_due = plan["q2"]
        await _tick(clock, [a], q2_due + LEASE + timedelta(seconds=5))
        assert posted_by[(second_id, "q2")] == ["a"]
        q2 = next(
            m for m in platform.messages if (m.occurrence_id, m.step_key) == (second_id, "q2")
        )
        assert q2.at - max(q2_due, died) <= LEASE + timedelta(seconds=1)
        lease = await a.store.lease(lease_name(second_id))
        assert lease is not None
        assert (lease.owner, lease.home) == ("a", False)

        # b comes back (a new process, same name pattern) before Q3: it asks for its chat;
        # a posts the step due then and hands it back; b runs the rest.
        b2 = await _process(path, "b2", SECOND.channel, platform, clock, posted_by)
        try:
            await _tick(clock, [a, b2], max(plan.values()) + timedelta(minutes=2))
            owners = {k: posted_by.get((second_id, k)) for k in plan}
            assert all(len(who or []) == 1 for who in owners.values()), owners
            assert owners["q2"] == ["a"]
            assert owners["closing"] == ["b2"]
            assert owners["recap"] == ["b2"]
            assert all(who == ["a"] for (o, _k), who in posted_by.items() if o == first_id)
            # Every step of both chats on the platform exactly once.
            for occurrence_id in (first_id, second_id):
                keys = platform.step_keys(occurrence_id)
                assert sorted(keys) == sorted(plan), keys
            # Finished: nobody holds either lease any more.
            assert await a.store.leases() == []
        finally:
            await b2.store.close()
    finally:
        await a.store.close()
        await b.store.close()


async def test_a_chat_whose_home_never_ran_waits_a_lease_time_for_it(tmp_path: Path) -> None:
    """Only a process of another shard runs: it leaves the chat's due step to its home for a
    lease time, then posts it."""
    clock = VirtualClock(T0)
    platform = MemoryVenue(clock)
    posted_by: dict[tuple[int, str], list[str]] = {}
    a = await _process(tmp_path / "bot.db", "a", FIRST.channel, platform, clock, posted_by)
    try:
        await a.engine.schedule_chat(SECOND)
        [second] = await a.store.occurrences(chat_id="second")
        first_due = second.run.next_due()
        assert first_due is not None
        clock.set(first_due)
        await _tick(clock, [a], first_due + LEASE - timedelta(seconds=2))
        assert platform.messages == []
        await _tick(clock, [a], first_due + LEASE + timedelta(seconds=2))
        [message] = platform.messages
        assert first_due + LEASE <= message.at <= first_due + LEASE + timedelta(seconds=1)
        lease = await a.store.lease(lease_name(second.run.occurrence_id))
        assert lease is not None
        assert (lease.owner, lease.home) == ("a", False)
    finally:
        await a.store.close()


async def test_an_owner_killed_between_post_and_record_is_not_posted_again(
    tmp_path: Path,
) -> None:
    """The home dies after Q2 reached the channel but before its message id was stored: the
    process taking over finds Q2 in the channel's history instead of posting it again."""
    path = tmp_path / "bot.db"
    clock = VirtualClock(T0)
    platform = MemoryVenue(clock)
    posted_by: dict[tuple[int, str], list[str]] = {}
    a = await _process(path, "a", FIRST.channel, platform, clock, posted_by)
    b = await _process(path, "b", SECOND.channel, platform, clock, posted_by)
    try:
        await b.engine.schedule_chat(SECOND)
        [second] = await a.store.occurrences(chat_id="second")
        occurrence_id = second.run.occurrence_id
        plan = {step.key: step.due for step in build_plan(SECOND, second.run.start)}
        b.venue.die_after = "q2"
        with pytest.raises(Crash):
            await _walk(clock, [a, b], plan)
        before = await a.store.post(occurrence_id, "q2")
        assert before is not None
        assert before.message_id is None  # intent recorded, id not: b died in between
        await _tick(clock, [a], plan["q2"] + LEASE + timedelta(seconds=5))
        assert platform.step_keys(occurrence_id).count("q2") == 1
        after = await a.store.post(occurrence_id, "q2")
        assert after is not None
        assert after.message_id is not None
        lease = await a.store.lease(lease_name(occurrence_id))
        assert lease is not None
        assert lease.owner == "a"
    finally:
        await a.store.close()
        await b.store.close()


async def test_a_control_while_another_process_runs_the_chat_is_refused(tmp_path: Path) -> None:
    """/host next reaching a process that does not hold the chat's lease (its home is
    running it) is refused with the reason, and nothing is posted twice."""
    clock = VirtualClock(T0)
    platform = MemoryVenue(clock)
    posted_by: dict[tuple[int, str], list[str]] = {}
    a = await _process(tmp_path / "bot.db", "a", FIRST.channel, platform, clock, posted_by)
    b = await _process(tmp_path / "bot.db", "b", SECOND.channel, platform, clock, posted_by)
    try:
        await b.engine.schedule_chat(SECOND)
        await b.engine.control("second", Start("mod"))
        await b.engine.run_due()
        assert [key for _o, key in posted_by] == ["intro"]
        with pytest.raises(HeldElsewhere, match="another process of the bot is running second"):
            await a.engine.control("second", Next("mod"))
        await b.engine.control("second", Next("mod"))
        await b.engine.run_due()
        assert [key for _o, key in posted_by] == ["intro", "q1"]
        # A chat cancelled by its moderator is finished: its lease is given up at once (the
        # heartbeat would renew it forever otherwise).
        await a.engine.schedule_chat(FIRST)
        await a.engine.control("first", Cancel("mod"))
        assert [lease.name for lease in await a.store.leases()] == ["occurrence:1"]
    finally:
        await a.store.close()
        await b.store.close()


async def test_the_heartbeat_gives_up_leases_of_occurrences_no_longer_running(
    tmp_path: Path,
) -> None:
    """A lease whose occurrence was dropped (its chat deleted before it started) is not
    renewed forever: the heartbeat releases it; a running chat's lease is kept."""
    clock = VirtualClock(T0)
    platform = MemoryVenue(clock)
    a = await _process(tmp_path / "bot.db", "a", FIRST.channel, platform, clock, {})
    try:
        await a.engine.schedule_chat(FIRST)
        [first] = await a.store.occurrences(chat_id="first")
        assert await a.leases.hold(first.run.occurrence_id) is None
        until = T0 + LEASE
        assert await a.store.claim_lease("occurrence:99", "a", T0, until, home=True, create=True)
        assert await a.leases.renew() == 1
        assert [lease.name for lease in await a.store.leases()] == [
            lease_name(first.run.occurrence_id)
        ]
    finally:
        await a.store.close()

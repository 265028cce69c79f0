"""Shards: several bot processes sharing one database through leases, on the real clock.

Two runtimes (each its own store on one database: an SQLite file, or with ``shards_pg`` a
PostgreSQL database on a server started for the run; each its own engine with
:class:`~bot.runtime.leases.SharedLeases` and its own recording venue) stand for two
processes: each is the home of half the chats (its "shard"). They run in this one Python
process and event loop, so they also share the CPU's one core of Python, which makes the
lateness figure pessimistic rather than flattering.

* **Lateness**: 100 chats split over the two processes, with the default lease time;
  every question's send time minus its due time, p50 / p99. Baseline: the same chats run
  by one process without leases (:class:`~bot.runtime.leases.SoleLeases`), in the same run.
* **Failover**: the same split; just after Q1, the second process is killed (its tasks
  cancelled: no heartbeat, no release, as kill -9). Its chats' Q2 (due a little after the
  kill) is posted by the first process once the lease expired: time from the kill to each
  such post, max, against the lease time + 5 s. Every step of every chat posted once.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Figure, above, ms, percentile
from bench.world import RecordingVenue, chat_spec, temp_db
from bot.core.plan import StepKind
from bot.runtime.clock import SystemClock
from bot.runtime.leases import LEASE_TIME
from bot.runtime.root import Runtime, RuntimeSettings, build_runtime
from bot.storage import SqlStore, open_store

NAME = "shards"
TARGET_P99 = 0.250
#: Extra time allowed beyond the lease for a dead process's chat to get its next question.
FAILOVER_SLACK = 5.0


@dataclass
class Process:
    """One runtime standing for a bot process."""

    store: SqlStore
    venue: RecordingVenue
    runtime: Runtime
    task: asyncio.Task[None] | None = None


@dataclass
class ShardRun:
    """Question lateness (seconds) and, with a kill, the failover delays."""

    lateness: list[float] = field(default_factory=list)
    failover: list[float] = field(default_factory=list)
    doubles: int = 0
    expected: int = 0
    posted: int = 0
    #: Lateness by step key (q1, q2...).
    by_step: dict[str, list[float]] = field(default_factory=dict)


async def _processes(
    path: Path | str, count: int, lease: timedelta, *, shared: bool
) -> list[Process]:
    clock = SystemClock()
    made = []
    for index in range(count):
        store = await open_store(path)
        venue = RecordingVenue(clock)
        settings = RuntimeSettings(
            lease_owner=f"bench-{index}" if shared else None, lease_time=lease
        )

        def home(channel_id: int, index: int = index) -> bool:
            return channel_id % count == index

        runtime = build_runtime(store, venue, clock, settings, is_home=home)
        made.append(Process(store, venue, runtime))
    return made


async def measure(
    folder: Path,
    *,
    name: str,
    chats: int,
    processes: int,
    questions: int,
    interval: float,
    lease: float,
    kill_after_q1: bool = False,
    lead: float = 3.0,
    where: Path | str | None = None,
) -> ShardRun:
    """One run: ``chats`` chats over ``processes`` runtimes (1: no leases), on the database
    ``where`` (an SQLite file in ``folder`` when None)."""
    path = temp_db(folder, f"shards-{name}.db") if where is None else where
    shared = processes > 1
    fleet = await _processes(path, processes, timedelta(seconds=lease), shared=shared)
    start = datetime.fromtimestamp(math.ceil(time.time() + lead), UTC)
    step = timedelta(seconds=interval)
    specs = [
        chat_spec(n, start, questions=questions, interval=step, late_answers=timedelta(seconds=2))
        for n in range(chats)
    ]
    for spec in specs:
        await fleet[0].runtime.engine.schedule_chat(spec)
    for process in fleet:
        process.task = await process.runtime.start()
    killed_at: float | None = None
    victim = fleet[-1]
    closing_at = start + step * (questions + 1) + timedelta(seconds=lease + FAILOVER_SLACK)
    try:
        if kill_after_q1:
            # Just after Q1 (due at start + one interval): Q2 falls due 60% of an interval later.
            kill_at = start + step * 1.4
            await asyncio.sleep(max(0.0, (kill_at - datetime.now(UTC)).total_seconds()))
            killed_at = time.time()
            assert victim.task is not None
            victim.task.cancel()  # no stop(): no release, no last heartbeat
            for task in list(victim.runtime.engine._inflight.values()):
                task.cancel()
            await asyncio.gather(victim.task, return_exceptions=True)
        while datetime.now(UTC) < closing_at:
            sent = [s for p in fleet for s in p.venue.sent]
            if sum(1 for s in sent if s.kind is StepKind.CLOSING) >= chats:
                break
            await asyncio.sleep(0.2)
    finally:
        for process in fleet:
            if process.task is not None and not process.task.done():
                await process.runtime.engine.stop()
                process.task.cancel()
                await asyncio.gather(process.task, return_exceptions=True)
            await process.runtime.collector.close()
    run = ShardRun(expected=chats * questions)
    try:
        due = {}
        for occurrence in await fleet[0].store.occurrences():
            for s in occurrence.run.steps:
                due[occurrence.run.occurrence_id, s.key] = s.due
        sent = [s for p in fleet for s in p.venue.sent]
        counts = Counter((s.occurrence_id, s.step_key) for s in sent)
        run.doubles = sum(n - 1 for n in counts.values() if n > 1)
        questions_sent = [s for s in sent if s.kind is StepKind.QUESTION]
        run.posted = len(questions_sent)
        for question in questions_sent:
            key = question.step_key
            late = (question.sent_at - due[question.occurrence_id, key]).total_seconds()
            run.lateness.append(late)
            run.by_step.setdefault(key, []).append(late)
        if killed_at is not None:
            victims = {
                o.run.occurrence_id
                for o in await fleet[0].store.occurrences()
                if o.spec.channel % processes == processes - 1
            }
            run.failover = [
                s.sent_at.timestamp() - killed_at
                for s in fleet[0].venue.sent
                if s.occurrence_id in victims and s.step_key == "q2"
            ]
    finally:
        for process in fleet:
            await process.store.close()
    return run


@dataclass
class ShardResult:
    """The split run, its one-process baseline, and the failover run."""

    split: ShardRun
    single: ShardRun
    failover: ShardRun
    chats: int
    lease: float
    interval: float
    #: The database the processes share ("SQLite" or "PostgreSQL").
    store: str = "SQLite"


def figures(result: ShardResult, bench: str = NAME) -> list[Figure]:
    """The shards rows of the table (``bench``: the name in the table's first column)."""
    split, single, fail = result.split, result.single, result.failover
    on = f", on {result.store}"
    p99 = percentile(split.lateness, 0.99)
    complete = split.posted == split.expected and split.doubles == 0
    rows = [
        Figure(
            bench,
            f"question lateness p50 / p99, {result.chats} chats split over 2 processes{on}",
            f"{ms(percentile(split.lateness, 0.5))} / {ms(p99)}",
            f"1 process: {ms(percentile(single.lateness, 0.5))} / "
            f"{ms(percentile(single.lateness, 0.99))}",
            f"p99 < {TARGET_P99 * 1000:.0f} ms",
            p99 < TARGET_P99 and complete,
            f"{split.posted} of {split.expected} questions posted, {split.doubles} twice; "
            f"max {ms(max(split.lateness, default=0))}",
            above(p99 * 1000, TARGET_P99 * 1000, " ms") if p99 >= TARGET_P99 else "",
        )
    ]
    target = result.lease + FAILOVER_SLACK
    worst = max(fail.failover, default=float("inf"))
    expected_victims = result.chats // 2
    rows.append(
        Figure(
            bench,
            f"failover: kill -9 to the dead process's next question, lease {result.lease:g} s" + on,
            f"max {worst:.2f} s, p50 {percentile(fail.failover, 0.5):.2f} s",
            f"its Q2 was due {0.6 * result.interval:.2f} s after the kill",
            f"< lease + {FAILOVER_SLACK:g} s ({target:g} s)",
            worst < target and len(fail.failover) == expected_victims and fail.doubles == 0,
            f"{len(fail.failover)} of {expected_victims} taken-over chats posted their Q2; "
            f"{fail.posted} of {fail.expected} questions in all, {fail.doubles} posted twice",
            above(worst, target, " s") if worst >= target else "",
        )
    )
    return rows


async def run_all(
    folder: Path,
    *,
    chats: int,
    questions: int,
    interval: float,
    lease: float,
    database: Callable[[str], Awaitable[Path | str]] | None = None,
    store: str = "SQLite",
) -> ShardResult:
    """The one-process baseline, the split run, and the failover run, each on a fresh
    database: ``database(run name)`` gives it (an SQLite file in ``folder`` when None)."""
    runs = []
    # Lateness with the default lease time (LEASE_SECONDS): how often a process looks at the
    # chats of others depends on it; the failover with the short one being measured.
    default = LEASE_TIME.total_seconds()
    plan = (("single", 1, False, default), ("split", 2, False, default), ("kill", 2, True, lease))
    for name, processes, kill, lease_time in plan:
        runs.append(
            await measure(
                folder,
                name=name,
                chats=chats,
                processes=processes,
                questions=questions,
                interval=interval,
                lease=lease_time,
                kill_after_q1=kill,
                lead=max(1.0, min(3.0, interval)),
                where=None if database is None else await database(name),
            )
        )
    single, split, failover = runs
    return ShardResult(split, single, failover, chats, lease, interval, store)

"""Timing: how late question posts go out (scheduled vs sent through the Venue), on the real
clock, with 20 chats at once, with and without 500 answers/s of ingest load.

Twenty short chats (a question every few seconds) start in the same second and
are run by the real :class:`~bot.runtime.engine.Engine` on the
:class:`~bot.runtime.clock.SystemClock` against a venue that records when each
post was sent. Under load, a feeder parses MESSAGE_CREATE payloads with
discord.py's ``ConnectionState`` at the given rate (answers "A3: …", in the
questions' threads, which the venue announces with THREAD_CREATE, and replies),
through the listener and the collector into the same database. The baseline is
the same run without the feeder.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from bench.client import bot_gateway
from bench.common import Figure, above, ms, percentile
from bench.gateway import Chat, Messages, guild_create, thread_payload
from bench.world import RecordingVenue, Sent, chat_spec, temp_db
from bot.core.plan import StepKind
from bot.core.ports import PostRequest
from bot.runtime.clock import SystemClock
from bot.runtime.root import build_runtime
from bot.storage import open_store

NAME = "timing"
TARGET_P99 = 0.250
#: The feeder wakes this often and catches up with the rate.
TICK = 0.01
#: The feeder starts this long after the chats (seconds).
FEED_AFTER = 0.5


@dataclass
class TimingRun:
    """Lateness of every question post (seconds), and the load that ran beside them."""

    lateness: list[float]
    fed: int = 0
    stored: int = 0
    seconds: float = 0.0
    posts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Messages fed per second."""
        return self.fed / self.seconds if self.seconds else 0.0


async def measure(
    folder: Path,
    *,
    chats: int,
    rate: float,
    questions: int,
    interval: float,
    name: str,
    lead: float = 3.0,
) -> TimingRun:
    """One run, the chats starting ``lead`` seconds (rounded up to a whole second) from now;
    ``rate`` 0 for the baseline."""
    store = await open_store(temp_db(folder, f"timing-{name}.db"))
    clock = SystemClock()
    venue = RecordingVenue(clock)
    runtime = build_runtime(store, venue, clock)
    engine, collector = runtime.engine, runtime.collector
    start = datetime.fromtimestamp(math.ceil(time.time() + lead), UTC)
    step = timedelta(seconds=interval)
    specs = [
        chat_spec(
            n,
            start,
            questions=questions,
            interval=step,
            late_answers=timedelta(minutes=10),
        )
        for n in range(chats)
    ]
    by_channel = {spec.channel: Chat(spec.channel) for spec in specs}
    # The bot's own client (its dispatch) in front of the collector; its engine is this one.
    async with bot_gateway(store, collector, engine) as state:
        state.parse_guild_create(guild_create([spec.channel for spec in specs], []))

        def posted(sent: Sent, request: PostRequest) -> None:
            if sent.kind is StepKind.QUESTION and sent.channel_id in by_channel:
                by_channel[sent.channel_id].questions[int(sent.step_key[1:])] = (
                    sent.message_id,
                    sent.thread_id,
                )
                if sent.thread_id is not None and request.thread_name:
                    state.parse_thread_create(
                        cast(Any, thread_payload(sent.thread_id, sent.channel_id, "Q", new=True))
                    )

        venue.on_post = posted
        for spec in specs:
            await engine.schedule_chat(spec)
        await collector.refresh()
        loop_task = asyncio.create_task(engine.run_forever())
        closing_at = start + step * (questions + 1)
        feeder = None
        run = TimingRun([])
        if rate > 0:
            feeder = asyncio.create_task(_feed(state, list(by_channel.values()), rate, run, start))
        try:
            while datetime.now(UTC) < closing_at + timedelta(seconds=3):
                if sum(1 for s in venue.sent if s.kind is StepKind.CLOSING) >= chats:
                    break
                await asyncio.sleep(0.2)
        finally:
            if feeder is not None:
                feeder.cancel()
                await asyncio.gather(feeder, return_exceptions=True)
            await engine.stop()
            loop_task.cancel()
            await asyncio.gather(loop_task, return_exceptions=True)
            await collector.close()
    try:
        due = {}
        for occurrence in await store.occurrences():
            for s in occurrence.run.steps:
                due[occurrence.run.occurrence_id, s.key] = s.due
        questions_sent = [s for s in venue.sent if s.kind is StepKind.QUESTION]
        run.lateness = [
            (s.sent_at - due[s.occurrence_id, s.step_key]).total_seconds() for s in questions_sent
        ]
        run.posts = len(venue.sent)
        row = await store.db.fetchone("SELECT COUNT(DISTINCT message_id) FROM answers")
        run.stored = int(row[0]) if row else 0
        run.extra["expected questions"] = chats * questions
    finally:
        await store.close()
    return run


async def _feed(
    state: Any, chats: list[Chat], rate: float, run: TimingRun, start: datetime
) -> None:
    """Parse payloads at ``rate`` per second from just after the chats' start (once their
    intros are out, every message belongs to a chat), in ticks of :data:`TICK`."""
    messages = Messages(seed=11)
    await asyncio.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds() + FEED_AFTER))
    began = time.perf_counter()
    try:
        while True:
            elapsed = time.perf_counter() - began
            due = int(elapsed * rate)
            while run.fed < due:
                state.parse_message_create(messages.one(chats[run.fed % len(chats)]))
                run.fed += 1
            await asyncio.sleep(TICK)
    finally:
        run.seconds = time.perf_counter() - began


@dataclass
class TimingResult:
    """The loaded run and its baseline."""

    loaded: TimingRun
    baseline: TimingRun
    chats: int
    rate: float


def figures(result: TimingResult) -> list[Figure]:
    """The timing rows of the table."""
    loaded, baseline = result.loaded, result.baseline
    expected = loaded.extra.get("expected questions", 0)
    complete = len(loaded.lateness) == expected and len(baseline.lateness) == expected
    p99 = percentile(loaded.lateness, 0.99)
    return [
        Figure(
            NAME,
            f"question lateness p50 / p99, {result.chats} chats, "
            f"{loaded.rate:,.0f} answers/s ingest",
            f"{ms(percentile(loaded.lateness, 0.5))} / {ms(p99)}",
            f"no ingest: {ms(percentile(baseline.lateness, 0.5))} / "
            f"{ms(percentile(baseline.lateness, 0.99))}",
            f"p99 < {TARGET_P99 * 1000:.0f} ms",
            p99 < TARGET_P99 and complete,
            f"{len(loaded.lateness)} of {expected} questions posted; max "
            f"{ms(max(loaded.lateness, default=0))}; {loaded.fed:,} messages fed, "
            f"{loaded.stored:,} stored",
            above(p99 * 1000, TARGET_P99 * 1000, " ms") if p99 >= TARGET_P99 else "",
        )
    ]


async def run_both(
    folder: Path, *, chats: int, rate: float, questions: int, interval: float, lead: float = 3.0
) -> TimingResult:
    """The baseline, then the loaded run."""
    runs = []
    for name, load in (("baseline", 0.0), ("loaded", rate)):
        runs.append(
            await measure(
                folder,
                chats=chats,
                rate=load,
                questions=questions,
                interval=interval,
                name=name,
                lead=lead,
            )
        )
    baseline, loaded = runs
    return TimingResult(loaded, baseline, chats, rate)

"""Live chats for the benchmarks: real store, real engine, a venue that records posts.

Chats are planned and run by the real :class:`~bot.runtime.engine.Engine`, so
the database holds exactly what the bot would have written (occurrences, timers,
posts with message and thread ids) when answers start arriving.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.gateway import Chat, snowflakes
from bot.core.plan import StepKind
from bot.core.ports import Clock, PostRequest, PostResult, VenueError
from bot.core.spec import ChatSpec, QuestionSpec
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.runtime.root import build_runtime
from bot.storage import SqliteStore
from tests.support.driving import drive as drive_virtual_time

CHANNEL_BASE = 910_000_000_000_000_000


@dataclass
class Sent:
    """A post as the venue made it: when (real time) and where."""

    occurrence_id: int
    step_key: str
    kind: StepKind
    channel_id: int
    message_id: int
    thread_id: int | None
    sent_at: datetime
    sent_perf: float


@dataclass
class RecordingVenue:
    """Posts succeed at once, with Discord-like ids; every post is recorded with its real
    send time. ``on_post`` is told about each post (to feed THREAD_CREATE, for example)."""

    clock: Clock
    sent: list[Sent] = field(default_factory=list)
    on_post: Callable[[Sent, PostRequest], None] | None = None
    new_id: Callable[[], int] = field(default_factory=snowflakes)

    async def post(self, request: PostRequest) -> PostResult:
        """Post, opening the thread when asked."""
        message_id = self.new_id()
        thread_id = message_id if request.thread_name else None
        sent = Sent(
            request.occurrence_id,
            request.step_key,
            request.kind,
            request.channel_id,
            message_id,
            thread_id,
            datetime.now(UTC),
            time.perf_counter(),
        )
        self.sent.append(sent)
        if self.on_post is not None:
            self.on_post(sent, request)
        return PostResult(message_id, thread_id)

    async def find_post(self, request: PostRequest, after: datetime) -> PostResult | None:
        """Nothing was posted before a crash here."""
        return None

    async def open_thread(
        self, channel_id: int, message_id: int, name: str, notice_channel_id: int | None = None
    ) -> int:
        """Threads open with their post."""
        raise VenueError("threads open with the post", permanent=True)

    async def edit_post(
        self, channel_id: int, message_ids: Sequence[int], request: PostRequest
    ) -> tuple[int, ...]:
        """Edits succeed at once (no benchmark measures them)."""
        return tuple(message_ids)


def chat_spec(
    number: int,
    start: datetime,
    *,
    questions: int = 5,
    interval: timedelta = timedelta(minutes=8),
    channel: int | None = None,
    late_answers: timedelta = timedelta(minutes=30),
) -> ChatSpec:
    """Chat ``number``: a one-off at ``start`` (aware UTC) in its own channel."""
    return ChatSpec(
        id=f"bench-{number:03d}",
        title=f"Bench chat {number}",
        hashtag=f"#Bench{number}",
        channel=channel if channel is not None else CHANNEL_BASE + number,
        timezone="UTC",
        start=start.astimezone(UTC).replace(tzinfo=None),
        questions=tuple(
            QuestionSpec(f"Question {n}: what have you learned about topic {n} this week?")
            for n in range(1, questions + 1)
        ),
        intro="Welcome! Answer with A1, A2... or in each question's thread.",
        question_interval=interval,
        closing="That's a wrap, thank you all.",
        late_answers=late_answers,
    )


def chat_yaml(spec: ChatSpec) -> str:
    """The chat file a moderator would write for ``spec``."""
    questions = "\n".join(f'  - "{q.text}"' for q in spec.questions)
    return (
        f"id: {spec.id}\n"
        f'title: "{spec.title}"\n'
        f'hashtag: "{spec.hashtag}"\n'
        f"channel: {spec.channel}\n"
        f"timezone: {spec.timezone}\n"
        f"start: {spec.start.isoformat(sep=' ', timespec='seconds')}\n"
        f'intro: "{spec.intro}"\n'
        f"question_interval: {int(spec.question_interval.total_seconds())}s\n"
        f"late_answers: {int(spec.late_answers.total_seconds())}s\n"
        f"questions:\n{questions}\n"
        f'closing: "{spec.closing}"\n'
    )


async def drive(engine: Engine, clock: VirtualClock, until: datetime) -> None:
    """Fire every timer due up to ``until`` in virtual time (many chats: more steps allowed)."""
    await drive_virtual_time(engine, clock, until, max_steps=100_000)


async def run_chats_until(
    store: SqliteStore, specs: list[ChatSpec], until: datetime, start: datetime
) -> RecordingVenue:
    """Schedule ``specs`` and run them in virtual time from ``start`` up to ``until``."""
    clock = VirtualClock(start)
    venue = RecordingVenue(clock)
    runtime = build_runtime(store, venue, clock)
    for spec in specs:
        await runtime.engine.schedule_chat(spec)
    await drive(runtime.engine, clock, until)
    await runtime.collector.close()  # its writes (attributions) stored before the store closes
    return venue


def chats_of(venue: RecordingVenue, specs: list[ChatSpec]) -> list[Chat]:
    """The payload generator's view of the chats: channel, questions' messages and threads."""
    by_occurrence: dict[int, Chat] = {}
    channel_of = {spec.channel for spec in specs}
    for sent in venue.sent:
        if sent.channel_id not in channel_of:
            continue
        chat = by_occurrence.setdefault(sent.occurrence_id, Chat(sent.channel_id))
        if sent.kind is StepKind.QUESTION:
            chat.questions[int(sent.step_key[1:])] = (sent.message_id, sent.thread_id)
    return list(by_occurrence.values())


def threads_of(venue: RecordingVenue) -> list[tuple[int, int, str]]:
    """(thread id, parent channel, name) of every thread the venue opened."""
    return [
        (s.thread_id, s.channel_id, f"Q{s.step_key[1:]}")
        for s in venue.sent
        if s.thread_id is not None
    ]


def temp_db(folder: Path, name: str) -> Path:
    """A fresh database path in ``folder`` (any old file and its WAL removed)."""
    path = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path

"""A fleet of live chats on disk, as a bot that was stopped mid-chat leaves it.

:func:`build_fleet` writes one chat file per chat, plans and runs every chat in
virtual time with the real engine until each is live (intro and Q1 posted, its
threads open), and stores answers in bulk (plain ``executemany``, the fastest
way to make a big database; the bot's own write path is measured by the ingest
benchmark). :func:`make_due` then puts each chat's next question one second in
the past, as if the bot had been down for a moment when it fell due.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.gateway import Messages
from bench.world import RecordingVenue, chat_spec, chat_yaml, drive, temp_db
from bot.chatfile import load_chats
from bot.runtime.clock import VirtualClock
from bot.runtime.root import build_runtime
from bot.storage import open_store
from bot.storage._convert import ts

#: Question spacing of the fleet's chats: long, so only the made-due step is due.
INTERVAL = timedelta(minutes=10)
QUESTIONS = 5


@dataclass(frozen=True)
class Fleet:
    """Where the fleet lives."""

    database: Path
    chats_dir: Path
    chats: int
    answers: int


async def build_fleet(folder: Path, name: str, chats: int, answers: int) -> Fleet:
    """``chats`` live chats with ``answers`` stored answers in all, under ``folder/name``."""
    root = folder / name
    chats_dir = root / "chats"
    chats_dir.mkdir(parents=True, exist_ok=True)
    database = temp_db(root, "bot.db")
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - INTERVAL - timedelta(minutes=2)
    for number in range(chats):
        spec = chat_spec(number, start, questions=QUESTIONS, interval=INTERVAL)
        (chats_dir / f"{spec.id}.yaml").write_text(chat_yaml(spec))
    loaded = load_chats([chats_dir], now)
    if loaded.has_errors:
        raise RuntimeError("; ".join(str(p) for p in loaded.problems))
    store = await open_store(database)
    try:
        clock = VirtualClock(start - timedelta(seconds=1))
        runtime = build_runtime(store, RecordingVenue(clock), clock)
        engine = runtime.engine
        await engine.sync_chats(list(loaded.specs.values()), [r.path for r in loaded.results])
        await drive(engine, clock, start + INTERVAL + timedelta(seconds=1))  # intro and Q1
        await runtime.collector.close()
    finally:
        await store.close()
    _store_answers(database, answers)
    return Fleet(database, chats_dir, chats, answers)


def _store_answers(database: Path, count: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    texts = [Messages(seed=seed).text() for _ in range(2_000)]
    with closing(sqlite3.connect(database, isolation_level=None)) as connection:
        occurrences = [
            (row[0], row[1], row[2])
            for row in connection.execute(
                "SELECT o.id, p.thread_id, p.posted_at FROM occurrences o "
                "JOIN posts p ON p.occurrence_id = o.id AND p.step_key = 'q1'"
            )
        ]
        channels = dict(connection.execute("SELECT occurrence_id, channel_id FROM posts"))
        people = max(50, count // 500)
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT OR IGNORE INTO participants (user_id, name, first_seen) VALUES (?, ?, ?)",
            [
                (900_000 + n, f"Learner {n}", "2026-01-01T00:00:00.000000+00:00")
                for n in range(people)
            ],
        )
        batch: list[tuple[object, ...]] = []
        for index in range(count):
            occurrence, thread, posted = occurrences[index % len(occurrences)]
            threaded = rng.random() < 0.5
            batch.append(
                (
                    1_000_000_000_000 + index,
                    0,
                    occurrence,
                    channels[occurrence],
                    thread if threaded else None,
                    900_000 + rng.randrange(people),
                    1,
                    texts[index % len(texts)],
                    "thread" if threaded else "prefix",
                    posted,
                )
            )
            if len(batch) == 10_000:
                _insert(connection, batch)
                batch = []
        _insert(connection, batch)
        connection.execute("COMMIT")


def _insert(connection: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    connection.executemany(
        "INSERT INTO answers (message_id, part, occurrence_id, channel_id, thread_id, author_id, "
        "question, content, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def make_due(fleet: Fleet) -> int:
    """Put every chat's Q2 one second in the past; returns how many steps are now due."""
    due = ts(datetime.now(UTC) - timedelta(seconds=1))
    with closing(sqlite3.connect(fleet.database, isolation_level=None)) as connection:
        cursor = connection.execute(
            "UPDATE timers SET due_at = ? WHERE step_key = 'q2' AND status = 'pending'", (due,)
        )
        return cursor.rowcount

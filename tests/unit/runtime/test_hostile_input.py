"""Hostile input: 20,000 fuzzed messages through attribution and storage never raise,
and what is stored is exactly what was sent (by message id, once)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.plan import build_plan
from bot.core.run import Phase, new_run
from bot.runtime.collector import Collector
from bot.runtime.routing import IncomingMessage
from bot.storage import SqliteStore, open_store
from tests.support.specs import make_spec

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)
SPEC = make_spec()

# Text that tries to break things: prefixes, mentions, markup, control characters, RTL,
# surrogates are impossible in str, huge numbers, SQL, NULs.
hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "@everyone A1: hi",
            "<@123456789012345678> A2) you",
            "<@&987654321098765432> A3 - role",
            "A1: '); DROP TABLE answers; --",
            "A99999999999999999999: overflow?",
            "\x00A1:\x00 nul",
            "‮A1: right-to-left override",
            "A1: " + "🧑‍🏫" * 500,
            "```A1: inside code```",
            "||A2: spoiler||",
            "a1)a2)a3)a4)a5)",
        ]
    ),
    st.lists(
        st.sampled_from(["A1:", "a2)", "A3 -", "A4.", "x", "@here", "\n", " "]), max_size=40
    ).map(" ".join),
)
messages = st.lists(
    st.tuples(
        hostile_text,
        st.integers(min_value=1, max_value=2**63 - 1),  # author id
        st.text(max_size=40),  # display name
        st.sampled_from([None, "thread", "reply"]),
    ),
    min_size=100,
    max_size=100,
)


async def _prepare(path: Path) -> tuple[SqliteStore, Collector, int, int]:
    store = await open_store(path)
    await store.save_chat(SPEC)
    run = await store.create_occurrence(SPEC, new_run(0, SPEC, START, build_plan(SPEC, START)))
    run = run.__class__(**{**run.__dict__, "phase": Phase.RUNNING})
    await store.save_run(run)
    collector = Collector(store)
    await collector.refresh()
    return store, collector, run.occurrence_id, 0


class Sequence:
    """Message ids unique across all examples."""

    next_id = 10_000


def test_twenty_thousand_fuzzed_messages_never_raise(tmp_path: Path) -> None:
    db = tmp_path / "fuzz.db"
    loop = asyncio.new_event_loop()
    store, collector, occurrence_id, _ = loop.run_until_complete(_prepare(db))
    sent: dict[int, int] = {}

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(batch=messages)
    def ingest_batch(batch: list[tuple[str, int, str, str | None]]) -> None:
        async def run() -> None:
            for content, author, name, where in batch:
                Sequence.next_id += 1
                message = IncomingMessage(
                    message_id=Sequence.next_id,
                    channel_id=SPEC.channel,
                    author_id=author,
                    author_name=name,
                    content=content,
                    created_at=START + timedelta(minutes=10),
                    thread_id=Sequence.next_id - 1 if where == "thread" else None,
                    reply_to=Sequence.next_id - 2 if where == "reply" else None,
                )
                stored = await collector.ingest(message)
                assert stored, "a message during the run is always kept"
                sent[message.message_id] = len(stored)
                # Delivered twice (gateway redelivery or backfill): still stored once.
                await collector.ingest(message)

        loop.run_until_complete(run())

    try:
        ingest_batch()
        rows = loop.run_until_complete(store.answers(occurrence_id))
        assert len(sent) == 20_000
        per_message: dict[int, int] = {}
        for row in rows:
            per_message[row.message_id] = per_message.get(row.message_id, 0) + 1
        assert per_message == sent
    finally:
        loop.run_until_complete(store.close())
        loop.close()

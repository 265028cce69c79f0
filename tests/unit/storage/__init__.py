"""Storage tests: real SQLite files under tmp_path. Shared helpers live here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.answers import Answer, AnswerSource
from bot.core.plan import build_plan
from bot.core.run import Run, new_run
from bot.core.spec import ChatSpec
from bot.storage import SqliteStore
from tests.support.specs import make_spec

#: The start of the sample chat of ``make_spec`` (19:00 Phoenix is 02:00 UTC).
START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)
SPEC = make_spec()
CHANNEL = SPEC.channel


async def new_occurrence(store: SqliteStore, spec: ChatSpec = SPEC, start: datetime = START) -> Run:
    """Store ``spec`` and a planned occurrence of it starting at ``start``."""
    await store.save_chat(spec)
    return await store.create_occurrence(spec, new_run(0, spec, start, build_plan(spec, start)))


def answer(
    occurrence_id: int,
    message_id: int,
    content: str = "A1: my answer",
    *,
    part: int = 0,
    question: int | None = 1,
    author_id: int = 501,
    author_name: str = "alice",
    minute: float = 10,
    edited_minute: float | None = None,
    channel_id: int = CHANNEL,
    thread_id: int | None = None,
) -> Answer:
    """One stored part of a message posted ``minute`` minutes after the chat's start."""
    return Answer(
        message_id=message_id,
        part=part,
        occurrence_id=occurrence_id,
        channel_id=channel_id,
        thread_id=thread_id,
        author_id=author_id,
        author_name=author_name,
        question=question,
        content=content,
        source=AnswerSource.PREFIX if question is not None else AnswerSource.CONVERSATION,
        created_at=START + timedelta(minutes=minute),
        edited_at=None if edited_minute is None else START + timedelta(minutes=edited_minute),
    )

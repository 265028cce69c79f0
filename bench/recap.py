"""Recap: build and render the recap of one occurrence with 1k, 10k and 100k answers.

The pipeline is the bot's own: :func:`bot.runtime.recaps.load_recap` (read the
occurrence's answers and build the model) and :func:`bot.runtime.recaps.recap_post`
(render the Discord messages and the attached Markdown, HTML and chart). Where
that is not there (an older tree), the first recap API is used:
``store.answers`` + :func:`bot.core.recap.summarize` + ``summary_text``
(:func:`pipeline` picks; switching is one function). The baseline is reading
the same answers from the store, which any recap has to do.
"""

from __future__ import annotations

import gc
import importlib
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Figure, above
from bench.gateway import Messages, snowflakes
from bench.world import chat_spec, run_chats_until, temp_db
from bot.core.answers import Answer, AnswerSource
from bot.core.plan import StepKind
from bot.core.ports import Occurrence, PostRequest
from bot.storage import SqliteStore, open_store

NAME = "recap"
TARGET_10K = 1.0
#: "Close to linear": ten times the answers may take at most this many times as long.
TARGET_GROWTH = 15.0
QUESTIONS = 10


@dataclass(frozen=True)
class Pipeline:
    """How a recap is made: build (from the store) and render."""

    name: str
    build: Callable[[SqliteStore, Occurrence], Awaitable[Any]]
    render: Callable[[Any, Occurrence], Any]


def pipeline() -> Pipeline:
    """The bot's recap pipeline as this tree has it."""
    try:
        recaps: Any = importlib.import_module("bot.runtime.recaps")
        recaps.load_recap, recaps.recap_post  # noqa: B018 - both must exist
    except (ImportError, AttributeError):
        return _summary_pipeline()

    def render(model: Any, occurrence: Occurrence) -> Any:
        return recaps.recap_post(model, _request(occurrence))

    return Pipeline("load_recap + recap_post", recaps.load_recap, render)


def _summary_pipeline() -> Pipeline:
    recap: Any = importlib.import_module("bot.core.recap")

    async def build(store: SqliteStore, occurrence: Occurrence) -> Any:
        answers = await store.answers(occurrence.run.occurrence_id)
        return recap.summarize(occurrence.spec, occurrence.run, answers)

    return Pipeline("summarize + summary_text", build, lambda model, _: recap.summary_text(model))


def _request(occurrence: Occurrence) -> PostRequest:
    return PostRequest(
        occurrence_id=occurrence.run.occurrence_id,
        step_key="recap",
        channel_id=occurrence.spec.channel,
        kind=StepKind.RECAP,
        text="",
    )


@dataclass(frozen=True)
class RecapTime:
    """One size: answers, and the best seconds of each part."""

    answers: int
    read: float
    build: float
    render: float

    @property
    def total(self) -> float:
        """Build (reading included) and render."""
        return self.build + self.render


async def occurrence_with_answers(path: Path, count: int, seed: int = 7) -> Occurrence:
    """A finished chat (closed, in its late-answer window) with ``count`` stored messages."""
    store = await open_store(path)
    try:
        start = datetime.now(UTC) - timedelta(hours=2)
        spec = chat_spec(1, start, questions=QUESTIONS, interval=timedelta(minutes=6))
        closing = start + timedelta(minutes=6 * (QUESTIONS + 1))
        venue = await run_chats_until(
            store, [spec], closing + timedelta(minutes=1), start - timedelta(seconds=1)
        )
        occurrence = (await store.occurrences(chat_id=spec.id))[0]
        questions = {
            int(s.step_key[1:]): (s.message_id, s.thread_id, s.sent_at)
            for s in venue.sent
            if s.kind is StepKind.QUESTION
        }
        await store.upsert_answers(
            list(_answers(occurrence, questions, count, closing, random.Random(seed)))
        )
        return occurrence
    finally:
        await store.close()


def _answers(
    occurrence: Occurrence,
    questions: dict[int, tuple[int, int | None, datetime]],
    count: int,
    closing: datetime,
    rng: random.Random,
) -> list[Answer]:
    texts = Messages(seed=rng.randrange(1 << 30))
    people = max(20, count // 15)
    new_id = snowflakes(occurrence.run.start)
    answers: list[Answer] = []
    numbers = sorted(questions)
    for index in range(count):
        number = numbers[min(len(numbers) - 1, index * len(numbers) // count)]
        _, thread, asked = questions[number]
        created = asked + timedelta(seconds=rng.uniform(0, 300))
        author = rng.randrange(people)
        roll = rng.random()
        reply_to = (
            answers[rng.randrange(len(answers))].message_id if answers and roll < 0.1 else None
        )
        source = AnswerSource.THREAD if roll < 0.5 else AnswerSource.PREFIX
        if roll > 0.85:
            source = AnswerSource.CONVERSATION
        answers.append(
            Answer(
                message_id=new_id(),
                part=0,
                occurrence_id=occurrence.run.occurrence_id,
                channel_id=occurrence.spec.channel,
                thread_id=thread if source is AnswerSource.THREAD else None,
                author_id=700_000 + author,
                author_name=f"Learner {author}",
                question=number if source is not AnswerSource.CONVERSATION else None,
                content=texts.text(),
                source=source,
                created_at=created,
                reply_to=reply_to,
                late=created >= closing,
            )
        )
    return answers


async def time_recap(path: Path, chosen: Pipeline, repeats: int) -> RecapTime:
    """Best-of-``repeats`` seconds to read, build and render the recap stored at ``path``."""
    store = await open_store(path)
    try:
        occurrence = (await store.occurrences())[0]
        reads, builds, renders = [], [], []
        count = 0
        for _ in range(repeats):
            gc.collect()
            began = time.perf_counter()
            count = len(await store.answers(occurrence.run.occurrence_id))
            reads.append(time.perf_counter() - began)
            gc.collect()
            began = time.perf_counter()
            model = await chosen.build(store, occurrence)
            built = time.perf_counter()
            chosen.render(model, occurrence)
            builds.append(built - began)
            renders.append(time.perf_counter() - built)
            del model
        return RecapTime(count, min(reads), min(builds), min(renders))
    finally:
        await store.close()


async def measure(sizes: tuple[int, ...], folder: Path, repeats: int = 2) -> list[RecapTime]:
    """Recap timings for each size (after one untimed warm-up that loads the renderers)."""
    chosen = pipeline()
    warm = temp_db(folder, "recap-warm.db")
    await occurrence_with_answers(warm, 50)
    await time_recap(warm, chosen, 1)
    results = []
    for size in sizes:
        path = temp_db(folder, f"recap-{size}.db")
        await occurrence_with_answers(path, size)
        results.append(await time_recap(path, chosen, repeats if size <= 20_000 else 1))
    return results


def figures(results: list[RecapTime]) -> list[Figure]:
    """The recap rows of the table."""
    chosen = pipeline().name
    rows = []
    for result in results:
        target = f"< {TARGET_10K:.0f} s" if result.answers == 10_000 else "-"
        passed = result.total < TARGET_10K if result.answers == 10_000 else None
        rows.append(
            Figure(
                NAME,
                f"{result.answers:,} answers: build + render",
                f"{result.total:.3f} s",
                f"reading them: {result.read:.3f} s",
                target,
                passed,
                f"build {result.build:.3f} s (reading included), render {result.render:.3f} s;"
                f" {chosen}",
                above(result.total, TARGET_10K, " s") if passed is False else "",
            )
        )
    for small, large in itertools.pairwise(results):
        growth = large.total / small.total if small.total else float("inf")
        size_ratio = large.answers / small.answers
        limit = TARGET_GROWTH * size_ratio / 10
        rows.append(
            Figure(
                NAME,
                f"growth {large.answers // 1000 or large.answers}"
                f"{'k' if large.answers >= 1000 else ''}/"
                f"{small.answers // 1000 or small.answers}{'k' if small.answers >= 1000 else ''}",
                f"{growth:.1f}x",
                f"{size_ratio:.0f}x (linear); reading grew "
                f"{large.read / small.read if small.read else 0:.1f}x",
                f"<= {limit:.0f}x",
                growth <= limit,
                "",
                above(growth, limit, "x") if growth > limit else "",
            )
        )
    return rows

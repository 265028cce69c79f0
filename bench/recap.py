"""Recap: build and render the recap of one occurrence with 1k, 10k and 100k answers.

The pipeline is the bot's own: :func:`bot.runtime.recaps.load_recap` (read the
occurrence's answers and build the model) and :func:`bot.runtime.recaps.recap_post`
(render the Discord messages and the attached Markdown, HTML and chart). Where
that is not there (an older tree), the first recap API is used:
``store.answers`` + :func:`bot.core.recap.summarize` + ``summary_text``
(:func:`pipeline` picks; switching is one function).

The target is a ratio, so that the machine's speed of the day cancels out: the recap of
10,000 answers (build + render) against one pass of the stdlib's ``json.dumps`` over the
same stored rows, measured back to back (the median of the pairs). The seconds, and
reading the answers from the store, are shown as information. Growth is checked twice:
1k -> 10k -> 100k (at most 15x for 10x the answers), and 2k -> 8k (at most 7x for 4x:
linear is 4x, comparing every answer with every other would be 16x).
"""

from __future__ import annotations

import gc
import importlib
import itertools
import json
import random
import statistics
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
#: The size held to :data:`TARGET_RATIO`.
TARGET_SIZE = 10_000
#: Build + render of :data:`TARGET_SIZE` answers, in passes of ``json.dumps`` over the same
#: stored rows: at most this many. Measured 39-57 on 2026-12-07 (0.70-0.76 s against 12-19
#: ms); a regression that doubles the recap's time, or a quadratic step, passes 100.
TARGET_RATIO = 100.0
#: "Close to linear": ten times the answers may take at most this many times as long.
TARGET_GROWTH = 15.0
#: Four times the answers (:attr:`bench.config.Config.recap_growth_sizes`) may take at most
#: this many times as long: linear is 4, every answer compared with every other 16.
TARGET_GROWTH_4X = 7.0
#: ``json.dumps`` passes per pair; the fastest counts (one pass is 10-20 ms at 10k rows, so
#: a single preemption by another process would weigh on it).
JSON_PASSES = 5
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
    """One size: answers, the best seconds of each part, and each pair's ratio."""

    answers: int
    read: float
    build: float
    render: float
    #: The fastest pass of ``json.dumps`` over the stored rows.
    dumps: float
    #: Each repeat's build + render over its own ``json.dumps`` pass, measured back to back.
    ratios: tuple[float, ...]

    @property
    def total(self) -> float:
        """Build (reading included) and render."""
        return self.build + self.render

    @property
    def ratio(self) -> float:
        """Build + render in passes of ``json.dumps`` over the same rows (median of pairs)."""
        return statistics.median(self.ratios)


@dataclass(frozen=True)
class RecapResult:
    """The sizes of the table, and the pair for the 4x growth check."""

    sizes: list[RecapTime]
    growth: list[RecapTime]


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
    """Best-of-``repeats`` seconds to read, build and render the recap stored at ``path``,
    each repeat after its baselines (reading the answers, ``json.dumps`` of the rows)."""
    store = await open_store(path)
    try:
        occurrence = (await store.occurrences())[0]
        stored = await store.db.fetchall(
            "SELECT * FROM answers WHERE occurrence_id = ? ORDER BY rowid",
            (occurrence.run.occurrence_id,),
        )
        rows = [tuple(row) for row in stored]
        reads, dumps, builds, renders, ratios = [], [], [], [], []
        count = 0
        for _ in range(repeats):
            gc.collect()
            began = time.perf_counter()
            count = len(await store.answers(occurrence.run.occurrence_id))
            reads.append(time.perf_counter() - began)
            dumps.append(_dumps_seconds(rows))
            gc.collect()
            began = time.perf_counter()
            model = await chosen.build(store, occurrence)
            built = time.perf_counter()
            chosen.render(model, occurrence)
            builds.append(built - began)
            renders.append(time.perf_counter() - built)
            ratios.append((builds[-1] + renders[-1]) / dumps[-1])
            del model
        return RecapTime(count, min(reads), min(builds), min(renders), min(dumps), tuple(ratios))
    finally:
        await store.close()


def _dumps_seconds(rows: list[tuple[Any, ...]]) -> float:
    """The fastest of :data:`JSON_PASSES` passes of ``json.dumps`` over ``rows``."""
    gc.collect()
    best = float("inf")
    for _ in range(JSON_PASSES):
        began = time.perf_counter()
        json.dumps(rows)
        best = min(best, time.perf_counter() - began)
    return best


async def measure(
    sizes: tuple[int, ...],
    folder: Path,
    repeats: int = 2,
    growth_sizes: tuple[int, ...] = (),
) -> RecapResult:
    """Recap timings for each size, then for the growth pair (after one untimed warm-up
    that loads the renderers)."""
    chosen = pipeline()
    warm = temp_db(folder, "recap-warm.db")
    await occurrence_with_answers(warm, 50)
    await time_recap(warm, chosen, 1)
    measured: dict[int, RecapTime] = {}
    for size in (*sizes, *growth_sizes):
        if size in measured:
            continue
        path = temp_db(folder, f"recap-{size}.db")
        await occurrence_with_answers(path, size)
        measured[size] = await time_recap(path, chosen, repeats if size <= 20_000 else 1)
    return RecapResult([measured[s] for s in sizes], [measured[s] for s in growth_sizes])


def figures(result: RecapResult) -> list[Figure]:
    """The recap rows of the table."""
    chosen = pipeline().name
    rows = []
    for size in result.sizes:
        rows.append(
            Figure(
                NAME,
                f"{size.answers:,} answers: build + render",
                f"{size.total:.3f} s",
                f"reading them: {size.read:.3f} s; json.dumps of them: {size.dumps:.3f} s",
                "(information)" if size.answers == TARGET_SIZE else "-",
                None,
                f"build {size.build:.3f} s (reading included), render {size.render:.3f} s;"
                f" {chosen}",
            )
        )
        if size.answers == TARGET_SIZE:
            rows.append(_ratio_figure(size))
    for small, large in itertools.pairwise(result.sizes):
        rows.append(
            _growth_figure(small, large, TARGET_GROWTH * large.answers / small.answers / 10)
        )
    if len(result.growth) == 2:
        small, large = result.growth
        rows.append(
            _growth_figure(small, large, TARGET_GROWTH_4X * large.answers / small.answers / 4)
        )
    return rows


def _ratio_figure(size: RecapTime) -> Figure:
    passed = size.ratio <= TARGET_RATIO
    return Figure(
        NAME,
        f"{size.answers:,} answers: build + render per json.dumps pass over the rows",
        f"{size.ratio:.0f}x",
        f"1x: json.dumps {size.dumps * 1000:.1f} ms",
        f"<= {TARGET_RATIO:.0f}x",
        passed,
        f"median of {len(size.ratios)} pairs, each json.dumps (fastest of {JSON_PASSES} passes)"
        " then the recap, back to back (pairs: "
        + ", ".join(f"{r:.0f}" for r in size.ratios)
        + f"); the recap took {size.total:.3f} s",
        "" if passed else above(size.ratio, TARGET_RATIO, "x"),
    )


def _growth_figure(small: RecapTime, large: RecapTime, limit: float) -> Figure:
    growth = large.total / small.total if small.total else float("inf")
    size_ratio = large.answers / small.answers
    return Figure(
        NAME,
        f"growth {_label(large.answers)}/{_label(small.answers)}",
        f"{growth:.1f}x",
        f"{size_ratio:.0f}x (linear); reading grew "
        f"{large.read / small.read if small.read else 0:.1f}x, json.dumps "
        f"{large.dumps / small.dumps if small.dumps else 0:.1f}x",
        f"<= {limit:.0f}x",
        growth <= limit,
        f"{small.total:.3f} s -> {large.total:.3f} s",
        above(growth, limit, "x") if growth > limit else "",
    )


def _label(answers: int) -> str:
    return f"{answers // 1000}k" if answers >= 1000 else str(answers)

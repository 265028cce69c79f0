"""People: ``/chat people`` over a million stored answers, and a weekly chat's series page.

**Who to follow on a topic.** 1,000,000 answers (plus a reply for one in ten) in 2,000
occurrences of 20 weekly chats, from 5,000 people; a third of the answers drew reactions
(:mod:`bench.people_data`: made-up words drawn Zipf-like, the topic words at chosen ranks, so
the commonest, "podcast", is in about one answer in twenty; each occurrence asks five
questions of its chat's bank). Each of 20 topics (common and rare words, two words, accents,
a word of the questions, a word nobody wrote) is answered by the bot's own query,
:func:`bot.runtime.people.people_to_follow` over every chat; the figure is its p99 (nearest
rank over the 20), held to 1 s. The baseline, each topic back to back with it: reading the
answers on the topic alone (the index's matches and the answers to questions that have the
words, joined to their rows), without counting anything. The topic index is brought up to
date once before (its first build over the million rows is told as information: the bot does
it at the first search after an upgrade, and a few new rows at each search after). Without a
topic (the last 90 days) is told as information.

**A chat's community over time.** A weekly chat of 260 occurrences (five years), 50 answers
each from a community that comes and goes. The figure builds its series page as the archive
does: :func:`bot.runtime.people.chat_series` from the store, the chart, the HTML; held to 2 s.
The baseline: reading its occurrences and answers alone (the store calls the series makes).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.common import Figure, above, percentile
from bench.people_data import CHATS, TOPICS, fill_million, fill_series, start_of, topic, vocabulary
from bench.world import temp_db
from bot.archive.people_pages import render_series_page
from bot.core.engagement import topic_clauses, topic_words
from bot.render.series_chart import render_series_chart
from bot.runtime.people import chat_series, people_to_follow
from bot.storage import SqliteStore, open_store
from bot.storage.people import fts_query

NAME = "people"
#: ``/chat people``: the p99 over the topics, at most (seconds).
TARGET_PEOPLE = 1.0
#: The series page of :data:`bench.config.Config.series_occurrences` occurrences, at most.
TARGET_SERIES = 2.0


@dataclass(frozen=True)
class PeopleResult:
    """Seconds per topic of ``/chat people`` and of reading the matching rows; the index."""

    answers: int
    occurrences: int
    query: tuple[float, ...]
    matching: tuple[float, ...]
    rows: tuple[int, ...]
    found: tuple[int, ...]
    index_build: float
    indexed: int
    #: ``/chat people`` without a topic (the last 90 days), and the occurrences it read.
    recent: float
    recent_occurrences: int


@dataclass(frozen=True)
class SeriesResult:
    """Seconds to build the series page (best of the repeats) and to read its data alone."""

    occurrences: int
    answers: int
    build: float
    read: float
    parts: dict[str, float]


async def _matching_rows(
    store: SqliteStore, questions: dict[tuple[int, int], str], asked: str
) -> int:
    """The baseline: read every answer on the topic (its text, or its question, has the
    words), engaged or not, as the bot's query selects them (the index's matches, or the
    answers to a question that has the words), without counting anything."""
    found = 0
    for clause in topic_clauses(topic_words(asked), questions):
        keys = json.dumps([occurrence * 10_000 + question for occurrence, question in clause.pairs])
        in_pairs = "a.occurrence_id * 10000 + a.question IN (SELECT value FROM json_each(?))"
        if clause.words:
            rows = await store.db.fetchall(
                "SELECT a.* FROM answer_words w JOIN answers a ON a.rowid = w.rowid "
                f"WHERE answer_words MATCH ? AND {in_pairs}",
                (fts_query(clause.words), keys),
            )
        else:
            occurrences = json.dumps(sorted({occurrence for occurrence, _ in clause.pairs}))
            rows = await store.db.fetchall(
                "SELECT a.* FROM answers a "
                f"WHERE a.occurrence_id IN (SELECT value FROM json_each(?)) AND {in_pairs}",
                (occurrences, keys),
            )
        found += len(rows)
    return found


async def measure_people(folder: Path, answers: int, topics: int) -> PeopleResult:
    """Fill, index once, then time each topic: the bot's query and the baseline, back to back."""
    database = temp_db(folder, "people.db")
    await (await open_store(database)).close()  # the schema, as the bot creates it
    occurrences = fill_million(database, answers)
    store = await open_store(database)
    try:
        began = time.perf_counter()
        indexed = await store.sync_topic_index()
        index_build = time.perf_counter() - began
        now = start_of(occurrences) + timedelta(days=1)
        words = vocabulary()
        chosen = [topic(text, words) for text in (TOPICS * (1 + topics // len(TOPICS)))[:topics]]
        await people_to_follow(store, now, topic="warm")  # caches, as a running bot has them
        questions = {
            (info.occurrence_id, number): text
            for info in await store.occurrence_infos()
            for number, text in enumerate(info.questions, start=1)
        }
        query, matching, rows, found = [], [], [], []
        for asked in chosen:
            began = time.perf_counter()
            rows.append(await _matching_rows(store, questions, asked))
            matching.append(time.perf_counter() - began)
            began = time.perf_counter()
            result = await people_to_follow(store, now, topic=asked)
            query.append(time.perf_counter() - began)
            found.append(len(result.people))
        began = time.perf_counter()
        lately = await people_to_follow(store, now)
        recent = time.perf_counter() - began
    finally:
        await store.close()
    return PeopleResult(
        answers,
        occurrences,
        tuple(query),
        tuple(matching),
        tuple(rows),
        tuple(found),
        index_build,
        indexed,
        recent,
        lately.occurrences,
    )


async def measure_series(
    folder: Path, occurrences: int, per_occurrence: int, repeats: int
) -> SeriesResult:
    """Build the series page (model, chart, HTML) and read its data alone; best of ``repeats``."""
    database = temp_db(folder, "series.db")
    store = await open_store(database)
    try:
        chat_id = await fill_series(store, occurrences, per_occurrence)
        builds, reads = [], []
        parts: dict[str, float] = {}
        for _ in range(repeats):
            began = time.perf_counter()
            history = await store.occurrences(chat_id=chat_id)
            for occurrence in history:
                await store.answers(occurrence.run.occurrence_id)
            reads.append(time.perf_counter() - began)
            began = time.perf_counter()
            series = await chat_series(store, chat_id)
            model = time.perf_counter()
            chart = await asyncio.to_thread(render_series_chart, series)
            drawn = time.perf_counter()
            render_series_page(series, {}, {}, chart)
            done = time.perf_counter()
            builds.append(done - began)
            if done - began <= min(builds):
                parts = {"model": model - began, "chart": drawn - model, "html": done - drawn}
    finally:
        await store.close()
    return SeriesResult(occurrences, occurrences * per_occurrence, min(builds), min(reads), parts)


async def measure(
    folder: Path, answers: int, topics: int, occurrences: int, per_occurrence: int, repeats: int
) -> tuple[PeopleResult, SeriesResult]:
    """Both figures."""
    people = await measure_people(folder, answers, topics)
    series = await measure_series(folder, occurrences, per_occurrence, repeats)
    return people, series


def figures(result: tuple[PeopleResult, SeriesResult]) -> list[Figure]:
    """The people rows of the table."""
    people, series = result
    p99 = percentile(people.query, 0.99)
    base99 = percentile(people.matching, 0.99)
    passed = p99 < TARGET_PEOPLE
    rows = [
        Figure(
            NAME,
            f"/chat people p50 / p99, {len(people.query)} topics, "
            f"{people.answers:,} answers stored",
            f"{percentile(people.query, 0.5) * 1000:.0f} ms / {p99 * 1000:.0f} ms",
            f"reading the matching rows alone: {percentile(people.matching, 0.5) * 1000:.0f} ms"
            f" / {base99 * 1000:.0f} ms",
            f"p99 < {TARGET_PEOPLE:g} s",
            passed,
            f"{people.occurrences:,} occurrences of {CHATS} chats; matching rows per topic "
            f"{min(people.rows):,}-{max(people.rows):,}; people found per topic "
            f"{min(people.found)}-{max(people.found)}; the topic index's first build: "
            f"{people.indexed:,} rows in {people.index_build:.1f} s (once, at the first search)",
            "" if passed else above(p99, TARGET_PEOPLE, " s"),
        )
    ]
    rows.append(
        Figure(
            NAME,
            "/chat people without a topic (the last 90 days)",
            f"{people.recent * 1000:.0f} ms",
            f"{people.recent_occurrences:,} occurrences read",
            "(information)",
            None,
            "every chat of the database; the engaged answers of the occurrences that started "
            "in the last 90 days",
        )
    )
    passed = series.build < TARGET_SERIES
    rows.append(
        Figure(
            NAME,
            f"series page, weekly chat of {series.occurrences} occurrences "
            f"({series.answers:,} answers)",
            f"{series.build:.3f} s",
            f"reading its occurrences and answers alone: {series.read:.3f} s",
            f"< {TARGET_SERIES:g} s",
            passed,
            "best of the repeats; "
            + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in series.parts.items()),
            "" if passed else above(series.build, TARGET_SERIES, " s"),
        )
    )
    return rows

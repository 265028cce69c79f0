"""Archive: the published archive of a weekly chat kept for five years.

**The data.** One weekly chat, 260 occurrences (five years), 200,000 answers in all (about
770 each, five questions, from a community of 2,000 people), made-up words drawn Zipf-like
(:mod:`bench.people_data`, so "podcast" is in about one answer in twenty), and 20,000
resources: one answer in ten shares a link of its own. 30 boards: the chat series' own board
(every link) and 29 topic boards whose keywords are made-up words of ranks 60 to 2,000 (a few
dozen to a couple of thousand links each), with 3,000 saves by 600 members (a tenth of them to
My saves, never published), 20 of the community having opted out (their saves counted, never
named).

**Full build.** :func:`bot.archive.build_archive` from the store into an empty folder, charts
included, as the bot publishes it (``ARCHIVE_DIR``): every recap read, rendered and written,
the series page, the resources page, the search index and the 30 board pages. Information (no
target).

**Incremental update after one new recap.** A 261st occurrence is stored, then the build the
bot's :class:`bot.runtime.publisher.ArchivePublisher` makes after its recap: the same
:class:`bot.archive.site.ArchiveCache` as the full build, ``changed`` that occurrence; repeated
with a 262nd, ... (``repeats``), the best is held to 2 s (the machine is shared). Baseline
(same run, best likewise): rendering that one recap's page alone (its model from the store,
its chart, its HTML), which any update must do. The update rewrites the board pages too (the
new recap's links join the series board and the topic boards they match).

**/board show.** :meth:`bot.runtime.boards.BoardService.show` for one topic board at this size,
as the command calls it (the member's channel filter is the adapter's, not timed): the first
call after a start (every past recap read once) and then the best of ``repeats`` calls, each
after one more answer with a link was stored in the newest recap (so that recap is read
again). Baseline: reading one recap (:func:`bot.runtime.recaps.load_recap`), same run.

**Sizes.** The whole folder, and the search index (``search-index.js`` and ``search/``): what a
search may download is a small part of it.

**Search in Chromium.** The folder served over HTTP on 127.0.0.1 (a ``http.server`` in this
process that counts the bytes it sends); headless Chromium opens ``search.html?q=<word>``
with a fresh profile, and ``search.js`` records ``performance.now()`` (milliseconds since the
navigation began) when the first result is shown. The figure is the median over
five opens of a common word ("podcast"), held to 300 ms, with the bytes served for one open,
held to 5 MB. Baseline: the same page with an empty query (the page and its index alone). A
one-letter search (the most shards) is told as information.
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import Figure, above
from bench.people_data import _spec, _Writer, vocabulary
from bot.archive import build_archive
from bot.archive.pages import render_recap_page
from bot.archive.site import ArchiveCache
from bot.core.boards import MY_SAVES_ID, Board, BoardSpec, parse_keywords, series_boards
from bot.core.recap.text import normalise_link
from bot.core.spec import ChatSpec
from bot.render.chart import render_chart
from bot.runtime.boards import BoardService
from bot.runtime.clock import SystemClock
from bot.runtime.recaps import StoredRecaps, load_recap
from bot.storage import SqliteStore, open_store
from bot.storage._convert import ts
from tests.browser.chromium import FLAGS, find_chromium
from tests.unit.recap.generate import finished_run

NAME = "archive"
START = datetime(2022, 1, 4, 1, 0, tzinfo=UTC)
#: The incremental update after one new recap, at most (seconds).
TARGET_UPDATE = 2.0
#: From opening the search page to its first result, at most (milliseconds).
TARGET_SEARCH_MS = 300.0
#: What that search downloads, at most (bytes).
TARGET_SEARCH_BYTES = 5_000_000
WORD = "podcast"
PEOPLE = 2_000
#: Topic boards (the chat series' board makes 30), their keywords' ranks in the vocabulary.
TOPIC_RANKS = tuple(range(60, 2_001, 67))[:29]
SAVES = 3_000
SAVERS = 600
OPTED_OUT = 20


@dataclass(frozen=True)
class ArchiveResult:
    """What was measured."""

    recaps: int
    answers: int
    resources: int
    full_build: float
    files: int
    update: float
    updates: tuple[float, ...]
    update_changed: int
    one_page: float
    total_bytes: int
    index_bytes: int
    index_meta_bytes: int
    search_ms: tuple[float, ...]
    search_bytes: int
    found: str
    empty_ms: tuple[float, ...]
    empty_bytes: int
    letter_ms: float
    letter_bytes: int
    chromium: str | None
    boards: int
    board_pages: int
    show_first: float
    show: float
    shows: tuple[float, ...]
    show_cards: int
    one_recap: float


async def fill(store: SqliteStore, database: Path, occurrences: int, answers: int) -> list[int]:
    """The weekly chat: ``occurrences`` occurrences sharing ``answers`` answers; returns the
    occurrences' ids."""
    spec = _spec(0, repeat="weekly")
    await store.save_chat(spec)
    ids = []
    for week in range(occurrences):
        run = await store.create_occurrence(
            spec, replace(finished_run(spec, START + timedelta(weeks=week)), occurrence_id=0)
        )
        ids.append(run.occurrence_id)
    with closing(sqlite3.connect(database, isolation_level=None)) as connection:
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO participants (user_id, name, first_seen) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO NOTHING",
            [(10_000 + n, f"Learner {n}", ts(START)) for n in range(PEOPLE)],
        )
        per = max(1, answers // occurrences)
        for number, occurrence_id in enumerate(ids):
            _insert_answers(connection, occurrence_id, number, per, START + timedelta(weeks=number))
        connection.execute("COMMIT")
    await add_boards(store, database, spec)
    return ids


async def add_boards(store: SqliteStore, database: Path, spec: ChatSpec) -> list[Board]:
    """The chat series' board and :data:`TOPIC_RANKS` topic boards, :data:`SAVES` saves by
    :data:`SAVERS` members (a tenth to My saves), :data:`OPTED_OUT` people opted out."""
    words = _words()
    await store.sync_series_boards(series_boards([(spec.id, spec.hashtag, spec.title)], START))
    for number, rank in enumerate(TOPIC_RANKS):
        keywords = parse_keywords([words[rank - 1], words[rank * 2 - 1]])
        await store.create_board(
            BoardSpec(f"Topic {number + 1:02d}", f"Links about {words[rank - 1]}", keywords),
            created_by=1,
            at=START,
        )
    boards = await store.boards()
    chance = random.Random(16)
    with closing(sqlite3.connect(database, isolation_level=None)) as connection:
        connection.execute("BEGIN")
        links = connection.execute(
            "SELECT message_id, content, created_at FROM answers WHERE content LIKE ? "
            "ORDER BY message_id",
            ("%https://%",),
        ).fetchall()
        rows = []
        for _ in range(SAVES):
            message_id, content, created_at = chance.choice(links)
            board = chance.choice(boards) if chance.random() > 0.1 else None
            rows.append(
                (
                    board.board_id if board is not None else MY_SAVES_ID,
                    10_000 + chance.randrange(SAVERS),
                    normalise_link(content[content.index("https://") :].split()[0]) or "",
                    message_id,
                    spec.channel,
                    1,
                    created_at,
                    "",
                )
            )
        connection.executemany(
            "INSERT INTO board_saves (board_id, user_id, url, message_id, channel_id, guild_id, "
            "saved_at, user_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (board_id, user_id, url) DO NOTHING",
            rows,
        )
        connection.execute(
            "UPDATE participants SET opted_out = 1 WHERE user_id >= ? AND user_id < ?",
            (10_000, 10_000 + OPTED_OUT),
        )
        connection.execute("COMMIT")
    return boards


_LINKS = iter(range(10**9))


def _insert_answers(
    connection: sqlite3.Connection,
    occurrence_id: int,
    seed: int,
    count: int,
    start: datetime,
    first: int = 0,
) -> None:
    chance = random.Random(seed)
    writer = _Writer(_words(), seed)
    rows = []
    for index in range(count):
        text = writer.text()
        if index % 10 == 0:  # one answer in ten shares a link of its own
            text += f" https://example.org/resource/{next(_LINKS)}"
        at = start + timedelta(minutes=8 + index * 40 / count)
        rows.append(
            (
                occurrence_id * 1_000_000 + first + index,
                0,
                occurrence_id,
                800_000_000,
                10_000 + chance.randrange(PEOPLE),
                1 + index * 5 // count,
                text,
                "prefix",
                ts(at),
                chance.choice((0, 0, 0, 1, 2)),
                None,
            )
        )
    connection.executemany(
        "INSERT INTO answers (message_id, part, occurrence_id, channel_id, author_id, question, "
        "content, source, created_at, reactions, reply_to) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


@functools.cache
def _words() -> list[str]:
    return vocabulary()


def folder_bytes(folder: Path) -> int:
    """The size of every file under ``folder``."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


class _Counting(SimpleHTTPRequestHandler):
    """Serves the archive; counts the bytes of every body it sends."""

    sent = 0
    lock = threading.Lock()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        with self.lock:
            type(self).sent += len(data)
        outputfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def _serve(folder: Path) -> ThreadingHTTPServer:
    handler = functools.partial(_Counting, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


_MS = re.compile(r'data-search-ms="(\d+)"')
_SUMMARY = re.compile(r'<p id="summary"[^>]*>(.*?)</p>', re.DOTALL)


def open_search(chromium: str, server: ThreadingHTTPServer, query: str) -> tuple[float, int, str]:
    """Open the search page for ``query`` in a fresh headless Chromium: (milliseconds from
    the navigation to the first results, bytes served, the summary line)."""
    port = server.server_address[1]
    with tempfile.TemporaryDirectory(prefix="qachat-chromium-") as profile:
        _Counting.sent = 0
        done = subprocess.run(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--dump-dom",
                f"http://127.0.0.1:{port}/search.html?q={query}",
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
        sent = _Counting.sent
    found = _MS.search(done.stdout)
    summary = _SUMMARY.search(done.stdout)
    if found is None or summary is None:
        raise RuntimeError(f"the search page showed no results: {done.stdout[-500:]!r}")
    return float(found.group(1)), sent, summary.group(1)


async def measure(folder: Path, occurrences: int, answers: int, repeats: int) -> ArchiveResult:
    """Fill the store, build, update, and search."""
    database = folder / "archive-bench.db"
    database.unlink(missing_ok=True)
    out = folder / "archive-site"
    store = await open_store(database)
    try:
        ids = await fill(store, database, occurrences, answers)
        recaps = StoredRecaps(store)
        cache = ArchiveCache()
        began = time.perf_counter()
        full = await build_archive(recaps, out, cache=cache)
        full_build = time.perf_counter() - began

        # One more recap at a time: store it, then the publisher's build after it; and the
        # baseline, that recap's page alone. Best of the repeats (the machine is shared).
        spec = _spec(0, repeat="weekly")
        updates: list[float] = []
        pages: list[float] = []
        update = full
        for extra in range(max(1, repeats)):
            start = START + timedelta(weeks=occurrences + extra)
            run = await store.create_occurrence(
                spec, replace(finished_run(spec, start), occurrence_id=0)
            )
            with closing(sqlite3.connect(database, isolation_level=None)) as connection:
                connection.execute("BEGIN")
                per = max(1, answers // occurrences)
                _insert_answers(connection, run.occurrence_id, len(ids) + extra, per, start)
                connection.execute("COMMIT")
            began = time.perf_counter()
            update = await build_archive(recaps, out, cache=cache, changed={run.occurrence_id})
            updates.append(time.perf_counter() - began)

            occurrence = await store.load_occurrence(run.occurrence_id)
            began = time.perf_counter()
            recap = await load_recap(store, occurrence)
            render_recap_page(recap, render_chart(recap))
            pages.append(time.perf_counter() - began)
        show = await measure_show(store, database, run.occurrence_id, repeats)
        boards = len(await store.boards())
    finally:
        await store.close()

    index_files = [out / "search-index.js", *(out / "search").rglob("*.js")]
    chromium = find_chromium()
    search_ms: list[float] = []
    empty_ms: list[float] = []
    search_bytes = empty_bytes = letter_bytes = 0
    letter_ms = 0.0
    found = ""
    if chromium:
        server = _serve(out)
        try:
            for _ in range(max(5, repeats)):
                ms, search_bytes, found = await asyncio.to_thread(
                    open_search, chromium, server, WORD
                )
                search_ms.append(ms)
                ms, empty_bytes, _ = await asyncio.to_thread(open_search, chromium, server, "")
                empty_ms.append(ms)
            letter_ms, letter_bytes, _ = await asyncio.to_thread(open_search, chromium, server, "p")
        finally:
            server.shutdown()
            server.server_close()
    return ArchiveResult(
        recaps=full.recaps,
        answers=answers,
        resources=full.resources,
        full_build=full_build,
        files=len(full.files),
        update=min(updates),
        updates=tuple(updates),
        update_changed=len(update.changed),
        one_page=min(pages),
        total_bytes=folder_bytes(out),
        index_bytes=sum(path.stat().st_size for path in index_files),
        index_meta_bytes=(out / "search-index.js").stat().st_size,
        search_ms=tuple(search_ms),
        search_bytes=search_bytes,
        found=found,
        empty_ms=tuple(empty_ms),
        empty_bytes=empty_bytes,
        letter_ms=letter_ms,
        letter_bytes=letter_bytes,
        chromium=chromium,
        boards=boards,
        board_pages=sum(1 for name in update.files if name.startswith("boards/")),
        show_first=show.first,
        show=min(show.again),
        shows=show.again,
        show_cards=show.cards,
        one_recap=min(show.recap),
    )


@dataclass(frozen=True)
class _Show:
    first: float
    again: tuple[float, ...]
    cards: int
    recap: tuple[float, ...]


async def measure_show(store: SqliteStore, database: Path, newest: int, repeats: int) -> _Show:
    """``/board show`` for the first topic board: once after a start, then after each of
    ``repeats`` new answers with a link in the newest recap; and one recap's read."""
    service = BoardService(store, SystemClock())
    name = "Topic 01"
    began = time.perf_counter()
    view = await service.show(name)
    first = time.perf_counter() - began
    again: list[float] = []
    recap: list[float] = []
    occurrence = await store.load_occurrence(newest)
    for extra in range(max(1, repeats)):
        with closing(sqlite3.connect(database, isolation_level=None)) as connection:
            connection.execute("BEGIN")
            _insert_answers(
                connection, newest, 10_000 + extra, 1, occurrence.run.start, first=900_000 + extra
            )
            connection.execute("COMMIT")
        began = time.perf_counter()
        view = await service.show(name)
        again.append(time.perf_counter() - began)
        began = time.perf_counter()
        await load_recap(store, occurrence)
        recap.append(time.perf_counter() - began)
    return _Show(first, tuple(again), view.count, tuple(recap))


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def figures(result: ArchiveResult) -> list[Figure]:
    """The rows of the table."""
    size = (
        f"{result.recaps} recaps, {result.answers:,} answers, {result.resources:,} resources, "
        f"{result.boards} boards"
    )
    rows = [
        Figure(
            NAME,
            f"full build ({size})",
            f"{result.full_build:.1f} s",
            "-",
            "-",
            None,
            f"{result.files:,} files written, charts included (information).",
        ),
        Figure(
            NAME,
            "incremental update after one new recap",
            f"{result.update:.2f} s",
            f"{result.one_page:.2f} s (that recap's page alone)",
            f"< {TARGET_UPDATE:g} s",
            result.update < TARGET_UPDATE,
            f"Best of {len(result.updates)} (each a new recap: "
            f"{', '.join(f'{u:.2f}' for u in result.updates)} s); the last changed "
            f"{result.update_changed:,} files; the other recaps were neither read nor rendered "
            f"again; the {result.board_pages} board pages were built again.",
            "" if result.update < TARGET_UPDATE else above(result.update, TARGET_UPDATE, " s"),
        ),
        Figure(
            NAME,
            "archive size (search index)",
            f"{_mb(result.total_bytes)} ({_mb(result.index_bytes)})",
            f"{result.index_meta_bytes / 1000:.0f} kB (search-index.js, loaded with the page)",
            "-",
            None,
            "The search index is split into shards (by the words' first two characters) and "
            "chunks (100 messages of one recap): a search downloads a small part of it.",
        ),
    ]
    rows.append(
        Figure(
            NAME,
            "/board show (one topic board)",
            f"{result.show * 1000:.0f} ms",
            f"{result.one_recap * 1000:.0f} ms (one recap read)",
            "-",
            None,
            f"Best of {len(result.shows)}, each after a new answer with a link in the newest "
            f"recap ({', '.join(f'{s * 1000:.0f}' for s in result.shows)} ms); the board "
            f"had {result.show_cards:,} cards. The first call after a start, every past "
            f"recap read once: {result.show_first:.1f} s (information).",
        )
    )
    if not result.search_ms:
        rows.append(
            Figure(NAME, "search in Chromium", "not measured", "-", "-", None, "no chromium")
        )
        return rows
    median = statistics.median(result.search_ms)
    empty = statistics.median(result.empty_ms)
    rows += [
        Figure(
            NAME,
            f'search "{WORD}": opening to first result',
            f"{median:.0f} ms",
            f"{empty:.0f} ms (the page and its index, no query)",
            f"< {TARGET_SEARCH_MS:g} ms",
            median < TARGET_SEARCH_MS,
            f"Median of {len(result.search_ms)} opens in headless Chromium over HTTP on "
            f"127.0.0.1 ({', '.join(f'{ms:.0f}' for ms in result.search_ms)} ms); the page said "
            f'{result.found!r}. One letter ("p", every shard of that letter): '
            f"{result.letter_ms:.0f} ms, {_mb(result.letter_bytes)}.",
            "" if median < TARGET_SEARCH_MS else above(median, TARGET_SEARCH_MS, " ms"),
        ),
        Figure(
            NAME,
            f'search "{WORD}": bytes downloaded',
            _mb(result.search_bytes),
            f"{_mb(result.empty_bytes)} (no query)",
            f"< {_mb(TARGET_SEARCH_BYTES)}",
            result.search_bytes < TARGET_SEARCH_BYTES,
            "Every body the server sent for the page: HTML, scripts, index, shards, chunks.",
            ""
            if result.search_bytes < TARGET_SEARCH_BYTES
            else above(result.search_bytes, TARGET_SEARCH_BYTES, " bytes"),
        ),
    ]
    return rows

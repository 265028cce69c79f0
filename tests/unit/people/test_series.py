"""A chat's community over time, against a hand-computed fixture of five occurrences
(:mod:`tests.unit.people.series_fixture`): the model from a real SQLite store, the archive's
series page, and what ``/host stats`` says (text and chart)."""

from __future__ import annotations

import asyncio
import re
from html import unescape
from pathlib import Path

import pytest

from bot.archive import build_archive
from bot.archive.people_pages import render_series_page
from bot.core.errors import ChatNotFound
from bot.core.series import Series
from bot.render.people import render_stats
from bot.render.series_chart import render_series_chart
from bot.runtime.people import chat_series
from bot.runtime.recaps import StoredRecaps
from bot.storage import SqliteStore, open_store
from tests.unit.people.series_fixture import (
    PEOPLE,
    REGULARS,
    ROWS,
    THEMES,
    THRESHOLD,
    UNNAMED_REGULARS,
    store_series,
)

DATES = ["2027-03-01", "2027-03-08", "2027-03-15", "2027-03-22", "2027-03-29"]


@pytest.fixture
async def series(store: SqliteStore) -> Series:
    await store_series(store)
    return await chat_series(store, "edchat")


def test_every_figure_is_the_hand_computed_one(series: Series) -> None:
    assert [
        (r.participants, r.newcomers, r.returning, r.answers, r.resources) for r in series.rows
    ] == ROWS
    assert [(r.name, r.occurrences) for r in series.regulars] == REGULARS
    assert series.unnamed_regulars == UNNAMED_REGULARS  # eve: counted, never named
    assert series.threshold == THRESHOLD
    assert series.people == PEOPLE  # fay, forgotten, never counted
    assert [(t.phrase, t.occurrences, t.answers) for t in series.themes] == THEMES
    assert series.recurring


def test_the_series_page_shows_the_same_figures(series: Series) -> None:
    html = render_series_page(series, {}, {}, render_series_chart(series))
    cells = [
        [unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(<td>.*?)</tr>", html)
    ]
    assert [[int(n) for n in row[1:]] for row in cells] == [list(r) for r in ROWS]
    assert cells[0][0] == "Mon 1 Mar 2027"  # the chat's local date (Phoenix)
    text = unescape(re.sub(r"<[^>]+>", "", html))
    assert "5 occurrences and 6 people in all" in text
    assert "People in at least 3 of the 5 occurrences:" in text
    assert "ana (4)" in text
    assert "ben (3)" in text
    assert "1 more person took part as often" in text
    assert "book club (2 chats, 4 answers)" in text
    assert "podcast (2 chats, 4 answers)" in text
    for unnamed in ("eve", "fay", "secret"):
        assert not re.search(rf"\b{unnamed}\b", text), unnamed
    assert re.search(r'<img alt="Participants per occurrence[^>]*src="data:image/png;base64,', html)
    assert '<a href="../index.html">← All chats</a>' in html


def test_host_stats_says_the_same_figures(series: Series) -> None:
    text = render_stats(series)
    table = text.split("```\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert table[0].split() == ["date", "people", "new", "back", "answers", "links"]
    assert [row.split() for row in table[1:]] == [
        [day, *map(str, row)] for day, row in zip(DATES, ROWS, strict=True)
    ]
    assert text.startswith("**Ed Chat #EdChat: the community over time** · 5 occurrences, 6 people")
    assert "**Returning voices** (in at least 3 of 5): ana (4), ben (3), 1 more, not named" in text
    assert "**Recurring themes:** book club (2 chats, 4 answers), podcast (2 chats, 4 answers)" in (
        text
    )
    assert not re.search(r"\beve\b", text)
    assert len(text) <= 2000


def test_the_chart_is_a_png_that_is_the_same_every_time(series: Series) -> None:
    chart = render_series_chart(series)
    assert chart.startswith(b"\x89PNG\r\n\x1a\n")
    assert render_series_chart(series) == chart


async def test_an_unknown_chat_has_no_series(store: SqliteStore) -> None:
    with pytest.raises(ChatNotFound):
        await chat_series(store, "nochat")


def test_the_archive_writes_the_series_page_of_a_recurring_chat(tmp_path: Path) -> None:
    async def build() -> None:
        store = await open_store(tmp_path / "bot.db")
        try:
            await store_series(store)
            await build_archive(StoredRecaps(store), tmp_path / "site", charts=False)
        finally:
            await store.close()

    asyncio.run(build())
    page = (tmp_path / "site" / "chats" / "edchat.html").read_text(encoding="utf-8")
    links = re.findall(r'<td><a href="\.\./(edchat-[\d-]+\.html)">', page)
    assert links == [f"edchat-{day}.html" for day in DATES]
    assert all((tmp_path / "site" / link).is_file() for link in links)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert index.count('<a href="chats/edchat.html">') == 5  # from each of its occurrences

"""Building the archive: which occurrences it holds, and writing its files.

Each recap's page is written as soon as its recap is built, and only what the index,
the resources page and the search index need is kept, so a long history does not have
to fit in memory at once.

Re-running overwrites the site: the same database gives the same bytes. Each file is
written to a temporary name and renamed, so a reader never sees half a page. The names
written are kept in ``.qachat-archive``; on the next run, pages listed there that are no
longer part of the archive (an occurrence removed from the database) are deleted. Nothing
else in the folder is touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.archive.board_pages import BOARDS, board_links, write_board_pages
from bot.archive.entries import (
    Entry,
    Place,
    chat_series,
    merge_resources,
    share_places,
)
from bot.archive.pages import (
    SCRIPTS,
    render_index,
    render_recap_page,
    render_resources,
    render_search,
    script,
)
from bot.archive.people_pages import (
    CHATS,
    PEOPLE,
    ProfilePage,
    render_profile_page,
    render_series_page,
    series_page_name,
)
from bot.archive.search_index import message_rows, render_search_index
from bot.core.ports import RecapReader
from bot.core.profiles import PublicProfile
from bot.core.recap import Recap
from bot.core.series import Series
from bot.render import file_stem

#: The list of files the last run wrote, one name a line.
MANIFEST = ".qachat-archive"
INDEX = "index.html"
RESOURCES = "resources.html"
SEARCH = "search.html"
SEARCH_INDEX = "search-index.js"
#: A page this archive writes: in its folder, or one folder down (people/, chats/).
_OWN_NAME = re.compile(rf"(?:(?:{PEOPLE}|{CHATS}|{BOARDS})/)?[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class ArchiveReport:
    """What a run wrote."""

    out: Path
    recaps: int
    resources: int
    messages: int
    files: tuple[str, ...]


async def build_archive(recaps: RecapReader, out: Path, *, charts: bool = True) -> ArchiveReport:
    """Write the archive of every past recap that ``recaps`` reads to the folder ``out``
    (created), with a page for every public profile and every recurring chat.
    ``charts`` False leaves the charts out of the recap and series pages (faster).

    Rendering and writing run in a worker thread, recap by recap, so the event loop stays free.
    """
    site = await asyncio.to_thread(_Site, out, charts, await recaps.public_profiles())
    for occurrence in await recaps.archived():
        await asyncio.to_thread(site.add, await recaps.recap(occurrence))
    for chat_id in site.chats():
        series = await recaps.series(chat_id)
        await asyncio.to_thread(site.add_series, series)
    # The boards (bot.archive.board_pages): from the links of the recaps written.
    boards = await recaps.boards(board_links(site.places))
    await asyncio.to_thread(write_board_pages, site.write, boards, chat_series(site.entries))
    return await asyncio.to_thread(site.finish)


class _Site:
    """The folder being written, and what the shared pages need of each recap."""

    def __init__(self, out: Path, charts: bool, profiles: Sequence[PublicProfile]) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.charts = charts
        self.written: list[str] = []
        self.entries: list[Entry] = []
        self.rows: dict[str, list[list[Any]]] = {}
        self.places: list[Place] = []
        self.taken: set[str] = {INDEX, RESOURCES, SEARCH, SEARCH_INDEX, *SCRIPTS}
        self.profiles = {p.user_id: ProfilePage(p) for p in profiles}
        #: The page of each public profile, by user id (names link to it).
        self.profile_pages = {p.user_id: p.page for p in profiles}
        #: The page of each recurring chat, by chat id.
        self.series_pages: dict[str, str] = {}

    def write(self, name: str, text: str) -> None:
        path = self.out / name
        path.parent.mkdir(exist_ok=True)
        _write(path, text.encode("utf-8"))
        self.written.append(name)

    def add(self, recap: Recap) -> None:
        """Write the recap's page (a recap with no answers has none) and keep its entry."""
        if not recap.header.answers:
            return
        from bot.render.chart import render_chart  # matplotlib is heavy: load it when drawing

        page = _page_name(file_stem(recap), self.taken)
        self.taken.add(page)
        chart = render_chart(recap) if self.charts else None
        self.write(page, render_recap_page(recap, chart, self.profile_pages))
        entry = Entry.of(page, recap)
        self.entries.append(entry)
        self.rows[page] = message_rows(recap, self.profile_pages)
        self.places += share_places(entry, recap)
        for profile in self.profiles.values():
            profile.add(entry, recap)

    def chats(self) -> list[str]:
        """The chats that have a recap page, each once, by id."""
        return sorted({entry.header.chat_id for entry in self.entries})

    def add_series(self, series: Series) -> None:
        """Write the chat's series page when it recurs (a recurrence rule, or two recaps)."""
        pages = {e.header.occurrence_id: e.page for e in self.entries}
        recapped = sum(1 for row in series.rows if row.occurrence_id in pages)
        if not series.recurring and recapped < 2:
            return
        from bot.render.series_chart import render_series_chart  # matplotlib: load when drawing

        chart = render_series_chart(series) if self.charts else None
        name = series_page_name(series.chat_id)
        self.write(name, render_series_page(series, pages, self.profile_pages, chart))
        self.series_pages[series.chat_id] = name

    def finish(self) -> ArchiveReport:
        """Write the index, resources and search pages, then forget stale pages."""
        entries = self.entries
        newest_first = sorted(entries, key=lambda e: e.sort_key, reverse=True)
        resources = merge_resources(self.places)
        series = chat_series(entries)
        for profile in self.profiles.values():
            self.write(profile.profile.page, render_profile_page(profile))
        self.write(INDEX, render_index(newest_first, len(resources), self.series_pages))
        self.write(RESOURCES, render_resources(resources, entries, series, self.profile_pages))
        self.write(SEARCH, render_search(entries, series))
        self.write(
            SEARCH_INDEX, render_search_index([(e, self.rows[e.page]) for e in newest_first])
        )
        for name in SCRIPTS:
            self.write(name, script(name))
        _forget_stale(self.out, self.written)
        manifest = "".join(f"{name}\n" for name in sorted(self.written))
        _write(self.out / MANIFEST, manifest.encode("utf-8"))
        return ArchiveReport(
            out=self.out,
            recaps=len(entries),
            resources=len(resources),
            messages=sum(len(rows) for rows in self.rows.values()),
            files=tuple(self.written),
        )


def _page_name(stem: str, taken: set[str]) -> str:
    """``stem.html``, or ``stem-2.html`` … when a chat ran twice on one local date."""
    name, number = f"{stem}.html", 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}.html"
    return name


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _forget_stale(out: Path, written: Sequence[str]) -> None:
    """Delete the files the previous run wrote that this one did not."""
    try:
        previous = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    keep = set(written)
    for name in previous:
        if name not in keep and _OWN_NAME.fullmatch(name):
            (out / name).unlink(missing_ok=True)
    for folder in (PEOPLE, CHATS, BOARDS):  # a folder this archive emptied goes too
        with contextlib.suppress(OSError):
            (out / folder).rmdir()

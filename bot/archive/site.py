"""Building the archive: which occurrences it holds, and writing its files.

Each recap's page is written as soon as its recap is built, and only what the index,
the resources page and the search index need is kept, so a long history does not have
to fit in memory at once.

Re-running updates the site: the same database gives the same bytes, and a file whose
bytes did not change is not written again (its time stays, so a static server's caches and
a sync tool see only what changed). Each file that did change is written to a temporary
name and renamed, so a reader never sees half a page. The names written are kept in
``.qachat-archive``; on the next run, pages listed there that are no longer part of the
archive (an occurrence removed from the database) are deleted. Nothing else in the folder
is touched.

Incremental builds: a process that rebuilds the archive again and again (the running bot,
:class:`bot.runtime.publisher.ArchivePublisher`) passes the same :class:`ArchiveCache` to
every build, with the occurrences that changed since the last one. A recap that did not
change is then neither read from the store nor rendered again: what the shared pages need
of it is kept in the cache. A recap that was read again is rendered only when its model (its
*fingerprint*) differs from the one its page was rendered from.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
from collections.abc import Collection, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.archive.board_pages import board_links, write_board_pages
from bot.archive.entries import (
    Entry,
    Place,
    chat_series,
    merge_resources,
    share_places,
)
from bot.archive.links import BOARDS
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
    ProfilePart,
    profile_part,
    render_profile_page,
    render_series_page,
    series_page_name,
)
from bot.archive.search_index import FOLDER as SEARCH_FOLDER
from bot.archive.search_index import (
    SearchPart,
    message_rows,
    render_search_index,
    search_chunks,
    search_part,
)
from bot.core.ports import Occurrence, RecapReader
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
#: A page this archive writes: in its folder, or one folder down (people/, chats/, search/,
#: boards/).
_OWN_NAME = re.compile(
    rf"(?:(?:{PEOPLE}|{CHATS}|{SEARCH_FOLDER}|{BOARDS})/)?[A-Za-z0-9][A-Za-z0-9._-]*"
)


@dataclass(frozen=True)
class ArchiveReport:
    """What a run wrote."""

    out: Path
    recaps: int
    resources: int
    messages: int
    #: Every file of the archive (those unchanged included).
    files: tuple[str, ...]
    #: The files whose bytes changed (written again, or new).
    changed: tuple[str, ...] = ()
    #: The recap pages rendered (the others were unchanged and not rendered again).
    rendered: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Kept:
    """What the shared pages need of one recap, kept between builds."""

    fingerprint: str
    stem: str
    page: str
    entry: Entry
    #: Its part of the search index.
    search: SearchPart
    places: list[Place]
    #: What the recap shows of each person with a public profile, by user id.
    parts: dict[int, ProfilePart]


@dataclass
class ArchiveCache:
    """What one build keeps for the next in the same process (see the module docstring)."""

    #: By occurrence id.
    recaps: dict[int, _Kept] = field(default_factory=dict)
    #: The profile pages and the charts setting the kept pages were rendered with.
    context: str = ""
    #: Chats whose series page may have changed since it was last written, and the pages.
    series: dict[str, str | None] = field(default_factory=dict)
    #: Each resource's item on the resources page, by what it shows.
    resource_items: dict[Hashable, str] = field(default_factory=dict)
    #: Each card on the board pages, by what it shows.
    board_items: dict[Hashable, str] = field(default_factory=dict)


async def build_archive(
    recaps: RecapReader,
    out: Path,
    *,
    charts: bool = True,
    cache: ArchiveCache | None = None,
    changed: Collection[int] | None = None,
) -> ArchiveReport:
    """Write the archive of every past recap that ``recaps`` reads to the folder ``out``
    (created), with a page for every public profile and every recurring chat.
    ``charts`` False leaves the charts out of the recap and series pages (faster).

    ``cache`` (kept by the caller between builds) holds what earlier builds read; with it,
    only the occurrences in ``changed`` and those not in the cache yet are read again
    (``changed`` None: all of them). Rendering and writing run in a worker thread, recap by
    recap, so the event loop stays free.
    """
    cache = cache if cache is not None else ArchiveCache()
    site = await asyncio.to_thread(_Site, out, charts, await recaps.public_profiles(), cache)
    again = None if changed is None else set(changed)
    for occurrence in await recaps.archived():
        kept = site.reusable(occurrence, again)
        if kept is not None:
            site.keep(kept)
        else:
            await asyncio.to_thread(site.add, await recaps.recap(occurrence))
    for chat_id in site.chats():
        if site.series_stale(chat_id, again):
            series = await recaps.series(chat_id, again)
            await asyncio.to_thread(site.add_series, series)
        else:
            site.keep_series(chat_id)
    # The boards (bot.archive.board_pages): from the links of the recaps written.
    boards = await recaps.boards(board_links(site.places))
    await asyncio.to_thread(
        write_board_pages, site.write, boards, chat_series(site.entries), cache.board_items
    )
    return await asyncio.to_thread(site.finish)


def _fingerprint(recap: Recap) -> str:
    """A digest of the recap model: two equal models give the same page."""
    return hashlib.sha256(repr(recap).encode("utf-8", "surrogatepass")).hexdigest()


class _Site:
    """The folder being written, and what the shared pages need of each recap."""

    def __init__(
        self,
        out: Path,
        charts: bool,
        profiles: Sequence[PublicProfile],
        cache: ArchiveCache | None = None,
    ) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.out = out
        self.charts = charts
        self.written: list[str] = []
        self.changed: list[str] = []
        self.rendered: list[str] = []
        self.entries: list[Entry] = []
        self.places: list[Place] = []
        self.taken: set[str] = {INDEX, RESOURCES, SEARCH, SEARCH_INDEX, *SCRIPTS}
        self.profiles = {p.user_id: ProfilePage(p) for p in profiles}
        #: The page of each public profile, by user id (names link to it).
        self.profile_pages = {p.user_id: p.page for p in profiles}
        #: The page of each recurring chat, by chat id.
        self.series_pages: dict[str, str] = {}
        self.cache = cache if cache is not None else ArchiveCache()
        context = repr((charts, sorted(self.profile_pages.items())))
        if context != self.cache.context:  # every page links names differently: read all again
            self.cache.recaps.clear()
            self.cache.series.clear()
            self.cache.context = context
        self.kept: dict[int, _Kept] = {}
        self.dirty_chats: set[str] = set()

    def write(self, name: str, text: str) -> None:
        path = self.out / name
        path.parent.mkdir(exist_ok=True)
        if _write(path, text.encode("utf-8")):
            self.changed.append(name)
        self.written.append(name)

    def reusable(self, occurrence: Occurrence, changed: set[int] | None) -> _Kept | None:
        """What the cache kept of ``occurrence``, when it may be used as is."""
        occurrence_id = occurrence.run.occurrence_id
        if changed is None or occurrence_id in changed:
            return None
        kept = self.cache.recaps.get(occurrence_id)
        if kept is None or _page_name(kept.stem, self.taken) != kept.page:
            return None
        return kept

    def keep(self, kept: _Kept) -> None:
        """Use what an earlier build kept of a recap that did not change."""
        self.taken.add(kept.page)
        self.written.append(kept.page)
        self.written += kept.search.chunks  # unchanged too
        self._remember(kept)

    def _remember(self, kept: _Kept) -> None:
        self.kept[kept.entry.header.occurrence_id] = kept
        self.entries.append(kept.entry)
        self.places += kept.places
        for user, page in self.profiles.items():
            page.take(kept.parts.get(user))

    def add(self, recap: Recap) -> None:
        """Write the recap's page (a recap with no answers has none) and keep its entry."""
        occurrence_id = recap.header.occurrence_id
        if not recap.header.answers:
            self.cache.recaps.pop(occurrence_id, None)
            return
        stem = file_stem(recap)
        page = _page_name(stem, self.taken)
        self.taken.add(page)
        fingerprint = _fingerprint(recap)
        before = self.cache.recaps.get(occurrence_id)
        if (
            before is None
            or before.fingerprint != fingerprint
            or before.page != page
            or not (self.out / page).is_file()
        ):
            from bot.render.chart import render_chart  # matplotlib is heavy: load when drawing

            chart = render_chart(recap) if self.charts else None
            self.write(page, render_recap_page(recap, chart, self.profile_pages))
            self.rendered.append(page)
            self.dirty_chats.add(recap.header.chat_id)
        else:
            self.written.append(page)
        entry = Entry.of(page, recap)
        rows = message_rows(recap, self.profile_pages)
        for name, text in search_chunks(page, rows).items():
            self.write(name, text)
        parts = {
            user: part
            for user in self.profiles
            if (part := profile_part(user, entry, recap)) is not None
        }
        kept = _Kept(
            fingerprint,
            stem,
            page,
            entry,
            search_part(page, rows),
            share_places(entry, recap),
            parts,
        )
        self.cache.recaps[occurrence_id] = kept
        self._remember(kept)

    def chats(self) -> list[str]:
        """The chats that have a recap page, each once, by id."""
        return sorted({entry.header.chat_id for entry in self.entries})

    def series_stale(self, chat_id: str, changed: set[int] | None) -> bool:
        """True when the chat's series page must be read again: a full build, a recap of
        the chat rendered again, or a chat not seen before."""
        if changed is None or chat_id in self.dirty_chats or chat_id not in self.cache.series:
            return True
        here = {o for o, kept in self.kept.items() if kept.entry.header.chat_id == chat_id}
        return bool(here & changed)

    def keep_series(self, chat_id: str) -> None:
        """The chat's series page did not change: keep it as it is."""
        name = self.cache.series.get(chat_id)
        if name is not None:
            self.written.append(name)
            self.series_pages[chat_id] = name

    def add_series(self, series: Series) -> None:
        """Write the chat's series page when it recurs (a recurrence rule, or two recaps)."""
        pages = {e.header.occurrence_id: e.page for e in self.entries}
        recapped = sum(1 for row in series.rows if row.occurrence_id in pages)
        self.cache.series[series.chat_id] = None
        if not series.recurring and recapped < 2:
            return
        from bot.render.series_chart import render_series_chart  # matplotlib: load when drawing

        chart = render_series_chart(series) if self.charts else None
        name = series_page_name(series.chat_id)
        self.write(name, render_series_page(series, pages, self.profile_pages, chart))
        self.series_pages[series.chat_id] = name
        self.cache.series[series.chat_id] = name

    def finish(self) -> ArchiveReport:
        """Write the index, resources and search pages, then forget stale pages."""
        entries = self.entries
        newest_first = sorted(entries, key=lambda e: e.sort_key, reverse=True)
        resources = merge_resources(self.places)
        series = chat_series(entries)
        for profile in self.profiles.values():
            self.write(profile.profile.page, render_profile_page(profile))
        self.write(INDEX, render_index(newest_first, len(resources), self.series_pages))
        self.write(
            RESOURCES,
            render_resources(
                resources, entries, series, self.profile_pages, self.cache.resource_items
            ),
        )
        self.write(SEARCH, render_search(entries, series))
        oldest_first = sorted(self.kept.values(), key=lambda kept: kept.entry.sort_key)
        for name, text in render_search_index([(k.entry, k.search) for k in oldest_first]).items():
            self.write(name, text)
        for name in SCRIPTS:
            self.write(name, script(name))
        _forget_stale(self.out, self.written)
        manifest = "".join(f"{name}\n" for name in sorted(self.written))
        _write(self.out / MANIFEST, manifest.encode("utf-8"))
        return ArchiveReport(
            out=self.out,
            recaps=len(entries),
            resources=len(resources),
            messages=sum(kept.search.count for kept in self.kept.values()),
            files=tuple(self.written),
            changed=tuple(self.changed),
            rendered=tuple(self.rendered),
        )


def _page_name(stem: str, taken: set[str]) -> str:
    """``stem.html``, or ``stem-2.html`` … when a chat ran twice on one local date."""
    name, number = f"{stem}.html", 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}.html"
    return name


def _write(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` (temporary file, then rename) unless it holds those bytes
    already; True when it was written."""
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return True


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
    for folder in (PEOPLE, CHATS, SEARCH_FOLDER, BOARDS):  # a folder this archive emptied goes too
        with contextlib.suppress(OSError):
            (out / folder).rmdir()

"""Incremental builds, on real files: a build touches only the files whose bytes changed, and
with a cache it reads and renders only the recaps that changed."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from bot.archive import build_archive
from bot.archive.site import ArchiveCache, ArchiveReport
from bot.core.series import SeriesPart
from bot.runtime.people import chat_series
from bot.runtime.recaps import StoredRecaps
from bot.storage import SqliteStore, open_store
from tests.unit.archive.conftest import site_files
from tests.unit.archive.sample import EDCHAT_PAGE, PLNCHAT_PAGE, edchat_spec, store_two_chats
from tests.unit.recap.talk import Talk

#: A time long ago: a file still this old after a build was not written by it.
OLD = 1_000_000_000


def age_all(out: Path) -> None:
    """Make every file of the site look old."""
    for name in site_files(out):
        os.utime(out / name, (OLD, OLD))


def touched(out: Path) -> set[str]:
    """The files written since :func:`age_all`."""
    return {name for name in site_files(out) if (out / name).stat().st_mtime != OLD}


async def add_late_answer(store: SqliteStore, text: str) -> int:
    """A late answer in edchat's archived occurrence; returns the occurrence's id."""
    spec = edchat_spec()
    occurrence = [o for o in await store.occurrences(chat_id="edchat") if o.run.started][-1]
    talk = Talk(spec=spec)
    talk.say("ana", text, question=3, minute=40, late=True)
    answer = replace(talk.answers[0], occurrence_id=occurrence.run.occurrence_id, message_id=9_999)
    await store.upsert_answers([answer])
    return occurrence.run.occurrence_id


async def test_a_second_build_touches_nothing_and_one_change_touches_its_pages(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    store = await open_store(tmp_path / "bot.db")
    try:
        await store_two_chats(store)
        recaps = StoredRecaps(store)
        cache = ArchiveCache()
        first = await build_archive(recaps, out, charts=False, cache=cache)
        assert set(first.rendered) == {PLNCHAT_PAGE, EDCHAT_PAGE}
        assert set(first.changed) == set(first.files)

        # Nothing changed: nothing is read again, rendered or written.
        age_all(out)
        again = await build_archive(recaps, out, charts=False, cache=cache, changed=())
        assert again.rendered == ()
        assert again.changed == ()
        assert touched(out) == set()
        assert set(again.files) == set(first.files)

        # A late answer in edchat: its page and the pages listing messages change, no more.
        occurrence_id = await add_late_answer(store, "Late again: a zine library in the hall.")
        update = await build_archive(
            recaps, out, charts=False, cache=cache, changed={occurrence_id}
        )
        assert update.rendered == (EDCHAT_PAGE,)
        assert EDCHAT_PAGE in update.changed
        assert PLNCHAT_PAGE not in touched(out)
        # (The manifest too: the late answer's new words made new shards of the search index.)
        assert touched(out) - {".qachat-archive"} == set(update.changed)
        assert not any(name.startswith("search/m-plnchat") for name in touched(out))
        assert "zine library" in (out / EDCHAT_PAGE).read_text(encoding="utf-8")
        assert set(first.files) < set(update.files)

        # A full build without the cache (python -m bot archive) finds every byte in place.
        age_all(out)
        fresh: ArchiveReport = await build_archive(recaps, out, charts=False)
        assert fresh.changed == ()
        assert touched(out) == set()
    finally:
        await store.close()


async def test_a_recap_whose_page_was_deleted_is_written_again(tmp_path: Path) -> None:
    out = tmp_path / "site"
    store = await open_store(tmp_path / "bot.db")
    try:
        await store_two_chats(store)
        cache = ArchiveCache()
        await build_archive(StoredRecaps(store), out, charts=False, cache=cache)
        (out / PLNCHAT_PAGE).unlink()
        report = await build_archive(StoredRecaps(store), out, charts=False, cache=cache)
        assert report.rendered == (PLNCHAT_PAGE,)
        assert (out / PLNCHAT_PAGE).is_file()
    finally:
        await store.close()


async def test_a_series_from_kept_parts_is_the_series_read_afresh(tmp_path: Path) -> None:
    """The series page of an incremental build reads only the changed occurrences again."""
    store = await open_store(tmp_path / "bot.db")
    try:
        await store_two_chats(store)
        parts: dict[int, SeriesPart] = {}
        first = await chat_series(store, "edchat", parts=parts)
        occurrence_id = await add_late_answer(store, "Late again: a zine library in the hall.")
        kept = await chat_series(store, "edchat", parts=parts, changed=set())
        assert kept == first  # nothing said changed: the kept part is used
        again = await chat_series(store, "edchat", parts=parts, changed={occurrence_id})
        assert again == await chat_series(store, "edchat")
        assert again != first
    finally:
        await store.close()

"""The archive publisher: the runtime publishes the archive after a recap and links the
Discord recap to its page; builds are coalesced; a folder that cannot be written costs one
log line per failed build, and the next build tries again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from bot.archive.links import board_page_url, board_slug
from bot.core.boards import BoardView, SharedLink
from bot.core.ports import Occurrence
from bot.core.profiles import PublicProfile
from bot.core.recap import Recap
from bot.core.series import Series
from bot.runtime.clock import VirtualClock
from bot.runtime.publisher import ArchivePublisher
from bot.runtime.root import RuntimeSettings, build_runtime
from bot.storage import SqliteStore
from tests.support.driving import drive
from tests.support.messages import message
from tests.support.venue import MemoryVenue
from tests.unit.runtime.test_root import RECAP_AT, START, scheduled

URL = "https://chats.example.org/archive"


class NoRecaps:
    """A recap reader with an empty history that counts the builds reading it; while
    ``hold`` is clear a build waits."""

    def __init__(self) -> None:
        self.builds = 0
        self.hold = asyncio.Event()
        self.hold.set()

    async def archived(self) -> list[Occurrence]:
        self.builds += 1
        await self.hold.wait()
        return []

    async def recap(self, occurrence: Occurrence) -> Recap:
        raise AssertionError("no recap is archived")

    async def public_profiles(self) -> list[PublicProfile]:
        return []

    async def series(self, chat_id: str, changed: Collection[int] | None = None) -> Series:
        raise AssertionError("no chat is archived")

    async def boards(self, links: Sequence[SharedLink]) -> list[BoardView]:
        return []


async def test_the_runtime_publishes_the_archive_after_the_recap_and_links_to_it(
    store: SqliteStore, venue: MemoryVenue, clock: VirtualClock, tmp_path: Path
) -> None:
    out = tmp_path / "archive"
    settings = RuntimeSettings(archive_dir=out, archive_url=URL, archive_charts=False)
    runtime = build_runtime(store, venue, clock, settings)
    await scheduled(runtime)
    await drive(runtime.engine, clock, START + timedelta(minutes=10))
    await runtime.collector.ingest(message(clock, "A1: a podcast about mentors"))
    await drive(runtime.engine, clock, RECAP_AT)
    await runtime.publisher.settle()

    recap = next(m for m in venue.messages if m.step_key == "recap")
    link = next(line for line in recap.text.splitlines() if URL in line)
    page = link.split(f"{URL}/")[1].rstrip(">")
    assert (out / page).is_file()
    assert "podcast about mentors" in (out / page).read_text(encoding="utf-8")
    assert page in (out / "index.html").read_text(encoding="utf-8")
    assert runtime.publisher.failures == 0
    await runtime.collector.close()


async def test_without_an_archive_dir_nothing_is_published(
    store: SqliteStore, venue: MemoryVenue, clock: VirtualClock, tmp_path: Path
) -> None:
    runtime = build_runtime(store, venue, clock)
    await scheduled(runtime)
    await drive(runtime.engine, clock, RECAP_AT)
    assert not runtime.publisher.enabled
    runtime.publisher.everything_changed()
    await runtime.publisher.settle()
    assert runtime.publisher.last is None
    recap = next(m for m in venue.messages if m.step_key == "recap")
    assert "In the archive" not in recap.text
    await runtime.collector.close()


async def test_requests_during_a_build_become_one_more_build(tmp_path: Path) -> None:
    recaps = NoRecaps()
    publisher = ArchivePublisher(recaps, tmp_path / "archive")
    publisher.changed([1])
    publisher.changed([2])
    publisher.everything_changed()
    await publisher.settle()
    assert recaps.builds == 1

    recaps.hold.clear()
    publisher.changed([3])
    await asyncio.sleep(0.01)  # the build is waiting inside archived()
    for occurrence_id in (4, 5, 6):
        publisher.changed([occurrence_id])
    publisher.boards_changed()
    recaps.hold.set()
    await publisher.settle()
    assert recaps.builds == 3  # the held one and one for everything asked meanwhile
    assert (tmp_path / "archive" / "index.html").is_file()


async def test_a_folder_that_cannot_be_written_costs_one_line_per_build_and_is_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the archive's parent folder should be")
    out = blocker / "archive"
    publisher = ArchivePublisher(NoRecaps(), out)
    with caplog.at_level(logging.WARNING, logger="bot.runtime.publisher"):
        publisher.retry()
        await publisher.settle()
        publisher.changed([1])
        await publisher.settle()
    lines = [r for r in caplog.records if r.name == "bot.runtime.publisher"]
    assert len(lines) == 2
    assert all(str(out) in r.getMessage() and "ARCHIVE_DIR" in r.getMessage() for r in lines)
    assert all(r.exc_info is None for r in lines)  # one line, no traceback
    assert publisher.failures == 2

    blocker.unlink()  # the operator fixes the folder: the next change publishes
    publisher.changed([2])
    await publisher.settle()
    assert publisher.failures == 0
    assert (out / "index.html").is_file()


def test_board_pages_are_at_their_slug() -> None:
    assert board_slug("Career tips!") == "career-tips"
    assert board_slug("  #PLN  Reading / List ") == "pln-reading-list"
    assert board_slug("???") == "board"
    assert board_slug("Café Tips") == "cafe-tips"  # folded as board names are compared
    assert board_slug("Index") == "index-board"  # boards/index.html is every board's list
    assert board_page_url(URL + "/", "Career tips!") == f"{URL}/boards/career-tips.html"

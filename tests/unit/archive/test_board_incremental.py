"""Board pages in an incremental build: each card is rendered once and kept between builds
(the chat series' board has every link of five years), so an update renders only cards
that are new or show something new; the pages' bytes are those of a fresh build."""

from __future__ import annotations

from pathlib import Path

from bot.archive import build_archive
from bot.archive.site import ArchiveCache
from bot.core.boards import BoardSpec
from bot.core.cards import card_from_unfurl
from bot.runtime.recaps import StoredRecaps
from bot.storage import SqliteStore
from tests.unit.archive.sample import SHARED_IN_BOTH, store_two_chats
from tests.unit.recap.generate import START

KEPT = '<li class="resource">KEPT</li>\n'


async def test_unchanged_cards_are_not_rendered_again(store: SqliteStore, tmp_path: Path) -> None:
    await store_two_chats(store)
    await store.sync_file_boards([BoardSpec("Networks", "", ("network",))], START)
    recaps = StoredRecaps(store)
    cache = ArchiveCache()
    await build_archive(recaps, tmp_path / "site", charts=False, cache=cache)
    fresh = (tmp_path / "site" / "boards" / "networks.html").read_text()
    assert SHARED_IN_BOTH in fresh
    assert cache.board_items
    for key in cache.board_items:
        cache.board_items[key] = KEPT  # what a kept card would be written as

    await build_archive(recaps, tmp_path / "site", charts=False, cache=cache, changed=set())
    kept = (tmp_path / "site" / "boards" / "networks.html").read_text()
    assert KEPT in kept  # nothing rendered again
    assert SHARED_IN_BOTH not in kept

    card = card_from_unfurl(
        SHARED_IN_BOTH, title="Grow your PLN", description="", provider="Edutopia",
        thumbnail="", message_id=1, author_id=4, posted_at=START, seen_at=START,
    )  # fmt: skip
    assert card is not None
    await store.save_cards([card])
    await build_archive(recaps, tmp_path / "site", charts=False, cache=cache)
    again = (tmp_path / "site" / "boards" / "networks.html").read_text()
    assert "Grow your PLN" in again  # the card that shows something new is rendered

    await build_archive(recaps, tmp_path / "other", charts=False)  # no cache: the same bytes
    assert (tmp_path / "other" / "boards" / "networks.html").read_text().count(
        'class="resource"'
    ) == again.count('class="resource"')

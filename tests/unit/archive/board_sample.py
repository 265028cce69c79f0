"""The sample archive with boards: two topic boards (boards.yaml), a card with a hostile title,
a link saved to a board from outside any chat, and a personal save that must never be
published."""

from __future__ import annotations

from pathlib import Path

from bot.archive import ArchiveReport, build_archive
from bot.core.boards import MY_SAVES_ID, BoardSpec, Save
from bot.core.cards import card_from_unfurl
from bot.runtime.recaps import StoredRecaps
from bot.storage import open_store
from tests.unit.archive.sample import SHARED_IN_BOTH, store_two_chats
from tests.unit.recap.generate import START

HOSTILE_TITLE = "<img src=x onerror=alert(1)> Your PLN, step by step"
SAVED_ONLY = "https://saved-only.example/guide"
PRIVATE = "https://my-private.example/secret-plans"
SAVER = "quinn"


async def build_board_archive(database: Path, out: Path) -> ArchiveReport:
    """Store the two chats, the boards and saves, and write the archive (no charts)."""
    store = await open_store(database)
    try:
        await store_two_chats(store)
        await store.sync_file_boards(
            [
                BoardSpec("Networks", "Growing a learning network", ("network",)),
                BoardSpec("Reading", "Fact sheets and guides", ("fact sheets", "guide")),
            ],
            START,
        )
        card = card_from_unfurl(
            SHARED_IN_BOTH, title=HOSTILE_TITLE, description="How to <b>grow</b> one",
            provider="Edutopia", thumbnail="https://edutopia.example/t.png", message_id=1,
            author_id=4, posted_at=START, seen_at=START,
        )  # fmt: skip
        assert card is not None
        await store.save_cards([card])
        reading = next(b for b in await store.boards() if b.name == "Reading")
        await store.save_link(Save(reading.board_id, 4242, SAVED_ONLY, 9, 77, 1, START, SAVER))
        await store.save_link(Save(MY_SAVES_ID, 4242, PRIVATE, 9, 77, 1, START, SAVER))
        return await build_archive(StoredRecaps(store), out, charts=False)
    finally:
        await store.close()

"""The board service keeps each past recap's links between calls (``/board show`` would read
every recap otherwise) and reads a recap again only when it changed: a new message, a
rename, a new card, an opt-out or a forget-me always show as the recaps themselves would show
them, and nothing unchanged is read twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core.boards import SharedLink, shared_links
from bot.core.cards import card_from_unfurl
from bot.runtime.boards import BoardService
from bot.runtime.clock import VirtualClock
from bot.runtime.recaps import StoredRecaps
from bot.storage import SqliteStore
from tests.unit.archive.sample import SHARED_IN_BOTH, store_two_chats
from tests.unit.recap.generate import START


async def fresh(store: SqliteStore) -> list[SharedLink]:
    """Every past recap's links, read now (what the service must always give)."""
    recaps = StoredRecaps(store)
    return [link for o in await recaps.archived() for link in shared_links(await recaps.recap(o))]


async def test_links_are_read_again_only_when_their_recap_changed(
    store: SqliteStore, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store_two_chats(store)
    reads: list[int] = []
    original = StoredRecaps.recap

    async def counted(self: StoredRecaps, occurrence):  # type: ignore[no-untyped-def]
        reads.append(occurrence.run.occurrence_id)
        return await original(self, occurrence)

    service = BoardService(store, clock)
    expected = await fresh(store)
    monkeypatch.setattr(StoredRecaps, "recap", counted)
    assert await service.links() == expected
    archived = len(reads)
    assert archived >= 2

    reads.clear()
    assert await service.links() == expected
    assert reads == []  # nothing changed: nothing read

    # A new answer with a link in one recap: that recap alone is read again.
    occurrences = await StoredRecaps(store).archived()
    newest = occurrences[-1].run.occurrence_id
    sample = next(a for a in await store.answers(newest) if "://" in a.content)
    await store.upsert_answers(
        [
            replace(
                sample,
                message_id=990_001,
                content="Also https://new-link.example/guide for later",
                created_at=sample.created_at + timedelta(minutes=1),
                edited_at=None,
            )
        ]
    )
    links = await service.links()
    assert reads == [newest]
    assert "https://new-link.example/guide" in {k.url for k in links}
    monkeypatch.undo()
    assert links == await fresh(store)
    monkeypatch.setattr(StoredRecaps, "recap", counted)

    # A card arrives for a link already listed: shown, with no recap read again.
    reads.clear()
    card = card_from_unfurl(
        SHARED_IN_BOTH, title="Building your PLN", description="", provider="Edutopia",
        thumbnail="", message_id=1, author_id=4, posted_at=START, seen_at=START,
    )  # fmt: skip
    assert card is not None
    await store.save_cards([card])
    links = await service.links()
    assert reads == []
    assert {k.card.title for k in links if k.url == SHARED_IN_BOTH and k.card} == {
        "Building your PLN"
    }
    monkeypatch.undo()
    assert links == await fresh(store)
    monkeypatch.setattr(StoredRecaps, "recap", counted)

    # Someone a link credits is renamed (they posted under a new name in another chat): the
    # recap crediting them is read again though its own messages did not change.
    reads.clear()
    other = occurrences[0].run.occurrence_id
    assert other != newest
    credited = next(k for k in links if k.url == "https://new-link.example/guide")
    await store.upsert_answers(
        [
            replace(
                sample,
                message_id=990_002,
                occurrence_id=other,
                content="renamed",
                author_name="Renamed Person",
                created_at=sample.created_at + timedelta(minutes=2),
                edited_at=None,
            )
        ]
    )
    links = await service.links()
    renamed = next(k for k in links if k.url == "https://new-link.example/guide")
    assert renamed.shared_by != credited.shared_by
    assert newest in reads
    monkeypatch.undo()
    assert links == await fresh(store)
    monkeypatch.setattr(StoredRecaps, "recap", counted)

    # Consent: an opt-out, then a forget-me, of the person who shared the new link.
    reads.clear()
    await store.set_opt_out(sample.author_id, "Renamed Person", True, START)
    links = await service.links()
    assert len(reads) == archived  # consent changed: every recap read again
    assert "Renamed Person" not in {k.shared_by for k in links}
    monkeypatch.undo()
    assert links == await fresh(store)
    await store.forget_user(sample.author_id, START + timedelta(days=400))
    links = await service.links()
    assert "https://new-link.example/guide" not in {k.url for k in links}
    assert links == await fresh(store)

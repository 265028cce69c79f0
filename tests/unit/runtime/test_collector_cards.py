"""Link cards through the collector: a stored message's unfurl is stored as its cards (never
as an edit), and the live recaps are told, so a published recap shows them at its update."""

from __future__ import annotations

from collections.abc import Collection

from bot.core.cards import Unfurl, message_cards
from bot.runtime.collector import Collector
from bot.runtime.routing import IncomingMessage
from bot.storage import SqliteStore
from tests.unit.storage import START


async def test_an_unfurl_of_a_stored_message_is_stored_and_announced(store: SqliteStore) -> None:
    collector = Collector(store)
    told: list[tuple[Collection[int], Collection[int]]] = []
    collector.on_stored.append(lambda occurrences, messages: told.append((occurrences, messages)))
    content = "A1: read https://ferns.example/care"
    cards = message_cards(
        content, [Unfurl("https://ferns.example/care", title="Fern care")],
        message_id=42, author_id=7, posted_at=START, seen_at=START,
    )  # fmt: skip
    message = IncomingMessage(42, 77, 7, "ana", content, START, cards=cards)
    assert not collector.enqueue_cards(message._replace(cards=()))  # nothing to store
    assert not collector.enqueue_cards(message)  # no chat collects it, not stored before
    assert collector.enqueue_cards(message, stored=True)
    await collector.flush()
    assert [c.title for c in await store.message_cards(42)] == ["Fern care"]
    assert told == [(frozenset(), (42,))]
    assert await store.answers(1) == []  # not an answer write
    await collector.close()

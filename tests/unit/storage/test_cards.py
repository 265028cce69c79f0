"""Link cards: stored by message and link, the newest card of a link wins, hostile unfurl text
is cleaned and cut at Discord's limits, and a forgotten person's cards go and stay gone."""

from __future__ import annotations

from datetime import timedelta

from bot.core.cards import (
    DESCRIPTION_LIMIT,
    TITLE_LIMIT,
    LinkCard,
    Unfurl,
    card_from_unfurl,
    message_cards,
)
from bot.storage import SqliteStore
from tests.unit.storage import START


def _card(message_id: int, url: str, title: str, author: int = 7, minutes: int = 0) -> LinkCard:
    card = card_from_unfurl(
        url,
        title=title,
        description="About ferns",
        provider="Ferns Weekly",
        thumbnail="https://ferns.example/a.png",
        message_id=message_id,
        author_id=author,
        posted_at=START + timedelta(minutes=minutes),
        seen_at=START + timedelta(minutes=minutes, seconds=3),
    )
    assert card is not None
    return card


def test_hostile_and_huge_unfurls_are_cleaned_and_cut() -> None:
    card = card_from_unfurl(
        "HTTPS://Ferns.example/care/?utm_source=x#top",
        title="<script>alert(1)</script>\u202e\x00 " + "t" * 400,
        description="d " * 5000,
        provider="\n\nFerns\tWeekly",
        thumbnail="javascript:alert(1)",
        message_id=1,
        author_id=2,
        posted_at=START,
        seen_at=START,
    )
    assert card is not None
    assert card.url == "https://ferns.example/care"
    assert len(card.title) <= TITLE_LIMIT
    assert card.title.startswith("<script>alert(1)</script> ")  # escaped by renderers
    assert "\u202e" not in card.title
    assert "\x00" not in card.title
    assert len(card.description) <= DESCRIPTION_LIMIT
    assert len(card.short_description) <= 160
    assert card.provider == "Ferns Weekly"
    assert card.thumbnail == ""
    for image in ("data:image/png;base64,AAAA", "ftp://x.example/a.png", "https:///nohost"):
        kept = card_from_unfurl(
            "https://a.example", title="A", description=None, provider=None,
            thumbnail=image, message_id=1, author_id=2, posted_at=START, seen_at=START,
        )  # fmt: skip
        assert kept is not None
        assert kept.thumbnail == ""
    empty = card_from_unfurl(
        "https://a.example", title=" ", description="", provider="P", thumbnail=None,
        message_id=1, author_id=2, posted_at=START, seen_at=START,
    )  # fmt: skip
    assert empty is None
    not_http = card_from_unfurl(
        "javascript:alert(1)", title="A", description="", provider="P", thumbnail=None,
        message_id=1, author_id=2, posted_at=START, seen_at=START,
    )  # fmt: skip
    assert not_http is None


async def test_cards_are_stored_by_message_and_link_and_the_newest_wins(
    store: SqliteStore,
) -> None:
    first = _card(10, "https://ferns.example/care", "Fern care")
    other = _card(11, "https://moss.example", "Moss")
    assert await store.save_cards([first, other]) == 2
    assert await store.save_cards([first]) == 1  # redelivered: refreshed, not doubled
    newer = _card(12, "https://ferns.example/care", "Fern care, 2nd ed.", author=8, minutes=5)
    await store.save_cards([newer])
    found = await store.cards_for(["https://ferns.example/care", "https://moss.example", "x"])
    assert found == {"https://ferns.example/care": newer, "https://moss.example": other}
    assert await store.message_cards(10) == [first]


async def test_a_forgotten_persons_cards_are_deleted_and_refused(store: SqliteStore) -> None:
    theirs = _card(10, "https://ferns.example/care", "Fern care", author=7)
    mine = _card(11, "https://moss.example", "Moss", author=8)
    await store.save_cards([theirs, mine])
    await store.forget_user(7, START + timedelta(hours=1))
    assert await store.message_cards(10) == []
    assert await store.save_cards([theirs]) == 0  # backfill brings it again: refused
    assert await store.cards_for(["https://ferns.example/care", "https://moss.example"]) == {
        "https://moss.example": mine
    }


def test_a_messages_unfurls_are_keyed_by_its_own_links() -> None:

    content = "read https://a.example/x?utm_source=t and https://b.example/y, https://c.example"
    found = message_cards(
        content,
        [
            Unfurl("https://b.example/y", title="B"),
            Unfurl("https://www.a-canonical.example/x", title="A (canonical)"),
            Unfurl("https://a.example/img.png"),  # an image: no title, no card
        ],
        message_id=1, author_id=2, posted_at=START, seen_at=START,
    )  # fmt: skip
    assert [(card.url, card.title) for card in found] == [
        ("https://a.example/x", "A (canonical)"),
        ("https://b.example/y", "B"),
    ]

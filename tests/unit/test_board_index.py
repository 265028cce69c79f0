"""LinkIndex finds the same links as matching every link against a board's keywords: whole
words, case and accents folded, several words in order, never across the card title, the
message and the link."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.boards import LinkIndex, SharedLink, matches, parse_keywords
from bot.core.cards import card_from_unfurl

AT = datetime(2027, 1, 1, tzinfo=UTC)


def link(url: str, context: str, title: str | None = None) -> SharedLink:
    card = None
    if title is not None:
        card = card_from_unfurl(
            url, title=title, description="", provider="", thumbnail="", message_id=1,
            author_id=2, posted_at=AT, seen_at=AT,
        )  # fmt: skip
    return SharedLink(url, card, "ana", "chat", "Chat", AT, 1, context)


def test_the_index_matches_as_matches_does() -> None:
    links = [
        link("https://a.example/resume-tips", "My RÉSUMÉ tips", "Landing your first job"),
        link("https://b.example/x", "first", "job interviews"),  # "first job" spans two texts
        link("https://c.example/first-job", "nothing here"),
        link("https://d.example/y", "Interviewing well", "Jobs board"),  # not whole words
        link("https://e.example/z", "a café chat about interview prep"),
    ]
    index = LinkIndex(links)
    for text in ("resume", "first job", "interview", "cafe, jobs", "job", "zeppelin"):
        keywords = parse_keywords(text)
        expected = {
            n
            for n, k in enumerate(links)
            if matches(keywords, k.card.title if k.card else "", k.context, k.url)
        }
        assert index.matching(keywords) == expected, text
    assert index.matching(parse_keywords("first job")) == {0, 2}

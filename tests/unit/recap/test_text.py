"""Links as a reading list shows them: one entry per resource, however it was pasted."""

from __future__ import annotations

import pytest

from bot.core.recap.text import find_links, normalise_link


@pytest.mark.parametrize(
    ("pasted", "listed"),
    [
        ("https://Example.COM/Path/", "https://example.com/Path"),
        (
            "https://example.com/a?utm_source=tw&utm_medium=social&id=7",
            "https://example.com/a?id=7",
        ),
        ("https://example.com/a?fbclid=x&gclid=y&mc_cid=1&mc_eid=2", "https://example.com/a"),
        ("https://example.com/a?ref=home&si=abc&b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/", "http://example.com"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://docs.google.com/d/1/edit?usp=sharing", "https://docs.google.com/d/1/edit"),
        ("https://example.com/search?q=a+b&q=c", "https://example.com/search?q=a%20b&q=c"),
    ],
)
def test_links_are_normalised(pasted: str, listed: str) -> None:
    assert normalise_link(pasted) == listed


@pytest.mark.parametrize("pasted", ["ftp://example.com/a", "https://", "https://user:pw@host/x"])
def test_what_is_no_http_link_is_not_listed(pasted: str) -> None:
    assert normalise_link(pasted) is None


def test_links_are_found_without_the_punctuation_around_them() -> None:
    text = (
        "See https://example.com/a. Or (https://example.com/b), or "
        "https://en.wikipedia.org/wiki/Foo_(bar)! And <https://example.com/c>"
    )
    assert [link for _, _, link in find_links(text)] == [
        "https://example.com/a",
        "https://example.com/b",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://example.com/c",
    ]

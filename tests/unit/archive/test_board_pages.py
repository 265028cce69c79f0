"""The archive's boards: an index with every board's count and newest card, a page per board
with its cards (escaped), the filter form and the resources script; personal saves never
published."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.unit.archive.board_sample import (
    HOSTILE_TITLE,
    PRIVATE,
    SAVED_ONLY,
    SAVER,
    build_board_archive,
)
from tests.unit.archive.sample import SHARED_IN_BOTH


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("boards")
    asyncio.run(build_board_archive(folder / "bot.db", folder / "site"))
    return folder / "site"


def test_the_index_lists_every_board_with_its_count_and_newest_card(site: Path) -> None:
    index = (site / "boards" / "index.html").read_text()
    for name, page in (("#EdChat", "edchat.html"), ("#plnchat", "plnchat.html"),
                       ("Networks", "networks.html"), ("Reading", "reading.html")):  # fmt: skip
        assert f'<a class="board-name" href="{page}" dir="auto">{name}</a>' in index
        assert (site / "boards" / page).exists()
    assert "Newest:" in index
    assert 'href="../resources.html"' in index  # one folder down
    assert "<img src=x" not in index


def test_a_board_page_shows_its_cards_escaped_with_the_filter(site: Path) -> None:
    page = (site / "boards" / "networks.html").read_text()
    assert '<ol class="resources board-grid">' in page
    assert '<form class="find" id="filter" role="search" hidden>' in page
    assert '<script src="../resources.js"></script>' in page
    assert "&lt;img src=x onerror=alert(1)&gt; Your PLN, step by step" in page
    assert HOSTILE_TITLE not in page
    assert "How to &lt;b&gt;grow&lt;/b&gt; one" in page
    assert f'href="{SHARED_IN_BOTH}"' in page
    assert "edutopia.example/t.png" not in page  # no third-party images
    assert 'data-chats="' in page


def test_saves_show_on_their_board_and_personal_saves_nowhere(site: Path) -> None:
    reading = (site / "boards" / "reading.html").read_text()
    assert SAVED_ONLY in reading
    assert f'1 save by <span dir="auto">{SAVER}</span>' in reading
    for path in site.rglob("*"):
        if path.is_file():
            assert PRIVATE not in path.read_text(errors="replace"), path

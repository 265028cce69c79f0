"""A board page of the archive opened from disk in headless Chromium: its filter (by word and
by chat, run by resources.js from the page's address) hides the cards that do not match, and
the page runs under its policy without a violation."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.browser.chromium import open_page
from tests.unit.archive.board_sample import build_board_archive
from tests.unit.archive.sample import SHARED_IN_BOTH

ITEM = re.compile(r'<li class="resource"([^>]*)>(.*?)</li>', re.DOTALL)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("boards-browser")
    asyncio.run(build_board_archive(folder / "bot.db", folder / "site"))
    return folder / "site"


def shown(dom: str) -> list[str]:
    """The cards left visible (their text)."""
    return [body for attributes, body in ITEM.findall(dom) if "hidden" not in attributes]


def count_line(dom: str) -> str:
    found = re.search(r'<p id="count"[^>]*>(.*?)</p>', dom, re.DOTALL)
    assert found is not None
    return found.group(1)


def test_a_board_filters_by_word_and_by_chat(chromium: str, site: Path, tmp_path: Path) -> None:
    board = site / "boards" / "plnchat.html"
    everything = open_page(chromium, tmp_path / "p1", board)
    assert everything.policy_violations == []
    total = len(shown(everything.dom))
    assert total > 2
    assert count_line(everything.dom) == f"Showing all {total} resources."
    assert 'id="filter" role="search" hidden' not in everything.dom  # the script showed it

    dyslexia = open_page(chromium, tmp_path / "p2", board, q="dyslexiaida").dom
    [card] = shown(dyslexia)
    assert "https://dyslexiaida.org/fact-sheets" in card
    assert count_line(dyslexia) == f"Showing 1 of {total} resources."

    networks = site / "boards" / "networks.html"
    both = shown(open_page(chromium, tmp_path / "p3", networks).dom)
    edchat_only = shown(open_page(chromium, tmp_path / "p4", networks, chat="edchat").dom)
    assert any(SHARED_IN_BOTH in card for card in edchat_only)
    assert 0 < len(edchat_only) <= len(both)
    nothing = open_page(chromium, tmp_path / "p5", networks, q="zzzunmatched").dom
    assert shown(nothing) == []
    assert count_line(nothing).startswith("No resource matches")

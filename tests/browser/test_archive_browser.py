"""The archive opened from disk in headless Chromium: a search returns the expected answer.

The archive of two chats (:mod:`tests.unit.archive.sample`) is written to a temporary folder
and opened as ``file://`` URLs, with no server and no network. The search page reads its
query from the address (``search.html?q=axolotl``) and renders the results when it loads;
Chromium's ``--dump-dom`` prints the DOM after that, which the tests read.

Chromium is Debian's package (``/usr/bin/chromium``, see :mod:`tests.browser.chromium`).
This test may not be skipped in CI: without Chromium it fails when ``CI`` is set, and skips
only on a developer machine (``CI`` unset).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.browser.chromium import dump_dom
from tests.unit.archive.sample import (
    AXOLOTL,
    CAFE,
    EDCHAT_PAGE,
    PLNCHAT_PAGE,
    WAKELET,
    TwoChats,
    build_sample_archive,
)

RESULT = re.compile(r'<li class="result">(.*?)</li>', re.DOTALL)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, TwoChats]:
    """The archive of the two chats, as a folder on disk (charts left out: not looked at)."""
    folder = tmp_path_factory.mktemp("browser")
    chats, _ = asyncio.run(build_sample_archive(folder / "bot.db", folder / "site", charts=False))
    return folder / "site", chats


def search(chromium: str, tmp_path: Path, site: Path, **query: str) -> tuple[str, list[str]]:
    """The search page's summary line and its results, for ``query``."""
    dom = dump_dom(chromium, tmp_path / "profile", site / "search.html", **query)
    summary = re.search(r'<p id="summary"[^>]*>(.*?)</p>', dom, re.DOTALL)
    assert summary is not None, dom[-2000:]
    return summary.group(1), RESULT.findall(dom)


def test_a_search_returns_the_expected_answer(
    chromium: str, site: tuple[Path, TwoChats], tmp_path: Path
) -> None:
    folder, chats = site
    summary, results = search(chromium, tmp_path, folder, q="axolotl")
    assert summary == "1 message matches \u201caxolotl\u201d."
    (result,) = results
    assert f'href="{EDCHAT_PAGE}#m{chats.axolotl_id}-0"' in result
    assert (
        "Ed Chat &lt;i&gt;after dark&lt;/i&gt; #EdChat \u00b7 Tue 2 Mar 2027, 10:00 JST" in result
    )
    assert "Q1: Who is in your learning network?" in result
    assert '<span class="who" dir="auto">ana</span>' in result
    marked = AXOLOTL.replace("axolotl", "<mark>axolotl</mark>")
    assert f'<span class="text" dir="auto">{marked}</span>' in result
    assert "Wakelet" not in "".join(results)


def test_every_word_must_match_at_the_start_of_a_word_accents_aside(
    chromium: str, site: tuple[Path, TwoChats], tmp_path: Path
) -> None:
    folder, _ = site
    _, results = search(chromium, tmp_path, folder, q="wakelet PEOPLE")
    assert len(results) == 1
    assert f'href="{PLNCHAT_PAGE}#m' in results[0]
    assert "<mark>Wakelet</mark> of the <mark>people</mark>" in results[0]
    assert WAKELET.split(" ", 3)[3].split(" of")[0] in results[0]
    assert "axolotl" not in results[0]
    _, results = search(chromium, tmp_path, folder, q="cafe")
    assert [CAFE in r for r in results] == [True]
    _, results = search(chromium, tmp_path, folder, q="xolotl")  # inside "axolotl": no match
    assert results == []


def test_a_search_that_finds_nothing_says_so(
    chromium: str, site: tuple[Path, TwoChats], tmp_path: Path
) -> None:
    folder, _ = site
    summary, results = search(chromium, tmp_path, folder, q="zzyzx")
    assert results == []
    assert summary.startswith("No answers match \u201czzyzx\u201d.")
    # Only the participant who opted out wrote this: it is not in the index at all.
    summary, results = search(chromium, tmp_path, folder, q="marmalade")
    assert results == []
    assert summary.startswith("No answers match")


def test_a_takeaway_is_found_with_the_prompt_it_answers(
    chromium: str, site: tuple[Path, TwoChats], tmp_path: Path
) -> None:
    """Takeaways left in the recap's thread are searchable, named as takeaways with their
    prompt, and link to their own place on the recap page."""
    folder, _ = site
    _, results = search(chromium, tmp_path, folder, q="first-year-plus-one")
    (result,) = results
    assert re.search(rf'href="{PLNCHAT_PAGE}#t\d+"', result)
    assert "Takeaway, prompt 2: " in result
    assert '<span class="who" dir="auto">ben</span>' in result
    assert "conversation" not in result


def test_hostile_text_is_shown_as_text_and_the_chat_filter_applies(
    chromium: str, site: tuple[Path, TwoChats], tmp_path: Path
) -> None:
    folder, chats = site
    dom = dump_dom(chromium, tmp_path / "profile", folder / "search.html", q="alert")
    (result,) = RESULT.findall(dom)
    assert f"#m{chats.script_id}-0" in result
    assert "&lt;b&gt;mallory&lt;/b&gt;" in result
    assert "&lt;/script&gt;&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in result
    assert len(re.findall(r"<script\b", dom)) == 2  # the index and search.js, nothing injected
    _, results = search(chromium, tmp_path, folder, q="network", chat="edchat")
    assert results
    assert all(f'href="{EDCHAT_PAGE}#' in r for r in results)
    _, everywhere = search(chromium, tmp_path, folder, q="network")
    assert len(everywhere) > len(results)


def test_the_resources_page_filters_by_word(
    chromium: str, site: tuple[Path, TwoChats], tmp_path: Path
) -> None:
    folder, _ = site
    dom = dump_dom(chromium, tmp_path / "profile", folder / "resources.html", q="wakelet")
    items = re.findall(
        r'<li class="resource" data-chats="[^"]*"( hidden="")?>(.*?)</li>', dom, re.S
    )
    shown = [body for hidden, body in items if not hidden]
    assert len(items) == 12
    assert len(shown) == 1
    assert "https://wakelet.com/wake/kwame-pln-starter-kit" in shown[0]
    assert "Showing 1 of 12 resources." in dom
    assert '<form class="find" id="filter" role="search">' in dom  # shown once the script ran


def test_a_one_letter_search_shows_the_newest_page_of_results_first(
    chromium: str, site: tuple[Path, TwoChats], tmp_path: Path
) -> None:
    """The index is split by the words' first letters: one letter reads every shard of that
    letter; results come a page (25) at a time, newest first, each from its own chunk."""
    folder, _ = site
    summary, results = search(chromium, tmp_path, folder, q="a")
    found = int(summary.split(" ", 1)[0])
    assert found > 25
    assert summary.endswith("; the newest 25 are shown first.")
    assert len(results) == 25
    assert all(f'href="{EDCHAT_PAGE}#' in r for r in results[:5])  # edchat is the newer chat

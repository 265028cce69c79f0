"""Search in scripts written without spaces, through the split index, in headless Chromium:
a word matches anywhere in a Chinese or Japanese message (each character is a word of the
index, and the page checks the text of what it finds), and a Latin word still matches only
at the start of a word."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.archive import build_archive
from bot.runtime.recaps import StoredRecaps
from bot.storage import open_store
from tests.browser.chromium import dump_dom
from tests.unit.recap.generate import START, finished_run
from tests.unit.recap.talk import Talk, small_spec

RESULT = re.compile(r'<li class="result">(.*?)</li>', re.DOTALL)
READING = "我每天晚上都读书，读书让我放松。"
SHUFFLED = "书读我，天每"  # every character of 读书, but never the two together
KANA = "カタカナの勉強会に行きました"


async def _build(folder: Path) -> Path:
    store = await open_store(folder / "bot.db")
    try:
        spec = small_spec()
        await store.save_chat(spec)
        run = await store.create_occurrence(
            spec, replace(finished_run(spec, START), occurrence_id=0)
        )
        talk = Talk(spec=spec)
        talk.say("mei", READING, minute=9)
        talk.say("li", SHUFFLED, minute=10)
        talk.say("aiko", KANA, minute=11)
        talk.say("ana", "Reading circles and a bookish podcast", minute=12)
        await store.upsert_answers(
            [replace(a, occurrence_id=run.occurrence_id) for a in talk.answers]
        )
        await build_archive(StoredRecaps(store), folder / "site", charts=False)
    finally:
        await store.close()
    return folder / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return asyncio.run(_build(tmp_path_factory.mktemp("scripts")))


def results(chromium: str, tmp_path: Path, site: Path, query: str) -> list[str]:
    dom = dump_dom(chromium, tmp_path / "profile", site / "search.html", q=query)
    return RESULT.findall(dom)


def test_a_chinese_word_matches_where_its_characters_are_together(
    chromium: str, site: Path, tmp_path: Path
) -> None:
    found = results(chromium, tmp_path, site, "读书")
    assert len(found) == 1  # the shuffled message has both characters, apart: not a match
    assert "<mark>读书</mark>" in found[0]
    (kana,) = results(chromium, tmp_path, site, "タカナ")  # inside a word, in katakana
    assert "カ<mark>タカナ</mark>の勉強会" in kana


def test_latin_words_still_match_at_the_start_of_a_word_only(
    chromium: str, site: Path, tmp_path: Path
) -> None:
    assert len(results(chromium, tmp_path, site, "book")) == 1
    assert results(chromium, tmp_path, site, "ookish") == []
    assert len(results(chromium, tmp_path, site, "r")) == 1  # one letter: every r shard

"""The search index's words and shards, as ``search.js`` reads them."""

from __future__ import annotations

from bot.archive.search_index import PER_CHUNK, search_chunks, search_part, shard_key, words


def test_words_are_folded_and_split_as_the_search_page_does() -> None:
    assert words("Café-style NAÏVE résumé, 3rd!") == {"cafe", "style", "naive", "resume", "3rd"}


def test_characters_of_scripts_without_spaces_are_words_of_their_own() -> None:
    found = words("我喜欢读书 and カタカナ")
    assert {"我喜欢读书", "我", "书", "and", "カタカナ", "カ", "タ", "ナ"} <= found


def test_a_shard_is_named_by_the_first_two_characters_in_hex() -> None:
    assert shard_key("podcast") == "70-6f"
    assert shard_key("a") == "61"
    assert shard_key("書") == "66f8"


def test_a_recaps_part_lists_each_word_with_its_places_as_base36_steps() -> None:
    rows = [[f"m{n}-0", 1, "ana", "podcast" if n % 2 else "mentor", 1] for n in range(250)]
    part = search_part("plnchat-2027-01-12.html", rows)
    assert part.count == 250
    names = [f"search/m-plnchat-2027-01-12-{n}.js" for n in range(-(-250 // PER_CHUNK))]
    assert list(part.chunks) == names
    chunks = search_chunks("plnchat-2027-01-12.html", rows)
    assert list(chunks) == names
    assert chunks[names[-1]].startswith('QACHAT_SEARCH_LOADED("m-plnchat-2027-01-12-2",[["m200-0",')
    # "podcast" is at places 1, 3, 5 ...: the first step is 1, then 2 each time.
    assert part.shards["70-6f"].startswith('{"podcast":"1,2,2,')
    assert '"ana":"0,1,1,' in part.shards["61-6e"]  # the author's name is searchable too

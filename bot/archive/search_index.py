"""The search index: every message of every recap page, split so that a search downloads only
what it needs, as scripts the search page loads.

A page opened from disk (``file://``) may not ``fetch()`` a JSON file, but it may load a
script next to it; so every part of the index is a script. The JSON inside is made safe to
embed in a script whatever participants wrote: every non-ASCII character is a ``\\u`` escape
(so the file reads the same in any encoding, and U+2028/U+2029 cannot end a line), and ``<``,
``>`` and ``&`` are escaped too, so even ``</script>`` pasted into HTML stays inside its string.

A five-year archive holds some 200,000 messages (tens of megabytes of text), too much to
download for one search; so the index is in three parts (``schema`` 3):

``search-index.js`` (loaded with the page) sets ``window.QACHAT_SEARCH``::

    {"schema": 3, "total": <messages>, "per": <messages per chunk>,
     "recaps": [{"page", "chat", "title", "hashtag", "date", "questions": [text, ...],
                 "prompts": [text, ...], "first": <number of its first message>,
                 "count": <its messages>}, ...],
     "shards": [<key>, ...]}

``recaps`` are oldest first; a message's number is its recap's ``first`` plus its place on the
recap's page. ``search/t-<key>.js`` (a *shard*) holds the words that start with the one or two
characters of ``key`` (their code points in hex, joined by ``-``: ``70-6f`` for "po") and, for
each recap that has them, where::

    QACHAT_SEARCH_LOADED("t-70-6f", [[<recap>, {"podcast": "<places>", ...}], ...])

``<places>`` are the places on the recap's page, ascending, each the difference from the one
before in base 36, joined by commas. ``search/m-<page>-<n>.js`` (a *chunk*) holds the messages
of one recap page from place ``n * per`` on::

    QACHAT_SEARCH_LOADED("m-<page>-<n>", [[anchor, question, author, text, flags], ...])

A message whose author has a public profile has a sixth element, the profile's page
(``people/ana.html``), which results link to; ``flags`` is 1 for an answer (not conversation)
plus 2 for a late one, or 4 for a takeaway. ``question`` is the question's number (0 before
the first question), or for a takeaway the number of the prompt it answers (0: none).

Words are folded as the search page folds them (NFKD, marks dropped, lower case) and split
at every character that is not a letter or a number; an answer matches a typed word when one
of its words starts with it, so a shard answers every word of two characters or more, and a
one-character word reads the shards that start with it. In scripts written without spaces
(Chinese, Japanese, Thai) a typed word matches anywhere, so each of their characters is also
a word of its own, and the page checks the text of what it finds.

Each recap's chunks and its part of every shard depend on that recap alone, so the running
bot's archive (:mod:`bot.archive.site`) reads and renders only the recaps that changed, and a
new recap changes its own chunks and the shards of the words it has.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.archive.entries import Entry, anchor, messages, short_date
from bot.core.consent import consented
from bot.core.recap import Recap

#: The global the index sets, and the function its other parts call; read by ``search.js``.
GLOBAL = "QACHAT_SEARCH"
LOADED = "QACHAT_SEARCH_LOADED"
#: Raised when the shape changes in a way ``search.js`` would notice.
SCHEMA = 3
#: The folder of the shards and chunks.
FOLDER = "search"
#: Messages in one chunk: a page of results reads at most one chunk per result.
PER_CHUNK = 100
#: How many characters of a word name its shard.
KEY_LENGTH = 2

ANSWER = 1
LATE = 2
TAKEAWAY = 4

_SCRIPT_UNSAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)
#: Scripts written without spaces (as ``NO_SPACES`` in ``search.js``).
_NO_SPACES = ("CJK UNIFIED", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA", "KATAKANA", "THAI")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def script_json(value: Any) -> str:
    """``value`` as JSON that can be embedded in a ``<script>`` (or a script file) as is."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text.translate(_SCRIPT_UNSAFE)


def message_rows(recap: Recap, profiles: Mapping[int, str] | None = None) -> list[list[Any]]:
    """The recap's messages as index rows, in page order (the takeaways last);
    ``profiles`` are the public profile pages, by user id."""
    pages = profiles or {}
    rows = [
        [
            anchor(quote),
            quote.question or 0,
            quote.author,
            quote.text,
            (ANSWER if quote.is_answer else 0) | (LATE if quote.late else 0),
            *_profile(pages, quote.author_id),
        ]
        for quote in messages(recap)
    ]
    return rows + [
        [
            anchor(takeaway),
            takeaway.prompt,
            takeaway.author,
            takeaway.text,
            TAKEAWAY,
            *_profile(pages, takeaway.author_id),
        ]
        for takeaway in recap.takeaways
        if takeaway.message_id
    ]


def _profile(pages: Mapping[int, str], user_id: int) -> list[str]:
    page = pages.get(user_id)
    return [page] if page else []


# --- words ---------------------------------------------------------------------------------


def fold(text: str) -> str:
    """``text`` as the search compares it: NFKD, without marks, lower case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()


def _no_spaces(character: str) -> bool:
    return unicodedata.name(character, "").startswith(_NO_SPACES)


def words(text: str) -> set[str]:
    """The words of ``text`` the index keeps: its folded words, and every character of a
    script written without spaces on its own."""
    found: set[str] = set()
    word: list[str] = []
    for character in fold(text) + " ":
        if unicodedata.category(character)[0] in "LN":
            word.append(character)
            if ord(character) > 0x0E00 and _no_spaces(character):
                found.add(character)
        elif word:
            found.add("".join(word))
            word = []
    return found


def shard_key(word: str) -> str:
    """The shard of ``word``: its first characters' code points in hex (``70-6f``)."""
    return "-".join(f"{ord(c):x}" for c in word[:KEY_LENGTH])


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
        if not number:
            return digits


def _places(numbers: Iterable[int]) -> str:
    previous, parts = 0, []
    for number in numbers:
        parts.append(_base36(number - previous))
        previous = number
    return ",".join(parts)


# --- one recap's part ----------------------------------------------------------------------


@consented
@dataclass(frozen=True, slots=True)
class SearchPart:
    """One recap page's part of the index: its messages, the names of its chunk files, and,
    for every shard it has words in, its entry there (JSON of ``{word: places}``). The
    chunks' texts are not kept (:func:`search_chunks` makes them, once)."""

    count: int
    chunks: tuple[str, ...]
    shards: dict[str, str]


def chunk_name(page: str, number: int) -> str:
    """``m-plnchat-2027-01-12-0``: a chunk's name (its file is ``search/<name>.js``)."""
    return f"m-{page.removesuffix('.html')}-{number}"


def search_chunks(page: str, rows: Sequence[list[Any]]) -> dict[str, str]:
    """The chunk files (name in the site -> text) of the recap written as ``page``, whose
    messages are ``rows`` (:func:`message_rows`)."""
    chunks = {}
    for number, start in enumerate(range(0, len(rows), PER_CHUNK)):
        name = chunk_name(page, number)
        body = script_json([list(row) for row in rows[start : start + PER_CHUNK]])
        chunks[f"{FOLDER}/{name}.js"] = f'{LOADED}("{name}",{body});\n'
    return chunks


def search_part(page: str, rows: Sequence[list[Any]]) -> SearchPart:
    """The part of the index of the recap written as ``page``, whose messages are ``rows``
    (:func:`message_rows`); its chunks are :func:`search_chunks`."""
    names = tuple(
        f"{FOLDER}/{chunk_name(page, number)}.js"
        for number in range((len(rows) + PER_CHUNK - 1) // PER_CHUNK)
    )
    where: dict[str, list[int]] = {}
    for place, row in enumerate(rows):
        for word in words(f"{row[3]}\n{row[2]}"):
            where.setdefault(word, []).append(place)
    by_shard: dict[str, dict[str, str]] = {}
    for word in sorted(where):
        by_shard.setdefault(shard_key(word), {})[word] = _places(where[word])
    shards = {key: script_json(found) for key, found in by_shard.items()}
    return SearchPart(len(rows), names, shards)


# --- the whole index -------------------------------------------------------------------------


def render_search_index(recaps: Sequence[tuple[Entry, SearchPart]]) -> dict[str, str]:
    """The files of the index (name in the site -> text) for ``recaps``, oldest first, each
    with its part: ``search-index.js`` and the shards (the chunks are each recap's own,
    :func:`search_chunks`)."""
    listed = []
    first = 0
    shards: dict[str, list[str]] = {}
    files: dict[str, str] = {}
    for number, (entry, part) in enumerate(recaps):
        listed.append(
            {
                "page": entry.page,
                "chat": entry.header.chat_id,
                "title": entry.header.title,
                "hashtag": entry.header.hashtag,
                "date": short_date(entry.header),
                "questions": list(entry.questions),
                "prompts": list(entry.prompts),
                "first": first,
                "count": part.count,
            }
        )
        first += part.count
        for key, found in part.shards.items():
            shards.setdefault(key, []).append(f"[{number},{found}]")
    for key, entries in shards.items():
        name = f"t-{key}"
        files[f"{FOLDER}/{name}.js"] = f'{LOADED}("{name}",[{",".join(entries)}]);\n'
    data = {
        "schema": SCHEMA,
        "total": first,
        "per": PER_CHUNK,
        "recaps": listed,
        "shards": sorted(shards),
    }
    files["search-index.js"] = (
        "// The archive's search index, written by python -m bot archive; read by search.js.\n"
        f"window.{GLOBAL} = {script_json(data)};\n"
    )
    return files

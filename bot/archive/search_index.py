"""The search index: every message of every recap page, as a script the search page loads.

A page opened from disk (``file://``) may not ``fetch()`` a JSON file, but it may load a
script next to it; so the index is ``search-index.js``, one statement that sets
``window.QACHAT_SEARCH``. The JSON inside is made safe to embed in a script whatever
participants wrote: every non-ASCII character is a ``\\u`` escape (so the file reads the same
in any encoding, and U+2028/U+2029 cannot end a line), and ``<``, ``>`` and ``&`` are escaped
too, so even ``</script>`` pasted into HTML stays inside its string.

Shape (``schema`` 2)::

    {"recaps": [{"page", "chat", "title", "hashtag", "date", "questions": [text, ...],
                 "prompts": [text, ...]}, ...],
     "messages": [[recap, anchor, question, author, text, flags], ...], "schema": 2}

``recaps`` are newest first and ``messages`` follow them, each recap's in page order, its
takeaways last; ``recap`` indexes ``recaps``; a message whose author has a public profile
has a seventh element, the profile's page (``people/ana.html``), which results link to; ``flags`` is 1 for an answer (not
conversation) plus 2 for a late one, or 4 for a takeaway. ``question`` is the question's
number (0 before the first question), or for a takeaway the number of the prompt it
answers (0: none in particular).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.archive.entries import Entry, anchor, messages, short_date
from bot.core.recap import Recap

#: The global the index sets, read by ``search.js``.
GLOBAL = "QACHAT_SEARCH"
#: Raised when the shape changes in a way ``search.js`` would notice.
SCHEMA = 2

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


def script_json(value: Any) -> str:
    """``value`` as JSON that can be embedded in a ``<script>`` (or a script file) as is."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return text.translate(_SCRIPT_UNSAFE)


def message_rows(recap: Recap, profiles: Mapping[int, str] | None = None) -> list[list[Any]]:
    """The recap's messages as index rows, without the recap's number (added when the
    recaps are put in order); ``profiles`` are the public profile pages, by user id."""
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


def render_search_index(recaps: Sequence[tuple[Entry, Sequence[list[Any]]]]) -> str:
    """``search-index.js`` for ``recaps`` (each entry with its rows), in the order given."""
    data = {
        "schema": SCHEMA,
        "recaps": [
            {
                "page": entry.page,
                "chat": entry.header.chat_id,
                "title": entry.header.title,
                "hashtag": entry.header.hashtag,
                "date": short_date(entry.header),
                "questions": list(entry.questions),
                "prompts": list(entry.prompts),
            }
            for entry, _ in recaps
        ],
        "messages": [[number, *row] for number, (_, rows) in enumerate(recaps) for row in rows],
    }
    return (
        "// The archive's search index, written by python -m bot archive; read by search.js.\n"
        f"window.{GLOBAL} = {script_json(data)};\n"
    )

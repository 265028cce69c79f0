"""What differs between the SQL of SQLite and of PostgreSQL, in one place.

The repositories' SQL is written once (``?`` placeholders, ``INSERT ... ON CONFLICT``,
``CASE`` rather than ``IIF``, ``WITH RECURSIVE``, explicit ``CAST`` of a parameter whose type
PostgreSQL cannot infer). The few things that cannot be written the same way are snippets
here, picked through ``self.db.dialect``: a list of ids passed as one JSON parameter, the
full-text match of the topic search, and how the answer pipeline stores a run of messages.
Everything else that differs is schema, in each backend's migrations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    """One backend's SQL snippets."""

    #: ``sqlite`` or ``postgresql``.
    name: str
    #: ``SELECT`` of the integers of one JSON array parameter (``[1, 2, 3]``), as ``value``.
    json_ints: str
    #: ``SELECT`` of the (integer, text or null) pairs of one JSON array parameter
    #: (``[[1, "…"], [2, null]]``).
    json_pairs: str
    #: The answers ``a`` a topic search reads (with the index, if it is a table of its own).
    topic_from: str
    #: The condition that answer ``a`` matches the topic parameter.
    topic_match: str
    #: The topic parameter for some words: answers having every word at the start of one of
    #: theirs.
    topic_query: Callable[[Iterable[str]], str]
    #: How the answer pipeline stores a run of messages (bot.storage.answer_writes): ``view``,
    #: a multi-row insert into a ``TEMP`` view created on each connection (SQLite); ``arrays``,
    #: one array per column (PostgreSQL).
    incoming: str
    #: The topic index is filled lazily, before a search (SQLite's FTS5 table); PostgreSQL's
    #: is an expression index, current with every write.
    lazy_topic_index: bool


def _fts5_query(words: Iterable[str]) -> str:
    return " AND ".join(f'"{word.replace(chr(34), chr(34) * 2)}"*' for word in words)


def _tsquery(words: Iterable[str]) -> str:
    quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)
    return " & ".join(quoted)


SQLITE = Dialect(
    name="sqlite",
    json_ints="SELECT value FROM json_each(?)",
    json_pairs="SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)",
    topic_from="answer_words w JOIN answers a ON a.rowid = w.rowid",
    topic_match="answer_words MATCH ?",
    topic_query=_fts5_query,
    incoming="view",
    lazy_topic_index=True,
)

POSTGRESQL = Dialect(
    name="postgresql",
    json_ints=(
        "SELECT CAST(value AS BIGINT) AS value "
        "FROM json_array_elements_text(CAST(? AS json)) AS value"
    ),
    json_pairs=(
        "SELECT CAST(value->>0 AS BIGINT), value->>1 "
        "FROM json_array_elements(CAST(? AS json)) AS value"
    ),
    topic_from="answers a",
    # The expression of the GIN index answers_words (PostgreSQL's migration 8), exactly.
    topic_match=(
        "to_tsvector('simple', fold_accents(a.content)) "
        "@@ to_tsquery('simple', fold_accents(CAST(? AS TEXT)))"
    ),
    topic_query=_tsquery,
    incoming="arrays",
    lazy_topic_index=False,
)

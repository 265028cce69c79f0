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
    #: The condition that answer ``w`` of ``answer_words`` matches the topic parameter.
    topic_match: str
    #: The topic parameter for some words: answers having every word at the start of one of
    #: theirs.
    topic_query: Callable[[Iterable[str]], str]
    #: How the answer pipeline stores a run of messages (bot.storage.answer_writes): ``view``,
    #: a multi-row insert into a ``TEMP`` view created on each connection (SQLite); ``arrays``,
    #: one array per column (PostgreSQL).
    incoming: str


def _fts5_query(words: Iterable[str]) -> str:
    return " AND ".join(f'"{word.replace(chr(34), chr(34) * 2)}"*' for word in words)


def _tsquery(words: Iterable[str]) -> str:
    quoted = ("'" + word.replace("\\", "\\\\").replace("'", "''") + "':*" for word in words)
    return " & ".join(quoted)


SQLITE = Dialect(
    name="sqlite",
    json_ints="SELECT value FROM json_each(?)",
    json_pairs="SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)",
    topic_match="answer_words MATCH ?",
    topic_query=_fts5_query,
    incoming="view",
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
    topic_match="w.words @@ to_tsquery('simple', fold_accents(CAST(? AS TEXT)))",
    topic_query=_tsquery,
    incoming="arrays",
)

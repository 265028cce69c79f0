"""Consent: the one filter every output takes its people through.

Two promises, kept here and nowhere else:

* **Opted out** (``/chat optout``): counted, never named or quoted. Their messages
  count in every figure but never appear, their names and mentions in other people's
  text read "a participant", and their words never make a theme or a link card.
* **Forgotten** (``/chat forget-me``, ``/host forget-user``): what they posted up to
  their request is gone from every output, as if never said. The store deletes it and
  refuses it at its door; this filter is the second lock, so a renderer that reads a
  stale copy still cannot show it. What they post after the request counts again.

Every model an output is rendered from is built through a :class:`Consent`
(:func:`bot.core.recap.build_recap` takes one) and is marked :func:`consented`;
``tests/unit/test_consent_everywhere.py`` enumerates the renderers in
:mod:`bot.render` and :mod:`bot.archive` and fails for one whose input is not such a
model, so a new surface (a profile, a board, an alert digest, a poll result) cannot
forget the filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

T = TypeVar("T")

#: Model types whose people went through a :class:`Consent` when they were built.
CONSENTED: set[type] = set()


def consented(cls: type[T]) -> type[T]:
    """Mark ``cls`` as a model that is only ever built through a :class:`Consent` (or from
    such a model), so renderers may take it. Only decorate a type whose builder applies
    the filter."""
    CONSENTED.add(cls)
    return cls


@dataclass(frozen=True)
class Consent:
    """Who may be named and quoted, and whose words are gone."""

    opted_out: frozenset[int] = frozenset()
    #: Forgotten people, with the moment their request covers.
    forgotten: Mapping[int, datetime] = field(default_factory=dict, hash=False)

    @property
    def hidden(self) -> frozenset[int]:
        """People who are never named or quoted (their later messages still count)."""
        return self.opted_out

    def kept(self, author_id: int, created_at: datetime) -> bool:
        """False for words their author asked to be forgotten (created up to the request)."""
        until = self.forgotten.get(author_id)
        return until is None or created_at > until

    def words(self, items: Iterable[T], author_id: str, created_at: str) -> list[T]:
        """``items`` without the ones their author asked to be forgotten; ``author_id`` and
        ``created_at`` name the items' attributes."""
        if not self.forgotten:
            return list(items)
        return [
            item for item in items if self.kept(getattr(item, author_id), getattr(item, created_at))
        ]

    def named(self, user_id: int) -> bool:
        """True when ``user_id`` may be named (not opted out)."""
        return user_id not in self.opted_out

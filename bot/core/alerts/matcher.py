"""Matching a message against every alert of a server at once.

One Aho-Corasick automaton (pyahocorasick) holds every distinct term of the server's
alerts, each as its words between spaces; a message is read once, as its folded words
between spaces (:func:`bot.core.alerts.terms.spaced`), so what the automaton finds is
whole words and phrases. Each alert is filed under its rarest term (the one the fewest
alerts use), so a message wakes only the alerts whose rarest term it contains, and each
of those is kept when all its other terms were found too. The cost per message is one
pass over its text plus the alerts it nearly matches, whatever the number of alerts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from bot.core.alerts.terms import _WORD, Keywords, fold, spaced


@dataclass(frozen=True)
class FollowedAlert:
    """One member's alert in one server."""

    id: int
    guild_id: int
    user_id: int
    keywords: Keywords


class AlertIndex:
    """Every alert of a server, ready to match messages (rebuilt when alerts change)."""

    def __init__(self, alerts: Iterable[FollowedAlert]) -> None:
        self.alerts = list(alerts)
        term_ids: dict[tuple[str, ...], int] = {}
        for alert in self.alerts:
            for term in alert.keywords.terms:
                term_ids.setdefault(term, len(term_ids))
        uses = Counter(term_ids[t] for a in self.alerts for t in a.keywords.terms)
        self._filed: dict[int, list[tuple[FollowedAlert, frozenset[int]]]] = {}
        for alert in self.alerts:
            needed = frozenset(term_ids[t] for t in alert.keywords.terms)
            rarest = min(needed, key=lambda term: (uses[term], term))
            self._filed.setdefault(rarest, []).append((alert, needed))
        self._automaton = ahocorasick.Automaton()
        for term, term_id in term_ids.items():
            self._automaton.add_word(" " + " ".join(term) + " ", term_id)
        if term_ids:
            self._automaton.make_automaton()
        self._empty = not term_ids

    def __len__(self) -> int:
        return len(self.alerts)

    def match(self, text: str) -> list[FollowedAlert]:
        """The alerts all of whose terms ``text`` contains."""
        if self._empty:
            return []
        found = {term_id for _end, term_id in self._automaton.iter(spaced(text))}
        hits = []
        for term_id in found:
            for alert, needed in self._filed.get(term_id, ()):
                if needed <= found:
                    hits.append(alert)
        return hits


def matched_spans(text: str, terms: Iterable[Sequence[str]]) -> list[tuple[int, int]]:
    """Where in ``text`` (character offsets into the original text) the ``terms`` appear, in
    order, for highlighting."""
    tokens = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
    folded = [token[2] for token in tokens]
    spans = []
    for term in terms:
        size = len(term)
        for index in range(len(folded) - size + 1):
            if tuple(folded[index : index + size]) == tuple(term):
                spans.append((tokens[index][0], tokens[index + size - 1][1]))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

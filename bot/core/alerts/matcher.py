"""Matching a message against every alert of a server at once.

One Aho-Corasick automaton (pyahocorasick) holds every distinct term of the server's
alerts, each as its words between spaces; a message is read once, as its folded words
between spaces (:func:`bot.core.alerts.terms.spaced`), so what the automaton finds is
whole words and phrases. A one-term alert is filed under its term; an alert of several
terms under the pair of its two rarest terms (the ones the fewest alerts use), so a
message wakes only the alerts both of whose rarest terms it contains (the pairs of the
terms it contains are intersected with the filed pairs in one set operation), and each
of those is kept when all its other terms were found too. A message with very many
distinct terms (more than :data:`MAX_PAIRED` found) is checked alert by alert under each
alert's rarest term instead. The cost per message is one pass over its text plus the
alerts it nearly matches, whatever the number of alerts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import ahocorasick

from bot.core.alerts.terms import _WORD, Keywords, fold, spaced

#: Above this many distinct terms found in one message, pairs are not enumerated.
MAX_PAIRED = 40


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
        self._single: dict[int, list[FollowedAlert]] = {}
        self._pairs: dict[tuple[int, int], list[tuple[FollowedAlert, frozenset[int]]]] = {}
        self._filed: dict[int, list[tuple[FollowedAlert, frozenset[int]]]] = {}
        for alert in self.alerts:
            needed = frozenset(term_ids[t] for t in alert.keywords.terms)
            if len(needed) == 1:
                self._single.setdefault(next(iter(needed)), []).append(alert)
                continue
            first, second = sorted(needed, key=lambda term: (uses[term], term))[:2]
            self._pairs.setdefault((min(first, second), max(first, second)), []).append(
                (alert, needed)
            )
            self._filed.setdefault(first, []).append((alert, needed))
        self._single_terms = frozenset(self._single)
        self._pair_keys = frozenset(self._pairs)
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
        for term_id in found & self._single_terms:
            hits.extend(self._single[term_id])
        if len(found) < 2:
            return hits
        if len(found) <= MAX_PAIRED:
            for pair in self._pair_keys.intersection(combinations(sorted(found), 2)):
                for alert, needed in self._pairs[pair]:
                    if len(needed) == 2 or needed <= found:
                        hits.append(alert)
            return hits
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

"""Matching a message against every alert of a server at once.

A message is read once, as its folded words:

* **one-word terms** (most of them) are found with one set intersection of the message's
  words and every alert's words (:func:`bot.core.alerts.terms.tokens`);
* **phrases** (quoted, or ``part-time``) with one Aho-Corasick automaton (pyahocorasick)
  holding every phrase of the server's alerts as its words between spaces, run over the
  message's words between spaces, so what it finds is whole words (skipped when no two
  neighbouring words of the message begin a phrase).

Then the alerts: a one-term alert is filed under its term; an alert of several terms under
its rarest term (the one the fewest alerts use) and, there, under its second rarest, so a
message wakes only the alerts both of whose rarest terms it contains (for each term found,
a look-up of each of that term's partners among the terms found), and each of those is kept
when all its other terms were found too. The work per message is one pass over its text
plus set operations over the terms it contains; it does not grow with the number of
alerts, only with those it nearly matches. (A regex per alert would be one pass per alert.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import ahocorasick

from bot.core.alerts.terms import _WORD, Keywords, fold, tokens

#: A term as the matcher knows it: its folded words joined by single spaces.
Term = str


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
        uses: Counter[Term] = Counter(
            " ".join(term) for alert in self.alerts for term in alert.keywords.terms
        )
        self._single: dict[Term, list[FollowedAlert]] = {}
        #: rarest term -> second rarest -> the alerts and all their terms
        self._partners: dict[Term, dict[Term, list[tuple[FollowedAlert, frozenset[Term]]]]] = {}
        for alert in self.alerts:
            needed = frozenset(" ".join(term) for term in alert.keywords.terms)
            if len(needed) == 1:
                self._single.setdefault(next(iter(needed)), []).append(alert)
                continue
            first, second = sorted(needed, key=lambda term: (uses[term], term))[:2]
            self._partners.setdefault(first, {}).setdefault(second, []).append((alert, needed))
        self._single_terms = frozenset(self._single)
        self._first_terms = frozenset(self._partners)
        self._words = {term for term in uses if " " not in term}
        phrases = [term for term in uses if " " in term]
        self._phrases = ahocorasick.Automaton()
        for phrase in phrases:
            self._phrases.add_word(f" {phrase} ", phrase)
        if phrases:
            self._phrases.make_automaton()
        self._has_phrases = bool(phrases)
        #: The first two words of every phrase: a message with none of them has no phrase.
        self._phrase_starts = frozenset(tuple(phrase.split(" ", 2)[:2]) for phrase in phrases)

    def __len__(self) -> int:
        return len(self.alerts)

    def terms_in(self, text: str) -> set[Term]:
        """The terms of any alert that ``text`` contains."""
        read = tokens(text)
        found = self._words.intersection(read)
        if self._has_phrases and not self._phrase_starts.isdisjoint(pairwise(read)):
            spaced = " " + " ".join(read) + " "
            found.update(phrase for _end, phrase in self._phrases.iter(spaced))
        return found

    def match(self, text: str) -> list[FollowedAlert]:
        """The alerts all of whose terms ``text`` contains."""
        if not self.alerts:
            return []
        found = self.terms_in(text)
        if not found:
            return []
        hits = []
        for term in found & self._single_terms:
            hits.extend(self._single[term])
        for term in found & self._first_terms:
            for second, filed in self._partners[term].items():
                if second in found:
                    for alert, needed in filed:
                        if len(needed) == 2 or needed <= found:
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

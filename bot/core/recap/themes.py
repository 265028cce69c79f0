"""Themes and representative answers: TF-IDF over one chat's answers, in linear time.

Every answer of the chat is a document; its words are the content words left by
:func:`bot.core.recap.text.content_word` (stop words, numbers and the hashtag
removed), plurals folded.

* **Themes** of a question are its words and two-word phrases mentioned by at
  least two of its answers (the words of the question itself left out), ranked by
  how many of its answers mention them times their inverse document frequency
  over the chat's answers and over its questions: a word every answer uses, or
  every question gets, says little. A phrase is as rare as its rarer word.
* The **representative** answer is the one most similar to the other answers of
  its question: the cosine of its TF-IDF vector with the centroid of the others.
  The **contrasting** one is the least similar among answers with some substance.
  Comparing each answer with one centroid keeps this linear in the number of
  answers, where comparing every pair would be quadratic.

Hand-written rather than a library: it is deterministic (golden files), needs
no model or corpus download, keeps the core free of untyped dependencies, and
is fast enough for 100,000 answers (see the README's "Recaps" section).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from bot.core.recap.text import ABBREVIATIONS, content_word, stem, term_runs, tokens

#: A theme must be mentioned by this many answers of the question.
MIN_MENTIONS = 2
#: An answer needs this many content words to be offered as the contrasting view.
SUBSTANCE = 5
#: Two-word phrases say more than single words; they rank this much higher.
PHRASE_BOOST = 1.5


@dataclass(frozen=True, slots=True)
class Theme:
    """A key phrase and how many answers of the question mention it."""

    phrase: str
    answers: int


@dataclass(frozen=True, slots=True)
class _Document:
    #: The document's words in order, "" where a stop word or punctuation breaks a phrase.
    keys: list[str]
    counts: Counter[str]
    words: int


class TextModel:
    """The chat's answers as TF-IDF vectors; built once, queried per group (question)."""

    def __init__(
        self, texts: Sequence[str], groups: Sequence[int], excluded: frozenset[str]
    ) -> None:
        self._documents: list[_Document] = []
        #: How often each token was written, and the written forms of each word.
        self._forms: Counter[str] = Counter()
        self._variants: dict[str, set[str]] = {}
        self._keys: dict[str, str] = {}
        self._excluded = excluded
        self._members: dict[int, list[int]] = {}
        frequency: Counter[str] = Counter()
        in_groups: dict[int, set[str]] = {}
        for index, (text, group) in enumerate(zip(texts, groups, strict=True)):
            document = self._read(text)
            frequency.update(document.counts.keys())
            in_groups.setdefault(group, set()).update(document.counts.keys())
            self._members.setdefault(group, []).append(index)
            self._documents.append(document)
        total = len(self._documents)
        self._idf = {term: math.log((1 + total) / (1 + df)) + 1 for term, df in frequency.items()}
        spread: Counter[str] = Counter(term for terms in in_groups.values() for term in terms)
        self._group_idf = {
            term: math.log((1 + len(in_groups)) / (1 + count)) + 1 for term, count in spread.items()
        }
        self._vectors = [self._vector(document.counts) for document in self._documents]

    def _key(self, token: str) -> str:
        """The word a token counts as ("" when none); memoised, as a chat uses far fewer
        distinct words than it has words."""
        word = content_word(token, self._excluded)
        key = ""
        if word is not None:
            key = stem(word)
            self._variants.setdefault(key, set()).add(word)
        self._keys[token] = key
        return key

    def _read(self, text: str) -> _Document:
        written = tokens(text)
        self._forms.update(written)
        found = list(map(self._keys.get, written))  # at C speed: no Python loop
        keys = (
            [self._key(t) if k is None else k for t, k in zip(written, found, strict=True)]
            if None in found
            else [k for k in found if k is not None]
        )
        counts = Counter(keys)
        del counts[""]
        return _Document(keys, counts, counts.total())

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        idf = self._idf
        weights = {term: (1 + math.log(count)) * idf[term] for term, count in counts.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        return {term: weight / norm for term, weight in weights.items()} if norm else {}

    def _display(self, term: str) -> str:
        """``term`` as most people wrote its words (spelled out rather than abbreviated)."""
        forms = self._forms
        return " ".join(
            min(
                self._variants[key],
                key=lambda form: (form in ABBREVIATIONS, -forms[form], form),
            )
            for key in term.split()
        )

    def themes(self, group: int, limit: int = 5, asked: str = "") -> tuple[Theme, ...]:
        """The key phrases of one group's documents, best first.

        Words of the question itself (``asked``) are left out: that answers to "how
        do you find time?" mention time says nothing new.
        """
        members = [self._documents[index] for index in self._members.get(group, [])]
        mentions: Counter[str] = Counter()
        for document in members:
            mentions.update(document.counts.keys())
        echoes = {stem(word) for run in term_runs(asked, self._excluded) for word in run}
        prefixes = {echo[:5] for echo in echoes if len(echo) >= 5}
        words = {
            word
            for word, count in mentions.items()
            if count >= MIN_MENTIONS
            and word not in echoes
            and not (len(word) >= 5 and word[:5] in prefixes)
        }
        phrases: Counter[str] = Counter()
        for document in members:  # only phrases of words that are candidates themselves
            phrases.update(
                {f"{a} {b}" for a, b in pairwise(document.keys) if a in words and b in words}
            )
        idf, group_idf = self._idf, self._group_idf
        scores = {word: mentions[word] * idf[word] * group_idf[word] for word in words}
        for phrase, count in phrases.items():
            if count >= MIN_MENTIONS:
                first, second = phrase.split()
                rarity = max(idf[first], idf[second]) * max(group_idf[first], group_idf[second])
                scores[phrase] = count * rarity * PHRASE_BOOST
                mentions[phrase] = count
        ranked = sorted(scores, key=lambda term: (-scores[term], term))
        chosen: list[str] = []
        for term in ranked:
            if len(chosen) == limit:
                break
            if any(_overlaps(term, mentions[term], other, mentions[other]) for other in chosen):
                continue
            chosen.append(term)
        return tuple(Theme(self._display(term), mentions[term]) for term in chosen)

    def central(self, group: int) -> tuple[int | None, int | None]:
        """The representative and the contrasting document of one group (indexes of the texts,
        or None when the group has fewer than three documents with words).

        Each document is compared with the centroid of the others (leave-one-out
        cosine); ties go to the earliest document.
        """
        present = [index for index in self._members.get(group, []) if self._vectors[index]]
        if len(present) < 3:
            return None, None
        centroid: Counter[str] = Counter()
        for index in present:
            centroid.update(self._vectors[index])
        centroid_norm2 = sum(weight * weight for weight in centroid.values())
        scores: dict[int, float] = {}
        for index in present:
            vector = self._vectors[index]
            dot = sum(weight * centroid[term] for term, weight in vector.items())
            rest2 = centroid_norm2 - 2 * dot + 1.0
            scores[index] = (dot - 1.0) / math.sqrt(rest2) if rest2 > 1e-12 else 0.0
        representative = min(present, key=lambda index: (-scores[index], index))
        candidates = [
            index
            for index in present
            if index != representative and self._documents[index].words >= SUBSTANCE
        ]
        contrasting = min(candidates, key=lambda index: (scores[index], index), default=None)
        return representative, contrasting


def _akin(word: str, other: str) -> bool:
    """The same word, or two forms of one ("invite" and "inviting", "start" and "started")."""
    return word == other or (min(len(word), len(other)) >= 5 and word[:5] == other[:5])


def _overlaps(term: str, count: int, other: str, other_count: int) -> bool:
    """True when ``term`` repeats a chosen theme: a word of a chosen phrase mentioned barely
    more often than the phrase, another form of a chosen word, or a phrase that shares a
    word with a chosen theme."""
    words, other_words = term.split(), other.split()
    if len(words) == 1 and len(other_words) == 2 and any(_akin(term, w) for w in other_words):
        return count < 2 * other_count
    return any(_akin(a, b) for a in words for b in other_words)

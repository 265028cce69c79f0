"""A chat's community over time: one row per occurrence, the returning voices, the themes
that recur.

For a recurring chat, :func:`build_series` reads every past occurrence's messages (answers and
conversation; takeaways and deleted messages left out) and gives:

* **a row per occurrence**: its start, the participants (everyone who posted, people who
  opted out counted), the **newcomers** (posting in this chat for the first time) and the
  **returning** (everyone else: they posted in an earlier occurrence), the answers, and the
  resources (links shared, once each, as the recap's reading list counts them);
* **the returning voices**: people who took part in at least half of the occurrences, by
  name, most occurrences first; people who opted out are counted, never named;
* **the recurring themes**: words and two-word phrases that two or more answers of an
  occurrence mention, in two or more occurrences (the words of that occurrence's questions,
  the hashtag and the names of people who opted out left out, as the recap's themes do;
  words of people who opted out never make a theme).

Consent is the recap's: messages go through :class:`bot.core.consent.Consent` first, so what
forgotten people posted up to their request is not counted at all (as if never said).

Pure: no I/O and no clock.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from bot.core.answers import Answer, AnswerSource
from bot.core.consent import Consent, consented
from bot.core.recap.privacy import Scrubber
from bot.core.recap.text import defuse_mentions, find_links, normalise_link, stem, term_runs
from bot.core.run import Run
from bot.core.spec import ChatSpec

#: Recurring themes shown at most.
THEMES = 8
#: An occurrence's theme needs this many of its answers to mention it.
MIN_MENTIONS = 2
#: Returning voices shown at most (the rest are counted).
REGULARS = 25


@dataclass(frozen=True, slots=True)
class SeriesRow:
    """One occurrence of the chat."""

    occurrence_id: int
    start: datetime
    participants: int
    newcomers: int
    returning: int
    answers: int
    resources: int


@dataclass(frozen=True, slots=True)
class Regular:
    """Someone who took part in at least half of the occurrences."""

    user_id: int
    name: str
    occurrences: int


@dataclass(frozen=True, slots=True)
class RecurringTheme:
    """A word or phrase that came back: in how many occurrences, and in how many answers."""

    phrase: str
    occurrences: int
    answers: int


@consented
@dataclass(frozen=True, slots=True)
class Series:
    """A chat's community over time."""

    chat_id: str
    title: str
    hashtag: str
    timezone: str
    rows: tuple[SeriesRow, ...]
    #: The returning voices, by name (at most :data:`REGULARS`).
    regulars: tuple[Regular, ...]
    #: Returning voices not named: people who opted out, and those past :data:`REGULARS`.
    unnamed_regulars: int
    #: How many occurrences a returning voice took part in at least.
    threshold: int
    themes: tuple[RecurringTheme, ...]
    #: Everyone who ever took part (people who opted out counted).
    people: int
    #: True when the chat repeats (its spec has a recurrence rule).
    recurring: bool = False

    @property
    def participants(self) -> int:
        """Participations: the participants of every occurrence added up."""
        return sum(row.participants for row in self.rows)


@dataclass(frozen=True, slots=True)
class SeriesOccurrence:
    """A past occurrence as the series reads it: its run, the spec it ran with, its messages."""

    run: Run
    spec: ChatSpec
    messages: Sequence[Answer]


@dataclass(frozen=True, slots=True)
class SeriesPart:
    """What the series takes of one occurrence (consent applied): its authors, answers,
    resources and themes. It depends on that occurrence's messages and the consent alone, so
    a caller that rebuilds a series often (the published archive) keeps the parts of the
    occurrences that did not change (:func:`series_part`, :func:`series_from_parts`)."""

    occurrence_id: int
    start: datetime
    authors: frozenset[int]
    answers: int
    resources: int
    themes: Counter[str]


def series_part(occurrence: SeriesOccurrence, consent: Consent) -> SeriesPart:
    """The part of ``occurrence`` in its chat's series."""
    hidden = consent.hidden
    messages = [
        m
        for m in consent.words(occurrence.messages, "author_id", "created_at")
        if not m.deleted and m.source is not AnswerSource.TAKEAWAY
    ]
    return SeriesPart(
        occurrence_id=occurrence.run.occurrence_id,
        start=occurrence.run.start,
        authors=frozenset(m.author_id for m in messages),
        answers=sum(1 for m in messages if m.is_answer),
        resources=_resources(messages, hidden),
        themes=_themes_of(occurrence.spec, messages, hidden),
    )


def build_series(
    spec: ChatSpec,
    occurrences: Sequence[SeriesOccurrence],
    consent: Consent,
    names: Mapping[int, str],
) -> Series:
    """The series of ``spec``'s chat from its past ``occurrences`` (any order); ``names`` are
    the names people last posted under (the returning voices are named with them)."""
    parts = [series_part(occurrence, consent) for occurrence in occurrences]
    return series_from_parts(spec, parts, consent, names)


def series_from_parts(
    spec: ChatSpec,
    parts: Sequence[SeriesPart],
    consent: Consent,
    names: Mapping[int, str],
) -> Series:
    """The series of ``spec``'s chat from the parts of its past occurrences (any order), each
    made by :func:`series_part` with the same ``consent``."""
    ordered = sorted(parts, key=lambda p: (p.start, p.occurrence_id))
    hidden = consent.hidden
    seen: set[int] = set()
    rows = []
    presence: Counter[int] = Counter()
    for part in ordered:
        authors = part.authors
        newcomers = authors - seen
        seen |= authors
        presence.update(authors)
        rows.append(
            SeriesRow(
                occurrence_id=part.occurrence_id,
                start=part.start,
                participants=len(authors),
                newcomers=len(newcomers),
                returning=len(authors) - len(newcomers),
                answers=part.answers,
                resources=part.resources,
            )
        )
    threshold = max(2, math.ceil(len(rows) / 2))
    returning = sorted(
        (user for user, count in presence.items() if count >= threshold and len(rows) > 1),
        key=lambda user: (-presence[user], names.get(user, "").casefold(), user),
    )
    named = [u for u in returning if u not in hidden and names.get(u)]
    return Series(
        chat_id=spec.id,
        title=defuse_mentions(spec.title),
        hashtag=spec.hashtag,
        timezone=spec.timezone,
        rows=tuple(rows),
        regulars=tuple(
            Regular(u, defuse_mentions(names[u]), presence[u]) for u in named[:REGULARS]
        ),
        unnamed_regulars=len(returning) - min(len(named), REGULARS),
        threshold=threshold,
        themes=_recurring([part.themes for part in ordered]),
        people=len(seen),
        recurring=spec.rrule is not None,
    )


def _resources(messages: Sequence[Answer], hidden: frozenset[int]) -> int:
    """Links shared, once each (normalised), leaving out links only people who opted out
    shared (as the recap's reading list does)."""
    shown: set[str] = set()
    for message in messages:
        if "://" not in message.content or message.author_id in hidden:
            continue
        for _, _, link in find_links(message.content):
            url = normalise_link(link)
            if url is not None:
                shown.add(url)
    return len(shown)


def _themes_of(spec: ChatSpec, messages: Sequence[Answer], hidden: frozenset[int]) -> Counter[str]:
    """The words and two-word phrases at least :data:`MIN_MENTIONS` answers of one
    occurrence mention (by people who did not opt out), with how many do."""
    scrub = Scrubber(messages, hidden)
    asked = {
        stem(word)
        for question in spec.questions
        for run in term_runs(question.text, frozenset())
        for word in run
    }
    excluded = scrub.words | {spec.hashtag.lstrip("#").lower(), spec.id.lower()}
    mentioned: Counter[str] = Counter()
    for message in messages:
        if not message.is_answer or message.author_id in hidden:
            continue
        terms: set[str] = set()
        for run in term_runs(message.content, excluded):
            words = [stem(word) for word in run]
            terms.update(word for word in words if word not in asked)
            terms.update(
                f"{first} {second}"
                for first, second in pairwise(words)
                if first != second and not (first in asked and second in asked)
            )
        mentioned.update(terms)
    return Counter({term: n for term, n in mentioned.items() if n >= MIN_MENTIONS})


def _recurring(per_occurrence: Sequence[Counter[str]]) -> tuple[RecurringTheme, ...]:
    """Themes of two or more occurrences, most occurrences first, then most answers; a word is
    left out when a phrase shown has it and came back as often."""
    occurrences: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    for counts in per_occurrence:
        occurrences.update(counts.keys())
        answers.update(counts)
    ranked = sorted(
        (term for term, n in occurrences.items() if n >= 2),
        key=lambda term: (-occurrences[term], -answers[term], term),
    )
    chosen: list[str] = []
    for term in ranked:
        if len(chosen) == THEMES:
            break
        words = term.split(" ")
        if len(words) > 1:
            chosen = [
                kept
                for kept in chosen
                if kept not in words or occurrences[kept] > occurrences[term]
            ]
        elif any(
            " " in phrase and term in phrase.split(" ") and occurrences[phrase] >= occurrences[term]
            for phrase in chosen
        ):
            continue
        chosen.append(term)
    return tuple(RecurringTheme(term, occurrences[term], answers[term]) for term in chosen)

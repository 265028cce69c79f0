"""Engagement: whose answers drew engagement from others, by one set of rules.

The recap's "voices to follow" (:mod:`bot.core.recap.voices`) and ``/chat people``
(:func:`bot.core.people.find_people`) rank people with :func:`rank_people`, so the rules are written once:

* **An answer's engagement** is the distinct people who reacted to it, plus the distinct
  people who replied (or answered) in its reply chain: replies to it, replies to those
  replies, and so on. Its author never counts: self-reactions and self-replies are left out.
* **A person's engagement** is the distinct people who reacted to any of their answers, plus
  the distinct people who replied in any of their answers' chains.
* **Their most engaging answer** is the one with the most engagement, ties to the earliest.
* **Ranking:** most engagement first; ties go to the person whose most engaging answer came
  first (then the smaller message id), so the order never depends on the order rows arrive.
  Only people with some engagement are ranked.
* **Consent:** people in ``skip`` (opted out) are never ranked, so never named; their reactions
  and replies still count for others. Words of forgotten people never reach this module (the
  callers take messages through :class:`bot.core.consent.Consent` first) and the store
  deletes their reactions, so they neither appear nor count.

Topics (``/chat people topic:…``) use the archive search's rule for words
(:func:`topic_words`, :func:`mentions_all`): a word matches at the start of a word, ignoring
case and accents, and anywhere in scripts written without spaces (Chinese, Japanese, Thai).

Pure: no I/O and no clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from bot.core.answers import Answer

#: Reply chains are followed this deep at most (a chain of replies to replies).
CHAIN_DEPTH = 64


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """What reply chains are made of: a message, its author, and what it replies to."""

    message_id: int
    author_id: int
    reply_to: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AnswerEngagement:
    """One answer (a message with at least one answer part) and who engaged with it.

    ``reactors`` and ``repliers`` are everyone, its author included: :func:`rank_people`
    leaves the author out, so a self-reaction or a self-reply never counts."""

    message_id: int
    author_id: int
    at: datetime
    reactors: frozenset[int]
    repliers: frozenset[int]

    def reacted(self) -> int:
        """Distinct people other than the author who reacted."""
        return len(self.reactors - {self.author_id})

    def replied(self) -> int:
        """Distinct people other than the author who replied in its chain."""
        return len(self.repliers - {self.author_id})


@dataclass(frozen=True, slots=True)
class Ranked:
    """A person and the engagement their answers drew from others."""

    user_id: int
    reacted: int
    replied: int
    #: Their most engaging answer.
    best: AnswerEngagement

    @property
    def engagement(self) -> int:
        """Distinct people reacting plus distinct people replying."""
        return self.reacted + self.replied


def engagement_reason(reacted: int, replied: int) -> str:
    """``6 people reacted, 3 replied``: the one-line reason a person is listed."""
    parts = []
    if reacted:
        parts.append(f"{reacted:,} {'person' if reacted == 1 else 'people'} reacted")
    if replied:
        who = "" if parts else f" {'person' if replied == 1 else 'people'}"
        parts.append(f"{replied:,}{who} replied")
    return ", ".join(parts) or "no engagement yet"


def reply_chains(
    messages: Iterable[ChatMessage], roots: Collection[int]
) -> dict[int, frozenset[int]]:
    """For each message id in ``roots``, the authors of every message in its reply chain
    (replies to it, replies to those, …; at most :data:`CHAIN_DEPTH` deep). A message split
    in parts may be given once per part."""
    children: dict[int, list[ChatMessage]] = {}
    seen_ids: set[int] = set()
    for message in messages:
        if message.reply_to is None or message.message_id in seen_ids:
            continue
        seen_ids.add(message.message_id)
        children.setdefault(message.reply_to, []).append(message)
    chains: dict[int, frozenset[int]] = {}
    for root in roots:
        authors: set[int] = set()
        visited = {root}
        frontier = [root]
        for _ in range(CHAIN_DEPTH):
            following = []
            for parent in frontier:
                for child in children.get(parent, ()):
                    if child.message_id not in visited:
                        visited.add(child.message_id)
                        authors.add(child.author_id)
                        following.append(child.message_id)
            if not following:
                break
            frontier = following
        chains[root] = frozenset(authors)
    return chains


def _best_key(answer: AnswerEngagement) -> tuple[int, datetime, int]:
    return (-(answer.reacted() + answer.replied()), answer.at, answer.message_id)


def rank_people(
    answers: Iterable[AnswerEngagement], *, skip: Collection[int] = frozenset()
) -> list[Ranked]:
    """Everyone whose answers drew engagement from others, ranked by the rules above;
    people in ``skip`` (opted out) are left out."""
    reactors: dict[int, set[int]] = {}
    repliers: dict[int, set[int]] = {}
    best: dict[int, AnswerEngagement] = {}
    for answer in answers:
        author = answer.author_id
        if author in skip:
            continue
        reactors.setdefault(author, set()).update(answer.reactors)
        repliers.setdefault(author, set()).update(answer.repliers)
        current = best.get(author)
        if current is None or _best_key(answer) < _best_key(current):
            best[author] = answer
    ranked = [
        Ranked(
            author,
            len(reactors[author] - {author}),
            len(repliers[author] - {author}),
            best[author],
        )
        for author in best
    ]
    ranked = [person for person in ranked if person.engagement > 0]
    ranked.sort(key=lambda p: (-p.engagement, p.best.at, p.best.message_id, p.user_id))
    return ranked


def answer_engagement(
    messages: Sequence[Answer], reactors: Mapping[int, Collection[int]]
) -> list[AnswerEngagement]:
    """The engagement of every answer among ``messages`` (an occurrence's messages, deleted
    ones left out by the caller), given who reacted to each message."""
    first: dict[int, Answer] = {}
    for message in messages:
        if message.is_answer and message.message_id not in first:
            first[message.message_id] = message
    chains = reply_chains(
        (ChatMessage(m.message_id, m.author_id, m.reply_to, m.created_at) for m in messages),
        first,
    )
    return [
        AnswerEngagement(
            message_id,
            answer.author_id,
            answer.created_at,
            frozenset(reactors.get(message_id, ())),
            chains[message_id],
        )
        for message_id, answer in first.items()
    ]


# --- topics: the archive search's rule for words -------------------------------------------

#: Scripts written without spaces between words: a topic word matches anywhere in them.
_NO_SPACES = re.compile(
    "[\u0e00-\u0e7f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """``text`` without accents, lower-cased (``Café`` is ``cafe``), as the archive search
    folds it (NFKD, combining marks dropped)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).lower()


def topic_words(topic: str) -> tuple[str, ...]:
    """The words of a topic as the archive search reads a query: folded, split on anything
    that is not a letter or a digit, each once."""
    return tuple(dict.fromkeys(_WORD.findall(fold(topic))))


def spaceless(word: str) -> bool:
    """True for a word in a script written without spaces (it matches anywhere)."""
    return _NO_SPACES.search(word) is not None


@lru_cache(maxsize=256)
def _matcher(word: str) -> re.Pattern[str]:
    if spaceless(word):
        return re.compile(re.escape(word))
    return re.compile(r"(?<![^\W_])" + re.escape(word))


def mentions(word: str, folded_text: str) -> bool:
    """True when ``word`` (folded) starts a word of ``folded_text`` (see :func:`fold`)."""
    return _matcher(word).search(folded_text) is not None


def mentions_all(words: Iterable[str], text: str) -> bool:
    """True when ``text`` has every one of ``words`` at the start of one of its words."""
    folded = fold(text)
    return all(mentions(word, folded) for word in words)


@dataclass(frozen=True, slots=True)
class TopicClause:
    """Which stored answers may match a topic: those of the (occurrence, question) ``pairs``
    that have all of ``words`` (the topic's words their question does not have already)."""

    words: tuple[str, ...]
    pairs: frozenset[tuple[int, int]]


def topic_clauses(
    words: Sequence[str], questions: Mapping[tuple[int, int], str]
) -> list[TopicClause]:
    """The clauses of a topic over ``questions`` (text by occurrence and question number):
    an answer matches when its text and its question's text together have every word, so
    a question that has some of the words leaves only the others to its answers."""
    grouped: dict[tuple[str, ...], set[tuple[int, int]]] = {}
    for pair, text in questions.items():
        folded = fold(text)
        missing = tuple(word for word in words if not mentions(word, folded))
        grouped.setdefault(missing, set()).add(pair)
    return [TopicClause(missing, frozenset(pairs)) for missing, pairs in sorted(grouped.items())]

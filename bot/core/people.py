"""``/chat people``: who to follow on a topic, across every stored chat of a server.

The store hands over candidate answers with their reactions and reply chains
(:class:`EngagementRows`); :func:`find_people` keeps the answers on the topic (their text and
their question's together have every word, the archive search's rule), and ranks their
authors by the rules of :mod:`bot.core.engagement`, through the consent filter.

Pure: no I/O and no clock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.answers import Answer
from bot.core.consent import Consent, consented
from bot.core.engagement import (
    AnswerEngagement,
    ChatMessage,
    engagement_reason,
    mentions_all,
    rank_people,
    reply_chains,
)
from bot.core.recap.text import defuse_mentions

#: People ``/chat people`` answers with.
PEOPLE_LIMIT = 5
#: Without a topic, ``/chat people`` looks at this many days back.
RECENT_DAYS = 90


@dataclass(frozen=True, slots=True)
class OccurrenceInfo:
    """What ``/chat people`` needs of an occurrence: its chat, start and question texts."""

    occurrence_id: int
    chat_id: str
    title: str
    timezone: str
    start: datetime
    questions: tuple[str, ...]
    guild_id: int | None = None


@dataclass(frozen=True, slots=True)
class EngagementRows:
    """What the store hands ``/chat people``: candidate answers (parts, with their text), who
    reacted to each of their messages, and every message in their reply chains."""

    answers: tuple[Answer, ...]
    reactions: Mapping[int, frozenset[int]]
    replies: tuple[ChatMessage, ...]


@dataclass(frozen=True, slots=True)
class FoundAnswer:
    """A person's most engaging answer on the topic: where it is (for a jump link)."""

    chat_id: str
    title: str
    start: datetime
    timezone: str
    #: The thread it was posted in, else its channel.
    channel_id: int
    message_id: int
    question: int | None


@dataclass(frozen=True, slots=True)
class FoundPerson:
    """Someone to follow on the topic."""

    user_id: int
    name: str
    reacted: int
    replied: int
    answer: FoundAnswer

    @property
    def reason(self) -> str:
        """``6 people reacted, 3 replied``."""
        return engagement_reason(self.reacted, self.replied)


@consented
@dataclass(frozen=True, slots=True)
class PeopleFound:
    """``/chat people``'s answer: the people, and what was searched."""

    #: The topic's words (empty: no topic, the last :data:`RECENT_DAYS` days).
    words: tuple[str, ...]
    #: The chat searched, or "" for every chat of the server.
    chat_id: str
    #: Occurrences searched.
    occurrences: int
    people: tuple[FoundPerson, ...]
    since: datetime | None = None


def find_people(
    rows: EngagementRows,
    words: Sequence[str],
    occurrences: Mapping[int, OccurrenceInfo],
    consent: Consent,
    names: Mapping[int, str],
    *,
    chat_id: str = "",
    since: datetime | None = None,
    limit: int = PEOPLE_LIMIT,
) -> PeopleFound:
    """The ``limit`` people whose answers on the topic (``words``: every one in the answer or
    its question; none: every answer) drew the most engagement, in ``occurrences``."""
    answers = [
        a
        for a in consent.words(rows.answers, "author_id", "created_at")
        if a.is_answer and not a.deleted and a.occurrence_id in occurrences
    ]
    if words:
        answers = [a for a in answers if _on_topic(a, words, occurrences)]
    replies = consent.words(rows.replies, "author_id", "created_at")
    first: dict[int, Answer] = {}
    for answer in sorted(answers, key=lambda a: (a.created_at, a.message_id, a.part)):
        first.setdefault(answer.message_id, answer)
    chains = reply_chains(replies, first)
    engaged = [
        AnswerEngagement(
            message_id,
            answer.author_id,
            answer.created_at,
            rows.reactions.get(message_id, frozenset()),
            chains[message_id],
        )
        for message_id, answer in first.items()
    ]
    people = []
    for person in rank_people(engaged, skip=consent.hidden):
        name = names.get(person.user_id, "")
        if not name:  # never named without a name to show (a forgotten person has none)
            continue
        answer = first[person.best.message_id]
        info = occurrences[answer.occurrence_id]
        people.append(
            FoundPerson(
                person.user_id,
                defuse_mentions(name),
                person.reacted,
                person.replied,
                FoundAnswer(
                    info.chat_id,
                    defuse_mentions(info.title),
                    info.start,
                    info.timezone,
                    answer.thread_id or answer.channel_id,
                    answer.message_id,
                    answer.question,
                ),
            )
        )
        if len(people) == limit:
            break
    return PeopleFound(tuple(words), chat_id, len(occurrences), tuple(people), since)


def _on_topic(
    answer: Answer, words: Sequence[str], occurrences: Mapping[int, OccurrenceInfo]
) -> bool:
    questions = occurrences[answer.occurrence_id].questions
    number = answer.question or 0
    asked = questions[number - 1] if 1 <= number <= len(questions) else ""
    return mentions_all(words, f"{answer.content}\n{asked}")

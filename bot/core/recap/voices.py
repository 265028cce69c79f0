"""Voices to follow: the participants whose answers drew the most engagement from others in
this chat, each with the reason and their most engaging answer; the hosts apart.

The ranking rules are :mod:`bot.core.engagement`'s. Here they meet the recap's privacy: the
messages are the ones :func:`bot.core.recap.build_recap` kept (deleted and forgotten ones
already left out), people who opted out are never ranked (their reactions and replies still
count for others), and an answer is shown as the recap quotes it (scrubbed, mentions defused).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from bot.core.answers import Answer
from bot.core.engagement import answer_engagement, rank_people
from bot.core.recap.model import VOICES, Engagement, Quote, Voice


@dataclass(frozen=True, slots=True)
class Voices:
    """The recap's three lists (see :class:`bot.core.recap.model.Recap`)."""

    voices: tuple[Voice, ...]
    hosts: tuple[Voice, ...]
    engagement: tuple[Engagement, ...]


def find_voices(
    messages: Sequence[Answer],
    quotes: Mapping[tuple[int, int], Quote],
    reactors: Mapping[int, Collection[int]],
    hidden: frozenset[int],
    hosts: Collection[int],
) -> Voices:
    """The voices of a chat whose ``messages`` are in order (deleted ones left out); ``quotes``
    are the recap's quotes of people who did not opt out, ``reactors`` who reacted to each
    message."""
    parts = {m.message_id: m for m in reversed(messages) if m.is_answer}  # the first answer part
    ranked = rank_people(answer_engagement(messages, reactors), skip=hidden)
    listed: list[Voice] = []
    for person in ranked:
        answer = parts[person.best.message_id]
        listed.append(
            Voice(
                user_id=person.user_id,
                name=quotes[answer.message_id, answer.part].author,
                reacted=person.reacted,
                replied=person.replied,
                answer=quotes[answer.message_id, answer.part],
                channel_id=answer.thread_id or answer.channel_id,
                host=person.user_id in hosts,
            )
        )
    return Voices(
        voices=tuple(v for v in listed if not v.host)[:VOICES],
        hosts=tuple(v for v in listed if v.host),
        engagement=tuple(Engagement(v.user_id, v.reacted, v.replied) for v in listed),
    )

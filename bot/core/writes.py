"""Answer writes: what the collector asks a store to do with participants' messages.

The collector attributes messages in memory and queues these writes; the answer
writer hands them to :meth:`bot.core.ports.AnswerStore.write_answers` in batches,
in order. Every store applies them with the same rules: a message part is an
upsert by (message id, part), so redelivery and backfill store it once; an older
copy never overwrites a newer edit; a delete is final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from bot.core.answers import Answer, Attribution


class StoreMessage(NamedTuple):
    """Store a new or edited message as its attributed parts (part ``n`` is ``parts[n]``).

    An edit (``edited_at`` set) also marks the parts it no longer has removed.
    A named tuple, not a dataclass: the collector makes one per message.
    """

    message_id: int
    occurrence_id: int
    channel_id: int
    thread_id: int | None
    author_id: int
    author_name: str
    created_at: datetime
    edited_at: datetime | None
    reply_to: int | None
    late: bool
    parts: Sequence[Attribution]

    def answers(self) -> list[Answer]:
        """The message's parts as the answers they are stored as."""
        return [
            Answer(
                message_id=self.message_id,
                part=index,
                occurrence_id=self.occurrence_id,
                channel_id=self.channel_id,
                thread_id=self.thread_id,
                author_id=self.author_id,
                author_name=self.author_name,
                question=part.question,
                content=part.text,
                source=part.source,
                created_at=self.created_at,
                edited_at=self.edited_at,
                reply_to=self.reply_to,
                late=self.late,
            )
            for index, part in enumerate(self.parts)
        ]


@dataclass(frozen=True)
class DeleteMessages:
    """Mark messages deleted."""

    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class ChangeReaction:
    """Add or remove one user's reaction on a message."""

    message_id: int
    user_id: int
    emoji: str
    present: bool


@dataclass(frozen=True)
class AttributeToQuestion:
    """Attribute conversation that replied to, or was posted in the thread of, a question's
    message before that message was known (a fast participant)."""

    occurrence_id: int
    question: int
    message_id: int
    thread_id: int | None


@dataclass(frozen=True)
class ForgetPerson:
    """Forget a person (``/chat forget-me``, ``/host forget-user``): delete everything stored
    of theirs up to ``at`` (messages, edits, reactions, takeaways, their name), keep their
    consent, mark the published recaps that showed them for an update, and refuse their
    messages created up to ``at`` from then on, whichever path brings them again (a live
    edit, backfill, a reaction, re-attribution). Queued like the other writes, so a message
    received before the request is stored and then erased, never left behind."""

    user_id: int
    at: datetime
    by_moderator: bool = False
    #: The moderator who asked (their id), recorded in the moderation timeline of every
    #: occurrence the person took part in, without the person's name.
    actor: str = ""


#: One write of :meth:`bot.core.ports.AnswerStore.write_answers`.
AnswerWrite = StoreMessage | DeleteMessages | ChangeReaction | AttributeToQuestion | ForgetPerson


class StoredVersion(NamedTuple):
    """Where a stored message was sent and which version of it is stored (for backfill)."""

    thread_id: int | None
    edited_at: datetime | None
    deleted: bool


def touched(writes: Sequence[AnswerWrite]) -> tuple[set[int], list[int]]:
    """What a batch of writes touched: the occurrences whose messages were stored, and the
    ids of messages deleted or reacted to (their occurrence is looked up by whoever needs
    it). A :class:`ForgetPerson` marks the recaps it touches itself, in its transaction."""
    occurrences: set[int] = set()
    messages: list[int] = []
    for write in writes:
        if isinstance(write, StoreMessage | AttributeToQuestion):
            occurrences.add(write.occurrence_id)
        elif isinstance(write, DeleteMessages):
            messages.extend(write.message_ids)
        elif isinstance(write, ChangeReaction):
            messages.append(write.message_id)
    return occurrences, messages

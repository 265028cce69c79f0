"""A person's data, as the bot stores it: what ``/chat my-data`` hands back.

Everything stored about one person and nothing about anyone else: their messages
(answers, conversation, takeaways, with the chat, the date and whether they were
edited or deleted), the reactions they gave, and their consent records (opt-out, a
request to be forgotten). Other people's words (the questions they answered, the
messages they reacted to) are referred to by id and chat only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.boards import Save
from bot.core.consent import consented
from bot.core.profiles import Profile


@dataclass(frozen=True)
class StoredMessage:
    """One stored part of one of the person's messages."""

    message_id: int
    part: int
    chat_id: str
    occurrence_start: datetime
    channel_id: int
    thread_id: int | None
    question: int | None
    #: prefix, thread, reply, conversation or takeaway
    source: str
    content: str
    created_at: datetime
    edited_at: datetime | None
    #: live, deleted (by its author or a moderator), or removed by an edit
    state: str
    late: bool


@dataclass(frozen=True)
class GivenReaction:
    """A reaction the person gave to a stored message."""

    message_id: int
    chat_id: str
    occurrence_start: datetime
    emoji: str


@dataclass(frozen=True)
class PollVote:
    """A vote the person cast on one of the bot's polls (kept to count it once; never shown
    to anyone else)."""

    message_id: int
    chat_id: str
    occurrence_start: datetime
    question: str
    option: str
    voted_at: datetime


@dataclass(frozen=True)
class Draft:
    """A chat form the person (a moderator) typed and has not finished (kept a day)."""

    chat_id: str | None
    created_at: datetime
    #: The form's fields as typed (JSON text).
    fields: str


@dataclass(frozen=True)
class SuggestedQuestion:
    """A question the person suggested (``/chat suggest``), with its review and upvotes."""

    suggestion_id: int
    chat_id: str
    text: str
    created_at: datetime
    #: open, approved, rejected or asked
    status: str
    votes: int
    message_id: int | None


@consented  # built for the person it is about, and shown to them alone
@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person."""

    user_id: int
    #: The name they last posted under ('' when forgotten or never seen).
    name: str
    first_seen: datetime | None
    opted_out: bool
    #: When their last request to be forgotten was made (None: never).
    forget_requested_at: datetime | None
    forget_by_moderator: bool
    messages: tuple[StoredMessage, ...]
    reactions: tuple[GivenReaction, ...]
    drafts: tuple[Draft, ...] = ()
    #: Their profile (``/chat profile``), public or not, if they set one.
    profile: Profile | None = None
    #: Their votes on the bot's polls.
    poll_votes: tuple[PollVote, ...] = ()
    #: The links they saved to boards (``Save to board``), their own My saves included.
    saves: tuple[Save, ...] = ()
    #: The questions they suggested.
    suggestions: tuple[SuggestedQuestion, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing at all is stored about them."""
        return (
            self.first_seen is None
            and self.forget_requested_at is None
            and not self.messages
            and not self.reactions
            and not self.drafts
            and self.profile is None
            and not self.poll_votes
            and not self.saves
            and not self.suggestions
        )

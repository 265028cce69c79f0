"""What the stores hand back: durable records of posts, occurrences, live recaps and events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.core.run import Record, Run
from bot.core.spec import ChatSpec


@dataclass(frozen=True)
class PostRecord:
    """A post's durable record: intent first, message id once posted."""

    occurrence_id: int
    step_key: str
    channel_id: int
    text: str
    intent_at: datetime
    message_id: int | None = None
    thread_id: int | None = None
    posted_at: datetime | None = None
    late: bool = False


@dataclass(frozen=True)
class LiveRecap:
    """A published recap that is kept up to date (edited in place) for a while."""

    occurrence_id: int
    channel_id: int
    #: The messages the recap is shown in, the first first.
    message_ids: tuple[int, ...]
    #: The reflection thread opened under the first message (takeaways are collected there).
    thread_id: int | None
    published_at: datetime
    #: The first version showed the answers sent up to this moment ...
    as_of: datetime
    #: ... and this many of them.
    shown_answers: int
    #: How many times it has been updated since.
    revision: int = 0
    updated_at: datetime | None = None
    #: When the first change not shown yet was stored (None: up to date).
    dirty_since: datetime | None = None
    #: How many changes were ever marked (an update shows those made before it started).
    changes: int = 0
    #: How many participants' messages were removed from it at their request (forget-me),
    #: and how many of the answers it counted went with them.
    erased: int = 0
    erased_answers: int = 0


@dataclass(frozen=True)
class RecapChanges:
    """What changed in an occurrence's answers since its recap's first version."""

    #: Answers sent after the first version was built, still present.
    late_answers: int
    #: Answers the first version could show that were edited since, still present.
    edited: int
    #: Answers present now.
    answers: int
    #: Takeaways present now.
    takeaways: int


@dataclass(frozen=True)
class Occurrence:
    """A stored occurrence: its run and the spec it runs with."""

    run: Run
    spec: ChatSpec
    records: tuple[Record, ...] = field(default=())


@dataclass(frozen=True)
class ForgetRequest:
    """A person's durable request to be forgotten, as last applied."""

    user_id: int
    #: Messages they created up to this moment are deleted and never stored again.
    requested_at: datetime
    #: True when a moderator erased them on request (``/host forget-user``).
    by_moderator: bool
    #: What the last application removed: messages, and published recaps marked for an update.
    messages: int
    recaps: int


@dataclass(frozen=True)
class EventLink:
    """A guild scheduled event as last written for an occurrence."""

    occurrence_id: int
    guild_id: int
    event_id: int
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True)
class ChatDraft:
    """A chat being written in Discord (``/host new``, ``/host edit``): what the moderator
    typed, kept until it is a valid chat, so a form with problems reopens filled in, after a
    restart too."""

    draft_id: int
    guild_id: int
    #: Who is writing it (only they see the form and its retry button).
    user_id: int
    #: The chat being edited; None for a new chat.
    chat_id: str | None
    #: The form's fields as typed, by name (:class:`bot.chatfile.form.ChatForm`).
    fields: Mapping[str, str]
    created_at: datetime


@dataclass(frozen=True)
class PollRecord:
    """A poll the bot posted: a poll question (``q3``) or a live poll (``/host poll``).

    ``reactions`` is True when it went out as text with numbered reactions (the bot lacked
    Send Polls in the channel): its votes are the members' reactions 1️⃣..🔟.
    """

    message_id: int
    occurrence_id: int
    channel_id: int
    step_key: str
    #: The question number, or None for a live poll.
    question: int | None
    text: str
    options: tuple[str, ...]
    multiple: bool
    opened_at: datetime
    expires_at: datetime
    reactions: bool = False
    #: Ended by the bot when the recap is posted (a /host poll without a duration); other
    #: polls run their time and the published recap is updated when Discord ends them.
    end_with_recap: bool = False
    #: Discord ended it and its results are final.
    finalized: bool = False
    #: Discord's final count per answer id (1-based), when finalized.
    final_counts: Mapping[int, int] | None = None


@dataclass(frozen=True)
class PollTally:
    """A poll's votes as stored: who voted for which answer (ids only; never shown)."""

    poll: PollRecord
    #: Answer id (1-based) -> the user ids that voted for it.
    votes: Mapping[int, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Lease:
    """A process's claim on something timed (``occurrence:<id>``: that chat's next steps).

    It holds until ``expires_at`` unless its owner renews it; then another process may take
    it. ``home`` says the owner's shard holds the chat's guild; ``wanted_by`` names the home
    process that asked a substitute to hand it back."""

    name: str
    owner: str
    home: bool
    expires_at: datetime
    claimed_at: datetime
    wanted_by: str | None = None

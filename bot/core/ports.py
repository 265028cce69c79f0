"""The ports: what the outer layers provide to the engine.

* :class:`Venue` is the only door to the platform (Discord, the rehearsal terminal,
  an in-memory venue in tests).
* :class:`Store` is durable state (SQLite by default; a Protocol so a server
  database can back it when one process is not enough).
* :class:`Clock` is time; tests use a virtual one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.core.answers import Answer
from bot.core.plan import StepKind
from bot.core.run import Record, Run
from bot.core.spec import ChatSpec


@dataclass(frozen=True)
class Attachment:
    """A file sent with a post (a transcript, a chart)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class PostRequest:
    """One post the engine wants made. ``thread_name`` asks for a thread opened from it."""

    occurrence_id: int
    step_key: str
    channel_id: int
    kind: StepKind
    text: str
    thread_name: str | None = None
    files: tuple[Attachment, ...] = ()
    #: Extra messages that follow the first (a long recap); each is posted in order.
    continuation: tuple[str, ...] = ()
    #: Embeds in ``discord.Embed.to_dict`` shape. A venue sends them in order, in groups of
    #: at most 10 embeds and 6,000 characters (``bot.render.discord_limits.group_embeds``):
    #: the first group with the first message, the next with the next message (the
    #: continuation), and any groups left over in messages of their own.
    embeds: tuple[dict[str, Any], ...] = ()
    #: Where to tell moderators about a problem with this post (the bot may not open its
    #: thread); None means the post's own channel.
    notice_channel_id: int | None = None


@dataclass(frozen=True)
class PostResult:
    """Where a post landed."""

    message_id: int
    thread_id: int | None = None
    #: The messages that followed the first (a long recap's continuation), in order.
    more_ids: tuple[int, ...] = ()

    @property
    def message_ids(self) -> tuple[int, ...]:
        """Every message of the post, the first first."""
        return (self.message_id, *self.more_ids)


class VenueError(Exception):
    """A post failed. ``permanent`` when retrying cannot help (missing permission, no channel)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Venue(Protocol):
    """Where chats happen."""

    async def post(self, request: PostRequest) -> PostResult:
        """Post ``request`` (and open its thread); raise :class:`VenueError` on failure."""
        ...

    async def find_post(self, request: PostRequest, after: datetime) -> PostResult | None:
        """A post of ``request`` made since ``after`` (found in the channel's history), if any.

        Used after a crash between posting and recording the message id, so a
        step is never posted twice.
        """
        ...

    async def open_thread(
        self, channel_id: int, message_id: int, name: str, notice_channel_id: int | None = None
    ) -> int:
        """Open a thread from an existing message; returns the thread id. A problem worth
        telling moderators about (a missing permission) is told in ``notice_channel_id``
        (None: ``channel_id``)."""
        ...

    async def edit_post(
        self, channel_id: int, message_ids: Sequence[int], request: PostRequest
    ) -> tuple[int, ...]:
        """Make the messages ``message_ids`` (a post, first first) show ``request`` instead:
        text, embeds, continuation and files (replaced, not added). Extra messages needed
        are posted after them and messages no longer needed are deleted. Returns the ids of
        the messages that now show the post; raises :class:`VenueError` on failure."""
        ...


class Clock(Protocol):
    """Time for the runtime."""

    def now(self) -> datetime:
        """The current time, aware, UTC."""
        ...

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event) -> None:
        """Return at ``when`` (never when None) or as soon as ``wake`` is set."""
        ...


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


class Store(Protocol):
    """Durable state of chats, occurrences, posts and answers."""

    async def save_chat(self, spec: ChatSpec) -> bool:
        """Store or update a chat; True when it is new or its spec changed."""
        ...

    async def chat_specs(self, *, active_only: bool = True) -> list[ChatSpec]:
        """Every stored chat."""
        ...

    async def deactivate_chat(self, chat_id: str) -> None:
        """Mark a chat removed (its file was deleted); its history stays."""
        ...

    async def create_occurrence(self, spec: ChatSpec, run: Run) -> Run:
        """Store a planned occurrence and its timers; returns it with its id.

        Idempotent: the same chat and start returns the stored occurrence.
        """
        ...

    async def save_run(self, run: Run, records: Sequence[Record] = ()) -> None:
        """Persist a run's phase and steps, and timeline records, in one transaction."""
        ...

    async def replace_spec(self, occurrence_id: int, spec: ChatSpec) -> None:
        """Change the spec an occurrence that has not started will run with."""
        ...

    async def load_occurrence(self, occurrence_id: int) -> Occurrence:
        """An occurrence by id."""
        ...

    async def delete_occurrence(self, occurrence_id: int) -> None:
        """Drop an occurrence that has not started."""
        ...

    async def occurrences(
        self, *, chat_id: str | None = None, unfinished: bool = False
    ) -> list[Occurrence]:
        """Occurrences, oldest start first, optionally of one chat or only unfinished ones."""
        ...

    async def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        """The earliest due time of any waiting timer, leaving out ``exclude`` occurrences."""
        ...

    async def due_occurrences(self, now: datetime) -> list[int]:
        """Ids of occurrences with a timer due at ``now``."""
        ...

    async def record_intent(
        self, request: PostRequest, at: datetime, late: bool
    ) -> tuple[PostRecord, bool]:
        """Record that a post is about to be made; returns the record and whether it is new."""
        ...

    async def record_posted(
        self,
        occurrence_id: int,
        step_key: str,
        result: PostResult,
        at: datetime,
        *,
        live_as_of: datetime | None = None,
    ) -> None:
        """Record where a post landed; with ``live_as_of`` (a recap) also keep it live."""
        ...

    async def posts(self, occurrence_id: int) -> list[PostRecord]:
        """Every post record of an occurrence."""
        ...

    async def upsert_answers(self, answers: Sequence[Answer]) -> None:
        """Store answers; the same message id and part is stored once, edits update it."""
        ...

    async def answers(self, occurrence_id: int, *, include_deleted: bool = False) -> list[Answer]:
        """An occurrence's answers and conversation, in order."""
        ...

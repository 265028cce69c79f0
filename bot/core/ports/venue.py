"""The platform's door: the Venue (Discord, the rehearsal terminal, an in-memory venue in
tests), what is posted through it, and the Clock."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from bot.core.plan import StepKind


@dataclass(frozen=True)
class Attachment:
    """A file sent with a post (a transcript, a chart)."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class PollRequest:
    """A native poll sent with a post: its question as shown (``Q3: … #tag``, up to 300
    characters), 1-10 options (up to 55 each), one or several choices, open for ``hours``."""

    question: str
    options: tuple[str, ...]
    multiple: bool = False
    hours: int = 24
    #: The bot ends it when the recap is posted (no duration was given).
    until_recap: bool = False


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
    #: A poll sent with the first message (a poll question, /host poll). A venue that may
    #: not send polls there posts the options as text with numbered reactions 1️⃣..🔟 instead
    #: (and says so in :attr:`PostResult.reaction_poll`).
    poll: PollRequest | None = None


@dataclass(frozen=True)
class PostResult:
    """Where a post landed."""

    message_id: int
    thread_id: int | None = None
    #: The messages that followed the first (a long recap's continuation), in order.
    more_ids: tuple[int, ...] = ()
    #: The request's poll went out as text with numbered reactions, not as a native poll.
    reaction_poll: bool = False

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


@runtime_checkable
class PollEnder(Protocol):
    """A venue that can end the polls the bot posted (Discord; not the rehearsal)."""

    async def end_poll(self, channel_id: int, message_id: int) -> dict[int, int] | None:
        """End the bot's poll now; returns the final count per answer id (None when the
        platform did not say). Raise :class:`VenueError` on failure."""
        ...


class Clock(Protocol):
    """Time for the runtime."""

    def now(self) -> datetime:
        """The current time, aware, UTC."""
        ...

    async def sleep_until(self, when: datetime | None, wake: asyncio.Event) -> None:
        """Return at ``when`` (never when None) or as soon as ``wake`` is set."""
        ...

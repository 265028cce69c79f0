"""An in-memory Venue: the platform as the engine sees it, with failures and crashes on demand."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.plan import StepKind
from bot.core.ports import Clock, PostRequest, PostResult, VenueError


class Crash(BaseException):
    """Simulates the process dying: not an Exception, so nothing in the bot catches it."""


@dataclass
class SentMessage:
    """A message as it stands on the platform."""

    message_id: int
    channel_id: int
    text: str
    kind: StepKind
    step_key: str
    occurrence_id: int
    at: datetime
    thread_id: int | None = None
    #: The request it shows now (after any edit).
    request: PostRequest | None = None
    #: When it was edited, in order.
    edits: list[datetime] = field(default_factory=list)


@dataclass
class MemoryVenue:
    """Keeps every post; ``fail`` and ``crash`` hooks inject faults around posting."""

    clock: Clock
    messages: list[SentMessage] = field(default_factory=list)
    threads_allowed: bool = True
    #: Called with the request before it is posted; may raise VenueError or Crash.
    before_post: Callable[[PostRequest], None] | None = None
    #: Called with the request after it was posted; may raise Crash (response lost).
    after_post: Callable[[PostRequest], None] | None = None
    #: Called with the request before an edit; may raise VenueError or Crash.
    before_edit: Callable[[PostRequest], None] | None = None
    #: How long the platform takes to answer a post, on ``clock``: the message shows at
    #: once (``at``), and ``post`` returns once the clock has moved this far.
    post_takes: timedelta = timedelta(0)
    _next_id: int = 1000

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    async def post(self, request: PostRequest) -> PostResult:
        """Post, and open a thread when asked and allowed."""
        if self.before_post is not None:
            self.before_post(request)
        message = SentMessage(
            message_id=self._new_id(),
            channel_id=request.channel_id,
            text=request.text,
            kind=request.kind,
            step_key=request.step_key,
            occurrence_id=request.occurrence_id,
            at=self.clock.now(),
            request=request,
        )
        self.messages.append(message)
        if request.thread_name and self.threads_allowed:
            message.thread_id = message.message_id
        if self.post_takes:
            await self.clock.sleep_until(message.at + self.post_takes, asyncio.Event())
        if self.after_post is not None:
            self.after_post(request)
        return PostResult(message.message_id, message.thread_id)

    async def find_post(self, request: PostRequest, after: datetime) -> PostResult | None:
        """The latest identical post in the channel since ``after``."""
        for message in reversed(self.messages):
            same = message.channel_id == request.channel_id and message.text == request.text
            if same and message.at >= after:
                return PostResult(message.message_id, message.thread_id)
        return None

    async def open_thread(
        self, channel_id: int, message_id: int, name: str, notice_channel_id: int | None = None
    ) -> int:
        """Open a thread on a posted message."""
        if not self.threads_allowed:
            raise VenueError("Missing Permissions: create public threads", permanent=True)
        for message in self.messages:
            if message.message_id == message_id:
                message.thread_id = message_id
                return message_id
        raise VenueError("Unknown Message", permanent=True)

    async def edit_post(
        self, channel_id: int, message_ids: Sequence[int], request: PostRequest
    ) -> tuple[int, ...]:
        """Show ``request`` in the post's (first) message instead; a post here is one message."""
        if self.before_edit is not None:
            self.before_edit(request)
        for message in self.messages:
            if message.message_id == message_ids[0] and message.channel_id == channel_id:
                message.text = request.text
                message.request = request
                message.edits.append(self.clock.now())
                return (message.message_id,)
        raise VenueError("Unknown Message", permanent=True)

    def message(self, message_id: int) -> SentMessage:
        """A posted message by id."""
        return next(m for m in self.messages if m.message_id == message_id)

    def step_keys(self, occurrence_id: int | None = None) -> list[str]:
        """Step keys posted, in order."""
        return [
            m.step_key
            for m in self.messages
            if occurrence_id is None or m.occurrence_id == occurrence_id
        ]

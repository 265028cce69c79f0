"""Where a message belongs: the collector's in-memory index of collecting occurrences.

Attribution must not wait for the database (see :mod:`bot.runtime.collector`), so
the collector keeps, in :class:`Routes`, everything needed to tell which occurrence
a message belongs to and what its thread or reply says: the occurrences that are
collecting (and those whose recap is still live), an index of them by channel,
every live question's message and thread id, and the occurrence of the last
25,000 to 50,000 messages (for replies in a channel that several chats share).
The collector updates it as the engine saves runs; :meth:`Routes.occurrence_for`
answers where a message goes, and :meth:`Routes.remember` notes where one went.
"""

from __future__ import annotations

import collections
from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from bot.core.cards import LinkCard
from bot.core.plan import StepKind, StepStatus
from bot.core.ports import Occurrence

#: How many recent messages' occurrences are remembered (per generation; two are kept).
RECENT_MESSAGES = 25_000


class IncomingMessage(NamedTuple):
    """A participant's message as the platform delivered it.

    ``channel_id`` is the chat channel; ``thread_id`` is set when the message
    was posted in a thread of that channel. A named tuple, not a dataclass: one is
    made per gateway event, and a frozen dataclass costs almost three times as much
    to build (``_replace`` makes an edited copy).
    """

    message_id: int
    channel_id: int
    author_id: int
    author_name: str
    content: str
    created_at: datetime
    thread_id: int | None = None
    reply_to: int | None = None
    edited_at: datetime | None = None
    #: Discord's unfurls of its links (see :mod:`bot.core.cards`).
    cards: tuple[LinkCard, ...] = ()


class LiveOccurrence:
    """A collecting occurrence (or one whose recap is live, ``until`` set) with what
    attribution needs, computed once per save."""

    __slots__ = (
        "channel_until",
        "current_question",
        "hashtag",
        "late_from",
        "occurrence",
        "prompts",
        "questions",
        "until",
    )

    def __init__(self, occurrence: Occurrence, until: datetime | None = None) -> None:
        run = occurrence.run
        self.occurrence = occurrence
        self.questions = len(occurrence.spec.questions)
        self.current_question = run.current_question
        self.hashtag = occurrence.spec.hashtag.lower()
        closings = [
            s.due
            for s in run.steps
            if s.kind is StepKind.CLOSING and s.status is not StepStatus.SKIPPED
        ]
        #: Messages sent at or after this are late answers (see :meth:`Run.is_late`).
        self.late_from = min(closings, default=None)
        self.prompts = len(occurrence.spec.recap.prompts)
        #: For a recapped occurrence: messages sent after this are no longer its.
        self.until = until
        recaps = [
            s.due
            for s in run.steps
            if s.kind is StepKind.RECAP and s.status is not StepStatus.SKIPPED
        ]
        #: Messages in the channel itself (not a thread, not a reply) sent after the
        #: late-answer window (when the recap is due) are no longer the chat's.
        self.channel_until = min(recaps, default=None) if until is None else run.start

    def takes(self, message: IncomingMessage) -> bool:
        """True unless the occurrence is recapped and the message came after its live time."""
        return self.until is None or message.created_at <= self.until


class Routes:
    """The collector's index: which occurrence a message belongs to, in memory."""

    def __init__(self) -> None:
        #: Occurrences collecting answers, by id.
        self.live: dict[int, LiveOccurrence] = {}
        #: Recapped occurrences whose recap is live: late answers and takeaways still count.
        self.recapped: dict[int, LiveOccurrence] = {}
        #: A live recap's reflection thread -> its occurrence.
        self.takeaway_threads: dict[int, int] = {}
        #: A live question's message id and thread id -> (occurrence, question number).
        self.questions: dict[int, tuple[int, int]] = {}
        #: Collecting occurrences by their channel (rebuilt by :meth:`index`).
        self.by_channel: dict[int, list[LiveOccurrence]] = {}
        #: Channels where a collecting or recapped chat posts (its channel, its recap's).
        self.watched: set[int] = set()
        #: Message id -> occurrence, for replies; two generations bound the memory.
        self.recent: dict[int, int] = {}
        self.older: dict[int, int] = {}

    def index(self) -> None:
        """Rebuild the by-channel index and the watched channels (after any change)."""
        by_channel: dict[int, list[LiveOccurrence]] = {}
        for live in self.live.values():
            by_channel.setdefault(live.occurrence.spec.channel, []).append(live)
        self.by_channel = by_channel
        self.watched = {
            channel
            for live in (*self.live.values(), *self.recapped.values())
            for channel in (live.occurrence.spec.channel, live.occurrence.spec.recap.channel)
            if channel is not None
        }

    def claimed(self, occurrence_id: int, message: IncomingMessage) -> LiveOccurrence | None:
        """The collecting or recapped occurrence ``occurrence_id``, if it takes ``message``."""
        live = self.live.get(occurrence_id) or self.recapped.get(occurrence_id)
        return live if live is not None and live.takes(message) else None

    def occurrence_for(
        self, message: IncomingMessage
    ) -> tuple[LiveOccurrence, int | None, int | None] | None:
        """The occurrence a message belongs to, with its thread question and reply question.

        An edit belongs to the occurrence its message was stored under when that is known
        here. A question's thread and replies to a question belong to its occurrence while
        it collects and while its recap is live; the channel itself only to collecting ones.
        """
        if message.edited_at is not None:
            known = self.recent.get(message.message_id) or self.older.get(message.message_id)
            live = self.claimed(known, message) if known is not None else None
            if live is not None:
                found = self.questions.get(message.thread_id or 0)
                in_thread = found[1] if found is not None and found[0] == known else None
                return live, in_thread, None
        if message.thread_id is not None:
            found = self.questions.get(message.thread_id)
            if found is not None and (live := self.claimed(found[0], message)) is not None:
                return live, found[1], None
            # A thread of no question we know (yet): its parent channel decides; if the
            # question's post is recorded later, it is re-attributed (see Collector._learn_questions).
        if message.reply_to is not None:
            found = self.questions.get(message.reply_to)
            if found is not None and (live := self.claimed(found[0], message)) is not None:
                return live, None, found[1]
            replied = self.recent.get(message.reply_to) or self.older.get(message.reply_to)
            if replied is not None and replied in self.live:
                return self.live[replied], None, None
        in_channel = self.by_channel.get(message.channel_id)
        if not in_channel:
            return None
        if len(in_channel) == 1:  # the common case, kept fast
            only = in_channel[0]
            if only.channel_until is not None and message.created_at >= only.channel_until:
                return None
            return only, None, None
        in_channel = [
            live
            for live in in_channel
            if live.channel_until is None or message.created_at < live.channel_until
        ]
        if not in_channel:
            return None
        content = message.content.lower()
        tagged = [live for live in in_channel if live.hashtag in content]
        chosen = max(tagged or in_channel, key=lambda live: live.occurrence.run.start)
        return chosen, None, None

    def remember(self, message_id: int, occurrence_id: int) -> None:
        """Note where a message went, for replies to it and edits of it."""
        if len(self.recent) >= RECENT_MESSAGES:
            self.older, self.recent = self.recent, {}
        self.recent[message_id] = occurrence_id

    def remembers(self, message: IncomingMessage) -> bool:
        """True when this message's occurrence is still remembered."""
        return message.message_id in self.recent or message.message_id in self.older


#: A message in a thread no chat knows yet, in a chat's channel, is kept this many seconds
#: (at most UNKNOWN_KEEP_MAX of them): the thread may be one the bot just opened and has
#: not recorded yet (a recap's reflection thread someone wrote in at once). When the thread
#: becomes known the message is attributed; otherwise it is forgotten.
UNKNOWN_KEEP, UNKNOWN_KEEP_MAX = 300.0, 1000


class UnknownThreads:
    """Messages in threads no chat knows yet, oldest first, for :data:`UNKNOWN_KEEP` seconds
    and at most :data:`UNKNOWN_KEEP_MAX` of them."""

    def __init__(self) -> None:
        #: (thread id, when kept, message), oldest first.
        self._kept: collections.deque[tuple[int, float, IncomingMessage]] = collections.deque()

    def __len__(self) -> int:
        return len(self._kept)

    def oldest(self) -> IncomingMessage | None:
        """The message kept longest (None when none is)."""
        return self._kept[0][2] if self._kept else None

    def keep(self, message: IncomingMessage, now: float) -> None:
        """Keep ``message`` (of thread ``message.thread_id``), forgetting the stale ones."""
        assert message.thread_id is not None
        kept = self._kept
        while kept and (len(kept) >= UNKNOWN_KEEP_MAX or kept[0][1] < now - UNKNOWN_KEEP):
            kept.popleft()
        kept.append((message.thread_id, now, message))

    def take(self, thread_ids: Collection[int]) -> list[IncomingMessage]:
        """The kept messages of ``thread_ids``, in order, no longer kept."""
        if not self._kept or not thread_ids:
            return []
        taken = [message for thread, _, message in self._kept if thread in thread_ids]
        if taken:
            self._kept = collections.deque(item for item in self._kept if item[0] not in thread_ids)
        return taken

    def drop(self, message_ids: Collection[int]) -> None:
        """Forget kept messages that were deleted."""
        if self._kept:
            gone = set(message_ids)
            self._kept = collections.deque(
                item for item in self._kept if item[2].message_id not in gone
            )

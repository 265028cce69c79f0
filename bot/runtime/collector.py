"""Collecting answers: participants' messages in, attributed answers stored.

The adapters (Discord, the rehearsal) turn platform events into the calls
here; attribution itself is :func:`bot.core.answers.attribute`. Everything is
keyed by message id, so a message delivered twice, or read again from history
after downtime, is stored once.

**Design: attribute now, write in batches.** A busy chat brings hundreds of
messages a second in bursts; one SQLite transaction per message would make the
bot fall behind. So:

* Attribution is done at once, in memory, with no SQL: the collector keeps the
  occurrences that are collecting (updated by the engine through
  :meth:`Collector.on_run_saved`), an index of them by channel, every live
  question's message and thread id, and the occurrence of the last 25,000 to
  50,000 messages (for replies in a channel that several chats share; a reply
  to an older message follows the channel's rule: the hashtag it names, else
  the chat that started last).
* The writes (messages, edits, deletes, reactions) go into one
  queue, drained by a single writer task
  (:class:`bot.runtime.answer_writer.AnswerWriter`). It commits a batch
  every :data:`BATCH_DELAY` or every :data:`BATCH_ROWS` writes, whichever comes
  first, in one transaction of three statements (begin, one multi-row insert,
  commit: :meth:`bot.storage.answers.AnswerRepository.write_answers`).
* **The database thread gets its turn.** aiosqlite runs SQL in a thread of its
  own, which needs the GIL back after every statement step. An event loop
  flooded with gateway events releases the GIL only for an instant when it
  polls, and takes it back before the woken thread can (the interpreter's
  switch interval never expires, as the GIL changed hands), so that thread can
  starve: in ``bench``, without help, the commit latency was 3.5 s (p50) at
  15,000 messages/s. So while a batch is in flight the writer blocks the loop
  for :data:`HANDOFF` every :data:`HANDOFF_EVERY`, which lets the thread take
  the GIL (p99 under 100 ms at the same rate). When the loop is not flooded the
  batch is done before the first hand-off and nothing is blocked.
* **Order** is the queue's: an edit or a delete that follows a message's
  creation is applied after it, in the same transaction or a later one.
* **Idempotency** is the store's: every message part is an upsert by message id
  and part, so a redelivery, a retried batch or a backfill stores it once.
* :meth:`Collector.enqueue` (the Discord listener) returns as soon as the
  message is attributed and queued; :meth:`Collector.ingest` (tests, the
  rehearsal) also waits for the commit and never lingers.
  :meth:`Collector.flush` waits for everything queued before it; the collector
  calls it itself before a recap is built (when an occurrence enters its
  late-answer window or is about to post its recap), and the client calls
  :meth:`Collector.close` at shutdown (SIGTERM) so pending answers are stored
  before exit.
* A batch that fails because the database is locked, read-only or full is
  retried with a growing delay, in order, until it is stored; waiting callers
  get the error at once. A write that can never succeed is logged and dropped
  alone, never with the rest of its batch.
* **After the recap.** For :data:`bot.runtime.live_recaps.LIVE_FOR` after a recap
  was published, messages in its questions' threads (or replying to a question)
  are stored as late answers, messages in the recap's reflection thread as
  takeaways, and edits of stored messages update them; after each commit the
  collector tells :attr:`Collector.on_stored` which occurrences and messages it
  touched, so the published recap is updated (:mod:`bot.runtime.live_recaps`).
  New messages in the channel itself are no longer the chat's once it is over.
* **A crash between receipt and commit loses nothing for good**: at start (and
  after every reconnect) the bot backfills each collecting occurrence from the
  channel's and threads' history after the last *stored* message
  (:mod:`bot.discord_app.backfill`), so the messages that were only queued are
  read again and stored once.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from bot.core.answers import Answer, Attribution, attribute, attribute_takeaway
from bot.core.plan import StepKind, StepStatus
from bot.core.ports import Clock, Occurrence
from bot.core.run import Phase, Run
from bot.core.spec import ChatSpec
from bot.runtime.answer_writer import BATCH_DELAY, BATCH_ROWS, AnswerWriter
from bot.storage import SqliteStore, StorageError
from bot.storage.answers import (
    AnswerWrite,
    AttributeToQuestion,
    ChangeReaction,
    DeleteMessages,
    StoreMessage,
)

#: How long after its recap was published an occurrence still takes late answers and
#: takeaways (as long as the recap is kept up to date; see bot.runtime.live_recaps).
LIVE_FOR = timedelta(days=7)

log = logging.getLogger(__name__)

#: Phases in which messages in a chat's channel belong to it.
COLLECTING = (Phase.RUNNING, Phase.PAUSED, Phase.CLOSING, Phase.LATE_ANSWERS)

#: How many recent messages' occurrences are remembered (per generation; two are kept).
RECENT_MESSAGES = 25_000
#: A message in a thread no chat knows yet, in a chat's channel, is kept this many seconds
#: (at most UNKNOWN_KEEP_MAX of them): the thread may be one the bot just opened and has
#: not recorded yet (a recap's reflection thread someone wrote in at once). When the thread
#: becomes known the message is attributed; otherwise it is forgotten.
UNKNOWN_KEEP, UNKNOWN_KEEP_MAX = 300.0, 1000


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


class _Live:
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


class Collector:
    """Attributes and stores messages for the occurrences that are collecting them."""

    def __init__(
        self,
        store: SqliteStore,
        *,
        clock: Clock | None = None,
        batch_delay: float = BATCH_DELAY,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        self.store = store
        self.clock = clock
        #: Commits what attribution produced, in batches (see bot.runtime.answer_writer).
        self.writer = AnswerWriter(
            store, batch_delay=batch_delay, batch_rows=batch_rows, on_committed=self._tell_stored
        )
        self._live: dict[int, _Live] = {}
        #: Recapped occurrences whose recap is live: late answers and takeaways still count.
        self._recapped: dict[int, _Live] = {}
        #: A live recap's reflection thread -> its occurrence.
        self._takeaway_threads: dict[int, int] = {}
        #: Told after each commit: (occurrences whose messages were stored, message ids that
        #: were deleted or reacted to). The engine's live recaps listen.
        self.on_stored: list[Callable[[Collection[int], Collection[int]], None]] = []
        self._lookups: set[asyncio.Task[None]] = set()
        self._by_channel: dict[int, list[_Live]] = {}
        #: Channels where a collecting or recapped chat posts (its channel, its recap's).
        self._watched: set[int] = set()
        #: Messages in threads not known yet: (thread id, when kept, message), oldest first.
        self._unknown: collections.deque[tuple[int, float, IncomingMessage]] = collections.deque()
        #: A live question's message id and thread id -> (occurrence, question number).
        self._questions: dict[int, tuple[int, int]] = {}
        #: Message id -> occurrence, for replies; two generations bound the memory.
        self._recent: dict[int, int] = {}
        self._older: dict[int, int] = {}

    # --- what is collecting -----------------------------------------------------------------

    async def refresh(self) -> None:
        """Reload the occurrences that are collecting answers (at start and after a reload)."""
        occurrences = [
            o for o in await self.store.occurrences(unfinished=True) if o.run.phase in COLLECTING
        ]
        self._live = {o.run.occurrence_id: _Live(o) for o in occurrences}
        self._questions = {}
        for occurrence in occurrences:
            await self._learn_questions(occurrence.run.occurrence_id, reattribute=False)
        self._recapped, self._takeaway_threads = {}, {}
        now = self.clock.now() if self.clock is not None else datetime.now(UTC)
        for live in await self.store.live_recaps(now - LIVE_FOR):
            await self._learn_recapped(live.occurrence_id)
        self._index()

    async def _learn_recapped(self, occurrence_id: int) -> None:
        """Keep taking late answers and takeaways for an occurrence whose recap is live."""
        live = await self.store.live_recap(occurrence_id)
        if live is None:
            return
        occurrence = await self.store.load_occurrence(occurrence_id)
        until = live.published_at + LIVE_FOR
        self._recapped[occurrence_id] = _Live(occurrence, until=until)
        await self._learn_questions(occurrence_id, reattribute=False)
        if live.thread_id is not None:
            self._takeaway_threads[live.thread_id] = occurrence_id
            self._index()
            self._replay_unknown((live.thread_id,))
        log.info(
            "occurrence %s: recap published; its threads take late answers (and thread %s "
            "takeaways) until %s",
            occurrence_id,
            live.thread_id,
            until.isoformat(timespec="minutes"),
        )

    async def on_run_saved(self, run: Run, spec: ChatSpec) -> None:
        """Keep the live-occurrence cache in step with the engine (an Engine listener).

        Before a recap can be built (the occurrence enters its late-answer window,
        its recap falls due, or it is stopped), every queued write is flushed.
        """
        occurrence_id = run.occurrence_id
        previous = self._live.get(occurrence_id)
        if run.phase in COLLECTING:
            self._live[occurrence_id] = _Live(Occurrence(run=run, spec=spec))
            asked = _asked(run)
            if previous is None or asked != _asked(previous.occurrence.run):
                await self._learn_questions(occurrence_id, reattribute=previous is not None)
        else:
            self._live.pop(occurrence_id, None)
            self._questions = {k: v for k, v in self._questions.items() if v[0] != occurrence_id}
            if run.phase is Phase.RECAPPED:
                await self._learn_recapped(occurrence_id)
        self._index()
        if run.phase is Phase.LATE_ANSWERS or (previous is not None and run.phase.finished):
            await self.flush()

    @property
    def live(self) -> list[Occurrence]:
        """Occurrences collecting answers now."""
        return [live.occurrence for live in self._live.values()]

    @property
    def recapped(self) -> list[Occurrence]:
        """Occurrences whose recap is live: their threads still take late answers and
        takeaways."""
        return [live.occurrence for live in self._recapped.values()]

    def _index(self) -> None:
        by_channel: dict[int, list[_Live]] = {}
        for live in self._live.values():
            by_channel.setdefault(live.occurrence.spec.channel, []).append(live)
        self._by_channel = by_channel
        self._watched = {
            channel
            for live in (*self._live.values(), *self._recapped.values())
            for channel in (live.occurrence.spec.channel, live.occurrence.spec.recap.channel)
            if channel is not None
        }

    def _keep_unknown(self, message: IncomingMessage) -> None:
        """Keep a message of a thread no chat knows yet, in a chat's channel (see
        :data:`UNKNOWN_KEEP`)."""
        if message.thread_id is None or message.channel_id not in self._watched:
            return
        now = asyncio.get_running_loop().time()
        while self._unknown and (
            len(self._unknown) >= UNKNOWN_KEEP_MAX or self._unknown[0][1] < now - UNKNOWN_KEEP
        ):
            self._unknown.popleft()
        self._unknown.append((message.thread_id, now, message))

    def _replay_unknown(self, thread_ids: Collection[int]) -> None:
        """Attribute the kept messages of threads that just became known, in order."""
        if not self._unknown or not thread_ids:
            return
        replay = [message for thread, _, message in self._unknown if thread in thread_ids]
        if not replay:
            return
        self._unknown = collections.deque(
            item for item in self._unknown if item[0] not in thread_ids
        )
        for message in replay:
            write = self._attribute(message)
            if write is not None:
                self.writer.put(write)

    async def _learn_questions(self, occurrence_id: int, *, reattribute: bool) -> None:
        """Remember where an occurrence's questions were posted (one query per save, not per
        message). Conversation already queued that replied to, or was posted in the thread
        of, a question just learned is attributed to it once it is stored."""
        for post in await self.store.posts(occurrence_id):
            key = post.step_key
            if post.message_id is None or not key.startswith("q") or not key[1:].isdigit():
                continue
            number = int(key[1:])
            new = post.message_id not in self._questions
            self._questions[post.message_id] = (occurrence_id, number)
            if post.thread_id is not None:
                new = new or post.thread_id not in self._questions
                self._questions[post.thread_id] = (occurrence_id, number)
                self._replay_unknown((post.thread_id,))
            if new and reattribute:
                self.writer.put(
                    AttributeToQuestion(occurrence_id, number, post.message_id, post.thread_id)
                )

    def _remember(self, message_id: int, occurrence_id: int) -> None:
        if len(self._recent) >= RECENT_MESSAGES:
            self._older, self._recent = self._recent, {}
        self._recent[message_id] = occurrence_id

    def _claimed(self, occurrence_id: int, message: IncomingMessage) -> _Live | None:
        """The collecting or recapped occurrence ``occurrence_id``, if it takes ``message``."""
        live = self._live.get(occurrence_id) or self._recapped.get(occurrence_id)
        return live if live is not None and live.takes(message) else None

    def _occurrence_for(
        self, message: IncomingMessage
    ) -> tuple[_Live, int | None, int | None] | None:
        """The occurrence a message belongs to, with its thread question and reply question.

        An edit belongs to the occurrence its message was stored under when that is known
        here. A question's thread and replies to a question belong to its occurrence while
        it collects and while its recap is live; the channel itself only to collecting ones.
        """
        if message.edited_at is not None:
            known = self._recent.get(message.message_id) or self._older.get(message.message_id)
            live = self._claimed(known, message) if known is not None else None
            if live is not None:
                found = self._questions.get(message.thread_id or 0)
                in_thread = found[1] if found is not None and found[0] == known else None
                return live, in_thread, None
        if message.thread_id is not None:
            found = self._questions.get(message.thread_id)
            if found is not None and (live := self._claimed(found[0], message)) is not None:
                return live, found[1], None
            # A thread of no question we know (yet): its parent channel decides; if the
            # question's post is recorded later, it is re-attributed (see _learn_questions).
        if message.reply_to is not None:
            found = self._questions.get(message.reply_to)
            if found is not None and (live := self._claimed(found[0], message)) is not None:
                return live, None, found[1]
            replied = self._recent.get(message.reply_to) or self._older.get(message.reply_to)
            if replied is not None and replied in self._live:
                return self._live[replied], None, None
        in_channel = self._by_channel.get(message.channel_id)
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

    def _attribute(self, message: IncomingMessage) -> StoreMessage | None:
        """The message's attributed parts, ready to store; None when no chat collects it
        (or it cannot be attributed at all, which is logged: never raised at the gateway)."""
        try:
            return self._attributed(message)
        except Exception:
            log.exception("message %s: could not be attributed", message.message_id)
            return None

    def _attributed(self, message: IncomingMessage) -> StoreMessage | None:
        takeaway = self._takeaway_threads.get(message.thread_id or 0)
        if takeaway is not None and (live := self._claimed(takeaway, message)) is not None:
            parts = [attribute_takeaway(message.content, prompt_count=live.prompts)]
            return self._store_message(message, live, parts, late=False)
        target = self._occurrence_for(message)
        if target is None:
            return None
        live, thread_question, reply_question = target
        parts = attribute(
            message.content,
            question_count=live.questions,
            thread_question=thread_question,
            reply_question=reply_question,
            current_question=live.current_question,
        )
        return self._store_message(message, live, parts)

    def _store_message(
        self,
        message: IncomingMessage,
        live: _Live,
        parts: list[Attribution],
        *,
        late: bool | None = None,
    ) -> StoreMessage:
        occurrence_id = live.occurrence.run.occurrence_id
        if late is None:
            late = live.late_from is not None and live.late_from <= message.created_at
        self._remember(message.message_id, occurrence_id)
        return StoreMessage(
            message.message_id,
            occurrence_id,
            message.channel_id,
            message.thread_id,
            message.author_id,
            message.author_name,
            message.created_at,
            message.edited_at,
            message.reply_to,
            late,
            parts,
        )

    # --- writes -----------------------------------------------------------------------------

    def enqueue(self, message: IncomingMessage) -> int:
        """Attribute a new or edited message and queue it for storage; returns at once.

        Returns how many parts it was queued as (0 when no chat is collecting it).
        They are committed within about :data:`BATCH_DELAY`; :meth:`flush` waits.
        An edit of a message this collector does not remember, while recaps are live, is
        queued once its stored occurrence has been looked up (it returns 0 then).
        """
        if message.edited_at is not None and self._recapped and not self._remembers(message):
            task = asyncio.get_running_loop().create_task(self._enqueue_edit(message))
            self._lookups.add(task)
            task.add_done_callback(self._lookups.discard)
            return 0
        write = self._attribute(message)
        if write is None:
            self._keep_unknown(message)
            return 0
        self.writer.put(write)
        return len(write.parts)

    def _remembers(self, message: IncomingMessage) -> bool:
        return message.message_id in self._recent or message.message_id in self._older

    async def _enqueue_edit(self, message: IncomingMessage) -> None:
        """Queue an edit after looking up which occurrence its message was stored under (an
        answer edited days later, after a restart): an edit never moves an answer to another
        chat, and one of a chat whose recap is no longer live is left alone."""
        try:
            stored = await self.store.message_occurrence(message.message_id)
        except StorageError as error:
            log.error("edit of message %s not stored: %s", message.message_id, error)
            return
        if stored is not None:
            if self._claimed(stored, message) is None:
                return
            self._remember(message.message_id, stored)
        write = self._attribute(message)
        if write is not None:
            self.writer.put(write)

    async def ingest(self, message: IncomingMessage) -> list[Answer]:
        """Attribute and store a new or edited message, returning once it is committed.

        Returns the answers it became ([] when no chat is collecting it).
        """
        write = self._attribute(message)
        if write is None:
            return []
        await self.writer.submit(write)
        return [
            Answer(
                message_id=write.message_id,
                part=index,
                occurrence_id=write.occurrence_id,
                channel_id=write.channel_id,
                thread_id=write.thread_id,
                author_id=write.author_id,
                author_name=write.author_name,
                question=part.question,
                content=part.text,
                source=part.source,
                created_at=write.created_at,
                edited_at=write.edited_at,
                reply_to=write.reply_to,
                late=write.late,
            )
            for index, part in enumerate(write.parts)
        ]

    def enqueue_delete(self, message_ids: list[int]) -> None:
        """Queue marking messages deleted (after anything queued for them before)."""
        if self._unknown:
            gone = set(message_ids)
            self._unknown = collections.deque(
                item for item in self._unknown if item[2].message_id not in gone
            )
        self.writer.put(DeleteMessages(tuple(message_ids)))

    async def delete(self, message_ids: list[int]) -> int:
        """Mark messages deleted; they never appear in a recap again. Returns parts touched."""
        return await self.writer.submit(DeleteMessages(tuple(message_ids)))

    def enqueue_reaction(self, message_id: int, user_id: int, emoji: str, present: bool) -> None:
        """Queue counting (or uncounting) one user's reaction on a message."""
        self.writer.put(ChangeReaction(message_id, user_id, emoji, present))

    async def react(self, message_id: int, user_id: int, emoji: str, present: bool) -> None:
        """Count (or uncount) one user's reaction on a message, returning once committed."""
        await self.writer.submit(ChangeReaction(message_id, user_id, emoji, present))

    async def flush(self) -> None:
        """Wait until every write queued before this call is committed.

        Raises :class:`StorageError` when the database refused them (they stay
        queued and are retried).
        """
        while self._lookups:
            await asyncio.gather(*self._lookups, return_exceptions=True)
        await self.writer.flush()

    async def close(self, grace: float | None = None) -> None:
        """Flush (waiting at most ``grace`` seconds), then stop the writer (at shutdown).

        What could not be stored in time is read again from history by the
        backfill at the next start.
        """
        try:
            await asyncio.wait_for(self.flush(), grace)
        except (TimeoutError, StorageError) as error:
            log.error(
                "%d queued answer write(s) not stored at shutdown (%s); the next start "
                "reads them again from the channels' history",
                self.pending,
                error or "timed out",
            )
        await self.writer.stop()

    @property
    def pending(self) -> int:
        """Writes queued and not yet committed (the batch being written excluded)."""
        return self.writer.pending

    def _tell_stored(self, writes: list[AnswerWrite]) -> None:
        """Tell :attr:`on_stored` which occurrences and messages a committed batch touched."""
        if not self.on_stored:
            return
        occurrences: set[int] = set()
        messages: list[int] = []
        for write in writes:
            if isinstance(write, StoreMessage | AttributeToQuestion):
                occurrences.add(write.occurrence_id)
            elif isinstance(write, DeleteMessages):
                messages.extend(write.message_ids)
            else:
                messages.append(write.message_id)
        for listener in self.on_stored:
            try:
                listener(occurrences, messages)
            except Exception:
                log.exception("a listener of stored answers failed")


def _asked(run: Run) -> frozenset[str]:
    return frozenset(
        s.key for s in run.steps if s.kind is StepKind.QUESTION and s.status is StepStatus.DONE
    )

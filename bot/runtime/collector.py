"""Collecting answers: participants' messages in, attributed answers stored.

The adapters (Discord, the rehearsal) turn platform events into the calls
here; attribution itself is :func:`bot.core.answers.attribute`. Everything is
keyed by message id, so a message delivered twice, or read again from history
after downtime, is stored once.

**Design: attribute now, write in batches.** A busy chat brings hundreds of
messages a second in bursts; one SQLite transaction per message would make the
bot fall behind. So:

* Attribution is done at once, in memory, with no SQL: the collector keeps, in
  :class:`bot.runtime.routing.Routes`, the occurrences that are collecting
  (updated by the engine through :meth:`Collector.on_run_saved`), an index of
  them by channel, every live question's message and thread id, and the
  occurrence of the last 25,000 to 50,000 messages (for replies in a channel
  that several chats share; a reply to an older message follows the channel's
  rule: the hashtag it names, else the chat that started last).
* The writes (messages, edits, deletes, reactions) go into one
  queue, drained by a single writer task
  (:class:`bot.runtime.answer_writer.AnswerWriter`). It commits a batch
  every :data:`BATCH_DELAY` or every :data:`BATCH_ROWS` writes, whichever comes
  first: new messages only as one lone multi-row insert (atomic by itself),
  anything else as one transaction
  (:meth:`bot.core.ports.AnswerStore.write_answers`).
* **The database thread gets its turn.** aiosqlite runs SQL in a thread of its
  own, which needs the GIL back after every statement step. An event loop
  flooded with gateway events releases the GIL only for an instant when it
  polls, and takes it back before the woken thread can (the interpreter's
  switch interval never expires, as the GIL changed hands), so that thread can
  starve: in ``bench``, without help, the commit latency was 3.5 s (p50) at
  15,000 messages/s. So while a batch is in flight the writer blocks the loop
  for a moment now and then (:mod:`bot.runtime.speed`), which lets the thread take
  the GIL (p99 under 100 ms at the same rate). When the loop is not flooded the
  batch is done before the first hand-off and nothing is blocked.
* **Order** is the queue's: an edit or a delete that follows a message's
  creation is applied after it, in the same transaction or a later one.
* **Idempotency** is the store's: every message part is an upsert by message id
  and part, so a redelivery, a retried batch or a backfill stores it once.
* :meth:`Collector.enqueue` (the Discord listener) returns as soon as the
  message is attributed and queued; :meth:`Collector.ingest` (tests, the
  rehearsal) also waits for the commit and never lingers.
  :meth:`Collector.flush` waits for everything queued before it; the engine
  calls it before it builds a recap (:attr:`bot.runtime.engine.Engine.before_recap`,
  wired by :func:`bot.runtime.root.build_runtime`), and the client calls
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
import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.core.answers import Answer, Attribution, attribute, attribute_takeaway
from bot.core.errors import StorageError
from bot.core.plan import StepKind, StepStatus
from bot.core.ports import (
    AnswerStore,
    CardStore,
    Clock,
    LiveRecapStore,
    Occurrence,
    OccurrenceStore,
    PostStore,
)
from bot.core.run import Phase, Run
from bot.core.spec import ChatSpec
from bot.core.writes import (
    AnswerWrite,
    AttributeToQuestion,
    ChangeReaction,
    DeleteMessages,
    StoreMessage,
    touched,
)
from bot.runtime.answer_writer import BATCH_DELAY, BATCH_ROWS, AnswerWriter
from bot.runtime.routing import IncomingMessage, LiveOccurrence, Routes, UnknownThreads

#: How long after its recap was published an occurrence still takes late answers and
#: takeaways (as long as the recap is kept up to date; see bot.runtime.live_recaps).
LIVE_FOR = timedelta(days=7)

log = logging.getLogger(__name__)

#: Phases in which messages in a chat's channel belong to it.
COLLECTING = (Phase.RUNNING, Phase.PAUSED, Phase.CLOSING, Phase.LATE_ANSWERS)


class CollectorStore(OccurrenceStore, PostStore, AnswerStore, LiveRecapStore, CardStore, Protocol):
    """What collecting reads (collecting occurrences, question posts, live recaps) and
    writes (answers, and the link cards of their unfurls)."""


class Collector:
    """Attributes and stores messages for the occurrences that are collecting them."""

    def __init__(
        self,
        store: CollectorStore,
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
        #: Where messages belong: collecting occurrences, their questions, recent messages.
        self._routes = Routes()
        #: Told after each commit: (occurrences whose messages were stored, message ids that
        #: were deleted, reacted to or gained link cards). The engine's live recaps listen.
        self.on_stored: list[Callable[[Collection[int], Collection[int]], None]] = []
        self._lookups: set[asyncio.Task[None]] = set()
        #: Messages in threads not known yet (kept a few minutes; see UnknownThreads).
        self.unknown = UnknownThreads()

    # --- what is collecting -----------------------------------------------------------------

    async def refresh(self) -> None:
        """Reload the occurrences that are collecting answers (at start and after a reload)."""
        occurrences = [
            o for o in await self.store.occurrences(unfinished=True) if o.run.phase in COLLECTING
        ]
        self._routes.live = {o.run.occurrence_id: LiveOccurrence(o) for o in occurrences}
        self._routes.questions = {}
        for occurrence in occurrences:
            await self._learn_questions(occurrence.run.occurrence_id, reattribute=False)
        self._routes.recapped, self._routes.takeaway_threads = {}, {}
        now = self.clock.now() if self.clock is not None else datetime.now(UTC)
        for live in await self.store.live_recaps(now - LIVE_FOR):
            await self._learn_recapped(live.occurrence_id)
        self._routes.index()

    async def _learn_recapped(self, occurrence_id: int) -> None:
        """Keep taking late answers and takeaways for an occurrence whose recap is live."""
        live = await self.store.live_recap(occurrence_id)
        if live is None:
            return
        occurrence = await self.store.load_occurrence(occurrence_id)
        until = live.published_at + LIVE_FOR
        self._routes.recapped[occurrence_id] = LiveOccurrence(occurrence, until=until)
        await self._learn_questions(occurrence_id, reattribute=False)
        if live.thread_id is not None:
            self._routes.takeaway_threads[live.thread_id] = occurrence_id
            self._routes.index()
            self._replay_unknown((live.thread_id,))
        log.info(
            "occurrence %s: recap published; its threads take late answers (and thread %s "
            "takeaways) until %s",
            occurrence_id,
            live.thread_id,
            until.isoformat(timespec="minutes"),
        )

    async def on_run_saved(self, run: Run, spec: ChatSpec) -> None:
        """Keep the live-occurrence cache in step with the engine (an Engine listener)."""
        occurrence_id = run.occurrence_id
        previous = self._routes.live.get(occurrence_id)
        if run.phase in COLLECTING:
            self._routes.live[occurrence_id] = LiveOccurrence(Occurrence(run=run, spec=spec))
            asked = _asked(run)
            if previous is None or asked != _asked(previous.occurrence.run):
                await self._learn_questions(occurrence_id, reattribute=previous is not None)
        else:
            self._routes.live.pop(occurrence_id, None)
            self._routes.questions = {
                k: v for k, v in self._routes.questions.items() if v[0] != occurrence_id
            }
            if run.phase is Phase.RECAPPED:
                await self._learn_recapped(occurrence_id)
        self._routes.index()

    @property
    def live(self) -> list[Occurrence]:
        """Occurrences collecting answers now."""
        return [live.occurrence for live in self._routes.live.values()]

    @property
    def recapped(self) -> list[Occurrence]:
        """Occurrences whose recap is live: their threads still take late answers and
        takeaways."""
        return [live.occurrence for live in self._routes.recapped.values()]

    def _keep_unknown(self, message: IncomingMessage) -> None:
        """Keep a message of a thread no chat knows yet, in a chat's channel."""
        if message.thread_id is not None and message.channel_id in self._routes.watched:
            self.unknown.keep(message, asyncio.get_running_loop().time())

    def _replay_unknown(self, thread_ids: Collection[int]) -> None:
        """Attribute the kept messages of threads that just became known, in order."""
        for message in self.unknown.take(thread_ids):
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
            new = post.message_id not in self._routes.questions
            self._routes.questions[post.message_id] = (occurrence_id, number)
            if post.thread_id is not None:
                new = new or post.thread_id not in self._routes.questions
                self._routes.questions[post.thread_id] = (occurrence_id, number)
                self._replay_unknown((post.thread_id,))
            if new and reattribute:
                self.writer.put(
                    AttributeToQuestion(occurrence_id, number, post.message_id, post.thread_id)
                )

    def _attribute(self, message: IncomingMessage) -> StoreMessage | None:
        """The message's attributed parts, ready to store; None when no chat collects it
        (or it cannot be attributed at all, which is logged: never raised at the gateway)."""
        try:
            write = self._attributed(message)
        except Exception:
            log.exception("message %s: could not be attributed", message.message_id)
            return None
        if write is not None and message.cards:
            self._queue_cards(message)
        return write

    def _attributed(self, message: IncomingMessage) -> StoreMessage | None:
        takeaway = self._routes.takeaway_threads.get(message.thread_id or 0)
        if takeaway is not None and (live := self._routes.claimed(takeaway, message)) is not None:
            parts = [attribute_takeaway(message.content, prompt_count=live.prompts)]
            return self._store_message(message, live, parts, late=False)
        target = self._routes.occurrence_for(message)
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
        live: LiveOccurrence,
        parts: list[Attribution],
        *,
        late: bool | None = None,
    ) -> StoreMessage:
        occurrence_id = live.occurrence.run.occurrence_id
        if late is None:
            late = live.late_from is not None and live.late_from <= message.created_at
        self._routes.remember(message.message_id, occurrence_id)
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
        if (
            message.edited_at is not None
            and self._routes.recapped
            and not self._routes.remembers(message)
        ):
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
            if self._routes.claimed(stored, message) is None:
                return
            self._routes.remember(message.message_id, stored)
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
        return write.answers()

    def enqueue_cards(self, message: IncomingMessage, *, stored: bool = False) -> bool:
        """Discord unfurled the message's links (an update that is not an edit): store its
        link cards when a chat collects the message, or when it is ``stored`` already (the
        backfill read it again). The answer itself is left as it is (not edited, no new
        version). Returns whether the cards were queued."""
        if not message.cards:
            return False
        known = stored or self._routes.remembers(message)
        if not known and self._routes.occurrence_for(message) is None:
            return False
        self._queue_cards(message)
        return True

    def _queue_cards(self, message: IncomingMessage) -> None:
        task = asyncio.get_running_loop().create_task(self._save_cards(message))
        self._lookups.add(task)
        task.add_done_callback(self._lookups.discard)

    async def _save_cards(self, message: IncomingMessage) -> None:
        try:
            stored = await self.store.save_cards(message.cards)
        except StorageError as error:
            log.error(
                "link cards of message %s not stored (%s); the next backfill reads them again",
                message.message_id,
                error,
            )
            return
        if stored:  # a published recap shows the cards at its next update
            self._tell(frozenset(), (message.message_id,))

    def enqueue_delete(self, message_ids: list[int]) -> None:
        """Queue marking messages deleted (after anything queued for them before)."""
        self.unknown.drop(message_ids)
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
        occurrences, messages = touched(writes)
        self._tell(occurrences, messages)

    def _tell(self, occurrences: Collection[int], messages: Collection[int]) -> None:
        for listener in self.on_stored:
            try:
                listener(occurrences, messages)
            except Exception:
                log.exception("a listener of stored answers failed")


def _asked(run: Run) -> frozenset[str]:
    return frozenset(
        s.key for s in run.steps if s.kind is StepKind.QUESTION and s.status is StepStatus.DONE
    )

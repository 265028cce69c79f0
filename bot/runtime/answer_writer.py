"""The answer writer: one task that commits queued answer writes in batches, in order.

The collector (:mod:`bot.runtime.collector`) attributes messages in memory and hands
the resulting writes (messages, edits, deletes, reactions) to an :class:`AnswerWriter`.
Why batches, and why the writer blocks the event loop for an instant now and then, is
told in the collector's module docstring ("Design: attribute now, write in batches").
In short:

* one queue (a deque), drained by a single task that commits a batch every
  :data:`BATCH_DELAY` or every :data:`BATCH_ROWS` writes, whichever comes first, in one
  transaction (:meth:`bot.core.ports.AnswerStore.write_answers`); the task ends
  when the queue is empty and the next write starts it again;
* order is the queue's, and every write is an upsert, so a retried batch stores once;
* a batch the database refuses for a passing reason (locked, read-only, full) is retried
  with a growing delay until it is stored; whoever waits for it is told at once;
* a write that can never be stored is logged and dropped alone, never with its batch.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import re
import sqlite3
from collections.abc import Callable

from bot.core.errors import StorageError
from bot.core.ports import AnswerStore
from bot.core.writes import AnswerWrite, StoreMessage
from bot.runtime.speed import handing_over

log = logging.getLogger(__name__)

#: The longest a queued write waits for others to share its commit (seconds).
BATCH_DELAY = 0.025
#: The most writes committed in one transaction.
BATCH_ROWS = 1000
#: Retrying a batch the database refused: first and longest delay (seconds).
RETRY_FIRST, RETRY_MAX = 0.1, 5.0

#: A queued write (None: a flush barrier), the future of whoever waits for it (None: nobody),
#: and when it was queued (the event loop's clock). A tuple: one is made per message.
_Item = tuple[AnswerWrite | None, "asyncio.Future[int] | None", float]


class AnswerWriter:
    """Commits answer writes in batches, in the order they were put, from one task."""

    def __init__(
        self,
        store: AnswerStore,
        *,
        batch_delay: float = BATCH_DELAY,
        batch_rows: int = BATCH_ROWS,
        on_committed: Callable[[list[AnswerWrite]], None] | None = None,
    ) -> None:
        self.store = store
        self.batch_delay = batch_delay
        self.batch_rows = batch_rows
        #: Called with the writes of every committed batch (not for dropped ones).
        self.on_committed = on_committed
        #: The queue (a deque: the writer never waits on it, it lingers on ``_hurry``).
        self._queue: collections.deque[_Item] = collections.deque()
        self._hurry = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: The loop the writing task runs on (set when it starts).
        self._loop: asyncio.AbstractEventLoop | None = None

    def put(self, write: AnswerWrite | None, waiter: asyncio.Future[int] | None = None) -> None:
        """Queue a write (``None``: a barrier); ``waiter`` gets its result once committed."""
        task, loop = self._task, self._loop
        if task is None or task.done() or loop is None:
            # Asked only when the task (re)starts: get_running_loop() makes a getpid() system
            # call, which costs microseconds per message in a sandbox such as gVisor.
            loop = self._loop = asyncio.get_running_loop()
            self._task = loop.create_task(self._write_loop(), name="answer-writer")
        self._queue.append((write, waiter, loop.time()))
        if waiter is not None or len(self._queue) >= self.batch_rows:
            self._hurry.set()

    async def submit(self, write: AnswerWrite | None) -> int:
        """Queue a write and wait until it is committed; returns the rows it touched.

        Raises :class:`StorageError` when the database refused it (it stays queued and
        is retried)."""
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.put(write, waiter)
        return await waiter

    async def flush(self) -> None:
        """Wait until every write queued before this call is committed."""
        if self._task is None and not self._queue:
            return
        await self.submit(None)

    async def stop(self) -> None:
        """Stop the writing task; what is still queued stays unwritten."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    @property
    def pending(self) -> int:
        """Writes queued and not yet committed (the batch being written excluded)."""
        return len(self._queue)

    async def _write_loop(self) -> None:
        """The single writer: take a batch (lingering up to ``batch_delay`` for company
        unless someone is waiting), commit it, repeat; end when the queue is empty
        (:meth:`put` starts it again), so no task lingers when nothing is written."""
        loop = asyncio.get_running_loop()
        queue = self._queue
        while queue:
            first = queue.popleft()
            linger = first[2] + self.batch_delay - loop.time()
            if (
                first[1] is None
                and linger > 0
                and not self._hurry.is_set()
                and len(queue) < self.batch_rows
            ):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._hurry.wait(), linger)
            self._hurry.clear()
            batch = [first]
            while len(batch) < self.batch_rows and queue:
                batch.append(queue.popleft())
            await self._commit(batch)

    async def _commit(self, batch: list[_Item]) -> None:
        """Store a batch in one transaction; if one of its writes can never be stored,
        store the others one by one and drop only that one."""
        writes = [item[0] for item in batch if item[0] is not None]
        try:
            results = await self._write(writes, batch)
        except Exception as error:
            if len(writes) == 1 and isinstance(error, UnicodeEncodeError):
                # A lone surrogate (valid in JSON, not in UTF-8): store the text without it.
                batch = [(_encodable(writes[0]), *batch[0][1:])]
                writes = [batch[0][0]] if batch[0][0] is not None else []
                try:
                    results = await self._write(writes, batch)
                except Exception as again:
                    error = again
                else:
                    self._finish(batch, results, writes)
                    return
            if len(writes) <= 1:
                log.error("dropped an answer write that cannot be stored: %s %r", error, writes)
                for _, waiter, _ in batch:
                    _fail(waiter, error)
                return
            for item in batch:
                await self._commit([item])
            return
        self._finish(batch, results, writes)

    def _finish(self, batch: list[_Item], results: list[int], writes: list[AnswerWrite]) -> None:
        done = iter(results)
        for write, waiter, _ in batch:
            result = next(done) if write is not None else 0
            if waiter is not None and not waiter.done():
                waiter.set_result(result)
        if self.on_committed is not None and writes:
            self.on_committed(writes)

    async def _write(self, writes: list[AnswerWrite], batch: list[_Item]) -> list[int]:
        """``write_answers``, retried with a growing delay while the database refuses it for a
        passing reason (locked, read-only, full); whoever waits is told at the first failure."""
        delay = RETRY_FIRST
        while True:
            try:
                return await handing_over(self.store.write_answers(writes))
            except Exception as error:
                if not _transient(error):
                    raise
                for _, waiter, _ in batch:
                    _fail(waiter, error)
                log.error(
                    "storing %d answer write(s) failed: %s; retrying in %.1fs",
                    len(writes),
                    error,
                    delay,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)


def _transient(error: BaseException) -> bool:
    """True when retrying may help: the database is locked, busy, read-only or full."""
    if isinstance(error, StorageError) and error.transient:
        return True  # PostgreSQL's store says so
    cause = error.__cause__ if isinstance(error, StorageError) else error
    return isinstance(cause, sqlite3.OperationalError | OSError)


def _encodable(write: AnswerWrite | None) -> AnswerWrite | None:
    """``write`` with lone surrogates in its text replaced (U+FFFD), so UTF-8 can hold it."""
    if not isinstance(write, StoreMessage):
        return write

    return write._replace(
        author_name=_SURROGATE.sub("\ufffd", write.author_name),
        parts=[part._replace(text=_SURROGATE.sub("\ufffd", part.text)) for part in write.parts],
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _fail(waiter: asyncio.Future[int] | None, error: Exception) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_exception(error)

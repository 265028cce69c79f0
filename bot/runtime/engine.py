"""The engine: one timer loop, idempotent posting, and moderator controls.

The design follows RoboDanny's reminder loop, without its flaws:

* every step of every occurrence is a row in the ``timers`` table *before* it is due;
* one task sleeps until the earliest waiting timer, and is woken early (an
  ``asyncio.Event``) when a control or a new plan may have moved that time;
* a due occurrence is advanced in its own task, so a slow or failing post in
  one chat never delays another;
* a step is marked done only after its post succeeded, and every post records
  its intent before and its message id after: after a crash, a step with an
  intent but no message id is looked up in the channel's history before it is
  posted again. So a restart never double-posts and never skips.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.errors import HeldElsewhere, OccurrenceNotFound, PostingFailed, StorageError
from bot.core.plan import StepKind
from bot.core.ports import (
    Clock,
    Occurrence,
    PostRequest,
    Venue,
    VenueError,
)
from bot.core.run import (
    Cancel,
    Control,
    Due,
    Effect,
    Event,
    Finished,
    Phase,
    Post,
    Record,
    Run,
    Start,
    transition,
)
from bot.core.spec import ChatSpec
from bot.runtime.leases import Leases, SoleLeases
from bot.runtime.live_recaps import LiveRecaps, LiveRecapsStore
from bot.runtime.planner import Planner, PlanStore
from bot.runtime.posting import Poster, PostingStore
from bot.runtime.recaps import recap_request

log = logging.getLogger(__name__)

#: How long to leave an occurrence alone after its processing failed unexpectedly; also the
#: longest wait between retries while the database refuses writes.
FAILURE_BACKOFF = timedelta(seconds=30)
#: The first retry after the database refused a write (locked, read-only, full); the wait
#: doubles with each failure in a row up to :data:`FAILURE_BACKOFF`, so a question held up by
#: a passing fault goes out seconds after it clears, and a lasting one is not hammered.
STORAGE_RETRY_FIRST = timedelta(seconds=2)

RecapBuilder = Callable[[Occurrence, PostRequest], Awaitable[PostRequest]]
#: Awaited before every recap is built (the composition root wires the collector's flush).
BeforeRecap = Callable[[], Awaitable[None]]


class EngineStore(PlanStore, PostingStore, LiveRecapsStore, Protocol):
    """What the engine reads and writes: plans, posts, and what recaps are built from."""


class Engine:
    """Runs every occurrence in the store through the Venue, on time."""

    def __init__(
        self,
        store: EngineStore,
        venue: Venue,
        clock: Clock,
        *,
        recap_builder: RecapBuilder | None = None,
        before_recap: BeforeRecap | None = None,
        leases: Leases | None = None,
    ) -> None:
        self.store = store
        #: Which process advances which occurrence (several processes, see
        #: :mod:`bot.runtime.leases`); with one process every occurrence is ours.
        self.leases: Leases = leases or SoleLeases()
        self.venue = venue
        self.clock = clock
        self.recap_builder = recap_builder or self.summary_recap
        #: Awaited before a recap is built, so that it sees every answer received before it
        #: (see :func:`bot.runtime.root.build_runtime`); raising holds the recap back.
        self.before_recap = before_recap
        #: ``ARCHIVE_URL``: the recap links to its page in the published archive.
        self.archive_url: str | None = None
        self.planner = Planner(store)
        #: Keeps published recaps up to date (the collector reports changes to it).
        self.live_recaps = LiveRecaps(store, venue, clock, leases=self.leases)
        #: Posts each step exactly once (intent, history check, post, message id).
        self.poster = Poster(
            store,
            venue,
            clock,
            build_recap=self._build_recap,
            published_recap=self.live_recaps.track,
        )
        self._wake = asyncio.Event()
        self._locks: dict[int, asyncio.Lock] = {}
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._retry_at: dict[int, datetime] = {}
        self._storage_failures: dict[int, int] = {}
        self._stopping = False
        #: Called with every saved run (the adapter uses it for scheduled events and caches).
        self.on_run_saved: list[Callable[[Run, ChatSpec], Awaitable[None]]] = []

    # --- the timer loop -------------------------------------------------------------------

    def wake(self) -> None:
        """Make the loop recompute its next wake-up (a plan changed)."""
        self._wake.set()

    async def run_forever(self) -> None:
        """Sleep until the earliest due timer, advance due occurrences, repeat; never busy-waits.

        The live recaps' loop runs alongside (see :mod:`bot.runtime.live_recaps`); which
        recaps are live is read once at start, before it (:meth:`bot.runtime.root.Runtime.start`)."""
        recaps = asyncio.create_task(self.live_recaps.run_forever(), name="live-recaps")
        heartbeat = asyncio.create_task(self.leases.run_forever(), name="lease-heartbeat")
        try:
            await self._timer_loop()
        finally:
            self.leases.stop()
            await self.live_recaps.stop()
            await asyncio.gather(recaps, heartbeat, return_exceptions=True)

    async def _timer_loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                due = await self.store.due_occurrences(self.clock.now())
                self._forget_retries(due)
                self._dispatch(due)
                wake_at = await self._next_wake()
            except StorageError as error:
                log.error("timer loop: %s; retrying in %ss", error, FAILURE_BACKOFF.seconds)
                wake_at = self.clock.now() + FAILURE_BACKOFF
            await self.clock.sleep_until(wake_at, self._wake)

    async def stop(self) -> None:
        """Stop the loop and wait for posts in flight to finish."""
        self._stopping = True
        self._wake.set()
        await self.live_recaps.stop()
        if self._inflight:
            await asyncio.gather(*self._inflight.values(), return_exceptions=True)

    async def run_due(self) -> None:
        """Advance every occurrence with a due step, and wait until they are done (for tests)."""
        while True:
            due = [
                occurrence_id
                for occurrence_id in await self.store.due_occurrences(self.clock.now())
                if not self._backing_off(occurrence_id)
            ]
            if not due:
                return
            await asyncio.gather(*(self.advance(occurrence_id) for occurrence_id in due))

    def _dispatch(self, occurrence_ids: Collection[int]) -> None:
        for occurrence_id in occurrence_ids:
            if occurrence_id in self._inflight or self._backing_off(occurrence_id):
                continue
            task = asyncio.create_task(
                self.advance(occurrence_id), name=f"occurrence-{occurrence_id}"
            )
            self._inflight[occurrence_id] = task
            task.add_done_callback(functools.partial(self._finished_task, occurrence_id))

    def _forget_retries(self, due: Collection[int]) -> None:
        # A retry time that passed for an occurrence no longer due (another process posted
        # its step) would make the loop wake at once, again and again.
        now = self.clock.now()
        for occurrence_id in [o for o, at in self._retry_at.items() if at <= now]:
            if occurrence_id not in due:
                del self._retry_at[occurrence_id]

    def _finished_task(self, occurrence_id: int, _task: asyncio.Task[None]) -> None:
        self._inflight.pop(occurrence_id, None)
        self._wake.set()

    def _backing_off(self, occurrence_id: int) -> bool:
        retry_at = self._retry_at.get(occurrence_id)
        return retry_at is not None and retry_at > self.clock.now()

    async def _next_wake(self) -> datetime | None:
        candidates = [await self.store.next_due(exclude=set(self._inflight) | set(self._retry_at))]
        candidates.extend(self._retry_at.values())
        present = [moment for moment in candidates if moment is not None]
        return min(present, default=None)

    # --- advancing one occurrence ---------------------------------------------------------

    def _lock(self, occurrence_id: int) -> asyncio.Lock:
        return self._locks.setdefault(occurrence_id, asyncio.Lock())

    async def advance(self, occurrence_id: int) -> None:
        """Fire every due step of one occurrence, in order. Never raises."""
        try:
            async with self._lock(occurrence_id):
                retry_at = await self.leases.hold(occurrence_id)
                if retry_at is not None:  # another process runs it (for now)
                    self._retry_at[occurrence_id] = retry_at
                    return
                finished = await self._advance_locked(occurrence_id)
                await self.leases.stepped(occurrence_id, finished=finished)
            self._retry_at.pop(occurrence_id, None)
            self._storage_failures.pop(occurrence_id, None)
        except StorageError as error:
            # One clear line (no traceback): the database is busy, read-only or full.
            # Nothing was marked done, so the step is tried again after the backoff.
            failures = self._storage_failures.get(occurrence_id, 0) + 1
            self._storage_failures[occurrence_id] = failures
            wait = min(STORAGE_RETRY_FIRST * 2 ** min(failures - 1, 8), FAILURE_BACKOFF)
            log.error(
                "occurrence %s: %s; retrying in %ss", occurrence_id, error, wait.total_seconds()
            )
            self._retry_at[occurrence_id] = self.clock.now() + wait
        except Exception:
            log.exception("occurrence %s: advancing failed; retrying later", occurrence_id)
            self._retry_at[occurrence_id] = self.clock.now() + FAILURE_BACKOFF

    async def _advance_locked(self, occurrence_id: int) -> bool:
        """Fire the due steps; returns whether the occurrence finished."""
        for _ in range(1000):  # a run has far fewer steps; this only bounds a logic error
            occurrence = await self.store.load_occurrence(occurrence_id)
            now = self.clock.now()
            due = occurrence.run.due_steps(now)
            if not due:
                return occurrence.run.phase.finished
            before = occurrence.run
            await self._apply(occurrence, Due(due[0].key), now)
            after = (await self.store.load_occurrence(occurrence_id)).run
            if after == before:
                raise RuntimeError(f"step {due[0].key} fired without effect")
        raise RuntimeError("too many steps fired at once")

    async def _apply(self, occurrence: Occurrence, event: Event, now: datetime) -> Run:
        """Transition, persist, execute effects (feeding their outcome back), persist again."""
        run, effects = transition(occurrence.run, occurrence.spec, event, now)
        await self._save(run, occurrence.spec, effects)
        for effect in effects:
            if isinstance(effect, Post):
                outcome = await self.poster.post(replace(occurrence, run=run), effect)
                run, more = transition(run, occurrence.spec, outcome, self.clock.now())
                await self._save(run, occurrence.spec, more)
                effects.extend(e for e in more if not isinstance(e, Post))
        if any(isinstance(effect, Finished) for effect in effects):
            await self.planner.plan_next(occurrence.spec.id, self.clock.now())
            await self._announce_planned(occurrence.spec.id)
            self.wake()
        return run

    async def _save(self, run: Run, spec: ChatSpec, effects: list[Effect]) -> None:
        await self.store.save_run(run, [e for e in effects if isinstance(e, Record)])
        for listener in self.on_run_saved:
            try:
                await listener(run, spec)
            except Exception:
                log.exception("occurrence %s: a run listener failed", run.occurrence_id)

    async def _build_recap(self, occurrence: Occurrence, request: PostRequest) -> PostRequest:
        """The recap ``request`` filled in, after :attr:`before_recap` (answers still queued
        are stored first)."""
        if self.before_recap is not None:
            await self.before_recap()
        return await self.recap_builder(occurrence, request)

    async def summary_recap(self, occurrence: Occurrence, request: PostRequest) -> PostRequest:
        """The recap (the default builder): the model from storage, rendered for Discord as a
        short message naming every question, embeds and continuation messages within
        Discord's limits, with the transcript (Markdown, HTML) and the activity chart attached."""
        return await recap_request(self.store, occurrence, request, archive_url=self.archive_url)

    async def repost_recap(self, chat_id: str) -> int:
        """Post the latest recap of a chat again (``/host recap``); returns the message id."""
        finished = [
            o
            for o in await self.store.occurrences(chat_id=chat_id)
            if o.run.phase is Phase.RECAPPED
        ]
        if not finished:
            raise OccurrenceNotFound(f"{chat_id} has no recapped occurrence yet")
        occurrence = finished[-1]
        spec = occurrence.spec
        request = PostRequest(
            occurrence_id=occurrence.run.occurrence_id,
            step_key=f"recap-again-{int(self.clock.now().timestamp())}",
            channel_id=spec.recap.channel or spec.channel,
            kind=StepKind.RECAP,
            text="",
        )
        request = await self._build_recap(occurrence, request)
        try:
            result = await self.venue.post(request)
        except VenueError as error:
            raise PostingFailed(f"could not post the recap: {error.reason}") from error
        # The new copy is the one kept up to date (the first may have been deleted).
        occurrence_id = occurrence.run.occurrence_id
        if await self.store.live_recap(occurrence_id) is not None:
            await self.store.move_live_recap(occurrence_id, result.message_ids)
            await self.live_recaps.track(occurrence_id)
        return result.message_id

    # --- moderator controls ---------------------------------------------------------------

    async def control(self, chat_id: str, control: Control) -> Run:
        """Apply a moderator control to the chat's current occurrence.

        Start and cancel act on the next occurrence that has not started; the
        others on the one that is live. Raises a ``ControlRefused`` with the reason.
        """
        target = await self._target(chat_id, control)
        async with self._lock(target):
            retry_at = await self.leases.hold(target)
            if retry_at is not None:
                wait = max(int((retry_at - self.clock.now()).total_seconds()), 1)
                raise HeldElsewhere(
                    f"another process of the bot is running {chat_id}'s steps right now; "
                    f"try again in {wait} s"
                )
            occurrence = await self.store.load_occurrence(target)
            run = await self._apply(occurrence, control, self.clock.now())
            if run.phase.finished:  # cancelled or stopped: nothing more to lease
                await self.leases.stepped(target, finished=True)
        self.wake()
        return run

    async def add_record(self, occurrence_id: int, record: Record) -> None:
        """Add a line to an occurrence's moderation timeline (a live poll), under its lock."""
        async with self._lock(occurrence_id):
            occurrence = await self.store.load_occurrence(occurrence_id)
            await self.store.save_run(occurrence.run, [record])

    async def _target(self, chat_id: str, control: Control) -> int:
        unfinished = await self.store.occurrences(chat_id=chat_id, unfinished=True)
        if not unfinished:
            raise OccurrenceNotFound(f"{chat_id} has no upcoming or live occurrence")
        not_started = [o for o in unfinished if o.run.phase in (Phase.SCHEDULED, Phase.ANNOUNCED)]
        started = [o for o in unfinished if o not in not_started]
        if isinstance(control, Start | Cancel):
            chosen = not_started or started
        else:
            chosen = started or not_started
        return chosen[0].run.occurrence_id

    # --- chats ----------------------------------------------------------------------------

    async def sync_chats(
        self, specs: Collection[ChatSpec], present_sources: Collection[str]
    ) -> None:
        """Make the stored schedule match the chat files (see :class:`Planner`)."""
        await self.planner.sync(specs, present_sources, self.clock.now())
        await self._announce_planned()
        self.wake()

    async def schedule_chat(self, spec: ChatSpec) -> Occurrence | None:
        """Add or update one chat (a file by id, or an uploaded one) and plan its next occurrence."""
        occurrence = await self.planner.schedule(spec, self.clock.now())
        await self._announce_planned(spec.id)
        self.wake()
        return occurrence

    async def retire_chat(self, chat_id: str) -> None:
        """Delete a chat scheduled in Discord: its occurrence not yet started is dropped (the
        planner's listeners cancel its server event); a live one finishes (see
        :meth:`Planner.retire`)."""
        await self.planner.retire(chat_id)
        self.wake()

    async def _announce_planned(self, chat_id: str | None = None) -> None:
        """Tell the run listeners about occurrences that planning created or changed."""
        if not self.on_run_saved:
            return
        for occurrence in await self.store.occurrences(chat_id=chat_id, unfinished=True):
            if occurrence.run.phase in (Phase.SCHEDULED, Phase.ANNOUNCED):
                for listener in self.on_run_saved:
                    try:
                        await listener(occurrence.run, occurrence.spec)
                    except Exception:
                        log.exception("a run listener failed on a planned occurrence")

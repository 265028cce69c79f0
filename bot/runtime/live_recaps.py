"""Live recaps: a published recap is edited in place as its chat's record changes.

People keep answering after a chat: in a question's thread the next morning, by
editing what they wrote, by deleting it, by reacting to someone's answer, and in
the reflection thread opened under the recap. So for :data:`LIVE_FOR` after it
was posted (Discord archives a quiet thread after a week), the recap follows:

1. The collector stores the change (a late answer, an edit, a delete, a reaction,
   a takeaway) and tells :meth:`LiveRecaps.changed` which occurrences or messages
   it touched (:attr:`bot.runtime.collector.Collector.on_stored`).
2. If one of them has a live recap, the recap is marked *dirty* in the database
   (``live_recaps.dirty_since``): a change stored just before a crash is shown
   after the restart.
3. :data:`UPDATE_DELAY` after the first unshown change (so a burst of late
   answers becomes one edit, not fifty), the recap is rebuilt from storage and the
   published messages are edited through the Venue: text, embeds, the transcript
   files and the chart re-attached, with a line such as "Updated …: +7 late
   answers, 1 removed". A deleted answer disappears from the published record too.

With several processes (see :mod:`bot.runtime.leases`) a recap is updated by the process
that holds its occurrence's lease for the update: the home of the chat's guild, which is
also the one that receives the changes; a recap whose home is down waits for it (the
mark is durable).

An edit shows the whole state, so editing again is harmless: after a crash the
recap is simply edited once more. A change stored while an edit is in flight
keeps the recap dirty (the mark is cleared only if no change was counted
meanwhile), so it is shown by the next edit. When the recap's messages are gone (a moderator deleted
them) the recap stops being updated, with one log line; ``/host recap`` posts it
again and the new copy is kept up to date instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.errors import StorageError
from bot.core.plan import StepKind
from bot.core.ports import Clock, LiveRecap, OccurrenceStore, PostRequest, Venue, VenueError
from bot.runtime.leases import Leases, SoleLeases
from bot.runtime.recaps import RecapStore, recap_request, stored_revision

log = logging.getLogger(__name__)

#: How long a published recap is kept up to date.
LIVE_FOR = timedelta(days=7)
#: How long after the first unshown change the published recap is edited.
UPDATE_DELAY = timedelta(seconds=60)
#: How long to wait before trying again after an update failed for a passing reason.
RETRY_AFTER = timedelta(seconds=30)


class LiveRecapsStore(RecapStore, OccurrenceStore, Protocol):
    """What keeping published recaps up to date reads and writes."""


class LiveRecaps:
    """Keeps the recaps published within :data:`LIVE_FOR` up to date."""

    def __init__(
        self,
        store: LiveRecapsStore,
        venue: Venue,
        clock: Clock,
        *,
        delay: timedelta = UPDATE_DELAY,
        live_for: timedelta = LIVE_FOR,
        leases: Leases | None = None,
    ) -> None:
        self.store = store
        #: With several processes, only the one holding the occurrence's lease (its home)
        #: edits its recap, so each recap is updated once, not once per process.
        self.leases: Leases = leases or SoleLeases()
        self.venue = venue
        self.clock = clock
        self.delay = delay
        self.live_for = live_for
        #: Occurrence ids of the live recaps (refreshed by :meth:`load` and :meth:`track`).
        self._live: set[int] = set()
        self._retry_at: dict[int, datetime] = {}
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        #: Called with the occurrence id of every recap updated (the archive publishes it).
        self.on_updated: list[Callable[[int], None]] = []
        #: ``ARCHIVE_URL``: the updated recap links to its page in the published archive.
        self.archive_url: str | None = None

    # --- which recaps are live ---------------------------------------------------------------

    async def load(self) -> None:
        """Read which recaps are live (at start)."""
        since = self.clock.now() - self.live_for
        self._live = {live.occurrence_id for live in await self.store.live_recaps(since)}
        self._wake.set()

    async def track(self, occurrence_id: int) -> None:
        """A recap was just published (or posted again): keep it up to date."""
        if await self.store.live_recap(occurrence_id) is not None:
            self._live.add(occurrence_id)
            self._wake.set()

    @property
    def live(self) -> frozenset[int]:
        """Occurrence ids whose published recap is kept up to date."""
        return frozenset(self._live)

    # --- changes -----------------------------------------------------------------------------

    def changed(self, occurrence_ids: Collection[int], message_ids: Collection[int]) -> None:
        """Answers of ``occurrence_ids`` were stored, or messages ``message_ids`` were deleted
        or reacted to (their occurrence is looked up). Returns at once (a collector hook)."""
        if not self._live:
            return
        hits = set(occurrence_ids) & self._live
        if not hits and not message_ids:
            return
        task = asyncio.get_running_loop().create_task(self._mark(hits, list(message_ids)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _mark(self, hits: set[int], message_ids: list[int]) -> None:
        try:
            if message_ids:
                hits |= await self.store.occurrences_of_messages(message_ids) & self._live
            if hits:
                await self.store.mark_recaps_dirty(hits, self.clock.now())
                self._wake.set()
        except StorageError as error:
            # The change itself is stored; only the reminder to show it is lost. The next
            # change of the same recap marks it again.
            log.error("could not mark recaps %s for an update: %s", sorted(hits), error)

    async def settle(self) -> None:
        """Wait until every change reported so far is marked (for tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- updating ----------------------------------------------------------------------------

    async def run_forever(self) -> None:
        """Sleep until a dirty recap is due for its update, update it, repeat."""
        while not self._stopping:
            self._wake.clear()
            try:
                wake_at = await self.update_due()
            except StorageError as error:
                log.error("live recaps: %s; retrying in %ss", error, RETRY_AFTER.seconds)
                wake_at = self.clock.now() + RETRY_AFTER
            await self.clock.sleep_until(wake_at, self._wake)

    async def stop(self) -> None:
        """Stop the loop (an update in flight finishes first: the caller awaits the loop)."""
        self._stopping = True
        self._wake.set()
        await self.settle()

    async def update_due(self) -> datetime | None:
        """Update every live recap whose first unshown change is :attr:`delay` old; returns
        when the next one falls due (None: none is dirty)."""
        now = self.clock.now()
        rows = await self.store.live_recaps(now - self.live_for)
        self._live = {row.occurrence_id for row in rows}
        upcoming: list[datetime] = []
        for row in rows:
            if row.dirty_since is None:
                continue
            due = max(row.dirty_since + self.delay, self._retry_at.get(row.occurrence_id, now))
            if due > now:
                upcoming.append(due)
            elif await self.leases.hold(row.occurrence_id) is not None:
                continue  # another process (the guild's home) updates it
            else:
                updated = await self.update(row)
                await self.leases.stepped(row.occurrence_id, finished=True)
                if not updated and row.occurrence_id in self._retry_at:
                    upcoming.append(self._retry_at[row.occurrence_id])
        return min(upcoming, default=None)

    async def update(self, live: LiveRecap) -> bool:
        """Edit one published recap to show the record as stored now; True when it was."""
        occurrence_id = live.occurrence_id
        try:
            occurrence = await self.store.load_occurrence(occurrence_id)
            now = self.clock.now()
            revision = await stored_revision(self.store, occurrence_id, next_at=now)
            request = PostRequest(
                occurrence_id=occurrence_id,
                step_key=f"recap-update-{live.revision + 1}",
                channel_id=live.channel_id,
                kind=StepKind.RECAP,
                text="",
            )
            request = await recap_request(
                self.store, occurrence, request, revision=revision, archive_url=self.archive_url
            )
            shown = await self.venue.edit_post(live.channel_id, live.message_ids, request)
            await self.store.recap_revised(
                occurrence_id, shown, live.revision + 1, now, live.changes
            )
        except VenueError as error:
            if error.permanent:
                log.warning(
                    "occurrence %s: the published recap cannot be updated (%s); it is no "
                    "longer kept up to date (/host recap posts it again)",
                    occurrence_id,
                    error.reason,
                )
                await self.store.end_live_recap(occurrence_id)
                self._live.discard(occurrence_id)
            else:
                log.warning(
                    "occurrence %s: updating the recap failed (%s); retrying in %ss",
                    occurrence_id,
                    error.reason,
                    RETRY_AFTER.seconds,
                )
                self._retry_at[occurrence_id] = self.clock.now() + RETRY_AFTER
            return False
        self._retry_at.pop(occurrence_id, None)
        for listener in self.on_updated:
            listener(occurrence_id)
        log.info(
            "occurrence %s: recap updated (revision %d)",
            occurrence_id,
            live.revision + 1,
        )
        return True

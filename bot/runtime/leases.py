"""Leases: which process runs a chat's timed steps when several share one database.

With several processes (each running some of the bot's gateway shards, see ``SHARD_IDS``)
every engine sees every due step in the shared store. Before it advances an occurrence,
an engine claims the lease ``occurrence:<id>``:

* the **home** process (its shards hold the chat's guild: it sees the chat's channel)
  claims at once when nobody holds the lease, or when the holder's claim expired;
* any other process claims only a lease that **expired** (its owner stopped renewing:
  it died), or one nobody claimed although the step has been due for a whole lease time
  (the home is not running), so the home always goes first;
* the owner keeps its leases alive with a **heartbeat** (every third of the lease time),
  and gives a lease up when the occurrence finished;
* a home that finds a substitute holding its chat (at its heartbeat, or when a step is
  due) asks for it back (``wanted_by``): the substitute hands it over after its next step,
  and the home runs the following ones.

A process that takes over loads the run from the store (the engine always does), and the
poster's intent-before / message-id-after rule makes the post exactly once even if the
dead owner recorded an intent and died before recording the message id: the intent is
looked up in the channel's history first.

With one process (no ``SHARD_COUNT``) :class:`SoleLeases` is used: the lease is always
ours and costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.errors import StorageError
from bot.core.ports import Clock, LeaseStore, OccurrenceStore

log = logging.getLogger(__name__)

#: The default lease time (``LEASE_SECONDS``).
LEASE_TIME = timedelta(seconds=30)
#: How often a home process waiting for a substitute to hand a chat back looks again.
HANDBACK_POLL = timedelta(seconds=2)
#: The soonest a process looks at a lease again after finding it held by another.
RECHECK = timedelta(milliseconds=100)


def lease_name(occurrence_id: int) -> str:
    """The lease that guards an occurrence's timed steps."""
    return f"occurrence:{occurrence_id}"


class Leases(Protocol):
    """What the engine asks before and after it advances an occurrence."""

    async def hold(self, occurrence_id: int) -> datetime | None:
        """Claim the occurrence's lease: None when this process holds it (go ahead), else
        when to try again."""
        ...

    async def stepped(self, occurrence_id: int, *, finished: bool) -> None:
        """After advancing: give the lease up if the occurrence finished or its home wants it."""
        ...

    async def run_forever(self) -> None:
        """The heartbeat (returns at once when there is nothing to renew)."""
        ...

    def stop(self) -> None:
        """Stop the heartbeat."""
        ...


class SoleLeases:
    """One process: every lease is ours, nothing is stored."""

    async def hold(self, occurrence_id: int) -> datetime | None:
        """Always ours."""
        return None

    async def stepped(self, occurrence_id: int, *, finished: bool) -> None:
        """Nothing to give up."""

    async def run_forever(self) -> None:
        """Nothing to renew."""

    def stop(self) -> None:
        """Nothing runs."""


class LeaseEngineStore(LeaseStore, OccurrenceStore, Protocol):
    """What shared leases read: the leases and the occurrences they guard."""


class SharedLeases:
    """Leases in the shared store, claimed for ``owner`` (this process)."""

    def __init__(
        self,
        store: LeaseEngineStore,
        clock: Clock,
        owner: str,
        *,
        lease_time: timedelta = LEASE_TIME,
        is_home: Callable[[int], bool] = lambda _channel_id: True,
    ) -> None:
        self.store = store
        self.clock = clock
        self.owner = owner
        self.lease_time = lease_time
        #: Whether this process's shards hold the guild of a channel (by channel id).
        self.is_home = is_home
        self._stopping = asyncio.Event()
        #: The leases this process holds, with their expiry as it last wrote or read it, and
        #: whether it holds them as their home.
        self._held: dict[str, tuple[datetime, bool]] = {}

    async def hold(self, occurrence_id: int) -> datetime | None:
        """Claim the occurrence's lease (see the module docstring for who may when).

        A lease this process holds with more than half a lease time left is ours without
        asking the database: nobody may take it before it expires, and the heartbeat keeps
        it so (a chat's steps cost no lease query while its process is alive)."""
        name = lease_name(occurrence_id)
        now = self.clock.now()
        held = self._held.get(name)
        if held is not None and held[0] - now > self.lease_time / 2:
            return None
        occurrence = await self.store.load_occurrence(occurrence_id)
        home = self.is_home(occurrence.spec.channel)
        due = occurrence.run.next_due() or now
        # Read first (a read never waits for the database's writer): write a claim only when
        # it can succeed, so a process does not queue a write for every chat it is not running.
        lease = await self.store.lease(name)
        if lease is not None and lease.owner != self.owner and lease.expires_at > now:
            self._held.pop(name, None)
            if home:
                if lease.wanted_by != self.owner:
                    await self.store.want_lease(name, self.owner)
                return min(lease.expires_at, now + HANDBACK_POLL)
            return max(lease.expires_at, now + RECHECK)
        if lease is None and not home and due > now - self.lease_time:
            # Nobody holds it: its home gets a lease time from the due step to claim it.
            return max(due + self.lease_time, now + RECHECK)
        if await self.store.claim_lease(
            name, self.owner, now, now + self.lease_time, home=home, create=lease is None
        ):
            self._held[name] = (now + self.lease_time, home)
            if not home:
                log.info("%s: running its due step for its home, which stopped renewing", name)
            return None
        self._held.pop(name, None)  # another process claimed it just now
        return now + RECHECK

    async def stepped(self, occurrence_id: int, *, finished: bool) -> None:
        """Give the lease up when the occurrence finished, or when its home asked for it."""
        name = lease_name(occurrence_id)
        if finished:
            self._held.pop(name, None)
            await self.store.release_lease(name, self.owner)
            return
        held = self._held.get(name)
        if held is not None and held[1]:
            return  # held as its home: nobody asks for it
        lease = await self.store.lease(name)
        if lease is not None and lease.owner == self.owner and lease.wanted_by:
            log.info("%s: handing it back to its home %s", name, lease.wanted_by)
            self._held.pop(name, None)
            await self.store.release_lease(name, self.owner)

    async def renew(self) -> int:
        """The heartbeat: extend every lease of this process by a lease time, and ask
        substitutes for this process's chats back; returns how many leases it holds."""
        held = await self.store.renew_leases(self.owner, self.clock.now() + self.lease_time)
        leases = await self.store.leases()
        self._held = {
            lease.name: (lease.expires_at, lease.home)
            for lease in leases
            if lease.owner == self.owner
        }
        elsewhere = {
            lease.name
            for lease in leases
            if lease.owner != self.owner and lease.wanted_by != self.owner
        }
        if not elsewhere and not self._held:
            return held
        unfinished = await self.store.occurrences(unfinished=True)
        for occurrence in unfinished:
            name = lease_name(occurrence.run.occurrence_id)
            if name in elsewhere and self.is_home(occurrence.spec.channel):
                log.info("%s: asking its substitute to hand it back", name)
                await self.store.want_lease(name, self.owner)
        # A lease on an occurrence that was dropped (its chat deleted before it started) or
        # finished without this process stepping it would be renewed forever: give it up.
        running = {lease_name(o.run.occurrence_id) for o in unfinished}
        for name in [name for name in self._held if name not in running]:
            del self._held[name]
            await self.store.release_lease(name, self.owner)
            held -= 1
        return held

    async def run_forever(self) -> None:
        """Renew this process's leases every third of the lease time until stopped."""
        interval = self.lease_time / 3
        while not self._stopping.is_set():
            try:
                await self.renew()
            except StorageError as error:
                log.error("lease heartbeat: %s", error)
            await self.clock.sleep_until(self.clock.now() + interval, self._stopping)

    def stop(self) -> None:
        """Stop the heartbeat (leases then expire after a lease time)."""
        self._stopping.set()

"""The composition root: one function wires a runtime from a store, a venue, a clock and
settings, for the Discord bot and the rehearsal alike.

What it wires, so no caller does it by hand:

* the collector tells the live recaps about every committed batch
  (``collector.on_stored`` -> ``live_recaps.changed``), so a published recap follows late
  answers, edits, deletes, reactions and takeaways;
* the engine tells the collector about every saved run (``engine.on_run_saved`` ->
  ``collector.on_run_saved``), so it knows which occurrences collect answers and where
  their questions are;
* the engine flushes the collector before it builds a recap (``engine.before_recap`` ->
  ``collector.flush``), so the recap sees every answer received before it;
* the live recaps' delay comes from the settings;
* consent requests (forget-me) go through the collector's writer, so they are ordered
  with the answers queued before them, and have the live recaps read again once applied;
* with a ``lease_owner`` (several processes share the store) the engine claims each
  occurrence's lease before advancing it (:class:`bot.runtime.leases.SharedLeases`, home
  first by ``is_home``); without one every occurrence is this process's.

Adapters add their own listeners to the hooks (the Discord client's scheduled events to
``engine.on_run_saved`` and ``planner.on_dropped``; the rehearsal's end to
``engine.on_run_saved``) and start the runtime with :meth:`Runtime.start`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.core.ports import Clock, Store, Venue
from bot.runtime.answer_writer import AnswerWriter
from bot.runtime.collector import Collector
from bot.runtime.consent import ConsentRequests
from bot.runtime.engine import Engine, RecapBuilder
from bot.runtime.leases import LEASE_TIME, Leases, SharedLeases, SoleLeases
from bot.runtime.live_recaps import UPDATE_DELAY, LiveRecaps
from bot.runtime.planner import Planner


@dataclass(frozen=True)
class RuntimeSettings:
    """What the runtime takes from configuration: the bot's come from the environment
    (:class:`bot.config.Settings`), the rehearsal uses the defaults."""

    #: From the first change after a recap was published to its update (an edit).
    recap_update_delay: timedelta = UPDATE_DELAY
    #: This process's name in the leases when several processes share the store (None:
    #: the only process, every occurrence is ours).
    lease_owner: str | None = None
    #: How long a lease lasts unrenewed (how long others wait when this process dies).
    lease_time: timedelta = LEASE_TIME


@dataclass(frozen=True)
class Runtime:
    """The runtime's parts, wired (see the module docstring)."""

    engine: Engine
    collector: Collector
    #: The collector's batched writer (every stored answer goes through it).
    writer: AnswerWriter
    live_recaps: LiveRecaps
    planner: Planner
    #: Forget-me, forget-user and my-data requests (through the writer, in order).
    consent: ConsentRequests

    async def start(self) -> asyncio.Task[None]:
        """Read which published recaps are live, then run the engine's timer loop (and the
        live recaps' loop beside it) in a task, which is returned.

        Once, at start. The live recaps are known when this returns, so whatever is
        stored from then on (the backfill of what was missed while the bot was down
        included) updates them."""
        await self.live_recaps.load()
        return asyncio.create_task(self.engine.run_forever(), name="engine")


def build_runtime(
    store: Store,
    venue: Venue,
    clock: Clock,
    settings: RuntimeSettings | None = None,
    *,
    recap_builder: RecapBuilder | None = None,
    is_home: Callable[[int], bool] | None = None,
) -> Runtime:
    """A runtime over ``store`` that posts through ``venue`` on ``clock``'s time.
    ``recap_builder`` replaces the recap (tests and benchmarks that measure without it);
    ``is_home`` tells whether a chat channel's guild is on this process's shards."""
    settings = settings or RuntimeSettings()
    collector = Collector(store, clock=clock)
    leases: Leases = SoleLeases()
    if settings.lease_owner is not None:
        leases = SharedLeases(
            store,
            clock,
            settings.lease_owner,
            lease_time=settings.lease_time,
            is_home=is_home or (lambda _channel_id: True),
        )
    engine = Engine(
        store,
        venue,
        clock,
        recap_builder=recap_builder,
        before_recap=collector.flush,
        leases=leases,
    )
    engine.live_recaps.delay = settings.recap_update_delay
    engine.on_run_saved.append(collector.on_run_saved)
    collector.on_stored.append(engine.live_recaps.changed)
    return Runtime(
        engine=engine,
        collector=collector,
        writer=collector.writer,
        live_recaps=engine.live_recaps,
        planner=engine.planner,
        consent=ConsentRequests(store, collector.writer, engine.live_recaps, clock),
    )

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
* the polls' vote counts mark published recaps for an update (``polls.on_changed`` ->
  ``live_recaps.changed``), so a recap follows a poll to its final results;
* a recap just published is updated at once if a poll changed while it was being posted
  (``poster.published_recap`` -> ``polls.recap_published``);
* polls the bot ends with the recap (poll questions and ``/host poll`` without a duration)
  are ended just before the recap is built, so it shows their final results;
* consent requests (forget-me) go through the collector's writer, so they are ordered
  with the answers queued before them, and have the live recaps read again once applied;
* keyword alerts: the watcher's stored matches and the members' new settings wake the
  alert deliveries (``alert_watcher.on_matched`` -> ``alert_deliveries.matched``,
  ``alerts.on_settings`` -> ``alert_deliveries.settings_changed``); DMs go through the
  ``direct`` port the adapter gives (none: nothing is delivered).
* suggested questions (``/chat suggest``): the planner plans each occurrence with the
  chat's approved suggestions (``planner.suggested``), a started run marks them asked
  (``engine.on_run_saved``), and a forgotten person's are planned out again
  (``consent.on_forgotten``).
* with ``archive_dir`` set, the archive publisher (:mod:`bot.runtime.publisher`) rebuilds the
  archive after every recap (a run saved as over), every live recap update, every
  forget-me applied and every board change (``boards.on_board_changed``); the adapter tells
  it about profile and opt-out changes. With
  ``archive_url`` set, the Discord recap links to its page there.
* with a ``lease_owner`` (several processes share the store) the engine claims each
  occurrence's lease before advancing it (:class:`bot.runtime.leases.SharedLeases`, home
  first by ``is_home``); without one every occurrence is this process's.

Adapters add their own listeners to the hooks (the Discord client's scheduled events to
``engine.on_run_saved`` and ``planner.on_dropped``; the rehearsal's end to
``engine.on_run_saved``) and start the runtime with :meth:`Runtime.start`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.core.ports import Clock, Occurrence, PostRequest, Store, Venue
from bot.core.ports.direct import DirectMessages
from bot.core.run import Run
from bot.core.spec import ChatSpec
from bot.runtime.alert_delivery import AlertDeliveries
from bot.runtime.alerts import Alerts, AlertWatcher
from bot.runtime.answer_writer import AnswerWriter
from bot.runtime.boards import BoardService
from bot.runtime.collector import Collector
from bot.runtime.consent import ConsentRequests
from bot.runtime.engine import Engine, RecapBuilder
from bot.runtime.leases import LEASE_TIME, Leases, SharedLeases, SoleLeases
from bot.runtime.live_recaps import UPDATE_DELAY, LiveRecaps
from bot.runtime.planner import Planner
from bot.runtime.polls import Polls
from bot.runtime.publisher import ArchivePublisher
from bot.runtime.recaps import StoredRecaps
from bot.runtime.suggestions import Suggestions


@dataclass(frozen=True)
class RuntimeSettings:
    """What the runtime takes from configuration: the bot's come from the environment
    (:class:`bot.config.Settings`), the rehearsal uses the defaults."""

    #: From the first change after a recap was published to its update (an edit).
    recap_update_delay: timedelta = UPDATE_DELAY
    #: An instant alerts member gets at most one DM in this time.
    alerts_batch: timedelta = timedelta(minutes=1)
    #: Where the bot publishes the static archive (None: it does not).
    archive_dir: Path | None = None
    #: The address ``archive_dir`` is served at; the Discord recap links to its page there.
    archive_url: str | None = None
    #: Charts in the published archive (benchmarks and tests may leave them out).
    archive_charts: bool = True
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
    #: Votes on the bot's polls (vote events, reactions on text polls, final results).
    polls: Polls
    #: Boards and saves; ``boards.on_board_changed`` is the hook for the archive's publisher.
    boards: BoardService
    #: Keyword alerts: the watcher every message goes through, the /alerts commands'
    #: service, and the DM deliveries (their loop runs beside the engine's).
    alert_watcher: AlertWatcher
    alerts: Alerts
    alert_deliveries: AlertDeliveries
    #: Questions suggested by members: review, votes, and planning them in.
    suggestions: Suggestions
    #: Keeps the static archive in ``archive_dir`` up to date (does nothing without one).
    publisher: ArchivePublisher

    async def start(self) -> asyncio.Task[None]:
        """Read which published recaps are live, then run the engine's timer loop (and the
        live recaps' loop beside it) in a task, which is returned.

        Once, at start. The live recaps are known when this returns, so whatever is
        stored from then on (the backfill of what was missed while the bot was down
        included) updates them."""
        await self.live_recaps.load()
        self.publisher.retry()  # publish what the database holds now (the bot may have been down)
        return asyncio.create_task(self.engine.run_forever(), name="engine")


def build_runtime(
    store: Store,
    venue: Venue,
    clock: Clock,
    settings: RuntimeSettings | None = None,
    *,
    recap_builder: RecapBuilder | None = None,
    direct: DirectMessages | None = None,
    is_home: Callable[[int], bool] | None = None,
) -> Runtime:
    """A runtime over ``store`` that posts through ``venue`` on ``clock``'s time.
    ``recap_builder`` replaces the recap (tests and benchmarks that measure without it);
    ``direct`` delivers keyword alerts by DM; ``is_home`` tells whether a chat channel's
    guild is on this process's shards."""
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
    engine.archive_url = engine.live_recaps.archive_url = settings.archive_url
    engine.on_run_saved.append(collector.on_run_saved)
    collector.on_stored.append(engine.live_recaps.changed)
    polls = Polls(store, clock, venue, timeline=engine.add_record)
    polls.on_changed.append(engine.live_recaps.changed)
    engine.recap_builder = _ending_polls(polls, engine.recap_builder)
    engine.poster.published_recap = _and_polls_checked(polls, engine.poster.published_recap)
    consent = ConsentRequests(store, collector.writer, engine.live_recaps, clock)
    suggestions = Suggestions(store, engine, clock)
    engine.planner.suggested = suggestions
    engine.on_run_saved.append(suggestions.on_run_saved)
    consent.on_forgotten.append(suggestions.forgotten)
    watcher = AlertWatcher(store, clock)
    alerts = Alerts(store, watcher, clock)
    deliveries = AlertDeliveries(store, direct, clock)
    deliveries.batch = settings.alerts_batch
    watcher.on_matched.append(deliveries.matched)
    alerts.on_settings.append(deliveries.settings_changed)
    boards = BoardService(store, clock)
    publisher = ArchivePublisher(
        StoredRecaps(store), settings.archive_dir, charts=settings.archive_charts
    )
    if publisher.enabled:

        async def publish_recap(run: Run, _spec: ChatSpec) -> None:
            if run.started and run.phase.finished:
                publisher.changed([run.occurrence_id])

        engine.on_run_saved.append(publish_recap)
        engine.live_recaps.on_updated.append(
            lambda occurrence_id: publisher.changed([occurrence_id])
        )

        async def publish_forgotten(_user_id: int) -> None:
            publisher.everything_changed()

        consent.on_forgotten.append(publish_forgotten)
        boards.on_board_changed.append(lambda _names: publisher.boards_changed())
    return Runtime(
        engine=engine,
        collector=collector,
        writer=collector.writer,
        live_recaps=engine.live_recaps,
        planner=engine.planner,
        consent=consent,
        polls=polls,
        boards=boards,
        suggestions=suggestions,
        alert_watcher=watcher,
        alerts=alerts,
        alert_deliveries=deliveries,
        publisher=publisher,
    )


def _ending_polls(polls: Polls, build: RecapBuilder) -> RecapBuilder:
    """``build``, after ending the occurrence's polls that end with the recap."""

    async def recap(occurrence: Occurrence, request: PostRequest) -> PostRequest:
        await polls.end_with_recap(occurrence.run.occurrence_id)
        return await build(occurrence, request)

    return recap


def _and_polls_checked(
    polls: Polls, published: Callable[[int], Awaitable[None]]
) -> Callable[[int], Awaitable[None]]:
    """``published``, then the recap's polls checked for a change it missed."""

    async def recap_published(occurrence_id: int) -> None:
        await published(occurrence_id)
        await polls.recap_published(occurrence_id)

    return recap_published

"""Planning: chats in, one upcoming occurrence per chat out, durable before it is due.

* Every active chat has its next occurrence planned (stored with all its timers).
* A chat whose spec changed has its not-yet-started occurrence planned again;
  one that is live is never touched: it runs with the spec it started with.
* A chat whose file was removed is deactivated and its not-yet-started
  occurrence dropped; a live one finishes.
* When an occurrence finishes, the chat's next one is planned; occurrences
  whose time passed while the bot was down (more than ``max_late`` ago) are
  not planned at all.

Whoever mirrors occurrences elsewhere (the Discord adapter's scheduled events) hears of a
dropped occurrence through :attr:`Planner.on_dropped`, after it is gone from the store.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.plan import StepStatus, build_plan
from bot.core.ports import ChatStore, Occurrence, OccurrenceStore
from bot.core.run import Phase, new_run
from bot.core.schedule import next_occurrence
from bot.core.spec import ChatSpec

log = logging.getLogger(__name__)

_NOT_STARTED = (Phase.SCHEDULED, Phase.ANNOUNCED)
_EPSILON = timedelta(seconds=1)


class PlanStore(ChatStore, OccurrenceStore, Protocol):
    """What planning reads and writes: chats and their occurrences."""


class SuggestedQuestions(Protocol):
    """Questions members suggested and moderators approved (:mod:`bot.runtime.suggestions`)."""

    async def spec_for(self, spec: ChatSpec) -> ChatSpec:
        """The spec the chat's next occurrence runs with: ``spec`` and its approved
        suggestions."""
        ...

    async def asked(self, occurrence: Occurrence) -> None:
        """Mark the suggestions of an occurrence that started as asked."""
        ...


class Planner:
    """Keeps the stored schedule in step with the chats."""

    def __init__(self, store: PlanStore) -> None:
        self.store = store
        #: Called with the id of every occurrence dropped (rescheduled, or its chat removed).
        self.on_dropped: list[Callable[[int], Awaitable[None]]] = []
        #: Adds approved suggestions to the spec an occurrence not yet started is planned
        #: with (wired by the composition root; None: the chat's spec as it is).
        self.suggested: SuggestedQuestions | None = None

    async def _planned_spec(self, spec: ChatSpec) -> ChatSpec:
        return spec if self.suggested is None else await self.suggested.spec_for(spec)

    async def _drop(self, occurrence_id: int) -> None:
        await self.store.delete_occurrence(occurrence_id)
        for listener in self.on_dropped:
            try:
                await listener(occurrence_id)
            except Exception:
                log.exception(
                    "occurrence %s: a listener of dropped occurrences failed", occurrence_id
                )

    async def sync(
        self, specs: Collection[ChatSpec], present_sources: Collection[str], now: datetime
    ) -> None:
        """Schedule every valid chat from the files; retire chats whose file is gone.

        A file that exists but no longer validates keeps its stored chat: a typo
        must not cancel a chat (the validation error is reported instead).
        """
        loaded = {spec.id for spec in specs}
        for spec in specs:
            await self.schedule(spec, now)
        for stored in await self.store.chat_specs():
            if stored.source is None or stored.id in loaded or stored.source in present_sources:
                continue
            log.info(
                "chat %s: file %s removed; future occurrences dropped", stored.id, stored.source
            )
            await self.store.deactivate_chat(stored.id)
            await self._drop_unstarted(stored.id)

    async def retire(self, chat_id: str) -> None:
        """Stop planning a chat (deleted in Discord), as when its file is removed: no new
        occurrence, the one not yet started dropped; a live one finishes."""
        await self.store.deactivate_chat(chat_id)
        await self._drop_unstarted(chat_id)
        log.info("chat %s: deleted; future occurrences dropped", chat_id)

    async def schedule(self, spec: ChatSpec, now: datetime) -> Occurrence | None:
        """Store ``spec`` and make sure its next occurrence is planned per the current spec."""
        changed = await self.store.save_chat(spec)
        planned = await self._planned_spec(spec)
        for occurrence in await self.store.occurrences(chat_id=spec.id, unfinished=True):
            if occurrence.run.phase not in _NOT_STARTED or occurrence.spec == planned:
                continue
            await self._replan(occurrence, planned)
        if changed:
            log.info("chat %s: scheduled from %s", spec.id, spec.source or "a command")
        return await self.plan_next(spec.id, now)

    async def plan_next(self, chat_id: str, now: datetime) -> Occurrence | None:
        """The chat's unfinished occurrence, planning the next one if there is none."""
        specs = {spec.id: spec for spec in await self.store.chat_specs()}
        spec = specs.get(chat_id)
        if spec is None:
            return None
        history = await self.store.occurrences(chat_id=chat_id)
        unfinished = [o for o in history if not o.run.phase.finished]
        if unfinished:
            return unfinished[0]
        after = now - spec.max_late
        if history:
            after = max(after, history[-1].run.start)
            if self.suggested is not None:
                # The last one asked its suggestions: never plan them again (a crash may
                # have come before its start marked them).
                await self.suggested.asked(history[-1])
        start = next_occurrence(spec, after)
        if start is None:
            return None
        spec = await self._planned_spec(spec)
        run = await self.store.create_occurrence(
            spec, new_run(0, spec, start, build_plan(spec, start))
        )
        log.info("chat %s: next occurrence planned for %s", spec.id, start.isoformat())
        return Occurrence(run=run, spec=spec)

    async def _replan(self, occurrence: Occurrence, spec: ChatSpec) -> None:
        """Bring a not-yet-started occurrence in line with a changed spec."""
        run = occurrence.run
        first = next_occurrence(spec, run.start.replace(microsecond=0) - _EPSILON)
        if first != run.start:
            # The time moved: drop it; plan_next plans the new time.
            await self._drop(run.occurrence_id)
            log.info("chat %s: occurrence at %s dropped (rescheduled)", spec.id, run.start)
            return
        done = {s.key: s for s in run.steps if s.status is not StepStatus.PENDING}
        steps = tuple(done.get(s.key, s) for s in build_plan(spec, run.start))
        extra = tuple(s for s in done.values() if s.key not in {x.key for x in steps})
        await self.store.replace_spec(run.occurrence_id, spec)
        await self.store.save_run(
            replace(run, steps=tuple(sorted(steps + extra, key=lambda s: s.due)))
        )
        log.info("chat %s: occurrence at %s re-planned (spec changed)", spec.id, run.start)

    async def _drop_unstarted(self, chat_id: str) -> None:
        for occurrence in await self.store.occurrences(chat_id=chat_id, unfinished=True):
            if occurrence.run.phase in _NOT_STARTED:
                await self._drop(occurrence.run.occurrence_id)

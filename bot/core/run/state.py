"""A run's state: its phase and its steps (the durable timers), and the policy constants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.plan import RUN_KINDS, Step, StepKind, StepStatus

#: A step fired within this much of its due time is on time.
LATE_GRACE = timedelta(seconds=60)
#: How long to wait before posting again after a transient failure.
RETRY_DELAY = timedelta(seconds=15)
#: The longest single extension a moderator may ask for.
MAX_EXTENSION = timedelta(hours=3)


class Phase(StrEnum):
    """Where an occurrence stands."""

    SCHEDULED = "scheduled"
    ANNOUNCED = "announced"
    RUNNING = "running"
    PAUSED = "paused"
    CLOSING = "closing"
    LATE_ANSWERS = "late_answers"
    RECAPPED = "recapped"
    CANCELLED = "cancelled"
    MISSED = "missed"

    @property
    def finished(self) -> bool:
        """True when nothing more will be posted."""
        return self in _FINISHED

    @property
    def live(self) -> bool:
        """True from the intro until the closing post (answers are being asked for)."""
        return self in (Phase.RUNNING, Phase.PAUSED, Phase.CLOSING)


_FINISHED = frozenset({Phase.RECAPPED, Phase.CANCELLED, Phase.MISSED})


@dataclass(frozen=True)
class Run:
    """The state of one occurrence: its steps (timers) and the phase they imply."""

    occurrence_id: int
    chat_id: str
    start: datetime
    steps: tuple[Step, ...]
    phase: Phase = Phase.SCHEDULED
    paused_at: datetime | None = None

    def step(self, key: str) -> Step:
        """The step with ``key``; KeyError when there is none."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def has_step(self, key: str) -> bool:
        """True when the occurrence has a step ``key``."""
        return any(step.key == key for step in self.steps)

    @property
    def current_question(self) -> int:
        """The number of the last question posted, 0 before Q1."""
        done = [
            s.question
            for s in self.steps
            if s.kind is StepKind.QUESTION and s.status is StepStatus.DONE and s.question
        ]
        return max(done, default=0)

    @property
    def started(self) -> bool:
        """True once the intro or any question was posted."""
        return any(s.kind in RUN_KINDS and s.status is StepStatus.DONE for s in self.steps)

    def is_late(self, at: datetime) -> bool:
        """True for a message sent at ``at``, after the closing post (a late answer)."""
        return any(
            s.kind is StepKind.CLOSING and s.status is not StepStatus.SKIPPED and s.due <= at
            for s in self.steps
        )

    def waiting(self, step: Step) -> bool:
        """True when ``step`` still has to fire: pending, and not held by a pause or the end.

        Notices to moderators are posted even after the occurrence finished.
        """
        if not step.pending:
            return False
        if step.kind is StepKind.NOTICE:
            return True
        if self.phase.finished:
            return False
        return not (self.paused_at is not None and step.kind in RUN_KINDS)

    def next_due(self) -> datetime | None:
        """When the runtime must wake for this occurrence next, None when nothing is waiting."""
        return min((s.due for s in self.steps if self.waiting(s)), default=None)

    def due_steps(self, now: datetime) -> list[Step]:
        """Waiting steps whose time has come, earliest first."""
        return sorted(
            (s for s in self.steps if self.waiting(s) and s.due <= now), key=lambda s: s.due
        )

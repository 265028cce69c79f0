"""Helpers shared by the transitions and the controls: change steps, shift the plan, close."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.plan import RUN_KINDS, Step, StepKind, StepStatus
from bot.core.run.state import Phase, Run
from bot.core.spec import ChatSpec


def settle(run: Run) -> Run:
    """Recompute the phase from the steps (cancelled and missed are sticky)."""
    if run.phase in (Phase.CANCELLED, Phase.MISSED):
        return run
    return replace(run, phase=derive_phase(run))


def derive_phase(run: Run) -> Phase:
    def done(kind: StepKind) -> bool:
        return any(s.kind is kind and s.status is StepStatus.DONE for s in run.steps)

    def settled(kind: StepKind) -> bool:
        return all(not s.pending for s in run.steps if s.kind is kind)

    if done(StepKind.RECAP) or (settled(StepKind.RECAP) and settled(StepKind.CLOSING)):
        return Phase.RECAPPED
    if done(StepKind.CLOSING):
        return Phase.LATE_ANSWERS
    if run.paused_at is not None:
        return Phase.PAUSED
    if run.started:
        return Phase.CLOSING if settled(StepKind.QUESTION) else Phase.RUNNING
    if done(StepKind.REMINDER):
        return Phase.ANNOUNCED
    return Phase.SCHEDULED


def with_steps(run: Run, steps: list[Step]) -> Run:
    return replace(run, steps=tuple(sorted(steps, key=lambda s: s.due)))


def replace_step(run: Run, key: str, **changes: object) -> Run:
    return with_steps(
        run,
        [replace(s, **changes) if s.key == key else s for s in run.steps],  # type: ignore[arg-type]
    )


def shift_run(run: Run, by: timedelta, *, after: datetime | None = None) -> Run:
    """Move every pending run step (due at or after ``after``) by ``by``."""
    return with_steps(
        run,
        [
            s.shifted(by)
            if s.pending and s.kind in RUN_KINDS and (after is None or s.due >= after)
            else s
            for s in run.steps
        ],
    )


def skip(run: Run, keys: set[str], note: str) -> Run:
    return with_steps(
        run,
        [
            replace(s, status=StepStatus.SKIPPED, note=note) if s.key in keys and s.pending else s
            for s in run.steps
        ],
    )


def add_notice(run: Run, key: str, text: str, now: datetime) -> Run:
    if run.has_step(key):
        return run
    notice = Step(key=key, kind=StepKind.NOTICE, due=now, note=text)
    return with_steps(run, [*run.steps, notice])


def close_now(run: Run, spec: ChatSpec, now: datetime) -> Run:
    """Skip the remaining questions; closing due now, recap after the late window."""
    remaining = {
        s.key for s in run.steps if s.pending and s.kind in (StepKind.QUESTION, StepKind.LAST_CALL)
    }
    run = skip(run, remaining, "stopped early")
    steps = []
    for s in run.steps:
        if s.pending and s.kind is StepKind.CLOSING:
            s = replace(s, due=now)
        elif s.pending and s.kind is StepKind.RECAP:
            s = replace(s, due=now + spec.late_answers)
        steps.append(s)
    return replace(with_steps(run, steps), paused_at=None)

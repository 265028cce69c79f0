"""The transition: ``transition(run, spec, event, now) -> (new run, effects)``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.plan import RUN_KINDS, Step, StepKind, StepStatus
from bot.core.run._steps import (
    add_notice,
    close_now,
    replace_step,
    settle,
    shift_run,
    skip,
)
from bot.core.run.controls import on_control
from bot.core.run.messages import (
    Due,
    Effect,
    Event,
    Finished,
    Post,
    Posted,
    PostFailed,
    Record,
)
from bot.core.run.state import LATE_GRACE, RETRY_DELAY, Phase, Run
from bot.core.spec import ChatSpec
from bot.core.texts import late_note, step_text


def new_run(occurrence_id: int, spec: ChatSpec, start: datetime, steps: tuple[Step, ...]) -> Run:
    """A fresh run for an occurrence whose plan is ``steps``."""
    return Run(occurrence_id=occurrence_id, chat_id=spec.id, start=start, steps=steps)


def transition(run: Run, spec: ChatSpec, event: Event, now: datetime) -> tuple[Run, list[Effect]]:
    """Apply ``event`` at ``now``. Controls that do not apply raise a :class:`ControlRefused`."""
    effects: list[Effect]
    was_finished = run.phase.finished
    if isinstance(event, Due):
        run, effects = _on_due(run, spec, event.key, now)
    elif isinstance(event, Posted):
        run, effects = _on_posted(run, event.key)
    elif isinstance(event, PostFailed):
        run, effects = _on_failed(run, spec, event, now)
    else:
        run, effects = on_control(run, spec, event, now)
    settled = settle(run)
    if settled.phase.finished and not was_finished:
        effects.append(Finished(settled.phase))
    return settled, effects


def _on_due(run: Run, spec: ChatSpec, key: str, now: datetime) -> tuple[Run, list[Effect]]:
    step = run.step(key)
    if not run.waiting(step) or step.due > now:
        return run, []
    if step.kind is StepKind.NOTICE:
        return run, [
            Post(key=key, kind=step.kind, text=step_text(spec, step, run.steps, run.start))
        ]
    if step.kind is StepKind.REMINDER:
        overtaken = any(
            s.pending and s.key != key and s.kind in (StepKind.REMINDER, StepKind.INTRO)
            for s in run.steps
            if step.due < s.due <= now
        )
        if overtaken:
            return skip(run, {key}, "overtaken by a later reminder"), []
        text = step_text(spec, step, run.steps, run.start)
        return run, [Post(key=key, kind=step.kind, text=text)]

    lateness = now - step.due
    if lateness > spec.max_late and step.kind is not StepKind.RECAP:
        return _too_late(run, spec, step, now)
    if step.kind is StepKind.LAST_CALL and _overtaken_last_call(run, step, now):
        return skip(run, {key}, "the next question was already due"), []

    planned = step.due
    late = lateness > LATE_GRACE
    if late:
        run = shift_run(run, lateness, after=step.due)
        run = replace_step(run, key, due=now, late=True)
        step = run.step(key)
    text = step_text(spec, step, run.steps, run.start)
    if late:
        text += late_note(step, planned)
    return run, [Post(key=key, kind=step.kind, text=text, question=step.question, late=late)]


def _overtaken_last_call(run: Run, step: Step, now: datetime) -> bool:
    return any(
        s.pending and s.kind in (StepKind.QUESTION, StepKind.CLOSING) and step.due < s.due <= now
        for s in run.steps
    )


def _too_late(run: Run, spec: ChatSpec, step: Step, now: datetime) -> tuple[Run, list[Effect]]:
    """The bot is back more than ``max_late`` after a step: miss the chat or cut it short."""
    offline = int((now - step.due).total_seconds() // 60)
    if not run.started:
        pending_run = {s.key for s in run.steps if s.pending and s.kind in RUN_KINDS}
        run = skip(run, pending_run, "missed: the bot was offline")
        run = replace(run, phase=Phase.MISSED)
        run = add_notice(
            run,
            "notice-missed",
            f"this occurrence was missed: the bot was offline until {offline} minutes after "
            f"it was due (more than max_late). The next occurrence is planned as usual.",
            now,
        )
        # The notice is a pending step: it is posted (durably, once) though the run is over.
        return run, [Record(action="missed", actor="bot", at=now, detail=f"{offline} min offline")]
    overdue = {
        s.key
        for s in run.steps
        if s.pending and s.kind in (StepKind.QUESTION, StepKind.LAST_CALL) and s.due <= now
    }
    asked = run.current_question
    run = skip(run, overdue, "cut short: the bot was offline")
    run = close_now(run, spec, now)
    run = add_notice(
        run,
        f"notice-cut-{step.key}",
        f"the bot was offline for {offline} minutes during the chat; it was cut short after "
        f"Q{asked} and is closing now.",
        now,
    )
    return run, [Record(action="cut short", actor="bot", at=now, detail=f"{offline} min offline")]


def _on_posted(run: Run, key: str) -> tuple[Run, list[Effect]]:
    if not run.has_step(key):
        return run, []
    return replace_step(run, key, status=StepStatus.DONE), []


#: Steps whose order participants rely on: a retried one holds back the rest of the run.
_ORDERED = frozenset({StepKind.INTRO, StepKind.QUESTION, StepKind.CLOSING})


def _on_failed(
    run: Run, spec: ChatSpec, event: PostFailed, now: datetime
) -> tuple[Run, list[Effect]]:
    step = run.step(event.key)
    if not step.pending:
        return run, []
    if not event.permanent:
        retry_at = now + RETRY_DELAY
        if step.kind in _ORDERED and retry_at > step.due:
            # The intro, the questions and the closing go out in order: the rest of the run
            # waits for the retry, keeping its spacing (as for a late step).
            run = shift_run(run, retry_at - step.due, after=step.due)
        return replace_step(run, event.key, due=retry_at, note=event.reason), []
    run = skip(run, {event.key}, f"failed: {event.reason}")
    if step.kind is not StepKind.NOTICE:
        run = add_notice(
            run, f"notice-failed-{event.key}", f"could not post {event.key}: {event.reason}", now
        )
    return run, [Record(action="post failed", actor="bot", at=now, detail=event.reason)]

"""Moderator controls: start, next, pause, resume, extend, skip, stop, cancel.

Each handler returns the new run and the detail recorded in the timeline, or raises a
:class:`bot.core.errors.ControlRefused` with the reason the moderator is told.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.errors import (
    AlreadyClosed,
    AlreadyPaused,
    AlreadyStarted,
    InvalidExtension,
    NoMoreQuestions,
    NoSuchQuestion,
    NotPaused,
    NotRunning,
    QuestionAlreadyPosted,
    RunFinished,
)
from bot.core.plan import StepKind, question_key
from bot.core.run._steps import close_now, shift_run, skip
from bot.core.run.messages import (
    Cancel,
    Control,
    Effect,
    Extend,
    Next,
    Pause,
    Record,
    Resume,
    Skip,
    Start,
    Stop,
)
from bot.core.run.state import MAX_EXTENSION, Phase, Run
from bot.core.spec import ChatSpec


def on_control(
    run: Run, spec: ChatSpec, control: Control, now: datetime
) -> tuple[Run, list[Effect]]:
    if run.phase.finished:
        raise RunFinished(f"this occurrence is already {run.phase.value}")
    handler = _CONTROLS[type(control)]
    run, detail = handler(run, spec, control, now)
    action = type(control).__name__.lower()
    return run, [Record(action=action, actor=control.actor, at=now, detail=detail)]


def _require_live(run: Run) -> None:
    if run.phase in (Phase.SCHEDULED, Phase.ANNOUNCED):
        raise NotRunning("the chat has not started yet; use start, or cancel it")
    if run.phase is Phase.LATE_ANSWERS:
        raise AlreadyClosed("the chat is closed and collecting late answers")


def _start(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    if run.phase not in (Phase.SCHEDULED, Phase.ANNOUNCED):
        raise AlreadyStarted("the chat has already started")
    intro = run.step("intro")
    reminders = {s.key for s in run.steps if s.kind is StepKind.REMINDER and s.pending}
    run = skip(run, reminders, "started early")
    run = shift_run(run, now - intro.due)
    return run, f"{int((intro.due - now).total_seconds() // 60)} min early"


def _next(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    _require_live(run)
    if run.phase is Phase.PAUSED:
        raise AlreadyPaused("the chat is paused; resume it first")
    upcoming = [s for s in run.steps if s.pending and s.kind is StepKind.QUESTION]
    if not upcoming:
        raise NoMoreQuestions(f"Q{run.current_question} is the last question; use stop to close")
    question = upcoming[0]
    calls = {
        s.key
        for s in run.steps
        if s.pending and s.kind is StepKind.LAST_CALL and s.due < question.due
    }
    run = skip(run, calls, "next question asked early")
    run = shift_run(run, now - question.due, after=question.due)
    return run, f"Q{question.question}"


def _pause(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    _require_live(run)
    if run.phase is Phase.PAUSED:
        raise AlreadyPaused("the chat is already paused")
    return replace(run, paused_at=now), f"during Q{run.current_question}"


def _resume(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    if run.paused_at is None:
        raise NotPaused("the chat is not paused")
    held = now - run.paused_at
    run = replace(shift_run(run, held), paused_at=None)
    return run, f"after {int(held.total_seconds() // 60)} min"


def _extend(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    assert isinstance(control, Extend)
    _require_live(run)
    if not timedelta(0) < control.by <= MAX_EXTENSION:
        raise InvalidExtension("an extension must be more than 0 and at most 3 hours")
    run = shift_run(run, control.by)
    return run, f"Q{run.current_question} +{int(control.by.total_seconds() // 60)} min"


def _skip_question(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    assert isinstance(control, Skip)
    number = control.question
    if not 1 <= number <= len(spec.questions):
        raise NoSuchQuestion(f"there is no Q{number}; this chat has {len(spec.questions)}")
    if run.phase is Phase.LATE_ANSWERS:
        raise AlreadyClosed("the chat is closed and collecting late answers")
    question = run.step(question_key(number))
    if not question.pending:
        raise QuestionAlreadyPosted(f"Q{number} was already {question.status.value}")
    following = [
        s
        for s in run.steps
        if s.pending and s.kind in (StepKind.QUESTION, StepKind.CLOSING) and s.due > question.due
    ]
    slot = following[0].due - question.due if following else timedelta(0)
    run = skip(run, {question.key, f"lastcall-{number}"}, "skipped by a moderator")
    run = shift_run(run, -slot, after=question.due)
    return run, f"Q{number}"


def _stop(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    _require_live(run)
    return close_now(run, spec, now), f"after Q{run.current_question}"


def _cancel(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    if run.phase not in (Phase.SCHEDULED, Phase.ANNOUNCED):
        raise AlreadyStarted("the chat has already started; use stop to close it")
    pending = {s.key for s in run.steps if s.pending}
    run = skip(run, pending, "cancelled by a moderator")
    return replace(run, phase=Phase.CANCELLED), ""


_CONTROLS = {
    Start: _start,
    Next: _next,
    Pause: _pause,
    Resume: _resume,
    Extend: _extend,
    Skip: _skip_question,
    Stop: _stop,
    Cancel: _cancel,
}

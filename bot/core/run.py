"""The run of one occurrence: a state machine of pure transitions.

``transition(run, spec, event, now) -> (new run, effects)`` never touches the
clock, the network or the disk. The runtime persists the new run (its steps
are the durable timers), executes the effects through the Venue, and feeds the
outcome back (:class:`Posted` or :class:`PostFailed`). A step is DONE only
after its post succeeded, so a crash anywhere leaves it pending and the
runtime's idempotent posting (intent before, message id after) finishes it.

Phases::

    scheduled -> announced -> running(n) <-> paused -> closing -> late_answers -> recapped
         \\____________\\____ cancelled (not started)      missed (bot back too late)

**Lateness policy.** A step that fires more than :data:`LATE_GRACE` after its
due time (the bot was down or the event loop was blocked) is posted at once,
marked late, and every later step of the run moves by the same amount, so the
spacing between questions is kept. A post that failed for a passing reason (a rate
limit that outlasted the client's own retries, a server error) is retried after
:data:`RETRY_DELAY`; if it is the intro, a question or the closing, the later steps
move with it, so questions never come out of order. Reminders never move the run; a reminder
overtaken by a later reminder or by the start is skipped. But a chat never runs
at the wrong hour: if the bot comes back more than the chat's ``max_late``
after the start and the chat has not started, the occurrence is **missed**
(moderators are told once, the next occurrence is planned); if it had started,
it is **cut short**: the overdue questions are skipped, the chat closes now and
the recap follows the late-answer window.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

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
from bot.core.plan import RUN_KINDS, Step, StepKind, StepStatus, question_key
from bot.core.spec import ChatSpec
from bot.core.texts import late_note, step_text

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


# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A step's timer fired."""

    key: str


@dataclass(frozen=True)
class Posted:
    """A step's post went out (its message id is stored)."""

    key: str


@dataclass(frozen=True)
class PostFailed:
    """A step's post failed; ``permanent`` when retrying cannot help (e.g. missing permission)."""

    key: str
    reason: str
    permanent: bool


@dataclass(frozen=True)
class Control:
    """A moderator's command; ``actor`` is who asked (a Discord user id or a name)."""

    actor: str


@dataclass(frozen=True)
class Start(Control):
    """Start a scheduled occurrence now."""


@dataclass(frozen=True)
class Next(Control):
    """Post the next question now."""


@dataclass(frozen=True)
class Pause(Control):
    """Hold the plan; nothing of the run is posted until resumed."""


@dataclass(frozen=True)
class Resume(Control):
    """Continue a paused run; the remaining plan keeps its spacing."""


@dataclass(frozen=True)
class Extend(Control):
    """Give the current question more time."""

    by: timedelta = timedelta(minutes=2)


@dataclass(frozen=True)
class Skip(Control):
    """Drop a question that has not been posted; later questions move up into its slot."""

    question: int = 0


@dataclass(frozen=True)
class Stop(Control):
    """Close now: closing post, late-answer window, recap."""


@dataclass(frozen=True)
class Cancel(Control):
    """Call off an occurrence that has not started; a recurring chat goes on."""


Event = Due | Posted | PostFailed | Control

# --- effects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """Post ``text`` for step ``key``; the runtime records intent before and message id after."""

    key: str
    kind: StepKind
    text: str
    question: int | None = None
    late: bool = False


@dataclass(frozen=True)
class Record:
    """Keep a line of the moderation timeline (shown in the recap)."""

    action: str
    actor: str
    at: datetime
    detail: str = ""


@dataclass(frozen=True)
class Finished:
    """The occurrence is over; the runtime plans the chat's next occurrence."""

    phase: Phase


Effect = Post | Record | Finished


# --- the transition -----------------------------------------------------------------------


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
        run, effects = _on_control(run, spec, event, now)
    settled = _settle(run)
    if settled.phase.finished and not was_finished:
        effects.append(Finished(settled.phase))
    return settled, effects


def _settle(run: Run) -> Run:
    """Recompute the phase from the steps (cancelled and missed are sticky)."""
    if run.phase in (Phase.CANCELLED, Phase.MISSED):
        return run
    return replace(run, phase=_derive_phase(run))


def _derive_phase(run: Run) -> Phase:
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


def _with_steps(run: Run, steps: list[Step]) -> Run:
    return replace(run, steps=tuple(sorted(steps, key=lambda s: s.due)))


def _replace_step(run: Run, key: str, **changes: object) -> Run:
    return _with_steps(
        run,
        [replace(s, **changes) if s.key == key else s for s in run.steps],  # type: ignore[arg-type]
    )


def _shift_run(run: Run, by: timedelta, *, after: datetime | None = None) -> Run:
    """Move every pending run step (due at or after ``after``) by ``by``."""
    return _with_steps(
        run,
        [
            s.shifted(by)
            if s.pending and s.kind in RUN_KINDS and (after is None or s.due >= after)
            else s
            for s in run.steps
        ],
    )


def _skip(run: Run, keys: set[str], note: str) -> Run:
    return _with_steps(
        run,
        [
            replace(s, status=StepStatus.SKIPPED, note=note) if s.key in keys and s.pending else s
            for s in run.steps
        ],
    )


def _add_notice(run: Run, key: str, text: str, now: datetime) -> Run:
    if run.has_step(key):
        return run
    notice = Step(key=key, kind=StepKind.NOTICE, due=now, note=text)
    return _with_steps(run, [*run.steps, notice])


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
            return _skip(run, {key}, "overtaken by a later reminder"), []
        text = step_text(spec, step, run.steps, run.start)
        return run, [Post(key=key, kind=step.kind, text=text)]

    lateness = now - step.due
    if lateness > spec.max_late and step.kind is not StepKind.RECAP:
        return _too_late(run, spec, step, now)
    if step.kind is StepKind.LAST_CALL and _overtaken_last_call(run, step, now):
        return _skip(run, {key}, "the next question was already due"), []

    planned = step.due
    late = lateness > LATE_GRACE
    if late:
        run = _shift_run(run, lateness, after=step.due)
        run = _replace_step(run, key, due=now, late=True)
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
        run = _skip(run, pending_run, "missed: the bot was offline")
        run = replace(run, phase=Phase.MISSED)
        run = _add_notice(
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
    run = _skip(run, overdue, "cut short: the bot was offline")
    run = _close_now(run, spec, now)
    run = _add_notice(
        run,
        f"notice-cut-{step.key}",
        f"the bot was offline for {offline} minutes during the chat; it was cut short after "
        f"Q{asked} and is closing now.",
        now,
    )
    return run, [Record(action="cut short", actor="bot", at=now, detail=f"{offline} min offline")]


def _close_now(run: Run, spec: ChatSpec, now: datetime) -> Run:
    """Skip the remaining questions; closing due now, recap after the late window."""
    remaining = {
        s.key for s in run.steps if s.pending and s.kind in (StepKind.QUESTION, StepKind.LAST_CALL)
    }
    run = _skip(run, remaining, "stopped early")
    steps = []
    for s in run.steps:
        if s.pending and s.kind is StepKind.CLOSING:
            s = replace(s, due=now)
        elif s.pending and s.kind is StepKind.RECAP:
            s = replace(s, due=now + spec.late_answers)
        steps.append(s)
    return replace(_with_steps(run, steps), paused_at=None)


def _on_posted(run: Run, key: str) -> tuple[Run, list[Effect]]:
    if not run.has_step(key):
        return run, []
    return _replace_step(run, key, status=StepStatus.DONE), []


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
            run = _shift_run(run, retry_at - step.due, after=step.due)
        return _replace_step(run, event.key, due=retry_at, note=event.reason), []
    run = _skip(run, {event.key}, f"failed: {event.reason}")
    if step.kind is not StepKind.NOTICE:
        run = _add_notice(
            run, f"notice-failed-{event.key}", f"could not post {event.key}: {event.reason}", now
        )
    return run, [Record(action="post failed", actor="bot", at=now, detail=event.reason)]


# --- moderator controls -------------------------------------------------------------------


def _on_control(
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
    run = _skip(run, reminders, "started early")
    run = _shift_run(run, now - intro.due)
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
    run = _skip(run, calls, "next question asked early")
    run = _shift_run(run, now - question.due, after=question.due)
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
    run = replace(_shift_run(run, held), paused_at=None)
    return run, f"after {int(held.total_seconds() // 60)} min"


def _extend(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    assert isinstance(control, Extend)
    _require_live(run)
    if not timedelta(0) < control.by <= MAX_EXTENSION:
        raise InvalidExtension("an extension must be more than 0 and at most 3 hours")
    run = _shift_run(run, control.by)
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
    run = _skip(run, {question.key, f"lastcall-{number}"}, "skipped by a moderator")
    run = _shift_run(run, -slot, after=question.due)
    return run, f"Q{number}"


def _stop(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    _require_live(run)
    return _close_now(run, spec, now), f"after Q{run.current_question}"


def _cancel(run: Run, spec: ChatSpec, control: Control, now: datetime) -> tuple[Run, str]:
    if run.phase not in (Phase.SCHEDULED, Phase.ANNOUNCED):
        raise AlreadyStarted("the chat has already started; use stop to close it")
    pending = {s.key for s in run.steps if s.pending}
    run = _skip(run, pending, "cancelled by a moderator")
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

"""Every moderator control in every phase: allowed with the right effect, or refused with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core import errors
from bot.core.plan import StepStatus, build_plan
from bot.core.run import (
    Cancel,
    Control,
    Due,
    Extend,
    Finished,
    Next,
    Pause,
    Phase,
    Posted,
    Record,
    Resume,
    Run,
    Skip,
    Start,
    Stop,
    new_run,
    transition,
)
from tests.support.specs import make_spec

SPEC = make_spec()
START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def fresh() -> Run:
    return new_run(1, SPEC, START, build_plan(SPEC, START))


def post_until(run: Run, key: str) -> Run:
    """Fire and post every step in order up to and including ``key``, each at its due time."""
    while True:
        step = min((s for s in run.steps if run.waiting(s)), key=lambda s: s.due)
        run, effects = transition(run, SPEC, Due(step.key), step.due)
        if any(not isinstance(e, Record) for e in effects):
            run, _ = transition(run, SPEC, Posted(step.key), step.due)
        if step.key == key:
            return run


def in_phase(phase: Phase) -> tuple[Run, datetime]:
    """A run in ``phase`` and a moment at which to act on it."""
    if phase is Phase.SCHEDULED:
        return fresh(), START - 2 * timedelta(days=1)
    if phase is Phase.ANNOUNCED:
        return post_until(fresh(), "reminder-1h"), START - 30 * MIN
    if phase is Phase.RUNNING:
        return post_until(fresh(), "q1"), START + 10 * MIN
    if phase is Phase.PAUSED:
        run = post_until(fresh(), "q1")
        run, _ = transition(run, SPEC, Pause("mod"), START + 9 * MIN)
        return run, START + 10 * MIN
    if phase is Phase.CLOSING:
        return post_until(fresh(), "q5"), START + 41 * MIN
    if phase is Phase.LATE_ANSWERS:
        return post_until(fresh(), "closing"), START + 50 * MIN
    if phase is Phase.RECAPPED:
        return post_until(fresh(), "recap"), START + 2 * timedelta(hours=1)
    if phase is Phase.CANCELLED:
        run, _ = transition(fresh(), SPEC, Cancel("mod"), START - 60 * MIN)
        return run, START - 50 * MIN
    run = post_until(fresh(), "reminder-10m")
    run, _ = transition(run, SPEC, Due("intro"), START + 45 * MIN)  # back after max_late
    return run, START + 46 * MIN


@pytest.mark.parametrize("phase", list(Phase))
def test_phase_fixture_is_in_that_phase(phase: Phase) -> None:
    run, _ = in_phase(phase)
    assert run.phase is phase


OK = None
NR, AS, AP, NP = errors.NotRunning, errors.AlreadyStarted, errors.AlreadyPaused, errors.NotPaused
AC, RF, NM, QP = (
    errors.AlreadyClosed,
    errors.RunFinished,
    errors.NoMoreQuestions,
    errors.QuestionAlreadyPosted,
)
PHASES = [
    Phase.SCHEDULED,
    Phase.ANNOUNCED,
    Phase.RUNNING,
    Phase.PAUSED,
    Phase.CLOSING,
    Phase.LATE_ANSWERS,
    Phase.RECAPPED,
    Phase.CANCELLED,
    Phase.MISSED,
]
# fmt: off
MATRIX: dict[str, tuple[Control, list[type[errors.ControlRefused] | None]]] = {
    "start":  (Start("mod"),            [OK, OK, AS, AS, AS, AS, RF, RF, RF]),
    "next":   (Next("mod"),             [NR, NR, OK, AP, NM, AC, RF, RF, RF]),
    "pause":  (Pause("mod"),            [NR, NR, OK, AP, OK, AC, RF, RF, RF]),
    "resume": (Resume("mod"),           [NP, NP, NP, OK, NP, NP, RF, RF, RF]),
    "extend": (Extend("mod", 3 * MIN),  [NR, NR, OK, OK, OK, AC, RF, RF, RF]),
    "skip":   (Skip("mod", 5),          [OK, OK, OK, OK, QP, AC, RF, RF, RF]),
    "stop":   (Stop("mod"),             [NR, NR, OK, OK, OK, AC, RF, RF, RF]),
    "cancel": (Cancel("mod"),           [OK, OK, AS, AS, AS, AS, RF, RF, RF]),
}
# fmt: on
CASES = [
    (name, control, phase, expected)
    for name, (control, outcomes) in MATRIX.items()
    for phase, expected in zip(PHASES, outcomes, strict=True)
]


@pytest.mark.parametrize(
    ("name", "control", "phase", "expected"),
    CASES,
    ids=[f"{name}-{phase.value}" for name, _, phase, _ in CASES],
)
def test_control_in_phase(
    name: str,
    control: Control,
    phase: Phase,
    expected: type[errors.ControlRefused] | None,
) -> None:
    run, now = in_phase(phase)
    if expected is not None:
        with pytest.raises(expected) as refused:
            transition(run, SPEC, control, now)
        assert str(refused.value)  # a reason a moderator can read
        return
    after, effects = transition(run, SPEC, control, now)
    records = [e for e in effects if isinstance(e, Record)]
    assert [(r.action, r.actor, r.at) for r in records] == [(name, "mod", now)]
    assert after != run


def due(run: Run, key: str) -> timedelta:
    return run.step(key).due - START


def test_start_early_skips_reminders_and_runs_from_now() -> None:
    run, _ = in_phase(Phase.ANNOUNCED)
    run, _ = transition(run, SPEC, Start("mod"), START - 30 * MIN)
    assert run.step("reminder-10m").status is StepStatus.SKIPPED
    assert due(run, "intro") == -30 * MIN
    assert due(run, "q1") == -22 * MIN
    assert due(run, "recap") == 48 * MIN


def test_next_posts_the_next_question_now_and_keeps_spacing() -> None:
    run, now = in_phase(Phase.RUNNING)
    run, _ = transition(run, SPEC, Next("mod"), now)
    assert run.step("lastcall-1").status is StepStatus.SKIPPED
    assert due(run, "q2") == 10 * MIN
    assert due(run, "q3") == 18 * MIN
    assert due(run, "closing") == 42 * MIN


def test_pause_holds_and_resume_keeps_spacing() -> None:
    run, now = in_phase(Phase.RUNNING)
    run, _ = transition(run, SPEC, Pause("mod"), now)
    assert run.due_steps(START + 60 * MIN) == []  # nothing of the run fires while paused
    run, _ = transition(run, SPEC, Resume("mod"), now + 10 * MIN)
    assert run.phase is Phase.RUNNING
    assert due(run, "lastcall-1") == 25 * MIN
    assert due(run, "q2") == 26 * MIN


def test_extend_adds_time_to_the_current_question() -> None:
    run, now = in_phase(Phase.RUNNING)
    run, effects = transition(run, SPEC, Extend("mod", 3 * MIN), now)
    assert due(run, "q2") == 19 * MIN
    assert [e.detail for e in effects if isinstance(e, Record)] == ["Q1 +3 min"]
    with pytest.raises(errors.InvalidExtension):
        transition(run, SPEC, Extend("mod", timedelta(0)), now)


def test_skip_moves_later_questions_into_the_slot() -> None:
    run, now = in_phase(Phase.RUNNING)
    run, _ = transition(run, SPEC, Skip("mod", 3), now)
    assert run.step("q3").status is StepStatus.SKIPPED
    assert run.step("lastcall-3").status is StepStatus.SKIPPED
    assert due(run, "q4") == 24 * MIN
    assert due(run, "closing") == 40 * MIN
    with pytest.raises(errors.QuestionAlreadyPosted):
        transition(run, SPEC, Skip("mod", 1), now)
    with pytest.raises(errors.NoSuchQuestion):
        transition(run, SPEC, Skip("mod", 9), now)


def test_stop_closes_now_and_recaps_after_the_late_window() -> None:
    run, now = in_phase(Phase.PAUSED)
    run, _ = transition(run, SPEC, Stop("mod"), now)
    assert run.paused_at is None
    assert all(
        run.step(k).status is StepStatus.SKIPPED for k in ("q2", "q3", "q4", "q5", "lastcall-1")
    )
    assert due(run, "closing") == 10 * MIN
    assert due(run, "recap") == 40 * MIN


def test_cancel_finishes_the_occurrence() -> None:
    run, now = in_phase(Phase.ANNOUNCED)
    run, effects = transition(run, SPEC, Cancel("mod"), now)
    assert run.phase is Phase.CANCELLED
    assert Finished(Phase.CANCELLED) in effects
    assert run.next_due() is None


def test_reminder_overtaken_by_a_later_one_is_skipped() -> None:
    run = fresh()
    run, effects = transition(run, SPEC, Due("reminder-1d"), START - 5 * MIN)
    assert effects == []
    assert run.step("reminder-1d").status is StepStatus.SKIPPED


def test_cut_short_when_back_too_late_during_the_run() -> None:
    run, _ = in_phase(Phase.RUNNING)
    back = START + 60 * MIN  # Q2 was due at +16: 44 minutes late, more than max_late
    run, effects = transition(run, SPEC, Due("lastcall-1"), back)
    assert run.step("q2").status is StepStatus.SKIPPED
    assert due(run, "closing") == 60 * MIN
    assert run.has_step("notice-cut-lastcall-1")
    assert [e.action for e in effects if isinstance(e, Record)] == ["cut short"]

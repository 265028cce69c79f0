"""An occurrence's timeline: every post the bot will make, as steps with due times.

For a chat starting at ``S`` with questions Q1..Qn::

    reminder-24h   S - 24h        (one per entry in ``reminders``)
    intro          S
    q1             S + gap(Q1)    (gap = the question's ``after`` or ``question_interval``)
    lastcall-1     q2 - last_call (only with ``last_call``)
    q2             q1 + gap(Q2)
    ...
    lastcall-n     closing - last_call
    closing        qn + question_interval
    recap          closing + late_answers

Each step becomes a durable timer in storage before it is due; step keys are
unique within an occurrence and are what makes posting idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.spec import ChatSpec, format_duration


class StepKind(StrEnum):
    """What a step posts."""

    REMINDER = "reminder"
    INTRO = "intro"
    QUESTION = "question"
    LAST_CALL = "last_call"
    CLOSING = "closing"
    RECAP = "recap"
    #: A message to the chat's moderators (missed chat, failed post); never in the plan
    #: of a spec, added by the run when something needs telling.
    NOTICE = "notice"


class StepStatus(StrEnum):
    """Where a step stands. A step is DONE only after its post succeeded."""

    PENDING = "pending"
    DONE = "done"
    SKIPPED = "skipped"


#: Steps that belong to the live run and move together when the plan shifts
#: (pause, extend, late start). Reminders and notices keep their own times.
RUN_KINDS = frozenset(
    {StepKind.INTRO, StepKind.QUESTION, StepKind.LAST_CALL, StepKind.CLOSING, StepKind.RECAP}
)


@dataclass(frozen=True)
class Step:
    """One timed post of an occurrence."""

    key: str
    kind: StepKind
    due: datetime
    question: int | None = None
    status: StepStatus = StepStatus.PENDING
    #: Posted later than planned (the bot was down or busy); shown in the recap.
    late: bool = False
    #: Why a step was skipped, or the text of a notice.
    note: str = ""

    @property
    def pending(self) -> bool:
        """True while the step still has to be posted."""
        return self.status is StepStatus.PENDING

    def shifted(self, by: timedelta) -> Step:
        """The same step, due ``by`` later (earlier when negative)."""
        return replace(self, due=self.due + by)


def question_key(number: int) -> str:
    """The step key of question ``number`` (1-based)."""
    return f"q{number}"


def last_call_key(number: int) -> str:
    """The step key of the last call for answers to question ``number``."""
    return f"lastcall-{number}"


def build_plan(spec: ChatSpec, start: datetime) -> tuple[Step, ...]:
    """Every step of the occurrence of ``spec`` that starts at ``start`` (aware UTC), in order."""
    steps: list[Step] = []
    seen: set[timedelta] = set()
    for before in sorted(spec.reminders, reverse=True):
        if before in seen or before <= timedelta(0):
            continue
        seen.add(before)
        key = f"reminder-{format_duration(before)}"
        steps.append(Step(key=key, kind=StepKind.REMINDER, due=start - before))
    steps.append(Step(key="intro", kind=StepKind.INTRO, due=start))

    question_times: list[datetime] = []
    moment = start
    for number in range(1, len(spec.questions) + 1):
        moment = moment + spec.question_gap(number)
        question_times.append(moment)
    closing = moment + spec.question_interval

    for number, due in enumerate(question_times, start=1):
        steps.append(
            Step(key=question_key(number), kind=StepKind.QUESTION, due=due, question=number)
        )
        if spec.last_call is not None:
            following = question_times[number] if number < len(question_times) else closing
            steps.append(
                Step(
                    key=last_call_key(number),
                    kind=StepKind.LAST_CALL,
                    due=following - spec.last_call,
                    question=number,
                )
            )
    steps.append(Step(key="closing", kind=StepKind.CLOSING, due=closing))
    steps.append(Step(key="recap", kind=StepKind.RECAP, due=closing + spec.late_answers))
    return tuple(sorted(steps, key=lambda step: step.due))

"""The recap model: what learners read after the chat, computed from stored answers.

This first version counts answers, answerers and late answers per question;
highlights, themes, resources and prompts build on it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.answers import Answer
from bot.core.plan import StepKind
from bot.core.run import Run
from bot.core.spec import ChatSpec


@dataclass(frozen=True)
class QuestionSummary:
    """One question's numbers."""

    number: int
    text: str
    answers: int
    answerers: int


@dataclass(frozen=True)
class RecapSummary:
    """The headline numbers of an occurrence."""

    title: str
    hashtag: str
    start: datetime
    participants: int
    answers: int
    late_answers: int
    questions: tuple[QuestionSummary, ...]


def summarize(spec: ChatSpec, run: Run, answers: Sequence[Answer]) -> RecapSummary:
    """Count the answers of ``run`` (deleted ones must already be left out)."""
    counted = [a for a in answers if a.is_answer and not a.deleted]
    questions = tuple(
        QuestionSummary(
            number=number,
            text=question.text,
            answers=sum(1 for a in counted if a.question == number),
            answerers=len({a.author_id for a in counted if a.question == number}),
        )
        for number, question in enumerate(spec.questions, start=1)
    )
    intro = next((s for s in run.steps if s.kind is StepKind.INTRO), None)
    return RecapSummary(
        title=spec.title,
        hashtag=spec.hashtag,
        start=intro.due if intro is not None else run.start,
        participants=len({a.author_id for a in answers if not a.deleted}),
        answers=len(counted),
        late_answers=sum(1 for a in counted if a.late),
        questions=questions,
    )


def summary_text(summary: RecapSummary, skipped: Collection[int] = ()) -> str:
    """A plain-text recap: the numbers per question."""
    lines = [
        f"📋 Recap of {summary.title} {summary.hashtag} (<t:{int(summary.start.timestamp())}:F>)",
        f"{summary.answers} answers from {summary.participants} participants"
        + (f", {summary.late_answers} late" if summary.late_answers else "")
        + ".",
    ]
    for question in summary.questions:
        if question.number in skipped:
            lines.append(f"Q{question.number}: skipped")
            continue
        lines.append(
            f"Q{question.number}: {question.text} — {_count(question.answers, 'answer')} "
            f"from {_count(question.answerers, 'person', 'people')}"
        )
    return "\n".join(lines)


def _count(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"

"""One question of the recap: whether it was asked, its numbers, highlights, themes,
typical and contrasting answers, liveliest side conversation and transcript.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.answers import Answer
from bot.core.plan import StepKind, StepStatus
from bot.core.recap.model import (
    HIGHLIGHTS,
    THEMES,
    QuestionRecap,
    QuestionStatus,
    Quote,
    SideConversation,
)
from bot.core.recap.text import defuse_mentions
from bot.core.recap.themes import TextModel
from bot.core.run import Run
from bot.core.spec import ChatSpec


@dataclass(frozen=True)
class QuestionContext:
    """What every question of the chat reads from: the quotes, reply counts and text model."""

    quotes: dict[tuple[int, int], Quote]
    replies: Counter[int]
    model: TextModel
    visible_answers: list[Answer]


def question_recap(
    spec: ChatSpec,
    run: Run,
    number: int,
    mine: Sequence[Answer],
    context: QuestionContext,
    hidden: frozenset[int],
) -> QuestionRecap:
    """Question ``number``; ``mine`` are its messages, in order."""
    step = next(
        (s for s in run.steps if s.kind is StepKind.QUESTION and s.question == number), None
    )
    if step is not None and step.status is StepStatus.DONE:
        status = QuestionStatus.POSTED
    elif step is not None and step.status is StepStatus.SKIPPED:
        status = QuestionStatus.SKIPPED
    else:
        status = QuestionStatus.NOT_POSTED
    answered = [a for a in mine if a.is_answer]
    shown = [context.quotes[a.message_id, a.part] for a in mine if a.author_id not in hidden]
    shown_answers = [q for q in shown if q.is_answer]
    representative, contrasting = context.model.central(number)
    return QuestionRecap(
        number=number,
        text=defuse_mentions(spec.questions[number - 1].text),
        status=status,
        posted_at=step.due if status is QuestionStatus.POSTED and step is not None else None,
        posted_late=bool(step is not None and step.late),
        note=step.note if step is not None and status is QuestionStatus.SKIPPED else "",
        answers=len(answered),
        answerers=len({a.author_id for a in answered}),
        late_answers=sum(1 for a in answered if a.late),
        withheld=sum(1 for a in answered if a.author_id in hidden),
        highlights=tuple(
            heapq.nsmallest(
                HIGHLIGHTS,
                (q for q in shown_answers if q.reactions > 0),
                key=lambda q: (-q.reactions, q.at, q.message_id, q.part),
            )
        ),
        themes=context.model.themes(number, THEMES, asked=spec.questions[number - 1].text),
        representative=_document_quote(context, representative),
        contrasting=_document_quote(context, contrasting),
        conversation=_side_conversation(shown_answers, shown, context.replies),
        transcript=tuple(shown),
    )


def _document_quote(context: QuestionContext, index: int | None) -> Quote | None:
    if index is None:
        return None
    answer = context.visible_answers[index]
    return context.quotes[answer.message_id, answer.part]


def _side_conversation(
    answers: Sequence[Quote], shown: Sequence[Quote], replies: Counter[int]
) -> SideConversation | None:
    best: Quote | None = None
    for quote in answers:  # in order, so a tie stays with the earliest
        if replies[quote.message_id] and (
            best is None or replies[quote.message_id] > replies[best.message_id]
        ):
            best = quote
    if best is None:
        return None
    root = best.message_id
    return SideConversation(
        answer=best,
        replies=replies[root],
        shown=tuple(q for q in shown if q.reply_to == root and q.message_id != root),
    )

"""Generated chats: many answers from many participants, deterministic for a seed."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.core.answers import Answer, AnswerSource
from bot.core.plan import StepStatus, build_plan
from bot.core.run import Phase, Run
from bot.core.spec import ChatSpec, QuestionSpec, RecapSpec

START = datetime(2027, 3, 2, 1, 0, tzinfo=UTC)
WORDS = [
    "mentor",
    "podcast",
    "newsletter",
    "conference",
    "workshop",
    "colleague",
    "feedback",
    "rubric",
    "portfolio",
    "classroom",
    "library",
    "coaching",
    "routine",
    "habit",
    "journal",
    "reflection",
    "network",
    "community",
    "blog",
    "webinar",
    "summer",
    "reading",
    "practice",
    "project",
    "inquiry",
    "discussion",
    "warmup",
    "exit",
    "ticket",
    "station",
]


def big_spec(count: int = 8, **overrides: object) -> ChatSpec:
    """A chat with ``count`` long questions and reflection prompts."""
    fields: dict[str, object] = {
        "id": "bigchat",
        "title": "Big Chat: a crowded evening",
        "hashtag": "#bigchat",
        "channel": 42,
        "timezone": "Europe/Berlin",
        "start": datetime(2027, 3, 2, 2, 0),
        "questions": tuple(
            QuestionSpec(f"Question {n}: " + "what would you tell a colleague about this? " * 8)
            for n in range(1, count + 1)
        ),
        "question_interval": timedelta(minutes=8),
        "late_answers": timedelta(minutes=10),
        "recap": RecapSpec(prompts=("What will you try first?", "Who will you follow?")),
        "hosts": (7,),
    }
    fields.update(overrides)
    return ChatSpec(**fields)  # type: ignore[arg-type]


def finished_run(spec: ChatSpec, start: datetime = START, occurrence_id: int = 1) -> Run:
    """A run of ``spec`` in which every step was posted on time."""
    steps = tuple(replace(s, status=StepStatus.DONE) for s in build_plan(spec, start))
    return Run(occurrence_id, spec.id, start, steps, phase=Phase.RECAPPED)


def crowd(
    spec: ChatSpec,
    answers: int,
    participants: int,
    *,
    seed: int = 5,
    start: datetime = START,
    text_length: tuple[int, int] = (6, 40),
) -> list[Answer]:
    """Exactly ``answers`` answers from exactly ``participants`` people (each answers at
    least once), spread over the questions in time order, with reactions, links, questions
    to the others, and about one reply in ten on top (conversation)."""
    chance = random.Random(seed)
    questions = len(spec.questions)
    gap = spec.question_interval.total_seconds()
    made: list[Answer] = []
    next_id = 1_000_000

    def message(author: int, question: int, offset: float, text: str, **extra: object) -> Answer:
        nonlocal next_id
        next_id += 1
        return Answer(
            message_id=next_id,
            part=0,
            occurrence_id=1,
            channel_id=spec.channel,
            author_id=author,
            author_name=f"person{author}",
            question=question,
            content=text,
            source=extra.pop("source", AnswerSource.PREFIX),  # type: ignore[arg-type]
            created_at=start + timedelta(seconds=offset),
            **extra,  # type: ignore[arg-type]
        )

    for index in range(answers):
        question = 1 + index * questions // answers
        offset = question * gap + chance.uniform(0, gap - 2)
        author = 10_000 + (
            index % participants if index < participants else chance.randrange(participants)
        )
        words = [chance.choice(WORDS) for _ in range(chance.randint(*text_length))]
        if chance.random() < 0.05:
            words.append(f"https://example.org/{chance.choice(WORDS)}/{index % 400}?utm_source=x")
        if chance.random() < 0.03:
            words.append("does anyone know a good one?")
        answer = message(
            author, question, offset, " ".join(words), reactions=chance.choice((0, 0, 0, 1, 2, 5))
        )
        made.append(answer)
        if chance.random() < 0.1:
            replier = 10_000 + chance.randrange(participants)
            made.append(
                message(
                    replier,
                    question,
                    offset + 1,
                    f"agreed, {chance.choice(WORDS)} matters",
                    source=AnswerSource.CONVERSATION,
                    reply_to=answer.message_id,
                )
            )
    return sorted(made, key=lambda a: (a.created_at, a.message_id))

"""A chat written out message by message, for tests of the recap model and its renderers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.answers import Answer, AnswerSource
from bot.core.recap import Recap, build_recap
from bot.core.spec import ChatSpec, QuestionSpec, RecapSpec
from tests.unit.recap.generate import START, finished_run


def small_spec(**overrides: Any) -> ChatSpec:
    """Three questions, a hashtag, two prompts, a host; 19:00 in Phoenix (02:00 UTC)."""
    fields: dict[str, Any] = {
        "id": "edchat",
        "title": "Ed Chat",
        "hashtag": "#EdChat",
        "channel": 77,
        "timezone": "America/Phoenix",
        "start": datetime(2027, 3, 1, 18, 0),
        "questions": (
            QuestionSpec("Who is in your learning network?"),
            QuestionSpec("What did you try in class this week?"),
            QuestionSpec("What will you read next?"),
        ),
        "question_interval": timedelta(minutes=8),
        "late_answers": timedelta(minutes=10),
        "recap": RecapSpec(prompts=("What will you try first?",)),
        "hosts": (9,),
    }
    fields.update(overrides)
    return ChatSpec(**fields)


@dataclass
class Talk:
    """Messages of one occurrence; ``say`` returns the new message's id."""

    spec: ChatSpec = field(default_factory=small_spec)
    start: datetime = START
    answers: list[Answer] = field(default_factory=list)
    people: dict[str, int] = field(default_factory=dict)
    next_id: int = 5000

    def user(self, name: str) -> int:
        """The user id of ``name`` (made up in order of appearance)."""
        return self.people.setdefault(name, 100 + len(self.people))

    def say(
        self,
        name: str,
        text: str,
        *,
        question: int | None = 1,
        minute: float = 10,
        reactions: int = 0,
        reply_to: int | None = None,
        answer: bool = True,
        late: bool = False,
        edited: bool = False,
        deleted: bool = False,
        part: int = 0,
        message_id: int | None = None,
    ) -> int:
        """Add a message (an answer to ``question`` unless ``answer`` is False)."""
        if message_id is None:
            self.next_id += 1
            message_id = self.next_id
        at = self.start + timedelta(minutes=minute)
        self.answers.append(
            Answer(
                message_id=message_id,
                part=part,
                occurrence_id=1,
                channel_id=self.spec.channel,
                author_id=self.user(name),
                author_name=name,
                question=question,
                content=text,
                source=AnswerSource.PREFIX if answer else AnswerSource.CONVERSATION,
                created_at=at,
                edited_at=at + timedelta(minutes=1) if edited else None,
                deleted=deleted,
                reactions=reactions,
                reply_to=reply_to,
                late=late,
            )
        )
        return message_id

    def recap(self, **options: Any) -> Recap:
        """The recap of everything said so far."""
        return build_recap(self.spec, finished_run(self.spec, self.start), self.answers, **options)

    def without_deleted(self) -> Talk:
        """The same talk as storage gives it (deleted messages left out)."""
        return replace(self, answers=[a for a in self.answers if not a.deleted])

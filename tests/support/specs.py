"""Chat specs for tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.core.spec import ChatSpec, QuestionSpec, RecapSpec


def make_spec(**overrides: Any) -> ChatSpec:
    """A five-question chat at 2027-01-05 19:00 America/Phoenix (02:00 UTC next day)."""
    fields: dict[str, Any] = {
        "id": "careerchat",
        "title": "Career Chat",
        "hashtag": "#CareerChat",
        "channel": 111,
        "timezone": "America/Phoenix",
        "start": datetime(2027, 1, 5, 19, 0),
        "questions": tuple(QuestionSpec(f"Question number {n}?") for n in range(1, 6)),
        "reminders": (timedelta(hours=24), timedelta(hours=1), timedelta(minutes=10)),
        "intro": "Welcome!",
        "question_interval": timedelta(minutes=8),
        "last_call": timedelta(minutes=1),
        "closing": "Thanks all.",
        "late_answers": timedelta(minutes=30),
        "recap": RecapSpec(prompts=("What will you try?",)),
    }
    fields.update(overrides)
    return ChatSpec(**fields)

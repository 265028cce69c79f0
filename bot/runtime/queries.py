"""Read-only views for commands: a chat's status and its upcoming occurrences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.errors import ChatNotFound
from bot.core.ports import AnswerStore, ChatStore, OccurrenceStore
from bot.core.run import Phase
from bot.core.schedule import occurrences
from bot.core.spec import ChatSpec


class QueryStore(ChatStore, OccurrenceStore, AnswerStore, Protocol):
    """What the status and listing queries read."""


@dataclass(frozen=True)
class ChatStatus:
    """Where a chat stands now."""

    spec: ChatSpec
    phase: Phase | None
    start: datetime | None
    current_question: int
    answers: int
    participants: int
    next_step: str | None
    next_due: datetime | None


@dataclass(frozen=True)
class Upcoming:
    """One upcoming start of a chat."""

    chat_id: str
    title: str
    start: datetime
    planned: bool


async def chat_spec(store: QueryStore, chat_id: str) -> ChatSpec:
    """The active chat ``chat_id``; :class:`ChatNotFound` when there is none."""
    for spec in await store.chat_specs():
        if spec.id == chat_id:
            return spec
    raise ChatNotFound(f"no chat {chat_id!r} is scheduled; see /chat list")


async def chat_status(store: QueryStore, chat_id: str) -> ChatStatus:
    """The chat's live occurrence (or next one) with its numbers so far."""
    spec = await chat_spec(store, chat_id)
    unfinished = await store.occurrences(chat_id=chat_id, unfinished=True)
    history = await store.occurrences(chat_id=chat_id)
    current = unfinished[0] if unfinished else (history[-1] if history else None)
    if current is None:
        return ChatStatus(spec, None, None, 0, 0, 0, None, None)
    run = current.run
    answers = [a for a in await store.answers(run.occurrence_id) if a.is_answer]
    waiting = sorted((s for s in run.steps if run.waiting(s)), key=lambda s: s.due)
    return ChatStatus(
        spec=current.spec,
        phase=run.phase,
        start=run.start,
        current_question=run.current_question,
        answers=len(answers),
        participants=len({a.author_id for a in answers}),
        next_step=waiting[0].key if waiting else None,
        next_due=waiting[0].due if waiting else None,
    )


async def upcoming(store: QueryStore, now: datetime, per_chat: int = 3) -> list[Upcoming]:
    """The next starts of every active chat, soonest first."""
    found: list[Upcoming] = []
    for spec in await store.chat_specs():
        history = await store.occurrences(chat_id=spec.id)
        planned = {
            o.run.start for o in history if o.run.phase in (Phase.SCHEDULED, Phase.ANNOUNCED)
        }
        # As the planner does: a start at or before the chat's latest occurrence is used up
        # (a one-off chat started early does not come back at its file's time).
        latest = max((o.run.start for o in history), default=None)
        projected = {
            start for start in occurrences(spec, now, per_chat) if latest is None or start > latest
        }
        starts = sorted(planned | projected)[:per_chat]
        found.extend(Upcoming(spec.id, spec.title, start, start in planned) for start in starts)
    return sorted(found, key=lambda u: u.start)

"""Collecting answers: participants' messages in, attributed answers stored.

The adapters (Discord, the rehearsal) turn platform events into the calls
here; attribution itself is :func:`bot.core.answers.attribute`. Everything is
keyed by message id, so a message delivered twice, or read again from history
after downtime, is stored once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.core.answers import Answer, attribute
from bot.core.ports import Occurrence
from bot.core.run import Phase, Run
from bot.core.spec import ChatSpec
from bot.storage import SqliteStore

log = logging.getLogger(__name__)

#: Phases in which messages in a chat's channel belong to it.
COLLECTING = (Phase.RUNNING, Phase.PAUSED, Phase.CLOSING, Phase.LATE_ANSWERS)


@dataclass(frozen=True)
class IncomingMessage:
    """A participant's message as the platform delivered it.

    ``channel_id`` is the chat channel; ``thread_id`` is set when the message
    was posted in a thread of that channel.
    """

    message_id: int
    channel_id: int
    author_id: int
    author_name: str
    content: str
    created_at: datetime
    thread_id: int | None = None
    reply_to: int | None = None
    edited_at: datetime | None = None


class Collector:
    """Attributes and stores messages for the occurrences that are collecting them."""

    def __init__(self, store: SqliteStore) -> None:
        self.store = store
        self._live: dict[int, Occurrence] = {}
        self._thread_questions: dict[int, tuple[int, int]] = {}

    async def refresh(self) -> None:
        """Reload the occurrences that are collecting answers (at start and after a reload)."""
        self._live = {
            o.run.occurrence_id: o
            for o in await self.store.occurrences(unfinished=True)
            if o.run.phase in COLLECTING
        }

    async def on_run_saved(self, run: Run, spec: ChatSpec) -> None:
        """Keep the live-occurrence cache in step with the engine (an Engine listener)."""
        if run.phase in COLLECTING:
            self._live[run.occurrence_id] = Occurrence(run=run, spec=spec)
        else:
            self._live.pop(run.occurrence_id, None)

    @property
    def live(self) -> list[Occurrence]:
        """Occurrences collecting answers now."""
        return list(self._live.values())

    async def _question_of(self, message_id: int) -> tuple[int, int] | None:
        """(occurrence, question number) when ``message_id`` is a question post or its thread."""
        if message_id in self._thread_questions:
            return self._thread_questions[message_id]
        post = await self.store.post_by_message(message_id)
        if post is None or not post.step_key.startswith("q"):
            return None
        found = (post.occurrence_id, int(post.step_key[1:]))
        self._thread_questions[message_id] = found
        return found

    async def _occurrence_for(
        self, message: IncomingMessage
    ) -> tuple[Occurrence, int | None, int | None] | None:
        """The occurrence a message belongs to, with its thread question and reply question."""
        if message.thread_id is not None:
            found = await self._question_of(message.thread_id)
            if found is not None and found[0] in self._live:
                return self._live[found[0]], found[1], None
            # A thread of no question we know (yet): its parent channel decides; if the
            # question's post is recorded later, the engine re-attributes it.
        if message.reply_to is not None:
            found = await self._question_of(message.reply_to)
            if found is not None and found[0] in self._live:
                return self._live[found[0]], None, found[1]
            replied = await self.store.message_occurrence(message.reply_to)
            if replied is not None and replied in self._live:
                return self._live[replied], None, None
        in_channel = [o for o in self._live.values() if o.spec.channel == message.channel_id]
        if not in_channel:
            return None
        tagged = [o for o in in_channel if o.spec.hashtag.lower() in message.content.lower()]
        chosen = max(tagged or in_channel, key=lambda o: o.run.start)
        return chosen, None, None

    async def ingest(self, message: IncomingMessage) -> list[Answer]:
        """Attribute and store a new or edited message; [] when no chat is collecting it."""
        try:
            target = await self._occurrence_for(message)
        except Exception:
            log.exception("message %s: could not find its chat", message.message_id)
            return []
        if target is None:
            return []
        occurrence, thread_question, reply_question = target
        run, spec = occurrence.run, occurrence.spec
        parts = attribute(
            message.content,
            question_count=len(spec.questions),
            thread_question=thread_question,
            reply_question=reply_question,
            current_question=run.current_question,
        )
        answers = [
            Answer(
                message_id=message.message_id,
                part=index,
                occurrence_id=run.occurrence_id,
                channel_id=message.channel_id,
                thread_id=message.thread_id,
                author_id=message.author_id,
                author_name=message.author_name,
                question=part.question,
                content=part.text,
                source=part.source,
                created_at=message.created_at,
                edited_at=message.edited_at,
                reply_to=message.reply_to,
                late=run.is_late(message.created_at),
            )
            for index, part in enumerate(parts)
        ]
        await self.store.upsert_answers(answers)
        if thread_question is None and reply_question is None and not answers[0].is_answer:
            await self._late_question_post(run.occurrence_id, message)
        if message.edited_at is not None:
            await self.store.drop_parts_from(message.message_id, len(answers), message.edited_at)
        return answers

    async def _late_question_post(self, occurrence_id: int, message: IncomingMessage) -> None:
        """The question a thread or reply points at may have been recorded while this message
        was being stored (the engine re-attributes what was stored before); catch the overlap."""
        for target in (message.thread_id, message.reply_to):
            found = await self._question_of(target) if target is not None else None
            if found is not None and found[0] == occurrence_id:
                post = await self.store.post(occurrence_id, f"q{found[1]}")
                if post is not None and post.message_id is not None:
                    await self.store.attribute_to_question(
                        occurrence_id, found[1], post.message_id, post.thread_id
                    )

    async def delete(self, message_ids: list[int]) -> int:
        """Mark messages deleted; they never appear in a recap again."""
        return await self.store.mark_deleted(message_ids)

    async def react(self, message_id: int, user_id: int, emoji: str, present: bool) -> None:
        """Count (or uncount) one user's reaction on a message."""
        await self.store.set_reaction(message_id, user_id, emoji, present)

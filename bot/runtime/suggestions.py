"""Questions from the community: suggest, upvote, review, and ask in the next occurrence.

* ``/chat suggest`` -> :meth:`Suggestions.suggest` checks the text against the chat's
  question limits and the member's open suggestions (:mod:`bot.core.suggestions`), records
  it, and the adapter posts it where the chat file says (``suggestions.post_in``), then
  :meth:`Suggestions.posted` keeps the message members upvote with a 👍.
* Reactions -> :meth:`Suggestions.vote` (and :meth:`Suggestions.reconcile` after a restart).
* ``/host suggestions`` -> :meth:`Suggestions.review` (open ones, most upvoted first), then
  :meth:`approve` / :meth:`reject` from the persistent buttons.
* An approved suggestion joins the chat's next occurrence that has not started: the planner
  asks :meth:`Suggestions.spec_for` for the spec to plan with (the chat's own spec plus its
  approved suggestions, credited unless their author opted out), and approving, an
  opt-out/opt-in and a forget-me plan the unstarted occurrence again
  (:meth:`Suggestions.replan`). The planned occurrence is durable (its spec and timers) before
  its questions are due, like any other. When the occurrence starts, its suggestions are
  marked asked (:meth:`Suggestions.on_run_saved`, and again by the planner before it plans
  the next one), so a suggestion is asked once, across restarts too.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

from bot.core.errors import ChatNotFound
from bot.core.ports import ChatStore, Clock, Occurrence, ParticipantStore, SuggestionStore
from bot.core.run import Phase, Run
from bot.core.spec import ChatSpec
from bot.core.suggestions import (
    MAX_OPEN_PER_MEMBER,
    UPVOTE,
    Suggestion,
    SuggestionNotFound,
    SuggestionRefused,
    SuggestionStatus,
    by_votes,
    check_open,
    check_text,
    merge_suggestions,
    suggestion_ids,
)
from bot.runtime.engine import Engine

log = logging.getLogger(__name__)

#: Phases of an occurrence whose questions were never asked.
_NEVER_STARTED = (Phase.SCHEDULED, Phase.ANNOUNCED, Phase.CANCELLED, Phase.MISSED)


class SuggestionsStore(SuggestionStore, ChatStore, ParticipantStore, Protocol):
    """What suggestions read and write: suggestions, chats, and consent."""


class Suggestions:
    """The community's questions (see the module docstring)."""

    def __init__(self, store: SuggestionsStore, engine: Engine, clock: Clock) -> None:
        self.store = store
        self.engine = engine
        self.clock = clock
        #: Deletes a message (channel id, message id); True when it is gone. The adapter
        #: sets it; without it (the rehearsal, tests) there is no message to delete.
        self.delete_message: Callable[[int, int], Awaitable[bool]] | None = None

    async def chat(self, chat_id: str) -> ChatSpec:
        """The chat's own spec (as its file or form has it); :class:`ChatNotFound` if none."""
        for spec in await self.store.chat_specs():
            if spec.id == chat_id:
                return spec
        raise ChatNotFound(f"no chat {chat_id!r} is scheduled; /chat list shows the chats")

    # --- suggesting and voting ------------------------------------------------------------

    async def suggest(
        self, chat_id: str, author_id: int, author_name: str, text: str
    ) -> tuple[Suggestion, ChatSpec]:
        """Record a member's suggestion; refused with the reason when it does not fit as a
        question of the chat or they have :data:`MAX_OPEN_PER_MEMBER` open for it."""
        spec = await self.chat(chat_id)
        text = check_text(text, spec)
        added = await self.store.add_suggestion(
            chat_id, author_id, author_name, text, self.clock.now(), max_open=MAX_OPEN_PER_MEMBER
        )
        if added is None:
            check_open(await self.store.open_suggestions_of(chat_id, author_id))
            raise SuggestionRefused("too many open suggestions for this chat")  # pragma: no cover
        return added, spec

    async def posted(self, suggestion: Suggestion, channel_id: int, message_id: int) -> None:
        """The suggestion's message is out: members upvote it there."""
        await self.store.suggestion_posted(suggestion.suggestion_id, channel_id, message_id)

    async def vote(self, message_id: int, user_id: int, emoji: str, up: bool) -> bool:
        """A reaction on a message: a 👍 on a suggestion's message counts as its upvote."""
        if emoji != UPVOTE:
            return False
        return await self.store.vote_suggestion(message_id, user_id, up, self.clock.now())

    async def reconcile(self, message_id: int, voters: Collection[int]) -> None:
        """The 👍 of a suggestion's message as read from Discord (after a restart)."""
        await self.store.set_suggestion_votes(message_id, voters, self.clock.now())

    # --- review ---------------------------------------------------------------------------

    async def review(self, chat_id: str) -> list[Suggestion]:
        """The chat's open suggestions, most upvoted first."""
        await self.chat(chat_id)
        return by_votes(await self.store.suggestions(chat_id, [SuggestionStatus.OPEN]))

    async def get(self, suggestion_id: int) -> Suggestion:
        """One suggestion; :class:`SuggestionNotFound` when it is gone."""
        found = await self.store.suggestion(suggestion_id)
        if found is None:
            raise SuggestionNotFound("that suggestion is gone (its author asked to be forgotten)")
        return found

    async def approve(
        self, suggestion_id: int, moderator: int, position: int | None = None
    ) -> Suggestion:
        """Approve an open suggestion for the chat's next occurrence: before the file's
        question ``position``, or after its own questions (None). The occurrence not yet
        started is planned again with it at once."""
        suggestion = await self.get(suggestion_id)
        if not await self.store.decide_suggestion(
            suggestion_id, SuggestionStatus.APPROVED, moderator, self.clock.now(), position=position
        ):
            raise SuggestionRefused(f"that suggestion is {suggestion.status.value} already")
        await self.replan(suggestion.chat_id)
        return await self.get(suggestion_id)

    async def reject(self, suggestion_id: int, moderator: int) -> Suggestion:
        """Close an open suggestion without asking it."""
        suggestion = await self.get(suggestion_id)
        if not await self.store.decide_suggestion(
            suggestion_id, SuggestionStatus.REJECTED, moderator, self.clock.now()
        ):
            raise SuggestionRefused(f"that suggestion is {suggestion.status.value} already")
        return await self.get(suggestion_id)

    # --- planning -------------------------------------------------------------------------

    async def spec_for(self, spec: ChatSpec) -> ChatSpec:
        """The spec the chat's next occurrence runs with: ``spec`` and its approved
        suggestions, each credited to its author unless they opted out."""
        approved = await self.store.suggestions(spec.id, [SuggestionStatus.APPROVED])
        if not approved:
            return spec
        hidden = await self.store.opted_out()
        credits = {s.author_id: s.author_name for s in approved if s.author_id not in hidden}
        return merge_suggestions(spec, approved, credits=credits)

    async def replan(self, chat_id: str) -> None:
        """Plan the chat's occurrence not yet started again (its suggestions changed)."""
        try:
            spec = await self.chat(chat_id)
        except ChatNotFound:
            return
        await self.engine.schedule_chat(spec)

    async def sweep(self) -> None:
        """Delete the messages of forgotten people's suggestions, then the suggestions (what
        fails to delete now is tried again at the next forget or connection)."""
        for suggestion_id, channel_id, message_id in await self.store.withdrawn_suggestions():
            if self.delete_message is not None and message_id:
                try:
                    if not await self.delete_message(channel_id, message_id):
                        continue
                except Exception:
                    log.exception("suggestion %s: its message was not deleted", suggestion_id)
                    continue
            await self.store.drop_suggestion(suggestion_id)

    async def forgotten(self, user_id: int) -> None:
        """A person was forgotten: their suggestions' messages go, and the next chat is
        planned without their questions."""
        await self.sweep()
        await self.person_changed(user_id)

    async def person_changed(self, user_id: int) -> None:
        """A person opted out or in, or was forgotten: plan again the chats where they have
        a suggestion waiting (credit, or their words, change)."""
        chats = {spec.id for spec in await self.store.chat_specs()}
        for occurrence in await self.engine.store.occurrences(unfinished=True):
            not_started = occurrence.run.phase in (Phase.SCHEDULED, Phase.ANNOUNCED)
            if occurrence.spec.id not in chats or not not_started:
                continue
            if any(q.suggested_by == user_id for q in occurrence.spec.questions) or any(
                s.author_id == user_id
                for s in await self.store.suggestions(
                    occurrence.spec.id, [SuggestionStatus.APPROVED]
                )
            ):
                await self.replan(occurrence.spec.id)

    async def asked(self, occurrence: Occurrence) -> None:
        """An occurrence that started asks its suggestions (never again)."""
        if occurrence.run.phase in _NEVER_STARTED:
            return
        ids = suggestion_ids(occurrence.spec)
        if ids:
            await self.store.mark_suggestions_asked(ids, occurrence.run.occurrence_id)

    async def on_run_saved(self, run: Run, spec: ChatSpec) -> None:
        """Engine listener: a run that started marks its suggestions asked."""
        await self.asked(Occurrence(run=run, spec=spec))

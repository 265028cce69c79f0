"""Polls' votes in, results to the recap: vote events, reactions on text polls, Discord's final
results, and the reconciliation after the bot was away.

The adapter calls in with what Discord says (a vote added or removed, a reaction 1️⃣..🔟 on
a poll posted as text, a poll ended with its final counts, the full list of voters read from
Discord's voters endpoint at the next connection). Each change that moves a count marks the
occurrence's published recap for an update, so a recap posted while a poll was still open
follows it to its final results.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from datetime import timedelta
from typing import Protocol

from bot.core.errors import NotRunning, PostingFailed, StorageError
from bot.core.plan import StepKind
from bot.core.polls import NUMBER_EMOJIS, LivePoll, PollResult, poll_result
from bot.core.ports import (
    Clock,
    LiveRecapStore,
    OccurrenceStore,
    ParticipantStore,
    PollEnder,
    PollRecord,
    PollRequest,
    PollStore,
    PollTally,
    PostRequest,
    PostStore,
    Venue,
    VenueError,
)
from bot.core.run import Phase, Record
from bot.runtime.posting import poll_record

log = logging.getLogger(__name__)

#: Polls opened this recently (or not yet final) are reconciled at each connection.
RECONCILE_WINDOW = timedelta(days=33)


#: The phases in which /host poll may post (the chat is on).
LIVE_PHASES = (Phase.RUNNING, Phase.PAUSED, Phase.CLOSING, Phase.LATE_ANSWERS)


class PollsStore(PollStore, PostStore, OccurrenceStore, ParticipantStore, LiveRecapStore, Protocol):
    """What polls read and write: polls and votes, a live poll's post, the occurrence, and
    who asked to be forgotten (their votes are not kept)."""


class TimelineWriter(Protocol):
    async def __call__(self, occurrence_id: int, record: Record) -> None: ...


class ChangeListener(Protocol):
    def __call__(self, occurrence_ids: Collection[int], message_ids: Collection[int]) -> None: ...


def result_of(tally: PollTally) -> PollResult:
    """A stored poll's result (counts only)."""
    poll = tally.poll
    return poll_result(
        poll.text,
        poll.question,
        poll.options,
        tally.votes,
        multiple=poll.multiple,
        final=poll.finalized,
        final_counts=poll.final_counts,
        reactions=poll.reactions,
    )


class Polls:
    """Counts votes on the polls the bot posted (see the module docstring)."""

    def __init__(
        self,
        store: PollsStore,
        clock: Clock,
        venue: Venue | None = None,
        timeline: TimelineWriter | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        #: Where live polls are posted (and, when it can, ends them at the recap).
        self.venue = venue
        #: Adds a live poll to the moderation timeline (the engine's ``add_record``).
        self.timeline = timeline
        #: Told of every change that moves a count (the live recaps' ``changed``).
        self.on_changed: list[ChangeListener] = []
        self._known: dict[int, PollRecord] = {}
        #: Vote events are applied one at a time, in the order they came: discord.py runs
        #: each in a task of its own, and a vote taken back must not pass the vote itself.
        self._order = asyncio.Lock()

    async def poll(self, message_id: int) -> PollRecord | None:
        """The bot's poll posted as ``message_id`` (remembered once found; a message that is
        no poll is asked again, as its poll may be recorded a moment after it was posted)."""
        poll = self._known.get(message_id)
        if poll is None:
            poll = await self.store.poll(message_id)
            if poll is not None:
                self._known[message_id] = poll
        return poll

    def forget_cached(self, message_id: int) -> None:
        """A poll was just recorded (or changed): read it again next time."""
        self._known.pop(message_id, None)

    async def vote(self, message_id: int, answer_id: int, user_id: int, voted: bool) -> bool:
        """A vote event (MESSAGE_POLL_VOTE_ADD/REMOVE); True when it moved a count."""
        async with self._order:
            poll = await self.poll(message_id)
            if poll is None or poll.reactions:
                return False
            return await self._set(poll, answer_id, user_id, voted)

    async def reaction(self, message_id: int, user_id: int, emoji: str, added: bool) -> bool:
        """A reaction on a message: a vote when the message is a poll posted as text and the
        emoji one of its numbers."""
        if emoji not in NUMBER_EMOJIS:
            return False
        async with self._order:
            poll = await self.poll(message_id)
            if poll is None or not poll.reactions or poll.finalized:
                return False
            answer_id = NUMBER_EMOJIS.index(emoji) + 1
            if answer_id > len(poll.options):
                return False
            return await self._set(poll, answer_id, user_id, added)

    async def _set(self, poll: PollRecord, answer_id: int, user_id: int, voted: bool) -> bool:
        if not 1 <= answer_id <= len(poll.options):
            return False
        if voted and user_id in await self.store.forgotten():
            return False  # forgotten for good: nothing of theirs is stored again
        try:
            changed = await self.store.set_poll_vote(
                poll.message_id, answer_id, user_id, voted, self.clock.now()
            )
        except StorageError as error:
            log.error("poll %s: could not store a vote: %s", poll.message_id, error)
            return False
        if changed:
            self._changed(poll)
        return changed

    async def reconcile(self, message_id: int, votes: Mapping[int, Collection[int]]) -> bool:
        """Discord's voters of each answer (read after a restart): the stored votes become
        exactly those; True when that changed them (votes cast while the bot was away)."""
        poll = await self.poll(message_id)
        if poll is None:
            return False
        forgotten = await self.store.forgotten()
        wanted = {
            a: {user for user in users if user not in forgotten}
            for a, users in votes.items()
            if 1 <= a <= len(poll.options)
        }
        changed = await self.store.replace_poll_votes(message_id, wanted, self.clock.now())
        if changed:
            log.info("poll %s: votes reconciled with Discord", message_id)
            self._changed(poll)
        return changed

    async def finalized(self, message_id: int, counts: Mapping[int, int]) -> bool:
        """Discord ended the poll with ``counts`` per answer id; True the first time."""
        poll = await self.poll(message_id)
        if poll is None:
            return False
        changed = await self.store.finalize_poll(message_id, counts, self.clock.now())
        self.forget_cached(message_id)
        if changed:
            log.info("poll %s: final results stored", message_id)
            self._changed(poll)
        return changed

    async def to_reconcile(self) -> list[PollRecord]:
        """Polls to read again from Discord at a connection: recent or not yet final."""
        return await self.store.polls_since(self.clock.now() - RECONCILE_WINDOW)

    async def results(self, occurrence_id: int) -> list[PollResult]:
        """The occurrence's polls as results, in the order they were opened."""
        return [result_of(t) for t in await self.store.poll_tallies(occurrence_id)]

    def _changed(self, poll: PollRecord) -> None:
        for listener in self.on_changed:
            try:
                listener([poll.occurrence_id], [])
            except Exception:
                log.exception("poll %s: a change listener failed", poll.message_id)

    async def recap_published(self, occurrence_id: int) -> None:
        """A recap was just published: if a poll changed while it was being built and posted
        (before it was live, so no update was asked), ask for one now."""
        live = await self.store.live_recap(occurrence_id)
        changed_at = await self.store.polls_changed_at(occurrence_id)
        if live is not None and changed_at is not None and changed_at >= live.as_of:
            for listener in self.on_changed:
                listener([occurrence_id], [])

    # --- live polls (/host poll) ------------------------------------------------------------

    async def post_live(self, chat_id: str, poll: LivePoll, moderator: str) -> PollRecord:
        """Post ``poll`` in the live occurrence of ``chat_id``: intent first, the message id
        after, the poll kept (its votes counted like a poll question's) and a line in the
        moderation timeline. Raises NotRunning when the chat is not on, PostingFailed when
        the post failed."""
        live = [
            o
            for o in await self.store.occurrences(chat_id=chat_id, unfinished=True)
            if o.run.phase in LIVE_PHASES
        ]
        if not live or self.venue is None:
            raise NotRunning(f"{chat_id} is not running; a poll goes in a running chat")
        occurrence = live[0]
        occurrence_id = occurrence.run.occurrence_id
        spec = occurrence.spec
        number = 1 + sum(
            1 for p in await self.store.posts(occurrence_id) if p.step_key.startswith("poll-")
        )
        request = PostRequest(
            occurrence_id=occurrence_id,
            step_key=f"poll-{number}",
            channel_id=spec.channel,
            kind=StepKind.NOTICE,
            text=f"📊 **Poll:** {poll.question}",
            notice_channel_id=spec.notice_channel,
            poll=PollRequest(
                question=poll.question,
                options=poll.options,
                multiple=poll.multiple,
                hours=int(poll.duration / timedelta(hours=1)),
                until_recap=poll.end_with_recap,
            ),
        )
        now = self.clock.now()
        await self.store.record_intent(request, now, False)
        try:
            result = await self.venue.post(request)
        except VenueError as error:
            raise PostingFailed(f"the poll could not be posted: {error.reason}") from error
        assert request.poll is not None
        record = poll_record(request, request.poll, result, now, None)
        await self.store.record_poll(record)
        await self.store.record_posted(occurrence_id, request.step_key, result, self.clock.now())
        if self.timeline is not None:
            await self.timeline(occurrence_id, Record("poll", moderator, now, poll.question))
        return record

    async def end_with_recap(self, occurrence_id: int) -> int:
        """End the occurrence's open polls that the bot ends with the recap (live polls
        without a duration), keeping Discord's final counts; returns how many ended. Polls
        posted as text just stop counting at the recap (their votes so far are shown)."""
        ended = 0
        for tally in await self.store.poll_tallies(occurrence_id):
            poll = tally.poll
            if poll.finalized or not poll.end_with_recap:
                continue
            if poll.reactions or not isinstance(self.venue, PollEnder):
                counts = {a: len(users) for a, users in tally.votes.items()}
                await self.finalized(poll.message_id, counts)
                ended += 1
                continue
            try:
                counts_or_none = await self.venue.end_poll(poll.channel_id, poll.message_id)
            except VenueError as error:
                log.warning("poll %s: could not end it: %s", poll.message_id, error.reason)
                continue
            if counts_or_none is not None:
                await self.finalized(poll.message_id, counts_or_none)
            ended += 1
        return ended

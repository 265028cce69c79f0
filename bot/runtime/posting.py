"""Posting one step of a run exactly once.

Every post records its intent before and its message id after
(:class:`bot.core.ports.PostStore`):

1. the intent is recorded (a step with a stored message id is done already);
2. if the intent was there before (a crash, or a lost answer, came between posting and
   recording), the channel's history is searched for the post first;
3. otherwise the post is made; when the platform says it failed for a passing reason,
   the history is searched once more (a 5xx after the post was applied), so a chat is
   not held back by a retry of what went out;
4. the question's thread (or the recap's reflection thread) is opened if it is not yet;
5. where the post landed is recorded, a recap is kept live, and conversation that
   replied to a question before its message was known is attributed to it.

So a restart never posts twice and never skips.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.plan import StepKind
from bot.core.ports import (
    AnswerStore,
    Clock,
    Occurrence,
    PollRecord,
    PollRequest,
    PollStore,
    PostRequest,
    PostResult,
    PostStore,
    Venue,
    VenueError,
)
from bot.core.run import Post, Posted, PostFailed
from bot.core.spec import ChatSpec
from bot.core.texts import poll_question

log = logging.getLogger(__name__)

#: How far before an intent the history is searched for a post made before a crash.
FIND_SLACK = timedelta(seconds=10)


class PostingStore(PostStore, AnswerStore, PollStore, Protocol):
    """What posting records: intents and results, question attribution, and polls."""


class Poster:
    """Posts steps through the venue, exactly once (see the module docstring)."""

    def __init__(
        self,
        store: PostingStore,
        venue: Venue,
        clock: Clock,
        *,
        build_recap: Callable[[Occurrence, PostRequest], Awaitable[PostRequest]],
        published_recap: Callable[[int], Awaitable[None]],
    ) -> None:
        self.store = store
        self.venue = venue
        self.clock = clock
        #: Fills a recap step's request with the recap (built from storage).
        self.build_recap = build_recap
        #: Told when a recap was published (it is kept up to date from then on).
        self.published_recap = published_recap

    async def post(self, occurrence: Occurrence, post: Post) -> Posted | PostFailed:
        """Post one step; a failure comes back as :class:`PostFailed` for the run to decide."""
        spec = occurrence.spec
        request = step_request(occurrence, post)
        as_of = self.clock.now()
        try:
            if post.kind is StepKind.RECAP:
                request = await self.build_recap(occurrence, request)
            delivered = await self._deliver(request, post.late)
            if delivered is None:
                return Posted(post.key)  # recorded before: done already
            result, recovered = delivered
            await self._record(occurrence, post, result, as_of)
        except VenueError as error:
            log.warning("%s %s: post failed: %s", spec.id, post.key, error.reason)
            return PostFailed(post.key, error.reason, error.permanent)
        notes = [
            note
            for note, true in (("found in the history", recovered), ("late", post.late))
            if true
        ]
        log.info("%s %s: posted%s", spec.id, post.key, f" ({', '.join(notes)})" if notes else "")
        return Posted(post.key)

    async def _deliver(self, request: PostRequest, late: bool) -> tuple[PostResult, bool] | None:
        """Intent, then the post (found in the history after a crash, or made); returns where
        it landed and whether it was found rather than made, or None when it was recorded
        already."""
        posted_at = self.clock.now()
        record, created = await self.store.record_intent(request, posted_at, late)
        if record.message_id is not None:
            return None
        request = replace(request, text=record.text)
        found = None
        if not created:  # an earlier attempt may have posted before a crash
            found = await self.venue.find_post(request, record.intent_at - FIND_SLACK)
        recovered = found is not None
        if found is None:
            try:
                found = await self.venue.post(request)
            except VenueError as error:
                # A lost answer (a 5xx after the platform applied the post) looks like a
                # failure: look before retrying later, which would hold the chat back.
                found = await self._posted_after_all(request, record.intent_at, error)
        if request.poll is not None:  # before its thread: votes come as soon as it shows
            question = int(request.step_key[1:]) if request.step_key[1:].isdigit() else None
            poll = poll_record(request, request.poll, found, posted_at, question)
            await self.store.record_poll(poll)
        return await self._ensure_thread(request, found), recovered

    async def _record(
        self, occurrence: Occurrence, post: Post, result: PostResult, as_of: datetime
    ) -> None:
        """Record where the post landed; keep a recap live; attribute early replies."""
        occurrence_id = occurrence.run.occurrence_id
        recap = post.kind is StepKind.RECAP
        await self.store.record_posted(
            occurrence_id,
            post.key,
            result,
            self.clock.now(),
            live_as_of=as_of if recap else None,
        )
        if recap:
            await self.published_recap(occurrence_id)
        if post.question is not None and post.kind is StepKind.QUESTION:
            await self.store.attribute_to_question(
                occurrence_id, post.question, result.message_id, result.thread_id
            )

    async def _posted_after_all(
        self, request: PostRequest, intent_at: datetime, error: VenueError
    ) -> PostResult:
        """The post ``request`` if the platform has it in spite of ``error`` (a passing
        failure whose answer was lost); otherwise raise ``error`` again."""
        if error.permanent:
            raise error
        try:
            found = await self.venue.find_post(request, intent_at - FIND_SLACK)
        except VenueError:
            found = None
        if found is None:
            raise error
        log.info("%s: the post went out although its answer was lost", request.step_key)
        return found

    async def _ensure_thread(self, request: PostRequest, result: PostResult) -> PostResult:
        if request.thread_name is None or result.thread_id is not None:
            return result
        try:
            thread_id = await self.venue.open_thread(
                request.channel_id,
                result.message_id,
                request.thread_name,
                request.notice_channel_id,
            )
        except VenueError as error:
            # The question stands; answers come as "A1:" in the channel instead.
            log.warning("could not open a thread for %s: %s", request.step_key, error.reason)
            return result
        return replace(result, thread_id=thread_id)


def step_request(occurrence: Occurrence, post: Post) -> PostRequest:
    """What posting ``post`` asks of the venue: where, what, which thread to open, and the
    native poll of a poll question."""
    spec = occurrence.spec
    return PostRequest(
        occurrence_id=occurrence.run.occurrence_id,
        step_key=post.key,
        channel_id=_channel_for(post, spec),
        kind=post.kind,
        text=post.text,
        thread_name=_thread_name(post, spec),
        notice_channel_id=spec.notice_channel,
        poll=_poll_for(post, spec),
    )


def _poll_for(post: Post, spec: ChatSpec) -> PollRequest | None:
    if post.kind is not StepKind.QUESTION or post.question is None:
        return None
    if not 1 <= post.question <= len(spec.questions):
        return None
    question = spec.questions[post.question - 1]
    if question.poll is None:
        return None
    return PollRequest(
        question=poll_question(question.text, post.question, spec.hashtag),
        options=question.poll.options,
        multiple=question.poll.multiple,
        hours=question.poll.hours,
        until_recap=question.poll.until_recap,
    )


def poll_record(
    request: PostRequest,
    poll: PollRequest,
    result: PostResult,
    at: datetime,
    question: int | None,
) -> PollRecord:
    """What is kept of a poll just posted (its votes are counted against it)."""
    return PollRecord(
        message_id=result.message_id,
        occurrence_id=request.occurrence_id,
        channel_id=request.channel_id,
        step_key=request.step_key,
        question=question,
        text=poll.question,
        options=poll.options,
        multiple=poll.multiple,
        opened_at=at,
        expires_at=at + timedelta(hours=poll.hours),
        reactions=result.reaction_poll,
        end_with_recap=poll.until_recap,
    )


def _channel_for(post: Post, spec: ChatSpec) -> int:
    """Notices go to the moderators' channel, the recap to its own; the rest to the chat's."""
    if post.kind is StepKind.NOTICE:
        return spec.notice_channel
    if post.kind is StepKind.RECAP:
        return spec.recap.channel or spec.channel
    return spec.channel


def _thread_name(post: Post, spec: ChatSpec) -> str | None:
    """Each question gets a thread for its answers; the recap one for takeaways."""
    if post.kind is StepKind.QUESTION:
        return f"Q{post.question} · {spec.hashtag}"
    if post.kind is StepKind.RECAP:
        return f"Takeaways · {spec.hashtag}"
    return None

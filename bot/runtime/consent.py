"""Consent requests: forget me, forget this member (moderators), my data.

A request to be forgotten is a write of the answer queue
(:class:`bot.core.writes.ForgetPerson`), so it is ordered with the messages received
before it (they are stored, then erased) and, like them, retried until the database
takes it: a locked database delays it, never loses it. Once it is stored, the
published recaps that showed the person are marked for an update in the same
transaction; :meth:`ConsentRequests.forget` then has the live recaps read again, so they are
edited in place within ``RECAP_UPDATE_DELAY``, however old they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.core.errors import StorageError
from bot.core.personal import PersonalData
from bot.core.ports import Clock, ForgetRequest, ParticipantStore
from bot.core.writes import ForgetPerson
from bot.runtime.answer_writer import AnswerWriter
from bot.runtime.live_recaps import LiveRecaps

log = logging.getLogger(__name__)

#: How long a request waits for the database before the caller is told it is queued.
ANSWER_WITHIN = 2.0
#: How often a queued request is retried while the database refuses it.
RETRY_EVERY = timedelta(seconds=5)

Done = Callable[[ForgetRequest], Awaitable[None]]


class ConsentStore(ParticipantStore, Protocol):
    """What consent requests read: the person's requests and data."""


@dataclass(frozen=True)
class Forgetting:
    """The outcome of a request to be forgotten: applied now, or queued until the database
    takes it (``request`` None; the ``done`` callback is called then)."""

    request: ForgetRequest | None

    @property
    def applied(self) -> bool:
        """True when the request is stored and applied."""
        return self.request is not None


class ConsentRequests:
    """Forget-me, forget-user and my-data, over the store and the answer queue."""

    def __init__(
        self,
        store: ConsentStore,
        writer: AnswerWriter,
        live_recaps: LiveRecaps,
        clock: Clock,
        *,
        answer_within: float = ANSWER_WITHIN,
    ) -> None:
        self.store = store
        self.writer = writer
        self.live_recaps = live_recaps
        self.clock = clock
        self.answer_within = answer_within
        self._pending: set[asyncio.Task[None]] = set()
        #: Called with the user id once a request to forget them is applied (what keeps
        #: their data elsewhere, e.g. a planned suggested question, drops it).
        self.on_forgotten: list[Callable[[int], Awaitable[None]]] = []

    async def forget(
        self, user_id: int, *, actor: str = "", by_moderator: bool = False, done: Done | None = None
    ) -> Forgetting:
        """Forget ``user_id`` as of now. Returns at once when the database takes it within
        :attr:`answer_within` seconds; otherwise the request stays queued (never lost) and
        ``done`` is called once it is applied."""
        write = ForgetPerson(user_id, self.clock.now(), by_moderator, actor)
        waiter = asyncio.ensure_future(self.writer.submit(write))
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.answer_within)
        except (StorageError, TimeoutError) as error:
            log.warning("forget request queued until the database takes it: %s", error)
            if waiter.done():
                waiter.exception()  # seen: the write itself stays queued and is retried
            else:
                waiter.cancel()
            task = asyncio.create_task(self._finish_later(user_id, done))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return Forgetting(None)
        return Forgetting(await self._applied(user_id))

    async def _applied(self, user_id: int) -> ForgetRequest:
        request = await self.store.forget_request(user_id)
        assert request is not None
        await self.live_recaps.load()  # the old recaps marked for an update are live again
        for listener in self.on_forgotten:
            try:
                await listener(user_id)
            except Exception:
                log.exception("a listener of forget requests failed")
        return request

    async def _finish_later(self, user_id: int, done: Done | None) -> None:
        never = asyncio.Event()
        while True:
            try:
                await self.writer.flush()
                request = await self._applied(user_id)
                break
            except StorageError:
                await self.clock.sleep_until(self.clock.now() + RETRY_EVERY, never)
        log.info("a forget request queued earlier is applied")
        if done is not None:
            try:
                await done(request)
            except Exception:
                log.exception("telling the requester their data was forgotten failed")

    async def settle(self) -> None:
        """Wait for queued requests (tests and shutdown)."""
        while self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def my_data(self, user_id: int) -> PersonalData:
        """Everything stored about ``user_id``, nothing about anyone else."""
        return await self.store.personal_data(user_id)

"""Delivering alerts by direct message, exactly once.

One loop sleeps until the soonest member's delivery is due (woken early when new matches
or new settings arrive), like the engine's timers. For each due member:

1. **Intent.** :meth:`AlertStore.begin_alert_delivery` records a delivery with every
   pending match in one transaction, before anything is sent. A delivery begun before a
   crash and never finished is resumed instead: the member's DMs since its intent are
   searched for its mark (:func:`bot.render.alerts.marker`); found, it was sent, and is
   recorded as such; not found, it is sent now (with the same nonce key).
2. **Only what they can see.** Each match's channel (thread parent included) is checked
   with the member's permissions now (:meth:`DirectMessages.can_view`); a match they
   cannot view is marked unseen and never delivered, counted or hinted at. Then the
   consent filter (:func:`bot.core.alerts.model.build_digest`): forgotten authors' words
   are left out, opted-out authors are unnamed and unquoted.
3. **Send, then record.** The DM's message id is recorded with the matches it carried;
   those that did not fit in one message wait for the next, due at once.
4. **Refused** (50007: DMs closed): the matches stay pending, the refusal is recorded
   (``/alerts list`` says so), and the member is tried again at their next digest (an
   instant member after :data:`bot.core.alerts.digest.REFUSED_RETRY`).

Big digest runs are paced (:attr:`AlertDeliveries.pace`, DMs a second) so a run for
thousands of members stays below Discord's global limit of 50 requests a second and leaves
room for the chats' own posts: a delivery is up to three requests (the member, fetched
for their permissions once a minute; their DM channel, opened once a process; the DM),
so :data:`PACE` deliveries a second are at most 45 requests a second, 30 once the DM
channels are open.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.alerts import FollowedAlert, next_delivery
from bot.core.alerts.digest import INSTANT_BATCH
from bot.core.alerts.model import build_digest
from bot.core.alerts.records import PendingDelivery
from bot.core.errors import StorageError
from bot.core.ports import AlertStore, Clock, ParticipantStore
from bot.core.ports.direct import DirectMessageRefused, DirectMessages
from bot.render.alerts import marker, render_alert_digest
from bot.runtime.people import consent_of

log = logging.getLogger(__name__)

#: DMs a second at most during a digest run (Discord: 50 requests a second in all; a
#: delivery is up to 3 requests).
PACE = 15.0
#: After a failure that is not a refusal (network, 5xx), try the member again this late.
RETRY_SECONDS = 60.0


class AlertStores(AlertStore, ParticipantStore, Protocol):
    """What deliveries read and write: alerts, and the consent records."""


class AlertDeliveries:
    """The delivery loop and one member's delivery."""

    def __init__(self, store: AlertStores, direct: DirectMessages | None, clock: Clock) -> None:
        self.store = store
        self.direct = direct
        self.clock = clock
        self.pace = PACE
        #: An instant member gets at most one DM in this time.
        self.batch = INSTANT_BATCH
        self._wake = asyncio.Event()
        self._stopping = False
        self._pending_schedule: set[int] = set()
        self._overflow = False

    def matched(self, users: set[int]) -> None:
        """New matches were stored for ``users``: schedule their deliveries."""
        self._wake.set()

    def settings_changed(self, user_id: int) -> None:
        """A member changed their settings, paused or resumed: schedule them again, without
        waiting out a refusal (a member who reopened their DMs resumes to get what waits)."""
        self._pending_schedule.add(user_id)
        self._wake.set()

    async def schedule(self) -> None:
        """Give every member with pending matches and no delivery time one, and schedule again
        those whose settings changed."""
        changed, self._pending_schedule = self._pending_schedule, set()
        for user_id in sorted(changed):
            oldest = await self.store.oldest_pending_alert(user_id)
            await self._schedule_from(user_id, oldest, fresh=True)
        for user_id, oldest in await self.store.unscheduled_alert_people():
            await self._schedule_from(user_id, oldest)

    async def _schedule_from(
        self, user_id: int, oldest: datetime | None, *, fresh: bool = False
    ) -> None:
        person = await self.store.alert_person(user_id)
        if oldest is None:
            await self.store.schedule_alert_delivery(user_id, None)
            return
        refused = person.refused_at is not None and person.refused_at == person.last_attempt
        due = next_delivery(
            person.settings,
            oldest,
            person.last_attempt,
            refused=refused and not fresh,
            batch=self.batch,
        )
        await self.store.schedule_alert_delivery(user_id, due)

    async def run_forever(self) -> None:
        """Deliver what is due, then sleep until the next is (or until woken)."""
        while not self._stopping:
            self._wake.clear()
            try:
                await self.schedule()
                await self.deliver_due()
                when = await self.store.next_alert_due()
            except StorageError as error:
                log.warning("alerts: delivery loop: %s", error)
                when = None
                await asyncio.sleep(RETRY_SECONDS)
            await self.clock.sleep_until(when, self._wake)

    def stop(self) -> None:
        """Stop after the delivery in flight."""
        self._stopping = True
        self._wake.set()

    async def deliver_due(self) -> int:
        """Deliver to every member whose delivery is due now; returns how many DMs were sent."""
        sent = 0
        loop = asyncio.get_running_loop()
        for user_id in await self.store.due_alert_people(self.clock.now()):
            if self._stopping:
                break
            started = loop.time()
            if await self.deliver(user_id):
                sent += 1
                if self.pace > 0:
                    await asyncio.sleep(max(0.0, 1.0 / self.pace - (loop.time() - started)))
        return sent

    async def deliver(self, user_id: int) -> bool:
        """One member's delivery (see the module docstring); True when a DM was sent."""
        now = self.clock.now()
        delivery = await self.store.begin_alert_delivery(user_id, now)
        if delivery is None:
            await self.store.schedule_alert_delivery(user_id, None)
            return False
        key = marker(delivery.id)
        if delivery.resumed and self.direct is not None:
            found = await self.direct.find_dm(user_id, key, delivery.intent_at)
            if found is not None:
                await self._finish_sent(delivery, found, None)
                return False
        return await self._send(delivery, key)

    async def _visible(self, delivery: PendingDelivery) -> tuple[list[int], set[tuple[int, int]]]:
        """Indexes of the delivery's matches the member can view, and the others' keys."""
        seen: dict[tuple[int, int, int | None], bool] = {}
        visible, unseen = [], set()
        for index, match in enumerate(delivery.matches):
            where = (match.guild_id, match.channel_id, match.thread_id)
            if where not in seen:
                seen[where] = self.direct is not None and await self.direct.can_view(
                    delivery.user_id, *where
                )
            if seen[where]:
                visible.append(index)
            else:
                unseen.add((match.message_id, match.alert_id))
        return visible, unseen

    async def _content(
        self, delivery: PendingDelivery
    ) -> tuple[str | None, set[tuple[int, int]], set[tuple[int, int]]]:
        """The DM text (None: nothing to show), the keys it carries, and the unseen keys."""
        visible, unseen = await self._visible(delivery)
        person = await self.store.alert_person(delivery.user_id)
        alerts: dict[int, FollowedAlert] = {
            alert.id: alert for alert in await self.store.alerts_of(delivery.user_id)
        }
        consent = await consent_of(self.store)
        matches = [delivery.matches[index] for index in visible]
        digest = build_digest(delivery.id, person.settings.mode, matches, alerts, consent)
        all_keys = {(m.message_id, m.alert_id) for m in matches}
        kept = {key for item in digest.items for key in item.keys}
        unseen |= all_keys - kept  # forgotten authors' words: gone, like unseen ones
        if not digest.items:
            return None, set(), unseen
        rendered = render_alert_digest(digest)
        carried = {key for item in digest.items[: rendered.shown] for key in item.keys}
        self._overflow = rendered.shown < len(digest.items)
        return rendered.text, carried, unseen

    async def _send(self, delivery: PendingDelivery, key: str) -> bool:
        self._overflow = False
        text, carried, unseen = await self._content(delivery)
        now = self.clock.now()
        if text is None or self.direct is None:
            await self.store.finish_alert_delivery(delivery, outcome="empty", at=now, unseen=unseen)
            await self._reschedule(delivery.user_id)
            return False
        try:
            message_id = await self.direct.send_dm(delivery.user_id, text, key)
        except DirectMessageRefused:
            log.info("alerts: %s does not accept DMs (50007); kept for later", delivery.user_id)
            await self.store.finish_alert_delivery(
                delivery, outcome="refused", at=now, unseen=unseen
            )
            await self._reschedule(delivery.user_id)
            return False
        except Exception:
            # Not recorded as refused: the delivery stays open, and is resumed (looked for,
            # then sent) at the next try.
            log.exception("alerts: DM to %s failed; retrying later", delivery.user_id)
            await self.store.schedule_alert_delivery(
                delivery.user_id, self.clock.now() + timedelta(seconds=RETRY_SECONDS)
            )
            return False
        await self._finish_sent(delivery, message_id, (carried, unseen))
        return True

    async def _finish_sent(
        self,
        delivery: PendingDelivery,
        message_id: int,
        content: tuple[set[tuple[int, int]], set[tuple[int, int]]] | None,
    ) -> None:
        if content is None:
            _text, carried, unseen = await self._content(delivery)
        else:
            carried, unseen = content
        await self.store.finish_alert_delivery(
            delivery,
            outcome="sent",
            at=self.clock.now(),
            dm_message_id=message_id,
            sent=carried,
            unseen=unseen,
        )
        await self._reschedule(delivery.user_id)

    async def _reschedule(self, user_id: int) -> None:
        await self._schedule_from(user_id, await self.store.oldest_pending_alert(user_id))

"""Keyword alerts in the runtime: watching every message, and what the commands do.

:class:`AlertWatcher` sees every message the bot reads (new, edited, backfilled) and
every delete. Matching is in memory, synchronous and cheap (one automaton pass per
message, :class:`bot.core.alerts.AlertIndex`); only matches are written, in batches,
off the ingest path, with the newest message id read per channel (where backfill
resumes). A message never alerts its author, a member who posted in the same channel
(or thread) in the last five minutes, a paused member, one who blocked its author or
channel, nor anyone for a channel a moderator excluded. Whether the member can see the
channel is checked at delivery (:mod:`bot.runtime.alert_delivery`), when it matters.

:class:`Alerts` is what the ``/alerts`` commands call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.alerts import (
    AlertIndex,
    AlertRefused,
    DigestSettings,
    FollowedAlert,
    parse_digest,
    parse_keywords,
)
from bot.core.alerts.records import AlertMatch, AlertPerson, AlertsState, BlockKind
from bot.core.errors import StorageError
from bot.core.ports import AlertStore, Clock
from bot.runtime.routing import IncomingMessage
from bot.runtime.speed import handing_over

log = logging.getLogger(__name__)

#: A member who posted in a channel this recently is there already: no alert from it.
RECENT = timedelta(minutes=5)
#: A channel's recent posters are pruned when there are more than this many (every this
#: many messages, by message id).
PRUNE_AT = 64
#: Matches are written at most this long after they are found (one transaction a batch).
FLUSH_DELAY = 0.5
#: Without matches, the channels' newest message ids (where backfill resumes) are written
#: at most this long after they are read: a crash in between only means reading again.
CURSOR_DELAY = 5.0
#: The longest text kept of a matched message (the DM shows a snippet).
MAX_KEPT = 1000


class AlertWatcher:
    """Matches every message against the alerts of its server and stores the matches."""

    def __init__(self, store: AlertStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._indexes: dict[int, AlertIndex] = {}
        self._followed: dict[int, list[FollowedAlert]] = {}
        self._paused: frozenset[int] = frozenset()
        self._blocks: dict[int, set[tuple[BlockKind, int]]] = {}
        self._excluded: frozenset[int] = frozenset()
        #: channel or thread id -> {member id: when they last posted there}
        self._recent: dict[int, dict[int, datetime]] = {}
        self._found: list[AlertMatch] = []
        self._still: dict[int, set[int]] = {}
        self._cursors: dict[int, tuple[int, int]] = {}
        self._flush_task: asyncio.Task[None] | None = None
        self._flush_at = 0.0
        #: Called with the members who got new matches, after they are committed.
        self.on_matched: list[Callable[[set[int]], None]] = []

    async def load(self) -> None:
        """Read every alert, pause, block and excluded channel from the store (at start)."""
        state = await self.store.alerts_state()
        by_guild: dict[int, list[FollowedAlert]] = {}
        for alert_id, guild_id, user_id, shown in state.alerts:
            followed = FollowedAlert(alert_id, guild_id, user_id, parse_keywords(shown))
            by_guild.setdefault(guild_id, []).append(followed)
        self._followed = by_guild
        self._indexes = {guild: AlertIndex(alerts) for guild, alerts in by_guild.items()}
        self._use_filters(state)

    def _use_filters(self, state: AlertsState) -> None:
        self._paused = state.paused
        blocks: dict[int, set[tuple[BlockKind, int]]] = {}
        for user_id, kind, target in state.blocks:
            blocks.setdefault(user_id, set()).add((kind, target))
        self._blocks = blocks
        self._excluded = state.excluded

    async def load_filters(self) -> None:
        """Read pauses, blocks and excluded channels again (after one changed)."""
        self._use_filters(await self.store.alerts_state(with_alerts=False))

    async def changed(
        self, guild_id: int, added: FollowedAlert | None, removed: int | None
    ) -> None:
        """An alert of ``guild_id`` was followed or unfollowed: that server's index is built
        again, in a thread, so a server with tens of thousands of alerts never holds the
        event loop (the gateway's heartbeats) while it is built."""
        alerts = [a for a in self._followed.get(guild_id, []) if a.id != removed]
        if added is not None:
            alerts.append(added)
        index = await asyncio.to_thread(AlertIndex, alerts)
        self._followed[guild_id] = alerts
        self._indexes[guild_id] = index

    def followed_guilds(self) -> set[int]:
        """The servers where someone follows an alert (backfill reads their channels)."""
        return {guild for guild, index in self._indexes.items() if len(index)}

    def excluded(self, channel_id: int) -> bool:
        """Whether a moderator excluded the channel from alerts."""
        return channel_id in self._excluded

    # ------------------------------------------------------------------ watching
    def observe(self, guild_id: int, message: IncomingMessage) -> int:
        """A new, edited or backfilled message of a server's channel or thread (not a bot's):
        match it and queue its matches; returns how many. Never waits."""
        where = message.thread_id or message.channel_id
        if not self._cursors:
            self._schedule_flush(CURSOR_DELAY)  # where backfill resumes, written now and then
        cursor = self._cursors.get(where)
        if cursor is None or cursor[1] < message.message_id:
            self._cursors[where] = (guild_id, message.message_id)
        recent = self._recent.get(where)
        if recent is None:
            recent = self._recent[where] = {}
        index = self._indexes.get(guild_id)
        found = 0
        if index is not None and not (
            message.channel_id in self._excluded or where in self._excluded
        ):
            hits = index.match(message.content)
            edited = message.edited_at is not None
            if edited:
                self._still[message.message_id] = set()
            since = message.created_at - RECENT if hits else message.created_at
            for alert in hits:
                if not self._alerts(alert.user_id, message, recent, since):
                    continue
                if edited:
                    self._still[message.message_id].add(alert.id)
                self._found.append(self._match(guild_id, alert, message))
                found += 1
            if edited or found:
                self._schedule_flush()
        if message.edited_at is None:
            last = recent.get(message.author_id)
            if last is None or last < message.created_at:
                recent[message.author_id] = message.created_at
            if len(recent) > PRUNE_AT and not message.message_id % PRUNE_AT:
                # Now and then (constant work per message on average), forget who posted
                # long ago, so a busy channel's list stays short.
                cutoff = message.created_at - RECENT
                self._recent[where] = {u: at for u, at in recent.items() if at >= cutoff}
        return found

    def _alerts(
        self,
        user_id: int,
        message: IncomingMessage,
        recent: dict[int, datetime],
        since: datetime,
    ) -> bool:
        if user_id == message.author_id or user_id in self._paused:
            return False
        posted = recent.get(user_id)
        if posted is not None and posted >= since:
            return False
        blocks = self._blocks.get(user_id)
        return not blocks or not (
            (BlockKind.MEMBER, message.author_id) in blocks
            or (BlockKind.CHANNEL, message.channel_id) in blocks
            or (BlockKind.CHANNEL, message.thread_id or 0) in blocks
        )

    def _match(self, guild_id: int, alert: FollowedAlert, message: IncomingMessage) -> AlertMatch:
        return AlertMatch(
            message_id=message.message_id,
            alert_id=alert.id,
            user_id=alert.user_id,
            guild_id=guild_id,
            channel_id=message.channel_id,
            thread_id=message.thread_id,
            author_id=message.author_id,
            author_name=message.author_name,
            content=message.content[:MAX_KEPT],
            created_at=message.created_at,
            found_at=self.clock.now(),
        )

    def withdraw(self, message_ids: list[int]) -> None:
        """Deleted messages: their matches leave any delivery not sent yet."""
        for message_id in message_ids:
            self._still[message_id] = set()
        if message_ids:
            self._schedule_flush()

    # ------------------------------------------------------------------- writing
    def _schedule_flush(self, delay: float = FLUSH_DELAY) -> None:
        loop = asyncio.get_running_loop()
        at = loop.time() + delay
        if self._flush_task is not None and not self._flush_task.done():
            if self._flush_at <= at:
                return
            self._flush_task.cancel()  # a sooner flush is wanted (matches after cursors)
        self._flush_at = at
        self._flush_task = loop.create_task(self._flush_later(delay))

    async def _flush_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.flush()

    async def flush(self) -> None:
        """Write what is queued now (one transaction), then tell :attr:`on_matched`."""
        found, still, cursors = self._found, self._still, self._cursors
        if not (found or still or cursors):
            return
        self._found, self._still, self._cursors = [], {}, {}
        try:
            # Written while the gateway may be flooding the loop: hand the GIL to the
            # database thread as the answers' writer does (bot.runtime.speed).
            await handing_over(self.store.record_alert_matches(found, still, cursors))
        except StorageError as error:
            # Kept for the next flush: a match is never dropped for a busy database.
            log.warning("alerts: could not store %d match(es): %s", len(found), error)
            self._found[:0] = found
            for message_id, alerts in still.items():
                self._still.setdefault(message_id, set()).update(alerts)
            for channel, cursor in cursors.items():
                self._cursors.setdefault(channel, cursor)
            return
        users = {match.user_id for match in found}
        if users:
            for listener in self.on_matched:
                listener(users)

    async def close(self) -> None:
        """Write what is queued (at shutdown)."""
        if self._flush_task is not None:
            self._flush_task.cancel()
        await self.flush()


@dataclass(frozen=True)
class AlertStatus:
    """What ``/alerts list`` shows: the alerts, the settings, and why nothing arrives."""

    alerts: list[FollowedAlert]
    person: AlertPerson
    blocks: list[tuple[BlockKind, int]]


class Alerts:
    """What the ``/alerts`` commands do (each re-reads the watcher's state after a change)."""

    def __init__(self, store: AlertStore, watcher: AlertWatcher, clock: Clock) -> None:
        self.store = store
        self.watcher = watcher
        self.clock = clock
        #: Called after a member's delivery settings changed (the deliveries reschedule).
        self.on_settings: list[Callable[[int], None]] = []

    async def follow(self, guild_id: int, user_id: int, text: str) -> FollowedAlert:
        """``/alerts follow``: validate and store an alert."""
        keywords = parse_keywords(text)
        followed = await self.store.follow_alert(guild_id, user_id, keywords, self.clock.now())
        await self.watcher.changed(guild_id, followed, None)
        return followed

    async def unfollow(self, user_id: int, alert_id: int) -> FollowedAlert:
        """``/alerts unfollow``: drop one of the member's alerts."""
        dropped = await self.store.unfollow_alert(user_id, alert_id)
        if dropped is None:
            raise AlertRefused(
                "You follow no such alert: pick one from the list `/alerts unfollow` offers."
            )
        await self.watcher.changed(dropped.guild_id, None, dropped.id)
        return dropped

    async def status(self, user_id: int, guild_id: int | None) -> AlertStatus:
        """``/alerts list``."""
        return AlertStatus(
            await self.store.alerts_of(user_id, guild_id),
            await self.store.alert_person(user_id),
            await self.store.alert_blocks_of(user_id),
        )

    async def set_paused(self, user_id: int, paused: bool) -> None:
        """``/alerts pause`` and ``/alerts resume``."""
        await self.store.set_alerts_paused(user_id, paused, self.clock.now())
        await self.watcher.load_filters()
        for listener in self.on_settings:
            listener(user_id)

    async def set_digest(
        self, user_id: int, mode: str, at: str | None, zone: str | None
    ) -> DigestSettings:
        """``/alerts digest``: validate and store the delivery settings."""
        current = (await self.store.alert_person(user_id)).settings
        settings = parse_digest(mode, at, zone, current)
        await self.store.save_alert_settings(user_id, settings, self.clock.now())
        for listener in self.on_settings:
            listener(user_id)
        return settings

    async def test(self, guild_id: int, user_id: int, text: str) -> list[FollowedAlert]:
        """``/alerts test``: which of the member's alerts ``text`` triggers."""
        mine = await self.store.alerts_of(user_id, guild_id)
        return AlertIndex(mine).match(text)

    async def block(self, user_id: int, kind: BlockKind, target_id: int, blocked: bool) -> bool:
        """``/alerts block`` and ``unblock``; False when nothing changed."""
        changed = await self.store.set_alert_block(user_id, kind, target_id, blocked)
        await self.watcher.load_filters()
        return changed

    async def exclude(self, guild_id: int, channel_id: int, by: int, excluded: bool) -> bool:
        """``/alerts channels`` (moderators): exclude or include a channel; False if unchanged."""
        changed = await self.store.set_alert_excluded(
            guild_id, channel_id, by, self.clock.now(), excluded
        )
        await self.watcher.load_filters()
        return changed

    async def excluded(self, guild_id: int) -> list[int]:
        """The channels of a server excluded from alerts."""
        return await self.store.excluded_channels(guild_id)

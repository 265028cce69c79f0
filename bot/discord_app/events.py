"""Each occurrence as a Discord guild scheduled event, so members can press Interested.

The event is created when the occurrence is planned, moved when its plan moves,
set active when the chat starts, completed when it closes, and cancelled with
it. An occurrence dropped before it started (its chat was rescheduled or its file
removed) has its event cancelled, so members never see a chat at a time it will not
happen; events left behind by a crash between the two are swept at the next start.
Updates run in the background so a slow API never delays a question. A missing Manage
Events permission is logged once and told to moderators once (in the chat's moderator
channel when it has one).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import discord

from bot.core.plan import StepKind
from bot.core.ports import EventLink, EventLinkStore
from bot.core.run import Phase, Run
from bot.core.spec import ChatSpec

log = logging.getLogger(__name__)


def _status_for(phase: Phase) -> str | None:
    if phase in (Phase.SCHEDULED, Phase.ANNOUNCED):
        return "scheduled"
    if phase.live:
        return "active"
    if phase in (Phase.LATE_ANSWERS, Phase.RECAPPED):
        return "completed"
    if phase in (Phase.CANCELLED, Phase.MISSED):
        return "cancelled"
    return None


class ScheduledEvents:
    """Keeps guild scheduled events in step with occurrences."""

    def __init__(self, client: discord.Client, store: EventLinkStore) -> None:
        self.client = client
        self.store = store
        self._locks: dict[int, asyncio.Lock] = {}
        self._forbidden_guilds: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def on_run_saved(self, run: Run, spec: ChatSpec) -> None:
        """Engine listener: bring the occurrence's event up to date in the background."""
        task = asyncio.create_task(self._sync(run, spec))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def on_dropped(self, occurrence_id: int) -> None:
        """Planner listener: cancel the dropped occurrence's event in the background."""
        task = asyncio.create_task(self._retire(occurrence_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def sweep(self) -> None:
        """Cancel the events of every occurrence dropped while their event was kept (at start)."""
        for link in await self.store.orphan_event_links():
            await self._retire(link.occurrence_id)

    async def _retire(self, occurrence_id: int) -> None:
        lock = self._locks.setdefault(occurrence_id, asyncio.Lock())
        async with lock:
            link = await self.store.event_link(occurrence_id)
            if link is None:
                return
            try:
                if link.status in ("scheduled", "active"):
                    guild = self.client.get_guild(link.guild_id)
                    if guild is None:
                        return  # not connected to it (yet): the next start's sweep retries
                    event = await guild.fetch_scheduled_event(link.event_id)
                    await (event.cancel() if link.status == "scheduled" else event.end())
                    log.info("scheduled event %s cancelled (occurrence dropped)", link.event_id)
            except discord.NotFound:
                pass  # deleted by hand: nothing left to cancel
            except discord.HTTPException as error:
                log.warning("scheduled event %s not cancelled: %s", link.event_id, error)
                return  # kept: the next start's sweep retries
            await self.store.delete_event_link(occurrence_id)
        self._locks.pop(occurrence_id, None)

    async def drain(self) -> None:
        """Wait for updates in flight (at shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _sync(self, run: Run, spec: ChatSpec) -> None:
        lock = self._locks.setdefault(run.occurrence_id, asyncio.Lock())
        async with lock:
            try:
                await self._sync_locked(run, spec)
            except discord.Forbidden:
                await self._forbidden(spec)
            except discord.HTTPException as error:
                log.warning("scheduled event for %s: %s", spec.id, error)

    async def _sync_locked(self, run: Run, spec: ChatSpec) -> None:
        channel = self.client.get_channel(spec.channel)
        if not isinstance(channel, discord.abc.GuildChannel):
            return
        guild = channel.guild
        if guild.id in self._forbidden_guilds:
            return
        wanted = _status_for(run.phase)
        start = next(s.due for s in run.steps if s.kind is StepKind.INTRO)
        end = next(s.due for s in run.steps if s.kind is StepKind.CLOSING)
        link = await self.store.event_link(run.occurrence_id)
        if link is None:
            if wanted != "scheduled" or start <= self.client_now():
                return
            event = await guild.create_scheduled_event(
                name=f"{spec.title} {spec.hashtag}"[:100],
                start_time=start,
                end_time=end,
                entity_type=discord.EntityType.external,
                location=f"#{channel.name}"[:100],
                privacy_level=discord.PrivacyLevel.guild_only,
                description=(spec.intro or spec.title)[:1000],
            )
            await self.store.save_event_link(
                EventLink(run.occurrence_id, guild.id, event.id, start, end, "scheduled")
            )
            log.info("scheduled event created for %s at %s", spec.id, start.isoformat())
            return
        if (link.status, link.start, link.end) == (wanted, start, end) or link.status in (
            "completed",
            "cancelled",
        ):
            return
        event = await guild.fetch_scheduled_event(link.event_id)
        if wanted == "scheduled" and (link.start, link.end) != (start, end):
            if start <= self.client_now():  # started early: the event goes active next
                return
            await event.edit(start_time=start, end_time=end)
        elif wanted == "active" and link.status == "scheduled":
            await event.start()
        elif wanted == "completed" and link.status == "active":
            await event.end()
        elif wanted in ("cancelled", "completed") and link.status == "scheduled":
            await event.cancel()
            wanted = "cancelled"
        await self.store.save_event_link(
            EventLink(run.occurrence_id, guild.id, link.event_id, start, end, wanted or link.status)
        )

    def client_now(self) -> datetime:
        """Now, for the rule that an event must start in the future."""
        return discord.utils.utcnow()

    async def _forbidden(self, spec: ChatSpec) -> None:
        """Tell moderators once per guild, in the chat's moderator channel, to grant Manage
        Events."""
        channel = self.client.get_channel(spec.channel)
        if (
            not isinstance(channel, discord.abc.GuildChannel)
            or channel.guild.id in self._forbidden_guilds
        ):
            return
        self._forbidden_guilds.add(channel.guild.id)
        log.warning(
            "guild %s: no Manage Events permission; chats are not listed as events",
            channel.guild.id,
        )
        moderators = self.client.get_channel(spec.notice_channel)
        if not isinstance(moderators, discord.abc.Messageable):
            log.warning(
                "could not tell moderators about Manage Events: no text channel %s",
                spec.notice_channel,
            )
            return
        try:
            await moderators.send(
                "🛠️ Moderators: grant me **Manage Events** to list each chat as a server event "
                "(members can then press Interested and get Discord's reminders).",
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as error:
            log.warning("could not tell moderators about Manage Events: %s", error)

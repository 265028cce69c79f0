"""The discord.py client: intents, the /chat commands, listeners and the engine's loop.

With ``DISCORD_API_BASE`` set, REST goes to that base (``Route.BASE``) and, since
``Client.connect`` never asks Discord where the gateway is, ``setup_hook`` asks
``GET /gateway/bot`` at that base and points ``DiscordWebSocket.DEFAULT_GATEWAY``
at the answer before the first connection.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.discord_app.backfill import backfill
from bot.discord_app.commands import ChatCommands
from bot.discord_app.diagnostics import check_chat_channels
from bot.discord_app.events import ScheduledEvents
from bot.discord_app.listeners import Listeners
from bot.discord_app.services import Services
from bot.health import INTERVAL, heartbeat_path, write_heartbeat

log = logging.getLogger(__name__)

#: How long shutdown waits for queued answers to be stored (a broken database must not
#: hang it; what is left is backfilled at the next start).
SHUTDOWN_FLUSH_GRACE = 5.0


def intents() -> discord.Intents:
    """Guilds, guild messages, message content (privileged) and guild reactions."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    wanted.guild_reactions = True
    return wanted


def point_at(api_base: str) -> None:
    """Send REST to ``api_base`` instead of discord.com (the gateway follows in setup_hook)."""
    Route.BASE = f"{api_base.rstrip('/')}/api/v10"


class ChatBot(discord.Client):
    """Hosts the chats of every guild it is in."""

    services: Services
    listeners: Listeners
    events: ScheduledEvents

    def __init__(self, *, ready_timeout: float = 2.0) -> None:
        super().__init__(
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=ready_timeout,
        )
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(ChatCommands())
        self._engine_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._synced_guilds: set[int] = set()

    def attach(self, services: Services) -> None:
        """Give the client the bot's parts (built after the client, as the venue needs it)."""
        self.services = services
        self.listeners = Listeners(self, services.collector)
        self.events = ScheduledEvents(self, services.store)

    async def setup_hook(self) -> None:
        """After login, before the gateway: find the gateway, load chats, wire the engine."""
        if self.services.settings.api_base:
            data = await self.http.request(Route("GET", "/gateway/bot"))
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(data["url"])
            log.info("using the gateway at %s", data["url"])
        engine = self.services.engine
        engine.on_run_saved.append(self.services.collector.on_run_saved)
        engine.on_run_saved.append(self.events.on_run_saved)
        engine.planner.on_dropped.append(self.events.on_dropped)
        self.services.collector.on_stored.append(engine.live_recaps.changed)
        chats = await self.services.reload()
        for problem in chats.problems:
            log.warning("chat file problem: %s", problem)
        log.info("%d chat(s) loaded from %s", len(chats.specs), self.services.settings.chats_dir)

    async def on_ready(self) -> None:
        """First connection: sync commands, check permissions, start the loop. Always: backfill."""
        for guild in self.guilds:
            if guild.id not in self._synced_guilds:
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
                self._synced_guilds.add(guild.id)
        if self._engine_task is None:
            for line in await check_chat_channels(self, self.services):
                log.info("check: %s", line)
            # Occurrences planned before the guilds were known get their server events now.
            for occurrence in await self.services.store.occurrences(unfinished=True):
                await self.events.on_run_saved(occurrence.run, occurrence.spec)
            await self.events.sweep()
            await self.events.drain()
            # Known before backfill stores what was missed, so those changes update them.
            await self.services.engine.live_recaps.load()
            self._engine_task = asyncio.create_task(self.services.engine.run_forever())
            self._heartbeat_task = asyncio.create_task(self._heartbeat())
        log.info("connected as %s to %d guild(s)", self.user, len(self.guilds))
        await backfill(self, self.services.collector, self.services.store)

    async def on_resumed(self) -> None:
        """After a resumed session the gateway replays events; backfill covers any gap."""
        log.info("reconnected (resumed)")
        await backfill(self, self.services.collector, self.services.store, full=False)

    async def _heartbeat(self) -> None:
        path = heartbeat_path(self.services.settings.database_path)
        while not self.is_closed():
            try:
                write_heartbeat(
                    path, self.services.now(), connected=not self.is_closed() and self.is_ready()
                )
            except OSError as error:
                log.warning("could not write the heartbeat: %s", error)
            await asyncio.sleep(INTERVAL.total_seconds())

    async def shutdown(self) -> None:
        """Stop the loop (posts in flight finish), flush event updates, close the connection,
        then store the answers still queued (a burst in flight at SIGTERM is not lost)."""
        await self.services.engine.stop()
        for task in (self._engine_task, self._heartbeat_task):
            if task is not None:
                task.cancel()
        await self.events.drain()
        await self.close()
        await self.services.collector.close(grace=SHUTDOWN_FLUSH_GRACE)

    # Gateway events, delegated to the listeners.
    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        """discord.py's dispatch, with new messages handed to the listeners at once.

        discord.py runs every ``on_<event>`` handler in a task of its own; at a post a
        second that costs little, but a burst of thousands of messages a second spends
        more time creating tasks than attributing answers. Handling a message never waits
        (it is attributed in memory and queued for the batched writer), so it is called
        directly here; ``wait_for`` and any other listener still get the event.
        """
        if event == "message":
            self.listeners.message(args[0])
        super().dispatch(event, *args, **kwargs)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self.listeners.on_raw_message_edit(payload)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        await self.listeners.on_raw_message_delete(payload)

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        await self.listeners.on_raw_bulk_message_delete(payload)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self.listeners.on_raw_reaction_add(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self.listeners.on_raw_reaction_remove(payload)

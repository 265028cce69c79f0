"""The discord.py bot: intents, cogs, command syncs, and the runtime's start and stop.

``ChatBot`` is built from the settings, the store and a clock: it wires its runtime with
:func:`bot.runtime.root.build_runtime` (the venue is the bot itself, through
:class:`bot.discord_app.venue.DiscordVenue`) and hands each cog the services it needs in
``setup_hook``: ``/chat`` (everyone), ``/host`` (moderators) and the gateway listeners.

With ``DISCORD_API_BASE`` set, REST goes to that base (``Route.BASE``) and, since
``Client.connect`` never asks Discord where the gateway is, ``setup_hook`` asks
``GET /gateway/bot`` at that base and points ``DiscordWebSocket.DEFAULT_GATEWAY``
at the answer before the first connection.

With ``SHARD_COUNT`` set, :func:`make_bot` builds a :class:`ShardedChatBot` (discord.py's
``AutoShardedBot``) over ``SHARD_IDS``: the process receives only its shards' guilds, and
its engine claims each chat's lease before running its steps (the chats of its own guilds
first, others' when their process stopped renewing; see :mod:`bot.runtime.leases`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import timedelta
from typing import Any

import discord
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import Settings
from bot.core.ports import Clock, Store
from bot.discord_app.alert_backfill import backfill_alerts
from bot.discord_app.alerts_cog import AlertCommands
from bot.discord_app.backfill import backfill
from bot.discord_app.board_cog import BoardCommands
from bot.discord_app.chat_cog import ChatCommands
from bot.discord_app.diagnostics import check_chat_channels
from bot.discord_app.direct import DiscordDirect
from bot.discord_app.events import ScheduledEvents
from bot.discord_app.forms import BUTTONS as FORM_BUTTONS
from bot.discord_app.host_cog import HostCommands
from bot.discord_app.listeners import Listeners
from bot.discord_app.polls import PollListeners, reconcile_polls
from bot.discord_app.services import Services
from bot.discord_app.suggestion_review import BUTTONS as SUGGESTION_BUTTONS
from bot.discord_app.suggestions import SuggestionVotes
from bot.discord_app.tree import ChatTree, sync_commands
from bot.discord_app.venue import DiscordVenue
from bot.health import INTERVAL, heartbeat_path, write_heartbeat
from bot.runtime.root import RuntimeSettings, build_runtime

log = logging.getLogger(__name__)

#: How long shutdown waits for queued answers to be stored (a broken database must not
#: hang it; what is left is backfilled at the next start).
SHUTDOWN_FLUSH_GRACE = 5.0


def intents() -> discord.Intents:
    """Guilds, guild messages, message content (privileged), guild reactions and guild poll
    votes."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    wanted.guild_reactions = True
    wanted.guild_polls = True
    return wanted


def point_at(api_base: str) -> None:
    """Send REST to ``api_base`` instead of discord.com (the gateway follows in setup_hook)."""
    Route.BASE = f"{api_base.rstrip('/')}/api/v10"


def process_name(settings: Settings) -> str:
    """This process's name in the leases: host, pid and shards (unique while it runs)."""
    shards = ",".join(str(n) for n in settings.shard_ids or range(settings.shard_count or 1))
    return f"{socket.gethostname()}:{os.getpid()}:shards={shards}"


def runtime_settings(settings: Settings) -> RuntimeSettings:
    """What the runtime takes from the bot's settings: leases only when sharded (several
    processes may then share the store)."""
    return RuntimeSettings(
        recap_update_delay=timedelta(seconds=settings.recap_update_delay),
        alerts_batch=timedelta(seconds=settings.alerts_batch),
        archive_dir=settings.archive_dir,
        archive_url=settings.archive_url,
        lease_owner=process_name(settings) if settings.shard_count is not None else None,
        lease_time=timedelta(seconds=settings.lease_seconds),
    )


class ChatBot(commands.Bot):
    """Hosts the chats of every guild it is in. Slash commands only: no prefix commands,
    so no command depends on message content."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        clock: Clock,
        *,
        ready_timeout: float = 2.0,
        **options: Any,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            tree_cls=ChatTree,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=ready_timeout,
            **options,
        )
        wiring = runtime_settings(settings)
        #: This process's name in the leases (None: the only process).
        self.lease_owner = wiring.lease_owner
        self.runtime = build_runtime(
            store,
            DiscordVenue(self),
            clock,
            wiring,
            direct=DiscordDirect(self),
            is_home=self.is_home,
        )
        self.services = Services(settings, store, self.runtime)
        self.listeners = Listeners(self, self.runtime.collector, self.runtime.alert_watcher)
        #: Guild scheduled events follow the runtime's occurrences.
        self.events = ScheduledEvents(self, store)
        self.runtime.engine.on_run_saved.append(self.events.on_run_saved)
        self.runtime.planner.on_dropped.append(self.events.on_dropped)
        self._engine_task: asyncio.Task[None] | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._alerts_task: asyncio.Task[None] | None = None

    def is_home(self, channel_id: int) -> bool:
        """Whether the channel's guild is on this process's shards (its events come here)."""
        return self.get_channel(channel_id) is not None

    async def add_cogs(self) -> None:
        """The gateway listeners, ``/chat``, ``/host`` and ``/board`` (with the Save to board
        message menu), each given its services; the persistent buttons."""
        await self.add_cog(self.listeners)
        await self.add_cog(PollListeners(self, self.runtime.polls))
        await self.add_cog(ChatCommands(self.services))
        await self.add_cog(HostCommands(self.services))
        await self.add_cog(BoardCommands(self, self.services))
        await self.add_cog(AlertCommands(self.services))
        # The buttons of /host new, edit and delete, on messages sent before a restart too.
        self.add_dynamic_items(*FORM_BUTTONS)
        # /host suggestions: its buttons (persistent too) and the 👍 votes on suggestions.
        await self.add_cog(SuggestionVotes(self))
        self.add_dynamic_items(*SUGGESTION_BUTTONS)

    async def setup_hook(self) -> None:
        """After login, before the gateway: find the gateway, add the cogs, load the chats."""
        if self.services.settings.api_base:
            data = await self.http.request(Route("GET", "/gateway/bot"))
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(data["url"])
            log.info("using the gateway at %s", data["url"])
        await self.add_cogs()
        await self.runtime.alert_watcher.load()
        chats = await self.services.reload()
        for problem in chats.problems:
            log.warning("chat file problem: %s", problem)
        log.info("%d chat(s) loaded from %s", len(chats.specs), self.services.settings.chats_dir)

    async def on_ready(self) -> None:
        """Every connection: sync commands that changed. The first: check permissions, bring
        scheduled events up to date, start the runtime. Always: backfill."""
        for guild in self.guilds:
            await sync_commands(self.tree, guild, self.services.store, self.services.now())
        if self._engine_task is None:
            for line in await check_chat_channels(self, self.services):
                log.info("check: %s", line)
            # Occurrences planned before the guilds were known get their server events now.
            for occurrence in await self.services.store.occurrences(unfinished=True):
                await self.events.on_run_saved(occurrence.run, occurrence.spec)
            await self.events.sweep()
            await self.events.drain()
            # Live recaps are known before backfill stores what was missed, so those changes
            # update them.
            self._engine_task = await self.runtime.start()
            self._heartbeat_task = asyncio.create_task(self._heartbeat())
            self._alerts_task = asyncio.create_task(
                self.runtime.alert_deliveries.run_forever(), name="alerts"
            )
        log.info("connected as %s to %d guild(s)", self.user, len(self.guilds))
        await backfill(self, self.runtime.collector, self.services.store)
        await backfill_alerts(self, self.runtime.alert_watcher, self.services.store)
        # Votes cast while the bot was away (no events for them) are read from Discord.
        await reconcile_polls(self, self.runtime.polls)

    async def on_resumed(self) -> None:
        """After a resumed session the gateway replays events; backfill covers any gap."""
        log.info("reconnected (resumed)")
        await backfill(self, self.runtime.collector, self.services.store, full=False)
        await backfill_alerts(self, self.runtime.alert_watcher, self.services.store)

    async def _heartbeat(self) -> None:
        settings = self.services.settings
        path = heartbeat_path(settings.database_path, settings.shard_ids)
        while not self.is_closed():
            try:
                write_heartbeat(
                    path,
                    self.services.now(),
                    connected=not self.is_closed() and self.is_ready(),
                    shards=self.shard_status(),
                    owner=self.lease_owner,
                )
            except OSError as error:
                log.warning("could not write the heartbeat: %s", error)
            await asyncio.sleep(INTERVAL.total_seconds())

    async def shutdown(self) -> None:
        """Stop the loop (posts in flight finish), flush event updates, close the connection,
        then store the answers still queued (a burst in flight at SIGTERM is not lost)."""
        await self.runtime.engine.stop()
        self.runtime.alert_deliveries.stop()
        await self.runtime.publisher.stop()
        for task in (self._engine_task, self._heartbeat_task, self._alerts_task):
            if task is not None:
                task.cancel()
        await self.events.drain()
        await self.close()
        await self.runtime.collector.close(grace=SHUTDOWN_FLUSH_GRACE)
        await self.runtime.alert_watcher.close()

    def dispatch(self, event: str, /, *args: Any, **kwargs: Any) -> None:
        """discord.py's dispatch, with new messages handed to the listeners at once.

        discord.py runs every ``on_<event>`` handler in a task of its own; at a post a
        second that costs little, but a burst of thousands of messages a second spends
        more time creating tasks than attributing answers. Handling a message never waits
        (it is attributed in memory and queued for the batched writer), so it is called
        directly here. For the same reason commands.Bot's own ``on_message`` (prefix
        commands, of which this bot has none) is not run; ``wait_for("message")`` and
        listeners added for messages still get the event.
        """
        if event == "message":
            self.listeners.message(args[0])
            if "message" not in self._listeners and "on_message" not in self.extra_events:
                return
        super().dispatch(event, *args, **kwargs)

    def shard_status(self) -> dict[int, bool]:
        """Each shard this process runs, and whether its connection is up (one process
        without shards: shard 0)."""
        return {0: not self.is_closed() and self.is_ready()}


class ShardedChatBot(ChatBot, commands.AutoShardedBot):
    """:class:`ChatBot` over several gateway shards (``SHARD_COUNT``, ``SHARD_IDS``): one
    connection per shard, each receiving its guilds' events."""

    async def on_shard_ready(self, shard_id: int) -> None:
        """A shard connected again with a new session (not resumed): backfill what it missed.
        At start every shard is ready before ``on_ready``, which backfills once."""
        if self._engine_task is not None:
            log.info("shard %s reconnected (new session)", shard_id)
            await backfill(self, self.runtime.collector, self.services.store)

    def shard_status(self) -> dict[int, bool]:
        """Each shard this process runs, and whether its connection is up."""
        return {shard_id: not shard.is_closed() for shard_id, shard in self.shards.items()}


def make_bot(
    settings: Settings, store: Store, clock: Clock, *, ready_timeout: float = 2.0
) -> ChatBot:
    """The bot the settings ask for: sharded with ``SHARD_COUNT``, else one connection."""
    if settings.shard_count is None:
        return ChatBot(settings, store, clock, ready_timeout=ready_timeout)
    shard_ids = list(settings.shard_ids) if settings.shard_ids is not None else None
    return ShardedChatBot(
        settings,
        store,
        clock,
        ready_timeout=ready_timeout,
        shard_count=settings.shard_count,
        shard_ids=shard_ids,
    )

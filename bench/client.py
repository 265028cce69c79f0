"""The bot's own discord.py client, for the benchmarks: gateway payloads go through its
``ConnectionState`` and its class's ``dispatch``, exactly as on Discord.

All the benchmarks know of the adapter is in :func:`bot_gateway`: which class is the
bot's client and how the bot gives it its parts (as ``python -m bot run`` does, minus
the login). When the adapter changes (a ``commands.Bot`` subclass, services given at
construction, a composition root), repoint that one function; the benchmarks need only
"a client of the bot's class, wired to this collector".
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from discord.state import ConnectionState

from bench.gateway import bot_user
from bot.config import Settings
from bot.discord_app.client import ChatBot
from bot.runtime.clock import SystemClock
from bot.runtime.collector import Collector
from bot.runtime.engine import Engine
from bot.storage import SqliteStore


@contextlib.asynccontextmanager
async def bot_gateway(
    store: SqliteStore, collector: Collector, engine: Engine | None = None
) -> AsyncIterator[ConnectionState[Any]]:
    """The ``ConnectionState`` of a client of the bot's class, whose dispatch is that client's
    (:meth:`bot.discord_app.client.ChatBot.dispatch`), built as the bot builds it (settings,
    store, clock: its own runtime, which is not run), with its listeners reading into
    ``collector``. ``engine`` is the caller's, run by the caller (the client's own engine
    never is). The client is set up as at login (the event loop) and READY (the bot's
    user), without a connection; feed the state GUILD_CREATE first, then events
    (``parse_message_create`` …), as the gateway does."""
    del engine  # run by the caller; the client never runs an engine without a connection
    client = ChatBot(Settings(), store, SystemClock())
    client.listeners.collector = collector
    async with client:  # discord.py's own setup with a running loop; closed afterwards
        state: ConnectionState[Any] = client._connection
        if state.dispatch != client.dispatch:
            raise RuntimeError("the client's ConnectionState does not dispatch to the client")
        state.user = bot_user(state)
        yield state

"""``python -m bot run``, the Discord part: connect, host chats until SIGTERM/SIGINT, shut
down cleanly. The command line opens the store and passes it in (it is the only layer
above both the adapter and the storage)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

import discord

from bot.config import Settings, level_number
from bot.core.ports import Store
from bot.discord_app.client import make_bot, point_at
from bot.health import heartbeat_path, write_heartbeat
from bot.logs import setup_logging
from bot.runtime.clock import SystemClock
from bot.runtime.speed import tune_gc

log = logging.getLogger(__name__)


def prepare_process(settings: Settings) -> None:
    """Logging (the token masked in every line) and the garbage collector's settings, once,
    before the event loop starts."""
    secrets = [settings.token.reveal()] if settings.token else []
    setup_logging(level_number(settings), settings.log_format, secrets)
    tune_gc()


async def serve(settings: Settings, store: Store) -> int:
    """The bot's whole life over an open ``store``: start, run, shut down cleanly; returns
    the exit code. The caller closes the store."""
    assert settings.token is not None
    if settings.api_base:
        point_at(settings.api_base)
    clock = SystemClock()
    ready_timeout = float(os.environ.get("GUILD_READY_TIMEOUT", "2.0"))
    client = make_bot(settings, store, clock, ready_timeout=ready_timeout)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = asyncio.create_task(client.start(settings.token.reveal()))
    stopper = asyncio.create_task(stop.wait())
    code = 0
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            code = _explain(runner)
        else:
            log.info("stopping: finishing posts in flight and closing the connection")
    finally:
        await client.shutdown()
        stopper.cancel()
        with contextlib.suppress(BaseException):
            await runner
        with contextlib.suppress(OSError):
            write_heartbeat(
                heartbeat_path(settings.database_path, settings.shard_ids),
                clock.now(),
                connected=False,
            )
        log.info("stopped")
    return code


def _explain(runner: asyncio.Task[None]) -> int:
    error = runner.exception()
    if error is None:
        return 0
    if isinstance(error, discord.LoginFailure):
        log.error("Discord rejected DISCORD_TOKEN; copy a fresh token from the Developer Portal")
    elif isinstance(error, discord.PrivilegedIntentsRequired):
        log.error(
            "the MESSAGE CONTENT intent is not enabled: Developer Portal > your app > Bot > "
            "Privileged Gateway Intents > Message Content Intent"
        )
    else:
        log.error("the Discord connection failed: %s", error, exc_info=error)
    return 2

"""Backfill: answers sent while the bot was offline, read from channel and thread history.

At start and after every reconnect, for each occurrence that is collecting
answers, the channel's history after the last stored message (or after the
chat's first post) and each question thread's history after its last stored
message are read, oldest first, and fed to the collector. Message ids make
this idempotent: a message already stored is stored once.
"""

from __future__ import annotations

import logging

import discord

from bot.core.ports import Occurrence
from bot.discord_app.listeners import counts, incoming
from bot.runtime.collector import Collector
from bot.storage import SqliteStore

log = logging.getLogger(__name__)


async def _channel(client: discord.Client, channel_id: int) -> discord.abc.Messageable | None:
    channel = client.get_channel(channel_id)
    if channel is None:
        try:
            channel = await client.fetch_channel(channel_id)
        except discord.HTTPException as error:
            log.warning("backfill: channel %s unavailable: %s", channel_id, error)
            return None
    return channel if isinstance(channel, discord.abc.Messageable) else None


async def _read(client: discord.Client, collector: Collector, channel_id: int, after: int) -> int:
    channel = await _channel(client, channel_id)
    if channel is None:
        return 0
    stored = 0
    try:
        async for message in channel.history(
            after=discord.Object(after), limit=None, oldest_first=True
        ):
            if counts(message, client.user) and await collector.ingest(incoming(message)):
                stored += 1
    except discord.HTTPException as error:
        log.warning("backfill: history of %s unavailable: %s", channel_id, error)
    return stored


async def backfill_occurrence(
    client: discord.Client, collector: Collector, store: SqliteStore, occurrence: Occurrence
) -> int:
    """Read everything missed in one occurrence's channel and threads; returns messages stored."""
    run, spec = occurrence.run, occurrence.spec
    posts = [p for p in await store.posts(run.occurrence_id) if p.message_id is not None]
    if not posts:
        return 0
    first_post = min(p.message_id for p in posts if p.message_id is not None)
    last = await store.last_message_id(run.occurrence_id, spec.channel)
    stored = await _read(client, collector, spec.channel, max(last or 0, first_post))
    for post in posts:
        if post.thread_id is None:
            continue
        last_in_thread = await store.last_message_id(
            run.occurrence_id, spec.channel, thread_id=post.thread_id
        )
        stored += await _read(client, collector, post.thread_id, last_in_thread or post.thread_id)
    return stored


async def backfill(client: discord.Client, collector: Collector, store: SqliteStore) -> int:
    """Backfill every occurrence that is collecting answers; logs and returns the count."""
    await collector.refresh()
    total = 0
    for occurrence in collector.live:
        total += await backfill_occurrence(client, collector, store, occurrence)
    log.info("backfill: %d missed message(s) stored", total)
    return total

"""Alerts' share of the backfill: messages posted while the bot was down, in the channels
of servers where someone follows an alert.

The watcher records, per channel and thread, the newest message it read
(``alert_cursors``). At start and after a reconnect, each such channel of a server with
followers is read after its cursor, oldest first, and every message goes through the
watcher as a live one would (matches are keyed by message and alert, so one read twice
is one match). Channels never seen have no cursor and are not read back. Transient
failures are retried as the answers' backfill does; a channel that stays unreadable is
left for the next backfill.
"""

from __future__ import annotations

import logging

import discord

from bot.core.ports import AlertStore
from bot.discord_app.backfill import _retrying
from bot.discord_app.listeners import counts, incoming
from bot.runtime.alerts import AlertWatcher

log = logging.getLogger(__name__)


async def _place(
    client: discord.Client, guild: discord.Guild, channel_id: int
) -> discord.abc.Messageable | None:
    found = guild.get_channel_or_thread(channel_id)
    if found is None:
        try:
            fetched = await client.fetch_channel(channel_id)
        except discord.HTTPException:
            return None
        found = fetched if isinstance(fetched, discord.Thread | discord.TextChannel) else None
    if isinstance(found, discord.TextChannel | discord.Thread):
        return found
    return None


async def backfill_alerts(client: discord.Client, watcher: AlertWatcher, store: AlertStore) -> int:
    """Read what was missed in followed servers' channels; returns how many messages."""
    followed = watcher.followed_guilds()
    if not followed:
        return 0
    read = 0
    for channel_id, (guild_id, last) in (await store.alert_cursors()).items():
        guild = client.get_guild(guild_id)
        if guild_id not in followed or guild is None or watcher.excluded(channel_id):
            continue
        place = await _place(client, guild, channel_id)
        if place is None:
            continue
        after: discord.abc.Snowflake = discord.Object(last)
        while True:
            page = await _retrying(
                lambda place=place, after=after: _page(place, after),  # type: ignore[misc]
                f"alerts backfill of channel {channel_id}",
            )
            if not page:
                break
            for message in page:
                if counts(message, client.user):
                    watcher.observe(guild_id, incoming(message))
                    read += 1
            after = page[-1]
            if len(page) < 100:
                break
    if read:
        log.info("alerts backfill: %d message(s) read", read)
    await watcher.flush()
    return read


async def _page(
    place: discord.abc.Messageable, after: discord.abc.Snowflake
) -> list[discord.Message]:
    return [m async for m in place.history(after=after, limit=100, oldest_first=True)]

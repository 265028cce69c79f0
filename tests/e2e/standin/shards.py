"""Gateway sharding as Discord does it.

* IDENTIFY may carry ``shard: [shard_id, num_shards]``; a pair that is not
  ``0 <= shard_id < num_shards`` is closed with 4010 (Invalid shard). Without it a
  session is shard ``[0, 1]``.
* A guild lives on shard ``(guild_id >> 22) % num_shards``: only that shard's sessions get
  its READY entry, its GUILD_CREATE and every event of the guild (messages, reactions,
  threads, interactions, roles, scheduled events...). Events with no guild (DMs) go to
  shard 0 only.
* READY carries the session's ``shard`` pair.
* ``GET /gateway/bot`` answers the recommended shard count and the
  ``session_start_limit`` (``total``, ``remaining``, ``reset_after`` in ms,
  ``max_concurrency``); each IDENTIFY uses one start (a RESUME uses none).

Checked against Discord's Gateway documentation (Sharding; Session Start Limit Object) and
discord.py's ``AutoShardedClient.launch_shards``, which asks ``/gateway/bot`` only when no
shard count is given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .model import JSON, Snowflakes

#: Close code of an IDENTIFY with an impossible shard pair.
INVALID_SHARD = 4010
ShardPair = tuple[int, int]


def shard_of(guild_id: int, num_shards: int) -> int:
    """The shard that receives ``guild_id``'s events (Discord's formula)."""
    return (guild_id >> 22) % num_shards


def parse_shard(value: Any) -> ShardPair | None:
    """The IDENTIFY ``shard`` field as a pair; None when it is not a valid one."""
    if value is None:
        return (0, 1)
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    shard_id, count = value
    if not isinstance(shard_id, int) or not isinstance(count, int):
        return None
    if count < 1 or not 0 <= shard_id < count:
        return None
    return (shard_id, count)


def event_guild(event: str, payload: JSON) -> int | None:
    """The guild an event belongs to (None: a DM or an event of no guild)."""
    if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"):
        raw = payload.get("id")
    else:
        raw = payload.get("guild_id")
    return int(raw) if raw else None


def receives(shard: ShardPair, guild_id: int | None) -> bool:
    """Whether a session on ``shard`` gets the events of ``guild_id`` (None: shard 0)."""
    shard_id, count = shard
    if guild_id is None:
        return shard_id == 0
    return shard_of(guild_id, count) == shard_id


def snowflake_on_shard(ids: Snowflakes, shard_id: int, num_shards: int) -> int:
    """A new id from ``ids`` whose guild would live on ``shard_id`` of ``num_shards``.

    The shard depends on the id's millisecond part, so this draws ids (and waits out
    milliseconds) until one lands there: at most ``num_shards`` milliseconds."""
    while True:
        candidate = ids.next()
        if shard_of(candidate, num_shards) == shard_id:
            return candidate
        time.sleep(0.0005)


@dataclass
class Sharding:
    """What ``GET /gateway/bot`` tells a bot, and the session starts used so far."""

    #: The shard count Discord recommends for the bot.
    recommended: int = 1
    total_starts: int = 1000
    max_concurrency: int = 1
    starts_used: int = 0
    reset_after_ms: int = 14_400_000

    def identified(self) -> None:
        self.starts_used += 1

    def gateway_bot(self, url: str) -> JSON:
        limit = {
            "total": self.total_starts,
            "remaining": max(self.total_starts - self.starts_used, 0),
            "reset_after": self.reset_after_ms,
            "max_concurrency": self.max_concurrency,
        }
        return {"url": url, "shards": self.recommended, "session_start_limit": limit}


def drop_shard(hub: Any, shard_id: int) -> int:
    """Close the connections of one shard's sessions with 4009 (session timed out: not
    resumable), as Discord may do to one shard while the others stay up. ``hub`` is the
    stand-in's gateway :class:`~.gateway.Hub`. Returns how many were dropped."""
    dropped = 0
    for conn in list(hub.connections):
        session = conn.session
        if session is not None and session.shard[0] == shard_id:
            session.invalid = True
            session.conn = None
            conn.session = None
            conn.close(4009)
            dropped += 1
    hub.world.notify()
    return dropped

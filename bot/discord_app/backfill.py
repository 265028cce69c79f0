"""Backfill: what was missed while the bot was offline, read from channel and thread history.

For each occurrence that is collecting answers, backfill reads the history of its
channel and of each of its question threads, oldest first, and:

* **stores the messages it missed**: those newer than the last stored message of that
  channel or thread (or than the chat's first post, or the thread's start) go to the
  collector's queue, so a long outage is stored in batches, not one commit per message.
  Message ids make this idempotent: a message already stored is stored once.
  Older messages are never fed again: a message's attribution can depend on the question
  that was current when it was stored, and re-attributing it now could move it.
* **reconciles reactions**: for every stored message of the occurrence that it read, it
  compares the reactions Discord shows (``message.reactions``: emoji and count, the bot's
  own reaction left out) with the stored ones (``(user, emoji)`` rows). Where the counts
  for an emoji differ, it asks Discord who reacted (``GET .../reactions/{emoji}``, one
  request per 100 users) and stores the difference through the collector (adds and
  removes, idempotent); an emoji Discord no longer shows is removed without asking.
  Emoji are compared in the listeners' form, ``str(emoji)``.

**Cost.** ``full=True`` (process start, and after a re-identify: ``on_ready``) reads each
occurrence's channel and threads from its oldest stored message on, since a reaction
may have changed on any of them: one history request per 100 messages, plus one
reaction-users request per emoji whose count changed. ``full=False``, meant for
``on_resumed`` (Discord replayed every missed event, reactions included), reads only
after the last stored message, as a crash between receipt and commit needs, and
reconciles only the messages it read. Occurrences still collecting answers are read,
one at a time, and a message's reactions are kept in memory only until its occurrence is
reconciled; of a chat whose recap is still live (:mod:`bot.runtime.live_recaps`), only
the threads are read, after their last stored message.

**What it cannot see.** Counts are compared, not users: if, while the bot was away, one
person took back an emoji and another added the same emoji to the same message, the
count matches and the stored users stay as they were (the count the recap shows is
right). A reaction changed in the moment between reading its users and storing the
difference is decided by whichever write lands last. An already stored message that was
edited or deleted while the bot was away keeps its stored text (only new messages and
reactions are read back).

**Transient failures** (a 429 storm that outlasts discord.py's own five tries, a 5xx
that discord.py does not retry, such as 503): every channel lookup, history read and
reaction-users read is retried after :data:`RETRY_DELAYS`; a history read resumes after
the last message it handled, so nothing is skipped or read twice. After the last
retry the channel is logged and left for the next backfill. Backfill runs in the
gateway's event handler, beside the engine's timer loop, so its waiting never holds a
question back (only a global 429 holds every request, as Discord requires).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import NamedTuple, TypeVar

import discord

from bot.core.ports import Occurrence
from bot.discord_app.listeners import counts, incoming
from bot.runtime.collector import Collector
from bot.storage import SqliteStore

log = logging.getLogger(__name__)

#: Seconds to wait before each retry of a read that failed transiently (429, 5xx).
RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0)

T = TypeVar("T")
#: One reaction change: (user id, emoji, present).
ReactionChange = tuple[int, str, bool]


class Backfilled(NamedTuple):
    """What one backfill stored: missed messages, and reaction changes applied."""

    messages: int
    reactions: int


def transient(error: discord.HTTPException) -> bool:
    """True when asking again later may work: rate limited or a server error."""
    return error.status == 429 or error.status >= 500


async def _retrying(read: Callable[[], Awaitable[T]], what: str) -> T | None:
    """``read()``, retried after :data:`RETRY_DELAYS` while it fails transiently; None (logged)
    when it fails for good."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return await read()
        except discord.HTTPException as error:
            if delay is None or not transient(error):
                log.warning("backfill: %s unavailable: %s", what, error)
                return None
            log.info("backfill: %s failed (%s), retrying in %.0f s", what, error.status, delay)
            await asyncio.sleep(delay)
    return None  # unreachable: the last delay is None


def live_counts(reactions: Iterable[discord.Reaction]) -> dict[str, int]:
    """Emoji (as the listeners store it) -> how many people other than the bot reacted."""
    return {str(r.emoji): r.count - int(r.me) - int(r.me_burst) for r in reactions}


def reaction_plan(
    stored: Iterable[tuple[int, str]], live: Mapping[str, int], me: int | None
) -> tuple[set[str], list[ReactionChange]]:
    """Compare one message's stored reactions with Discord's counts (``live``, the bot's own
    left out). Returns the emoji whose users must be read (their counts differ) and the
    stored reactions to remove without asking (their emoji has no other reactor now)."""
    users_by_emoji: dict[str, set[int]] = {}
    for user_id, emoji in stored:
        if user_id != me:
            users_by_emoji.setdefault(emoji, set()).add(user_id)
    to_read = {
        emoji
        for emoji, count in live.items()
        if count > 0 and count != len(users_by_emoji.get(emoji, ()))
    }
    removed = [
        (user_id, emoji, False)
        for emoji, users in sorted(users_by_emoji.items())
        if live.get(emoji, 0) <= 0
        for user_id in sorted(users)
    ]
    return to_read, removed


def user_changes(
    stored: Iterable[tuple[int, str]], emoji: str, users: Iterable[int], me: int | None
) -> list[ReactionChange]:
    """The changes that make the stored reactors of ``emoji`` the ``users`` Discord lists."""
    had = {user_id for user_id, stored_emoji in stored if stored_emoji == emoji} - {me}
    now = set(users) - {me}
    return [(u, emoji, True) for u in sorted(now - had)] + [
        (u, emoji, False) for u in sorted(had - now)
    ]


async def _channel(client: discord.Client, channel_id: int) -> discord.abc.Messageable | None:
    channel = client.get_channel(channel_id)
    if channel is None:
        channel = await _retrying(lambda: client.fetch_channel(channel_id), f"channel {channel_id}")
    return channel if isinstance(channel, discord.abc.Messageable) else None


async def _read(
    client: discord.Client,
    collector: Collector,
    channel_id: int,
    *,
    start: int,
    store_after: int,
    seen: dict[int, tuple[discord.Reaction, ...]],
) -> int:
    """Read a channel's history after message ``start``: store the messages after
    ``store_after``, and note every participant's message's reactions in ``seen``.
    Returns how many messages were stored."""
    found = await _channel(client, channel_id)
    if found is None:
        return 0
    channel: discord.abc.Messageable = found
    cursor, stored = start, 0

    async def read_on() -> None:
        nonlocal cursor, stored
        async for message in channel.history(
            after=discord.Object(cursor), limit=None, oldest_first=True
        ):
            if counts(message, client.user):
                if message.id > store_after and collector.enqueue(incoming(message)):
                    stored += 1  # committed with the others, in order (flushed before use)
                seen[message.id] = tuple(message.reactions)
            cursor = message.id  # a retry goes on from here

    await _retrying(read_on, f"history of {channel_id}")
    return stored


async def _reactors(reaction: discord.Reaction) -> set[int] | None:
    """Who reacted with this emoji (normal and super reactions), read from Discord."""

    async def read() -> set[int]:
        users = {user.id async for user in reaction.users()}
        if reaction.burst_count:
            burst = reaction.users(type=discord.ReactionType.burst)
            users |= {user.id async for user in burst}
        return users

    return await _retrying(read, f"reactions {reaction.emoji} on {reaction.message.id}")


async def _reconcile(
    collector: Collector,
    stored: Mapping[int, set[tuple[int, str]]],
    seen: Mapping[int, tuple[discord.Reaction, ...]],
    me: int | None,
) -> int:
    """Bring the stored reactions of every stored message read in line with Discord's."""
    changes: list[tuple[int, ReactionChange]] = []
    for message_id, reactions in stored.items():
        live = seen.get(message_id)
        if live is None:
            continue  # not read this time (deleted, or before what was read)
        to_read, removed = reaction_plan(reactions, live_counts(live), me)
        changes += [(message_id, change) for change in removed]
        for reaction in live:
            emoji = str(reaction.emoji)
            if emoji not in to_read:
                continue
            users = await _reactors(reaction)
            if users is not None:
                changes += [(message_id, c) for c in user_changes(reactions, emoji, users, me)]
    for message_id, (user_id, emoji, present) in changes:
        collector.enqueue_reaction(message_id, user_id, emoji, present)
    await collector.flush()
    return len(changes)


async def backfill_occurrence(
    client: discord.Client,
    collector: Collector,
    store: SqliteStore,
    occurrence: Occurrence,
    *,
    full: bool = True,
    threads_only: bool = False,
) -> Backfilled:
    """Store what one occurrence's channel and threads show that was missed: messages, and
    (see the module docstring) reactions; ``full`` reads from the oldest stored message,
    ``threads_only`` leaves the channel out (a chat that is over: see :func:`backfill`)."""
    run, spec = occurrence.run, occurrence.spec
    posts = [p for p in await store.posts(run.occurrence_id) if p.message_id is not None]
    if not posts:
        return Backfilled(0, 0)
    first_post = min(p.message_id for p in posts if p.message_id is not None)
    # Reading from just before the oldest stored message sees every stored message.
    oldest = min(await store.reactions_of(run.occurrence_id), default=None) if full else None
    seen: dict[int, tuple[discord.Reaction, ...]] = {}

    def start(store_after: int, floor: int) -> int:
        return store_after if oldest is None else min(store_after, max(floor, oldest - 1))

    messages = 0
    if not threads_only:
        last = await store.last_message_id(run.occurrence_id, spec.channel)
        store_after = max(last or 0, first_post)
        messages += await _read(
            client,
            collector,
            spec.channel,
            start=start(store_after, first_post),
            store_after=store_after,
            seen=seen,
        )
    for post in posts:
        if post.thread_id is None:
            continue
        last_in_thread = await store.last_message_id(
            run.occurrence_id, spec.channel, thread_id=post.thread_id
        )
        store_after = last_in_thread or post.thread_id
        messages += await _read(
            client,
            collector,
            post.thread_id,
            start=start(store_after, post.thread_id),
            store_after=store_after,
            seen=seen,
        )
    await collector.flush()
    me = client.user.id if client.user is not None else None
    reactions = await _reconcile(collector, await store.reactions_of(run.occurrence_id), seen, me)
    return Backfilled(messages, reactions)


async def backfill(
    client: discord.Client, collector: Collector, store: SqliteStore, *, full: bool = True
) -> int:
    """Backfill every occurrence that is collecting answers; logs and returns the messages
    stored. ``full=False`` after a resumed session (see the module docstring)."""
    await collector.refresh()
    messages = reactions = 0
    for occurrence in collector.live:
        done = await backfill_occurrence(client, collector, store, occurrence, full=full)
        messages += done.messages
        reactions += done.reactions
    # Chats whose recap is live still take late answers in their questions' threads and
    # takeaways in the recap's thread: those threads are read after their last stored
    # message (the channel is no longer the chat's; reactions are not re-read, to keep a
    # week of finished chats cheap at every start).
    for occurrence in collector.recapped:
        done = await backfill_occurrence(
            client, collector, store, occurrence, full=False, threads_only=True
        )
        messages += done.messages
        reactions += done.reactions
    log.info(
        "backfill: %d missed message(s) stored, %d reaction change(s) applied%s",
        messages,
        reactions,
        "" if full else " (since the last stored message)",
    )
    return messages

"""Backfill: what was missed while the bot was offline, read from channel and thread history.

For each occurrence that is collecting answers (or whose recap is live: see below),
backfill reads the history of its channel and of each of its threads, oldest first, and:

* **stores the messages it missed**: those newer than the last stored message of that
  channel or thread (or than the chat's first post, or the thread's start) go to the
  collector's queue, so a long outage is stored in batches, not one commit per message.
  Message ids make this idempotent: a message already stored is stored once.
* **catches up edits and deletes** (``full=True``): a stored message whose history shows
  a newer edit is queued again as an edit (the store keeps the newest version, and an
  edit without a prefix keeps the question it was stored under); a stored message that a
  complete read of its channel or thread no longer finds was deleted, and is marked so.
  A read that failed part-way deletes nothing.
* **reconciles reactions**: for every stored message of the occurrence that it read, it
  compares the reactions Discord shows (``message.reactions``: emoji and count, the bot's
  own reaction left out) with the stored ones (``(user, emoji)`` rows). Where the counts
  for an emoji differ, it asks Discord who reacted (``GET .../reactions/{emoji}``, one
  request per 100 users) and stores the difference through the collector (adds and
  removes, idempotent); an emoji Discord no longer shows is removed without asking.
  Emoji are compared in the listeners' form, ``str(emoji)``.

**Which occurrences.** Those still collecting answers, and those whose recap is live
(:mod:`bot.runtime.live_recaps`): their questions' threads and the recap's thread still
take late answers and takeaways, so they are read like a collecting chat's; their channel
takes no new messages, and is read (when ``full``) only from the chat's oldest to its
newest stored channel message. Occurrences are read one at a time, and a message's
reactions are kept in memory only until its occurrence is reconciled.

**Cost.** ``full=True`` (process start, and after a re-identify: ``on_ready``) reads each
channel and thread from its oldest stored message on, since any of them may have been
edited, deleted or reacted to: one history request per 100 messages, plus one
reaction-users request per emoji whose count changed. ``full=False``, meant for
``on_resumed`` (Discord replayed every missed event: edits, deletes and reactions
included), reads only after the last stored message, as a crash between receipt and
commit needs, and reconciles only the messages it read.

**What it cannot see.** Counts are compared, not users: if, while the bot was away, one
person took back an emoji and another added the same emoji to the same message, the
count matches and the stored users stay as they were (the count the recap shows is
right). A reaction changed in the moment between reading its users and storing the
difference is decided by whichever write lands last.

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
from datetime import datetime
from typing import NamedTuple, Protocol, TypeVar

import discord

from bot.core.ports import BackfillReads, Occurrence, PostRecord, PostStore, StoredVersion
from bot.discord_app.listeners import counts, incoming
from bot.runtime.collector import Collector

log = logging.getLogger(__name__)

#: Seconds to wait before each retry of a read that failed transiently (429, 5xx).
RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0)

T = TypeVar("T")
#: One reaction change: (user id, emoji, present).
ReactionChange = tuple[int, str, bool]


class BackfillStore(PostStore, BackfillReads, Protocol):
    """What backfill reads: an occurrence's posts and what is stored of its messages."""


class Backfilled(NamedTuple):
    """What one backfill caught up: missed messages stored, edits and deletes of stored
    messages, and reaction changes applied."""

    messages: int = 0
    edits: int = 0
    deletes: int = 0
    reactions: int = 0


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


class _Source(NamedTuple):
    """One channel or thread to read, and which of its messages are new."""

    channel_id: int
    #: The ``thread_id`` its stored messages have (None: the chat's channel itself).
    thread_id: int | None
    #: Read the messages after this id...
    start: int
    #: ...store those after this one as missed, and check the others for edits and deletes...
    store_after: int
    #: ...and stop before this one (None: read to the end).
    stop: int | None = None


class _Read(NamedTuple):
    stored: int
    edited: int
    #: False when the read failed part-way: nothing may be taken as deleted then.
    complete: bool


def _newer(live: datetime | None, stored: datetime | None) -> bool:
    return live is not None and (stored is None or live > stored)


async def _read(
    client: discord.Client,
    collector: Collector,
    source: _Source,
    *,
    seen: dict[int, tuple[discord.Reaction, ...]],
    versions: Mapping[int, StoredVersion],
) -> _Read:
    """Read ``source``: store the messages after ``store_after``, queue the edits of stored
    ones whose stored version is older (and the link cards of stored ones), and note every participant's message's reactions
    in ``seen``."""
    found = await _channel(client, source.channel_id)
    if found is None:
        return _Read(0, 0, complete=False)
    channel: discord.abc.Messageable = found
    cursor, stored, edited = source.start, 0, 0
    stop = None if source.stop is None else discord.Object(source.stop)

    async def read_on() -> bool:
        nonlocal cursor, stored, edited
        async for message in channel.history(
            after=discord.Object(cursor), before=stop, limit=None, oldest_first=True
        ):
            if counts(message, client.user):
                if message.id > source.store_after:
                    if collector.enqueue(incoming(message)):
                        stored += 1  # committed with the others, in order (flushed before use)
                else:
                    version = versions.get(message.id)
                    if (
                        version is not None
                        and not version.deleted
                        and _newer(message.edited_at, version.edited_at)
                    ):
                        collector.enqueue(incoming(message))
                        edited += 1
                    elif version is not None and not version.deleted and message.embeds:
                        # Unfurled while the bot was away: its link cards, not an edit.
                        collector.enqueue_cards(incoming(message), stored=True)
                seen[message.id] = tuple(message.reactions)
            cursor = message.id  # a retry goes on from here
        return True

    complete = await _retrying(read_on, f"history of {source.channel_id}")
    return _Read(stored, edited, complete=bool(complete))


def _deleted(
    source: _Source, versions: Mapping[int, StoredVersion], seen: Mapping[int, object]
) -> list[int]:
    """Stored messages of ``source`` that a complete read of its range did not find."""
    return [
        message_id
        for message_id, version in versions.items()
        if version.thread_id == source.thread_id
        and not version.deleted
        and source.start < message_id <= source.store_after
        and (source.stop is None or message_id < source.stop)
        and message_id not in seen
    ]


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
    store: BackfillStore,
    occurrence: Occurrence,
    *,
    full: bool = True,
    collecting: bool = True,
) -> Backfilled:
    """Store what one occurrence's channel and threads show that was missed: messages,
    edits, deletes and reactions (see the module docstring). ``full`` reads from the oldest
    stored message; an occurrence no longer ``collecting`` (its recap is live) takes no new
    messages from the channel, whose history is read only over the chat's stored messages
    (and only when ``full``)."""
    run = occurrence.run
    posts = [p for p in await store.posts(run.occurrence_id) if p.message_id is not None]
    if not posts:
        return Backfilled()
    versions = await store.stored_versions(run.occurrence_id) if full else {}
    sources = await _sources(store, occurrence, posts, versions, collecting=collecting)
    seen: dict[int, tuple[discord.Reaction, ...]] = {}
    messages = edits = 0
    deleted: list[int] = []
    for source in sources:
        read = await _read(client, collector, source, seen=seen, versions=versions)
        messages += read.stored
        edits += read.edited
        if read.complete:
            deleted += _deleted(source, versions, seen)
    if deleted:
        collector.enqueue_delete(deleted)
    await collector.flush()
    me = client.user.id if client.user is not None else None
    reactions = await _reconcile(collector, await store.reactions_of(run.occurrence_id), seen, me)
    return Backfilled(messages, edits, len(deleted), reactions)


async def _sources(
    store: BackfillStore,
    occurrence: Occurrence,
    posts: list[PostRecord],
    versions: Mapping[int, StoredVersion],
    *,
    collecting: bool,
) -> list[_Source]:
    """Which histories to read for one occurrence, and from where: its channel (after the
    last stored message, or over the stored ones when it no longer collects) and each of
    its threads; from just before the oldest stored message when ``versions`` are given
    (a full backfill), so every stored message is seen again."""
    run, spec = occurrence.run, occurrence.spec
    first_post = min(p.message_id for p in posts if p.message_id is not None)

    def stored_in(thread_id: int | None) -> list[int]:
        return [m for m, v in versions.items() if v.thread_id == thread_id]

    def start(store_after: int, floor: int, thread_id: int | None) -> int:
        # Reading from just before the oldest stored message sees every stored message.
        first = min(stored_in(thread_id), default=None)
        return store_after if first is None else min(store_after, max(floor, first - 1))

    sources: list[_Source] = []
    channel_messages = stored_in(None)
    if collecting:
        last = await store.last_message_id(run.occurrence_id, spec.channel)
        store_after = max(last or 0, first_post)
        sources.append(
            _Source(spec.channel, None, start(store_after, first_post, None), store_after)
        )
    elif channel_messages:
        newest = max(channel_messages)
        sources.append(
            _Source(spec.channel, None, min(channel_messages) - 1, newest, stop=newest + 1)
        )
    for post in posts:
        if post.thread_id is None:
            continue
        last_in_thread = await store.last_message_id(
            run.occurrence_id, spec.channel, thread_id=post.thread_id
        )
        store_after = last_in_thread or post.thread_id
        first = start(store_after, post.thread_id, post.thread_id)
        sources.append(_Source(post.thread_id, post.thread_id, first, store_after))
    return sources


def _ours(client: discord.Client, occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    """The occurrences whose guild this process receives: all of them unsharded; with shards,
    those whose channel is in this process's cache (the other processes backfill theirs)."""
    if client.shard_count is None:
        return list(occurrences)
    return [o for o in occurrences if client.get_channel(o.spec.channel) is not None]


async def backfill(
    client: discord.Client, collector: Collector, store: BackfillStore, *, full: bool = True
) -> int:
    """Backfill every occurrence that is collecting answers or whose recap is live; logs
    and returns the messages stored. ``full=False`` after a resumed session (see the
    module docstring)."""
    await collector.refresh()
    total = Backfilled()
    for occurrence in _ours(client, collector.live):
        done = await backfill_occurrence(client, collector, store, occurrence, full=full)
        total = Backfilled(*(a + b for a, b in zip(total, done, strict=True)))
    # Chats whose recap is live still take late answers in their questions' threads and
    # takeaways in the recap's thread; their channel takes no new messages.
    for occurrence in _ours(client, collector.recapped):
        done = await backfill_occurrence(
            client, collector, store, occurrence, full=full, collecting=False
        )
        total = Backfilled(*(a + b for a, b in zip(total, done, strict=True)))
    log.info(
        "backfill: %d missed message(s) stored, %d edit(s) and %d delete(s) caught up, "
        "%d reaction change(s) applied%s",
        *total,
        "" if full else " (since the last stored message)",
    )
    return total.messages

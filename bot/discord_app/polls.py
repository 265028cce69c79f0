"""Polls on Discord: vote events, reactions on polls posted as text, final results, and the
reconciliation of votes cast while the bot was away.

* MESSAGE_POLL_VOTE_ADD / _REMOVE (the ``guild_polls`` intent) count a vote on the bot's polls;
* a 1️⃣..🔟 reaction on a poll posted as text (no Send Polls) counts as a vote for that option;
* a MESSAGE_UPDATE of the bot's poll with ``results.is_finalized`` stores Discord's final
  counts (the published recap then shows them);
* at each connection, the polls of recent chats (and any not yet final) are read again:
  each answer's voters from Discord's voters endpoint (or a text poll's reactions), which the
  stored votes are made to match, and the final counts of polls that ended meanwhile.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.core.polls import NUMBER_EMOJIS
from bot.core.ports import PollRecord
from bot.runtime.polls import Polls

log = logging.getLogger(__name__)


def final_counts(data: dict[str, Any]) -> dict[int, int] | None:
    """Discord's final count per answer id from a message payload, or None while open."""
    poll = data.get("poll")
    results = poll.get("results") if isinstance(poll, dict) else None
    if not isinstance(results, dict) or not results.get("is_finalized"):
        return None
    return {int(item["id"]): int(item["count"]) for item in results.get("answer_counts", [])}


class PollListeners(commands.Cog):
    """Gateway events about the bot's polls, into :class:`bot.runtime.polls.Polls`."""

    def __init__(self, client: discord.Client, polls: Polls) -> None:
        self.client = client
        self.polls = polls

    def _is_me(self, user_id: int) -> bool:
        return self.client.user is not None and user_id == self.client.user.id

    @commands.Cog.listener()
    async def on_raw_poll_vote_add(self, payload: discord.RawPollVoteActionEvent) -> None:
        """A member voted on a poll."""
        await self.polls.vote(payload.message_id, payload.answer_id, payload.user_id, True)

    @commands.Cog.listener()
    async def on_raw_poll_vote_remove(self, payload: discord.RawPollVoteActionEvent) -> None:
        """A member took a vote back."""
        await self.polls.vote(payload.message_id, payload.answer_id, payload.user_id, False)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """A number reaction on a poll posted as text is a vote (the bot's own are not)."""
        if not self._is_me(payload.user_id):
            await self.polls.reaction(payload.message_id, payload.user_id, str(payload.emoji), True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """A number reaction taken back from a poll posted as text."""
        if not self._is_me(payload.user_id):
            await self.polls.reaction(
                payload.message_id, payload.user_id, str(payload.emoji), False
            )

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """Discord ended one of the bot's polls: keep its final counts."""
        counts = final_counts(dict(payload.data))
        author = payload.data.get("author") or {}
        if counts is not None and self._is_me(int(author.get("id") or 0)):
            await self.polls.finalized(payload.message_id, counts)


async def reconcile_polls(client: discord.Client, polls: Polls) -> int:
    """Read the recent polls again from Discord (see the module docstring); returns how many
    polls' votes changed. A poll that cannot be read (deleted, no access) is skipped."""
    changed = 0
    for poll in await polls.to_reconcile():
        try:
            if await _reconcile_one(client, polls, poll):
                changed += 1
        except discord.NotFound:
            log.info("poll %s: the message is gone; its votes stay as stored", poll.message_id)
        except discord.HTTPException as error:
            log.warning("poll %s: could not read its votes: %s", poll.message_id, error)
    return changed


async def _reconcile_one(client: discord.Client, polls: Polls, poll: PollRecord) -> bool:
    channel = client.get_channel(poll.channel_id) or await client.fetch_channel(poll.channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        return False
    message = await channel.fetch_message(poll.message_id)
    votes: dict[int, set[int]] = {}
    me = client.user.id if client.user is not None else 0
    if poll.reactions:
        for reaction in message.reactions:
            emoji = str(reaction.emoji)
            if emoji in NUMBER_EMOJIS[: len(poll.options)]:
                users = {user.id async for user in reaction.users() if user.id != me}
                votes[NUMBER_EMOJIS.index(emoji) + 1] = users
        return await polls.reconcile(poll.message_id, votes)
    native = message.poll
    if native is None:
        return False
    for answer in native.answers:
        votes[answer.id] = {user.id async for user in answer.voters()}
    changed = await polls.reconcile(poll.message_id, votes)
    if native.is_finalised():
        counts = {answer.id: answer.vote_count for answer in native.answers}
        changed = await polls.finalized(poll.message_id, counts) or changed
    return changed

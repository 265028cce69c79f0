"""Gateway events in, collector calls out: messages, edits, deletes and reactions.

:class:`Listeners` is a cog: discord.py calls its ``on_raw_*`` listeners for edits,
deletes and reactions, raw so they count even for messages that are no longer (or never
were) in discord.py's message cache. New messages are the exception: the client hands
them to :meth:`Listeners.message` straight from its dispatch (see
:meth:`bot.discord_app.client.ChatBot.dispatch`).

A message is read the same way however it comes: new (MESSAGE_CREATE), edited
(MESSAGE_UPDATE, which carries the whole message) or read from history by the backfill,
:func:`incoming` turns it into the collector's input, attachment links included.

Every handler attributes and queues at once and returns without waiting for the
database: the collector's writer commits in batches, in the order queued (see
:mod:`bot.runtime.collector`), so a burst never makes the gateway fall behind.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.core.cards import Unfurl, message_cards
from bot.runtime.collector import Collector
from bot.runtime.routing import IncomingMessage

log = logging.getLogger(__name__)


def incoming(message: discord.Message) -> IncomingMessage:
    """A discord.py message as the collector's input (attachment links kept as resources,
    Discord's link previews as link cards): new, edited or read from history alike."""
    channel = message.channel
    thread_id = None
    channel_id = channel.id
    if isinstance(channel, discord.Thread):
        thread_id = channel.id
        channel_id = channel.parent_id or channel.id
    content = message.content
    if message.attachments:
        content = "\n".join([content, *(a.url for a in message.attachments)]).strip()
    reference = message.reference
    cards = message_cards(
        content,
        [
            Unfurl(
                url=embed.url,
                title=embed.title,
                description=embed.description,
                provider=embed.provider.name,
                thumbnail=embed.thumbnail.url,
            )
            for embed in message.embeds
            if embed.url
        ],
        message_id=message.id,
        author_id=message.author.id,
        posted_at=message.created_at,
        seen_at=message.created_at,
    )
    return IncomingMessage(
        message_id=message.id,
        channel_id=channel_id,
        author_id=message.author.id,
        author_name=message.author.display_name,
        content=content,
        created_at=message.created_at,
        thread_id=thread_id,
        reply_to=reference.message_id if reference is not None else None,
        edited_at=message.edited_at,
        cards=cards,
    )


def counts(message: discord.Message, me: discord.ClientUser | None) -> bool:
    """True for participants' messages: not the bot's own, not other bots', not system messages."""
    if message.author.bot or message.webhook_id is not None or message.guild is None:
        return False
    if me is not None and message.author.id == me.id:
        return False
    return message.type in (discord.MessageType.default, discord.MessageType.reply)


class Listeners(commands.Cog):
    """Turns gateway events into collector calls."""

    def __init__(self, client: discord.Client, collector: Collector) -> None:
        self.client = client
        self.collector = collector
        self._warned_no_content = False

    def _check_content(self, message: discord.Message) -> None:
        empty = not message.content and not message.attachments and not message.embeds
        if empty and not message.stickers and not self._warned_no_content:
            self._warned_no_content = True
            log.error(
                "messages arrive without their text: enable the MESSAGE CONTENT intent in the "
                "Discord Developer Portal (Applications > your app > Bot > Privileged Gateway "
                "Intents); until then answers cannot be collected"
            )

    def message(self, message: discord.Message) -> None:
        """A new message: attribute it and queue it for storage if a chat is collecting.

        Synchronous: it never waits, so the client calls it straight from its dispatch
        (see :meth:`bot.discord_app.client.ChatBot.dispatch`) instead of in a task per
        message. Never raises (a failure is logged), since it runs inside the gateway's
        event parsing."""
        try:
            if not counts(message, self.client.user):
                return
            self._check_content(message)
            self.collector.enqueue(incoming(message))
        except Exception:
            log.exception("message %s: could not be handled", message.id)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """An edit by its author, read from the whole message discord.py builds from the
        event. An update without an edit time is Discord's, not the author's (a thread
        opened from the message, a link preview added): the message itself is unchanged, and
        the previews are stored as its link cards."""
        message = payload.message
        if not counts(message, self.client.user):
            return
        if message.edited_at is None:
            if message.embeds:
                self.collector.enqueue_cards(incoming(message))
            return
        self.collector.enqueue(incoming(message))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A deleted message disappears from the record."""
        self.collector.enqueue_delete([payload.message_id])

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        """Bulk deletes (moderation) disappear from the record too."""
        self.collector.enqueue_delete(sorted(payload.message_ids))

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        """Count a participant's reaction on an answer."""
        if self.client.user is None or payload.user_id != self.client.user.id:
            self.collector.enqueue_reaction(
                payload.message_id, payload.user_id, str(payload.emoji), True
            )

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """Uncount a removed reaction."""
        self.collector.enqueue_reaction(
            payload.message_id, payload.user_id, str(payload.emoji), False
        )

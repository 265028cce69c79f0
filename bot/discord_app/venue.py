"""DiscordVenue: the engine's posts as Discord messages and threads.

Every message goes out with mentions disabled (a question or recap that quotes
"@everyone" pings nobody), split within Discord's 2,000-character limit and
paced per channel. Threads are opened from question messages with the longest
auto-archive time; when the bot may not open threads, the question stands and
answers come as "A1:" in the channel; moderators are told once per channel.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import Literal

import discord

from bot.core.ports import PostRequest, PostResult, VenueError
from bot.discord_app.pacing import ChannelPacer, split_message
from bot.render.discord_limits import group_embeds

log = logging.getLogger(__name__)

#: A week: the longest auto-archive duration Discord offers.
ARCHIVE_MINUTES: Literal[10080] = 10080
NO_MENTIONS = discord.AllowedMentions.none()


def venue_error(error: discord.HTTPException) -> VenueError:
    """A discord.py error as a VenueError; 4xx other than 429 cannot be fixed by retrying."""
    permanent = isinstance(error, discord.Forbidden | discord.NotFound) or (
        400 <= error.status < 500 and error.status != 429
    )
    return VenueError(f"{error.status} {error.text or type(error).__name__}", permanent=permanent)


class DiscordVenue:
    """Posts through a connected discord.py client."""

    def __init__(self, client: discord.Client, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or ChannelPacer()
        self._told_no_threads: set[int] = set()

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except discord.HTTPException as error:
                raise venue_error(error) from error
        if not isinstance(channel, discord.abc.Messageable):
            raise VenueError(f"channel {channel_id} is not a text channel", permanent=True)
        return channel

    async def send(
        self,
        channel: discord.abc.Messageable,
        content: str,
        files: list[discord.File] | None = None,
        embeds: list[discord.Embed] | None = None,
    ) -> discord.Message:
        """One paced send with mentions off (discord.py adds a nonce; retries are deduplicated)."""
        channel_id = getattr(channel, "id", 0)
        async with self.pacer.slot(channel_id):
            try:
                return await channel.send(
                    content or None,
                    allowed_mentions=NO_MENTIONS,
                    files=files or [],
                    embeds=embeds or [],
                    suppress_embeds=False,
                )
            except discord.HTTPException as error:
                raise venue_error(error) from error

    async def post(self, request: PostRequest) -> PostResult:
        """Post the request's text (split if long), its continuation, embeds and files; open its
        thread. Embeds follow the messages in groups of at most 10 and 6,000 characters (see
        :attr:`PostRequest.embeds`); the files go with the last message."""
        channel = await self._channel(request.channel_id)
        chunks = split_message(request.text)
        chunks += [c for text in request.continuation for c in split_message(text)]
        groups = [
            [discord.Embed.from_dict(embed) for embed in group]
            for group in group_embeds(request.embeds)
        ]
        count = max(len(chunks), len(groups))
        files = [discord.File(io.BytesIO(a.data), filename=a.filename) for a in request.files]
        first: discord.Message | None = None
        for index in range(count):
            sent = await self.send(
                channel,
                chunks[index] if index < len(chunks) else "",
                files if files and index == count - 1 else None,
                groups[index] if index < len(groups) else None,
            )
            first = first or sent
        assert first is not None  # split_message always gives at least one chunk
        thread_id = None
        if request.thread_name:
            thread_id = await self._thread_or_fallback(channel, first, request.thread_name)
        return PostResult(first.id, thread_id)

    async def _thread_or_fallback(
        self, channel: discord.abc.Messageable, message: discord.Message, name: str
    ) -> int | None:
        try:
            thread = await message.create_thread(
                name=name[:100], auto_archive_duration=ARCHIVE_MINUTES
            )
        except discord.Forbidden:
            channel_id = getattr(channel, "id", 0)
            if channel_id not in self._told_no_threads:
                self._told_no_threads.add(channel_id)
                log.warning(
                    "channel %s: may not create threads; answers come as A1: instead", channel_id
                )
                await self.send(
                    channel,
                    "🛠️ Moderators: I may not create threads in this channel, so answers go here "
                    'with "A1:", "A2:" … Grant me **Create Public Threads** and **Send Messages '
                    "in Threads** to get a thread per question.",
                )
            return None
        except discord.HTTPException as error:
            log.warning("could not open a thread on %s: %s", message.id, error)
            return None
        return thread.id

    async def find_post(self, request: PostRequest, after: datetime) -> PostResult | None:
        """The bot's own message with this text posted since ``after``, read from history."""
        channel = await self._channel(request.channel_id)
        first_chunk = split_message(request.text)[0].strip()
        me = self.client.user
        try:
            async for message in channel.history(after=after, limit=500, oldest_first=True):
                mine = me is not None and message.author.id == me.id
                if mine and message.content.strip() == first_chunk:
                    thread = message.thread
                    return PostResult(message.id, thread.id if thread is not None else None)
        except discord.HTTPException as error:
            raise venue_error(error) from error
        return None

    async def open_thread(self, channel_id: int, message_id: int, name: str) -> int:
        """Open a thread from an existing message (a crash came between post and thread)."""
        channel = await self._channel(channel_id)
        try:
            message = await channel.fetch_message(message_id)
            if message.thread is not None:
                return message.thread.id
            thread = await message.create_thread(
                name=name[:100], auto_archive_duration=ARCHIVE_MINUTES
            )
        except discord.HTTPException as error:
            raise venue_error(error) from error
        return thread.id

"""DiscordVenue: the engine's posts as Discord messages and threads.

A post with a poll (a poll question, /host poll) carries a native Discord poll on its first
message. Without Send Polls in the channel Discord refuses it (403); the post then goes out as
text with the options numbered 1️⃣..🔟 and the bot's own reactions to vote with (counted from
the members' reactions), and moderators are told once per channel.

Every message goes out with mentions disabled (a question or recap that quotes
"@everyone" pings nobody), split within Discord's 2,000-character limit and
paced per channel. Threads are opened from question messages with the longest
auto-archive time; when the bot may not open threads, the question stands and
answers come as "A1:" in the channel; moderators are told once per channel, in the
chat's moderator channel when it has one.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Literal

import discord

from bot.core.plan import StepKind
from bot.core.ports import PollRequest, PostRequest, PostResult, VenueError
from bot.discord_app.pacing import ChannelPacer, split_message
from bot.discord_app.polls import final_counts
from bot.render.discord_limits import group_embeds

log = logging.getLogger(__name__)


class _PollRefused(Exception):
    """Discord refused a post's poll (403: no Send Polls); the post goes out as text."""


#: A week: the longest auto-archive duration Discord offers.
ARCHIVE_MINUTES: Literal[10080] = 10080
NO_MENTIONS = discord.AllowedMentions.none()
#: The reactions members vote with on a poll posted as text (no Send Polls).
NUMBER_EMOJIS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")


def discord_poll(poll: PollRequest) -> discord.Poll:
    """A PollRequest as discord.py's Poll (the question and options within Discord's limits)."""
    native = discord.Poll(
        question=poll.question[:300],
        duration=timedelta(hours=poll.hours),
        multiple=poll.multiple,
    )
    for option in poll.options:
        native.add_answer(text=option[:55])
    return native


def reaction_poll_text(text: str, poll: PollRequest) -> str:
    """A post's text with its poll written out: numbered options to react with."""
    how = "react with every number you pick" if poll.multiple else "react with your pick"
    lines = [f"{NUMBER_EMOJIS[i]} {option}" for i, option in enumerate(poll.options)]
    return "\n".join([text, f"📊 **Poll:** {how}.", *lines])


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
        self._told_no_polls: set[int] = set()

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
        poll: discord.Poll | None = None,
    ) -> discord.Message:
        """One paced send with mentions off (discord.py adds a nonce; retries are deduplicated)."""
        channel_id = getattr(channel, "id", 0)
        async with self.pacer.slot(channel_id):
            try:
                if poll is not None:
                    return await channel.send(
                        content or None,
                        allowed_mentions=NO_MENTIONS,
                        files=files or [],
                        embeds=embeds or [],
                        suppress_embeds=False,
                        poll=poll,
                    )
                return await channel.send(
                    content or None,
                    allowed_mentions=NO_MENTIONS,
                    files=files or [],
                    embeds=embeds or [],
                    suppress_embeds=False,
                )
            except discord.HTTPException as error:
                raise venue_error(error) from error

    @staticmethod
    def _layout(request: PostRequest) -> list[tuple[str, list[discord.Embed], bool]]:
        """The messages a post is made of: (content, embeds, carries the files). The text is
        split within 2,000 characters, the continuation follows, embeds go in groups of at
        most 10 and 6,000 characters (see :attr:`PostRequest.embeds`), and the files go with
        the last message."""
        chunks = split_message(request.text)
        chunks += [c for text in request.continuation for c in split_message(text)]
        groups = [
            [discord.Embed.from_dict(embed) for embed in group]
            for group in group_embeds(request.embeds)
        ]
        count = max(len(chunks), len(groups))
        return [
            (
                chunks[index] if index < len(chunks) else "",
                groups[index] if index < len(groups) else [],
                bool(request.files) and index == count - 1,
            )
            for index in range(count)
        ]

    @staticmethod
    def _files(request: PostRequest) -> list[discord.File]:
        return [discord.File(io.BytesIO(a.data), filename=a.filename) for a in request.files]

    async def post(self, request: PostRequest) -> PostResult:
        """Post the request's messages (see :meth:`_layout`), its poll on the first (as text
        with numbered reactions where the bot may not send polls), and open its thread."""
        channel = await self._channel(request.channel_id)
        if request.poll is not None and self._may_send_polls(channel):
            try:
                return await self._post(channel, request, discord_poll(request.poll))
            except _PollRefused:
                log.info("channel %s: Discord refused the poll; posting it as text", channel)
        if (poll := request.poll) is not None:
            request = replace(request, text=reaction_poll_text(request.text, poll))
            result = await self._post(channel, request, None)
            await self._add_number_reactions(channel, result.message_id, len(poll.options))
            await self._tell_no_polls(channel, request.notice_channel_id)
            return replace(result, reaction_poll=True)
        return await self._post(channel, request, None)

    async def _post(
        self,
        channel: discord.abc.Messageable,
        request: PostRequest,
        poll: discord.Poll | None,
    ) -> PostResult:
        sent: list[discord.Message] = []
        for content, embeds, files in self._layout(request):
            attached = self._files(request) if files else None
            if poll is not None and not sent:
                try:
                    sent.append(await self.send(channel, content, attached, embeds, poll))
                except VenueError as error:
                    if error.reason.startswith("403"):
                        raise _PollRefused from error
                    raise
            else:
                sent.append(await self.send(channel, content, attached, embeds))
        first = sent[0]  # split_message always gives at least one chunk
        thread_id = None
        if request.thread_name and request.kind is StepKind.QUESTION:
            thread_id = await self._thread_or_fallback(
                channel, first, request.thread_name, request.notice_channel_id
            )
        elif request.thread_name:
            thread_id = await self._other_thread(first, request.thread_name)
        return PostResult(first.id, thread_id, tuple(message.id for message in sent[1:]))

    def _may_send_polls(self, channel: discord.abc.Messageable) -> bool:
        """Whether the bot has Send Polls in ``channel`` (as the cache knows it)."""
        guild = getattr(channel, "guild", None)
        permissions_for = getattr(channel, "permissions_for", None)
        if guild is None or permissions_for is None or guild.me is None:
            return True  # unknown: let Discord answer
        return bool(permissions_for(guild.me).send_polls)

    async def _add_number_reactions(
        self, channel: discord.abc.Messageable, message_id: int, count: int
    ) -> None:
        """The bot's own 1️⃣..🔟 under a poll posted as text, for members to click."""
        message = discord.PartialMessage(channel=channel, id=message_id)  # type: ignore[arg-type]
        for emoji in NUMBER_EMOJIS[:count]:
            try:
                await message.add_reaction(emoji)
            except discord.HTTPException as error:
                log.warning("could not add %s to poll %s: %s", emoji, message_id, error)
                return

    async def _tell_no_polls(
        self, channel: discord.abc.Messageable, notice_channel_id: int | None
    ) -> None:
        """Tell moderators once per channel that polls go out as text with reactions."""
        channel_id = getattr(channel, "id", 0)
        if channel_id in self._told_no_polls:
            return
        self._told_no_polls.add(channel_id)
        log.warning("channel %s: may not send polls; posting them as text", channel_id)
        target, where = channel, "this channel"
        try:
            if notice_channel_id is not None and notice_channel_id != channel_id:
                target = await self._channel(notice_channel_id)
                where = f"<#{channel_id}>"
            await self.send(
                target,
                f"🛠️ Moderators: I may not send polls in {where}, so poll questions go out as "
                "text with numbered reactions (1️⃣, 2️⃣ …) and I count those. Grant me **Send "
                "Polls** to get native Discord polls.",
            )
        except VenueError as error:
            log.warning("could not tell moderators about polls: %s", error.reason)

    async def end_poll(self, channel_id: int, message_id: int) -> dict[int, int] | None:
        """End the bot's poll now (Discord's "expire"); its final count per answer id."""
        try:
            data = await self.client.http.end_poll(channel_id, message_id)
        except discord.HTTPException as error:
            raise venue_error(error) from error
        return final_counts(dict(data))

    async def _other_thread(self, message: discord.Message, name: str) -> int | None:
        """A thread under a post that is not a question (the recap's reflection thread); without
        it the post stands on its own, so a failure is only logged."""
        try:
            thread = await message.create_thread(
                name=name[:100], auto_archive_duration=ARCHIVE_MINUTES
            )
        except discord.HTTPException as error:
            log.warning("could not open the thread %r on %s: %s", name, message.id, error)
            return None
        return thread.id

    async def edit_post(
        self, channel_id: int, message_ids: Sequence[int], request: PostRequest
    ) -> tuple[int, ...]:
        """Edit a post's messages in place to show ``request`` (files replaced), post the
        extra messages it needs after them and delete the ones it no longer needs."""
        channel = await self._channel(channel_id)
        shown: list[int] = []
        layout = self._layout(request)
        for index, (content, embeds, files) in enumerate(layout):
            if index < len(message_ids):
                message = discord.PartialMessage(channel=channel, id=message_ids[index])  # type: ignore[arg-type]
                async with self.pacer.slot(channel_id):
                    try:
                        await message.edit(
                            content=content or None,
                            embeds=embeds,
                            attachments=self._files(request) if files else [],
                            allowed_mentions=NO_MENTIONS,
                        )
                    except discord.HTTPException as error:
                        raise venue_error(error) from error
                shown.append(message.id)
            else:
                extra = await self.send(
                    channel, content, self._files(request) if files else None, embeds
                )
                shown.append(extra.id)
        for surplus in message_ids[len(layout) :]:
            try:
                await discord.PartialMessage(channel=channel, id=surplus).delete()  # type: ignore[arg-type]
            except discord.NotFound:
                pass  # already gone
            except discord.HTTPException as error:
                raise venue_error(error) from error
        return tuple(shown)

    async def _thread_or_fallback(
        self,
        channel: discord.abc.Messageable,
        message: discord.PartialMessage,
        name: str,
        notice_channel_id: int | None = None,
    ) -> int | None:
        """Open the question's thread from ``message``; None when there can be none (the
        question stands and answers come as "A1:" in the channel).

        A rate limit that outlasts discord.py's own five tries, or a 5xx it does not retry
        (503), is retried here after 1, 2 and 4 s. When Discord created the thread but its
        answer was lost, the retry gets error 160004 ("A thread has already been created for
        this message"): the thread exists and, opened from a message, has the message's id.
        Without the permission, moderators are told once per channel, in
        ``notice_channel_id`` (None: the question's channel).
        """
        for delay in (1.0, 2.0, 4.0, None):
            try:
                thread = await message.create_thread(
                    name=name[:100], auto_archive_duration=ARCHIVE_MINUTES
                )
            except discord.Forbidden:
                channel_id = getattr(channel, "id", 0)
                if channel_id not in self._told_no_threads:
                    self._told_no_threads.add(channel_id)
                    log.warning(
                        "channel %s: may not create threads; answers come as A1: instead",
                        channel_id,
                    )
                    await self._tell_no_threads(channel, notice_channel_id)
                return None
            except discord.HTTPException as error:
                if error.code == 160004:
                    log.info("thread on %s: already created (a lost answer)", message.id)
                    return message.id
                if delay is None or not (error.status == 429 or error.status >= 500):
                    log.warning("could not open a thread on %s: %s", message.id, error)
                    return None
                log.info("thread on %s: %s, retrying in %.0f s", message.id, error.status, delay)
                await asyncio.sleep(delay)
            else:
                return thread.id
        return None  # unreachable: the last delay is None

    async def _tell_no_threads(
        self, channel: discord.abc.Messageable, notice_channel_id: int | None
    ) -> None:
        """Tell moderators, in ``notice_channel_id`` (None: ``channel``), that answers come as
        "A1:" in ``channel``. Only logged when that fails: the question itself went out."""
        channel_id = getattr(channel, "id", 0)
        target, where, there = channel, "this channel", "here"
        try:
            if notice_channel_id is not None and notice_channel_id != channel_id:
                target = await self._channel(notice_channel_id)
                where, there = f"<#{channel_id}>", "there"
            await self.send(
                target,
                f"🛠️ Moderators: I may not create threads in {where}, so answers go {there} "
                'with "A1:", "A2:" … Grant me **Create Public Threads** and **Send Messages '
                "in Threads** to get a thread per question.",
            )
        except VenueError as error:
            log.warning("could not tell moderators about threads: %s", error.reason)

    async def find_post(self, request: PostRequest, after: datetime) -> PostResult | None:
        """The bot's own message with this text posted since ``after``, read from history."""
        channel = await self._channel(request.channel_id)
        texts = [request.text]
        if request.poll is not None:  # it may have gone out as text with reactions
            texts.append(reaction_poll_text(request.text, request.poll))
        first_chunks = {split_message(text)[0].strip() for text in texts}
        me = self.client.user
        try:
            async for message in channel.history(after=after, limit=500, oldest_first=True):
                mine = me is not None and message.author.id == me.id
                if mine and message.content.strip() in first_chunks:
                    thread = message.thread
                    return PostResult(
                        message.id,
                        thread.id if thread is not None else None,
                        reaction_poll=request.poll is not None and message.poll is None,
                    )
        except discord.HTTPException as error:
            raise venue_error(error) from error
        return None

    async def open_thread(
        self, channel_id: int, message_id: int, name: str, notice_channel_id: int | None = None
    ) -> int:
        """Open a thread from an existing message (a crash came between post and thread, or
        the post could not open it); an existing thread's id is returned as it is. Without
        the permission, moderators are told in ``notice_channel_id`` (None: ``channel_id``)."""
        channel = await self._channel(channel_id)
        message = discord.PartialMessage(channel=channel, id=message_id)  # type: ignore[arg-type]
        thread_id = await self._thread_or_fallback(channel, message, name, notice_channel_id)
        if thread_id is None:
            raise VenueError(f"no thread could be opened on message {message_id}")
        return thread_id

"""Alerts' door to Discord: direct messages, and a member's view of a channel.

* :meth:`DiscordDirect.send_dm` opens the DM channel (``POST /users/@me/channels``) and
  sends with mentions disabled and a nonce made from the delivery's mark (discord.py sends
  ``enforce_nonce``, so Discord drops a retried duplicate). Discord's 403 with code 50007
  ("Cannot send messages to this user": DMs closed, the bot blocked, no shared server)
  becomes :class:`DirectMessageRefused`.
* :meth:`DiscordDirect.find_dm` reads the DM channel's history since a delivery's intent
  for a message of the bot's that carries its mark (after a crash between send and record).
* :meth:`DiscordDirect.can_view` computes the member's permissions with discord.py
  (``channel.permissions_for(member)``: roles, the channel's overwrites, and for a thread
  its parent's). The bot has no GUILD_MEMBERS intent, so members are fetched
  (``GET /guilds/{id}/members/{user}``) and kept for :data:`MEMBER_TTL` seconds, so a big
  digest run asks once per member. A member who left, or a channel gone, cannot view; a
  private thread is delivered only to its owner and to those who manage threads (who was
  added to it is not known without asking).
"""

from __future__ import annotations

import logging
import re
import time
from datetime import datetime

import discord

from bot.core.ports.direct import DirectMessageRefused

log = logging.getLogger(__name__)

#: Discord's error code for a DM it will not deliver.
CANNOT_DM = 50007
#: Seconds a fetched member (roles) is trusted.
MEMBER_TTL = 60.0
NO_MENTIONS = discord.AllowedMentions.none()


def nonce_of(key: str) -> str:
    """A nonce (at most 25 characters) for the DM marked ``key``."""
    return ("al" + "".join(re.findall(r"\d+", key)))[:25]


class DiscordDirect:
    """The DM port over a discord.py client."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._members: dict[tuple[int, int], tuple[float, discord.Member | None]] = {}

    async def send_dm(self, user_id: int, text: str, key: str) -> int:
        """Send a DM; :class:`DirectMessageRefused` on Discord's 50007."""
        channel = await self.client.create_dm(discord.Object(user_id))
        try:
            message = await channel.send(text, allowed_mentions=NO_MENTIONS, nonce=nonce_of(key))
        except discord.Forbidden as error:
            if error.code == CANNOT_DM:
                raise DirectMessageRefused(str(error)) from error
            raise
        return message.id

    async def find_dm(self, user_id: int, key: str, after: datetime) -> int | None:
        """A DM of the bot's to ``user_id`` since ``after`` carrying ``key``."""
        channel = await self.client.create_dm(discord.Object(user_id))
        me = self.client.user
        async for message in channel.history(after=after, limit=100, oldest_first=True):
            if (me is None or message.author.id == me.id) and key in message.content:
                return message.id
        return None

    async def _member(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        cached = self._members.get((guild.id, user_id))
        now = time.monotonic()
        if cached is not None and now - cached[0] < MEMBER_TTL:
            return cached[1]
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:
                member = None
        self._members[(guild.id, user_id)] = (now, member)
        return member

    async def can_view(
        self, user_id: int, guild_id: int, channel_id: int, thread_id: int | None
    ) -> bool:
        """Whether the member can view the channel or thread (Discord's permissions)."""
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return False
        member = await self._member(guild, user_id)
        if member is None:
            return False
        place = guild.get_channel_or_thread(thread_id or channel_id)
        if place is None and thread_id is not None:
            try:
                fetched = await self.client.fetch_channel(thread_id)
            except discord.HTTPException:
                fetched = None
            place = fetched if isinstance(fetched, discord.Thread) else None
            if place is None:
                place = guild.get_channel(channel_id)
        if place is None or isinstance(place, discord.CategoryChannel):
            return False
        permissions = place.permissions_for(member)
        if isinstance(place, discord.Thread) and place.is_private():
            # discord.py does not know who was added to a private thread: only its owner
            # and those who manage threads are sure to see it (never a message they cannot).
            return permissions.manage_threads or place.owner_id == user_id
        return permissions.view_channel

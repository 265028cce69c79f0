"""The port alerts are delivered through: direct messages, and whether a member can
view a channel (Discord's permissions for that member: roles, overwrites, a thread's
parent). The Discord adapter implements it with discord.py; tests use a memory one."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class DirectMessageRefused(Exception):
    """The platform refused to deliver a DM (Discord 50007: the member closed their DMs,
    blocked the bot, or shares no server with it)."""


class DirectMessages(Protocol):
    """Sending DMs to members, and checking what they can see."""

    async def send_dm(self, user_id: int, text: str, key: str) -> int:
        """Send ``text`` to ``user_id`` (mentions disabled); returns the message id. ``key``
        marks the message (the text contains it) so :meth:`find_dm` can find it after a
        crash. Raises :class:`DirectMessageRefused` when the platform refuses."""
        ...

    async def find_dm(self, user_id: int, key: str, after: datetime) -> int | None:
        """The id of a DM sent to ``user_id`` since ``after`` whose text contains ``key``."""
        ...

    async def can_view(
        self, user_id: int, guild_id: int, channel_id: int, thread_id: int | None
    ) -> bool:
        """Whether the member can view the channel (or the thread) now."""
        ...

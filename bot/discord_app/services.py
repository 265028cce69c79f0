"""What the cogs and listeners share: the engine, the collector, the store and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import discord

from bot.chatfile import ChatSet, load_chats
from bot.config import Settings
from bot.core.errors import NotAModerator
from bot.runtime.collector import Collector
from bot.runtime.engine import Engine
from bot.storage import SqliteStore


@dataclass
class Services:
    """The bot's parts, built once at start."""

    settings: Settings
    store: SqliteStore
    engine: Engine
    collector: Collector

    def now(self) -> datetime:
        """The engine's clock."""
        return self.engine.clock.now()

    def load_chat_files(self) -> ChatSet:
        """Read and validate every chat file in ``CHATS_DIR``."""
        return load_chats([self.settings.chats_dir], self.now())

    async def reload(self) -> ChatSet:
        """Re-read the chat files and make the schedule match (broken files keep their chat)."""
        chats = self.load_chat_files()
        present = [result.path for result in chats.results]
        await self.engine.sync_chats(list(chats.specs.values()), present)
        await self.collector.refresh()
        return chats

    def is_moderator(self, user: discord.abc.User) -> bool:
        """Manage Events, Manage Server or Administrator, or the ``MODERATOR_ROLE`` role."""
        if not isinstance(user, discord.Member):
            return False
        permissions = user.guild_permissions
        if permissions.manage_events or permissions.manage_guild or permissions.administrator:
            return True
        role = self.settings.moderator_role
        return role is not None and any(role in (str(r.id), r.name) for r in user.roles)

    def require_moderator(self, user: discord.abc.User) -> None:
        """Raise :class:`NotAModerator` unless ``user`` may control chats."""
        if not self.is_moderator(user):
            wanted = "Manage Events or Manage Server permission"
            if self.settings.moderator_role:
                wanted += f", or the {self.settings.moderator_role} role"
            raise NotAModerator(f"only moderators can do that ({wanted})")

"""What the cogs share: the settings, the store (its ports), the runtime, and who moderates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import discord
from discord import app_commands

from bot.chatfile import ChatSet, load_chats
from bot.config import Settings
from bot.core.errors import NotAModerator
from bot.core.ports import Store
from bot.runtime.collector import Collector
from bot.runtime.engine import Engine
from bot.runtime.root import Runtime


@dataclass(frozen=True)
class Services:
    """The bot's parts, built once at start and given to each cog when it is made."""

    settings: Settings
    store: Store
    runtime: Runtime

    @property
    def engine(self) -> Engine:
        """The runtime's engine (controls, scheduling, recaps)."""
        return self.runtime.engine

    @property
    def collector(self) -> Collector:
        """The runtime's collector (where answers go)."""
        return self.runtime.collector

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

    async def chat_choices(self, current: str) -> list[app_commands.Choice[str]]:
        """Chat ids whose id or title contains what the user typed (autocomplete)."""
        current = current.lower()
        specs = await self.store.chat_specs()
        matches = [s for s in specs if current in s.id or current in s.title.lower()]
        return [app_commands.Choice(name=f"{s.id} — {s.title}"[:100], value=s.id) for s in matches][
            :25
        ]

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

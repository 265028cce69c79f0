"""What the cogs share: the settings, the store (its ports), the runtime, and who moderates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import discord
from discord import app_commands

from bot.chatfile import ChatSet, FileResult, load_chats
from bot.config import Settings
from bot.core.errors import NotAModerator
from bot.core.ports import Store
from bot.core.run import Phase
from bot.core.schedule import next_occurrence, to_local
from bot.core.spec import ChatSpec
from bot.runtime.authoring import Authoring
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
        # Boards: one per chat series, and the topic boards of CHATS_DIR/boards.yaml (whose
        # problems are reported with the chat files').
        await self.runtime.boards.sync_series(chats.specs.values())
        boards = await self.runtime.boards.load_file(self.settings.chats_dir)
        if boards.problems:
            chats.results.append(FileResult(boards.path, None, boards.problems))
        return chats

    @property
    def authoring(self) -> Authoring:
        """Writing chats from Discord (/host new, edit, set, export, delete)."""
        return Authoring(self.store, self.engine, self.load_chat_files, self.settings.chats_dir)

    @staticmethod
    def of_guild(spec: ChatSpec, guild: discord.Guild | None) -> bool:
        """Whether ``spec`` is a chat of ``guild`` (its ``guild``, else where its channel is);
        with no guild (a DM), every chat is."""
        if guild is None:
            return True
        if spec.guild is not None:
            return spec.guild == guild.id
        return guild.get_channel(spec.channel) is not None

    async def chat_choices(
        self, current: str, guild: discord.Guild | None = None
    ) -> list[app_commands.Choice[str]]:
        """This server's chats whose id or title contains what the user typed, the next to
        happen first (a live one first of all), each with its next date in its own zone
        (autocomplete)."""
        current = current.lower()
        specs = [
            s
            for s in await self.store.chat_specs()
            if self.of_guild(s, guild) and (current in s.id or current in s.title.lower())
        ]
        planned: dict[str, tuple[int, datetime]] = {}
        for occurrence in await self.store.occurrences(unfinished=True):
            run = occurrence.run
            if run.phase.live:
                planned.setdefault(occurrence.spec.id, (0, run.start))
            elif run.phase in (Phase.SCHEDULED, Phase.ANNOUNCED):
                planned.setdefault(occurrence.spec.id, (1, run.start))
        now = self.now()
        ranks: dict[str, tuple[int, datetime]] = {}
        for spec in specs:
            upcoming = next_occurrence(spec, now)
            fallback = (2, now) if upcoming is None else (1, upcoming)
            ranks[spec.id] = planned.get(spec.id, fallback)
        specs.sort(key=lambda s: (ranks[s.id], s.id))
        choices = []
        for spec in specs[:25]:
            rank, start = ranks[spec.id]
            if rank == 0:
                when = "on now"
            elif rank == 2:
                when = "no date to come"
            elif start <= now:
                when = "due now"
            else:
                when = f"{to_local(start, spec.timezone):%a %d %b %H:%M} {spec.timezone}"
            name = f"{spec.id} — {spec.title}"[: 97 - len(when)] + f" · {when}"
            choices.append(app_commands.Choice(name=name, value=spec.id))
        return choices

    async def zones_used(self, guild: discord.Guild | None) -> Counter[str]:
        """How many of this server's chats are in each time zone."""
        specs = await self.store.chat_specs()
        return Counter(s.timezone for s in specs if self.of_guild(s, guild))

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

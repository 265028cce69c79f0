"""SQLite storage: one file, versioned migrations, one repository per aggregate."""

from __future__ import annotations

from pathlib import Path

from bot.storage.answers import AnswerRepository
from bot.storage.chats import ChatRepository
from bot.storage.command_syncs import CommandSyncRepository
from bot.storage.db import Database, StorageError, open_database
from bot.storage.events import EventLink, EventRepository
from bot.storage.occurrences import OccurrenceRepository
from bot.storage.posts import PostRepository
from bot.storage.recaps import LiveRecapRepository

__all__ = ["EventLink", "SqliteStore", "StorageError", "open_store"]


class SqliteStore(
    ChatRepository,
    OccurrenceRepository,
    PostRepository,
    AnswerRepository,
    EventRepository,
    LiveRecapRepository,
    CommandSyncRepository,
):
    """The bot's Store (see :class:`bot.core.ports.Store`) over one SQLite database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()


async def open_store(path: Path | str) -> SqliteStore:
    """Open (create, migrate) the database at ``path`` as a store."""
    return SqliteStore(await open_database(path))

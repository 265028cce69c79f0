"""SQLite storage: one file, versioned migrations, one repository per aggregate."""

from __future__ import annotations

from pathlib import Path

from bot.core.errors import StorageError
from bot.core.ports import EventLink, Store
from bot.storage.answer_reads import AnswerReadRepository
from bot.storage.chats import ChatRepository
from bot.storage.command_syncs import CommandSyncRepository
from bot.storage.db import Database, open_database
from bot.storage.drafts import DraftRepository
from bot.storage.events import EventRepository
from bot.storage.leases import LeaseRepository
from bot.storage.occurrences import OccurrenceRepository
from bot.storage.participants import ParticipantRepository
from bot.storage.people import PeopleRepository
from bot.storage.posts import PostRepository
from bot.storage.recaps import LiveRecapRepository

__all__ = ["EventLink", "SqliteStore", "StorageError", "open_store"]


class SqliteStore(
    ChatRepository,
    OccurrenceRepository,
    PostRepository,
    ParticipantRepository,  # and the answer write pipeline it extends
    AnswerReadRepository,
    EventRepository,
    LiveRecapRepository,
    CommandSyncRepository,
    DraftRepository,
    PeopleRepository,
    LeaseRepository,
):
    """The bot's store over one SQLite database: every port of :class:`bot.core.ports.Store`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()


async def open_store(path: Path | str) -> SqliteStore:
    """Open (create, migrate) the database at ``path`` as a store."""
    return SqliteStore(await open_database(path))


def _implements_the_ports(store: SqliteStore) -> Store:
    """Never called: mypy checks here that SqliteStore implements every port."""
    return store

"""The command-sync repository: a digest of the slash commands last synced to each guild."""

from __future__ import annotations

from datetime import datetime

from bot.storage._convert import ts
from bot.storage.db import Database


class CommandSyncRepository:
    """What was last synced to each guild, so an unchanged command tree is not synced again."""

    db: Database

    async def synced_commands(self, guild_id: int) -> str | None:
        """The digest of the commands last synced to ``guild_id`` (None: never synced)."""
        row = await self.db.fetchone(
            "SELECT digest FROM command_syncs WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else str(row["digest"])

    async def save_synced_commands(self, guild_id: int, digest: str, at: datetime) -> None:
        """Record that the commands with ``digest`` were synced to ``guild_id`` at ``at``."""
        async with self.db.transaction() as connection:
            await connection.execute(
                """INSERT INTO command_syncs (guild_id, digest, synced_at) VALUES (?, ?, ?)
                   ON CONFLICT(guild_id) DO UPDATE SET digest = excluded.digest,
                     synced_at = excluded.synced_at""",
                (guild_id, digest, ts(at)),
            )

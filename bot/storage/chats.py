"""The chats repository: every chat the bot knows, from files or from commands."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from bot.core.spec import ChatSpec
from bot.storage._convert import ts
from bot.storage.db import Database


def spec_hash(spec: ChatSpec) -> str:
    """A fingerprint of a spec, to tell whether a reloaded file changed it."""
    return hashlib.sha256(spec.to_json().encode()).hexdigest()


class ChatRepository:
    """Chats: their current spec and whether they are still active."""

    db: Database

    async def save_chat(self, spec: ChatSpec) -> bool:
        """Store or update a chat; True when it is new, reactivated, or its spec changed."""
        digest = spec_hash(spec)
        row = await self.db.fetchone("SELECT spec_hash, active FROM chats WHERE id = ?", (spec.id,))
        if row is not None and row["spec_hash"] == digest and row["active"]:
            return False
        async with self.db.transaction() as connection:
            await connection.execute(
                """INSERT INTO chats (id, source, spec_json, spec_hash, active, updated_at)
                   VALUES (?, ?, ?, ?, 1, ?)
                   ON CONFLICT(id) DO UPDATE SET source = excluded.source,
                     spec_json = excluded.spec_json, spec_hash = excluded.spec_hash,
                     active = 1, updated_at = excluded.updated_at""",
                (spec.id, spec.source, spec.to_json(), digest, ts(datetime.now(UTC))),
            )
        return True

    async def chat_specs(self, *, active_only: bool = True) -> list[ChatSpec]:
        """Every stored chat, by id."""
        where = "WHERE active = 1" if active_only else ""
        rows = await self.db.fetchall(f"SELECT spec_json FROM chats {where} ORDER BY id")  # noqa: S608
        return [ChatSpec.from_json(row["spec_json"]) for row in rows]

    async def deactivate_chat(self, chat_id: str) -> None:
        """Mark a chat removed; its occurrences and answers stay for the archive."""
        async with self.db.transaction() as connection:
            await connection.execute("UPDATE chats SET active = 0 WHERE id = ?", (chat_id,))

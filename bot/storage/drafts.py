"""The drafts repository: chats being written in Discord, kept until they are valid."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.core.ports.records import ChatDraft
from bot.storage._convert import dt, ts
from bot.storage.db import Database


def _draft(row: Any) -> ChatDraft:
    return ChatDraft(
        draft_id=row["id"],
        guild_id=row["guild_id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        fields=json.loads(row["fields_json"]),
        created_at=dt(row["created_at"]),
    )


class DraftRepository:
    """What moderators typed into the forms of /host new and /host edit."""

    db: Database

    async def save_draft(self, draft: ChatDraft) -> ChatDraft:
        """Store a draft; one with ``draft_id`` 0 is new and comes back with its id."""
        fields = json.dumps(dict(draft.fields), sort_keys=True, ensure_ascii=False)
        async with self.db.transaction() as connection:
            if draft.draft_id:
                await connection.execute(
                    "UPDATE chat_drafts SET fields_json = ? WHERE id = ?",
                    (fields, draft.draft_id),
                )
                return draft
            cursor = await connection.execute(
                """INSERT INTO chat_drafts (guild_id, user_id, chat_id, fields_json, created_at)
                   VALUES (?, ?, ?, ?, ?) RETURNING id""",
                (draft.guild_id, draft.user_id, draft.chat_id, fields, ts(draft.created_at)),
            )
            inserted = await cursor.fetchone()
        assert inserted is not None
        draft_id = int(inserted[0])
        return replace(draft, draft_id=draft_id)

    async def draft(self, draft_id: int) -> ChatDraft | None:
        """A draft by id (None when it was used up or dropped)."""
        row = await self.db.fetchone("SELECT * FROM chat_drafts WHERE id = ?", (draft_id,))
        return None if row is None else _draft(row)

    async def delete_draft(self, draft_id: int) -> None:
        """Drop a draft (its chat was saved)."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM chat_drafts WHERE id = ?", (draft_id,))

    async def delete_drafts_before(self, moment: datetime) -> int:
        """Drop the drafts started before ``moment``; returns how many."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "DELETE FROM chat_drafts WHERE created_at < ?", (ts(moment),)
            )
            return cursor.rowcount

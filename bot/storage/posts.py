"""The posts repository: intent before posting, message id after (idempotent posting)."""

from __future__ import annotations

from datetime import datetime

from bot.core.ports import PostRecord, PostRequest, PostResult
from bot.storage._convert import dt, dt_or_none, ts
from bot.storage.db import Database, Row
from bot.storage.recaps import insert_live_recap


def _record(row: Row) -> PostRecord:
    return PostRecord(
        occurrence_id=row["occurrence_id"],
        step_key=row["step_key"],
        channel_id=row["channel_id"],
        text=row["text"],
        intent_at=dt(row["intent_at"]),
        message_id=row["message_id"],
        thread_id=row["thread_id"],
        posted_at=dt_or_none(row["posted_at"]),
        late=bool(row["late"]),
    )


class PostRepository:
    """One row per (occurrence, step key): the unique key is what forbids a double post."""

    db: Database

    async def record_intent(
        self, request: PostRequest, at: datetime, late: bool
    ) -> tuple[PostRecord, bool]:
        """Record the intent to post. Returns the record and whether it is new; an existing
        record (an earlier attempt, maybe before a crash) is returned as it was."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                """INSERT INTO posts (occurrence_id, step_key, channel_id, text, intent_at, late)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(occurrence_id, step_key) DO NOTHING""",
                (
                    request.occurrence_id,
                    request.step_key,
                    request.channel_id,
                    request.text,
                    ts(at),
                    int(late),
                ),
            )
            created = cursor.rowcount == 1
        record = await self.post(request.occurrence_id, request.step_key)
        assert record is not None
        return record, created

    async def record_posted(
        self,
        occurrence_id: int,
        step_key: str,
        result: PostResult,
        at: datetime,
        *,
        live_as_of: datetime | None = None,
    ) -> None:
        """Record the message (and thread) a step's post became. With ``live_as_of`` (the
        recap, built from the answers stored by then) the post is also kept live, in the
        same transaction, so a crash leaves either both records or neither."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                """UPDATE posts SET message_id = ?, thread_id = ?, posted_at = ?
                   WHERE occurrence_id = ? AND step_key = ? RETURNING channel_id""",
                (result.message_id, result.thread_id, ts(at), occurrence_id, step_key),
            )
            row = await cursor.fetchone()
            if live_as_of is not None and row is not None:
                await insert_live_recap(
                    connection, occurrence_id, int(row[0]), result, at, live_as_of
                )

    async def post(self, occurrence_id: int, step_key: str) -> PostRecord | None:
        """The record of one step's post."""
        row = await self.db.fetchone(
            "SELECT * FROM posts WHERE occurrence_id = ? AND step_key = ?",
            (occurrence_id, step_key),
        )
        return _record(row) if row is not None else None

    async def posts(self, occurrence_id: int) -> list[PostRecord]:
        """Every post of an occurrence, in the order intended."""
        rows = await self.db.fetchall(
            "SELECT * FROM posts WHERE occurrence_id = ? ORDER BY intent_at, rowid",
            (occurrence_id,),
        )
        return [_record(row) for row in rows]

    async def post_by_message(self, message_id: int) -> PostRecord | None:
        """The post that became message (or thread) ``message_id``, if the bot made it."""
        row = await self.db.fetchone(
            "SELECT * FROM posts WHERE message_id = ? OR thread_id = ? LIMIT 1",
            (message_id, message_id),
        )
        return _record(row) if row is not None else None

"""The answers repository: participants' messages, keyed by Discord message id and part.

Every write is an upsert, so the same message delivered twice (gateway
redelivery, backfill from history after downtime) is stored once, and an older
copy never overwrites a newer edit.

``deleted`` is 0 for a live part, 1 when the message was deleted (final: a
redelivery never brings it back), and 2 when an edit removed that part (a later
edit that answers the question again brings it back).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.core.answers import Answer, AnswerSource
from bot.storage._convert import dt, dt_or_none, ts, ts_or_none
from bot.storage.db import Database

_UPSERT = """
INSERT INTO answers (message_id, part, occurrence_id, channel_id, thread_id, author_id, question,
                     content, source, created_at, edited_at, deleted, reply_to, late)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
ON CONFLICT(message_id, part) DO UPDATE SET
    content = excluded.content, question = excluded.question, source = excluded.source,
    edited_at = excluded.edited_at, deleted = 0
WHERE answers.deleted != 1
  AND COALESCE(excluded.edited_at, excluded.created_at) >= COALESCE(answers.edited_at, answers.created_at)
"""

_RECOUNT = """
UPDATE answers SET reactions =
    (SELECT COUNT(*) FROM reactions WHERE reactions.message_id = answers.message_id)
WHERE message_id = ?
"""

_PARTICIPANT = """
INSERT INTO participants (user_id, name, first_seen) VALUES (?, ?, ?)
ON CONFLICT(user_id) DO UPDATE SET name = excluded.name,
    first_seen = MIN(participants.first_seen, excluded.first_seen)
"""


def _answer(row: sqlite3.Row) -> Answer:
    return Answer(
        message_id=row["message_id"],
        part=row["part"],
        occurrence_id=row["occurrence_id"],
        channel_id=row["channel_id"],
        thread_id=row["thread_id"],
        author_id=row["author_id"],
        author_name=row["name"],
        question=row["question"],
        content=row["content"],
        source=AnswerSource(row["source"]),
        created_at=dt(row["created_at"]),
        edited_at=dt_or_none(row["edited_at"]),
        deleted=bool(row["deleted"]),
        reactions=row["reactions"],
        reply_to=row["reply_to"],
        late=bool(row["late"]),
    )


class AnswerRepository:
    """Answers, reactions and participants."""

    db: Database

    async def upsert_answers(self, answers: Sequence[Answer]) -> None:
        """Store answers (and their authors) in one transaction; idempotent per message part."""
        if not answers:
            return
        async with self.db.transaction() as connection:
            await connection.executemany(
                _PARTICIPANT, [(a.author_id, a.author_name, ts(a.created_at)) for a in answers]
            )
            await connection.executemany(
                _UPSERT,
                [
                    (
                        a.message_id,
                        a.part,
                        a.occurrence_id,
                        a.channel_id,
                        a.thread_id,
                        a.author_id,
                        a.question,
                        a.content,
                        a.source.value,
                        ts(a.created_at),
                        ts_or_none(a.edited_at),
                        a.reply_to,
                        int(a.late),
                    )
                    for a in answers
                ],
            )
            # A reaction may be handled before its message (events run concurrently).
            await connection.executemany(_RECOUNT, [(m,) for m in {a.message_id for a in answers}])

    async def attribute_to_question(
        self, occurrence_id: int, question: int, message_id: int, thread_id: int | None
    ) -> int:
        """Attribute conversation that replied to, or was posted in the thread of, question
        ``question``'s message before the bot had recorded it (a fast participant)."""
        async with self.db.transaction() as connection:
            replies = await connection.execute(
                """UPDATE answers SET question = ?, source = 'reply'
                   WHERE occurrence_id = ? AND reply_to = ? AND source = 'conversation'""",
                (question, occurrence_id, message_id),
            )
            changed = replies.rowcount
            if thread_id is not None:
                threaded = await connection.execute(
                    """UPDATE answers SET question = ?, source = 'thread'
                       WHERE occurrence_id = ? AND thread_id = ? AND source = 'conversation'""",
                    (question, occurrence_id, thread_id),
                )
                changed += threaded.rowcount
        return changed

    async def drop_parts_from(self, message_id: int, count: int, at: datetime) -> None:
        """Mark parts ``count`` and later removed by the edit made ``at`` (fewer answers now)."""
        async with self.db.transaction() as connection:
            await connection.execute(
                """UPDATE answers SET deleted = 2, edited_at = ?
                   WHERE message_id = ? AND part >= ? AND deleted = 0""",
                (ts(at), message_id, count),
            )

    async def mark_deleted(self, message_ids: Sequence[int]) -> int:
        """Mark messages deleted; returns how many stored parts that touched."""
        async with self.db.transaction() as connection:
            cursor = await connection.executemany(
                "UPDATE answers SET deleted = 1 WHERE message_id = ? AND deleted != 1",
                [(m,) for m in message_ids],
            )
            return cursor.rowcount

    async def set_reaction(self, message_id: int, user_id: int, emoji: str, present: bool) -> None:
        """Add or remove one user's reaction, then recount the message's reactions."""
        async with self.db.transaction() as connection:
            if present:
                await connection.execute(
                    "INSERT OR IGNORE INTO reactions (message_id, user_id, emoji) VALUES (?, ?, ?)",
                    (message_id, user_id, emoji),
                )
            else:
                await connection.execute(
                    "DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
                    (message_id, user_id, emoji),
                )
            await connection.execute(_RECOUNT, (message_id,))

    async def answers(self, occurrence_id: int, *, include_deleted: bool = False) -> list[Answer]:
        """An occurrence's stored messages, oldest first, parts in order."""
        deleted = "" if include_deleted else "AND a.deleted = 0"
        rows = await self.db.fetchall(
            f"""SELECT a.*, p.name FROM answers a JOIN participants p ON p.user_id = a.author_id
                WHERE a.occurrence_id = ? {deleted}
                ORDER BY a.created_at, a.message_id, a.part""",  # noqa: S608
            (occurrence_id,),
        )
        return [_answer(row) for row in rows]

    async def message_occurrence(self, message_id: int) -> int | None:
        """The occurrence a stored message belongs to."""
        row = await self.db.fetchone(
            "SELECT occurrence_id FROM answers WHERE message_id = ? LIMIT 1", (message_id,)
        )
        return int(row[0]) if row else None

    async def last_message_id(
        self, occurrence_id: int, channel_id: int, thread_id: int | None = None
    ) -> int | None:
        """The newest stored message of an occurrence in its channel (``thread_id`` None, thread
        messages excluded) or in one thread; backfill reads history after it."""
        if thread_id is None:
            sql = """SELECT MAX(message_id) FROM answers WHERE occurrence_id = ?
                     AND channel_id = ? AND thread_id IS NULL"""
            params: tuple[int, ...] = (occurrence_id, channel_id)
        else:
            sql = "SELECT MAX(message_id) FROM answers WHERE occurrence_id = ? AND thread_id = ?"
            params = (occurrence_id, thread_id)
        row = await self.db.fetchone(sql, params)
        return int(row[0]) if row and row[0] is not None else None

    async def set_opt_out(self, user_id: int, name: str, opted_out: bool, at: datetime) -> None:
        """Whether the recap may quote or name this participant."""
        async with self.db.transaction() as connection:
            await connection.execute(_PARTICIPANT, (user_id, name, ts(at)))
            await connection.execute(
                "UPDATE participants SET opted_out = ? WHERE user_id = ?", (int(opted_out), user_id)
            )

    async def opted_out(self) -> set[int]:
        """Ids of participants who opted out."""
        rows = await self.db.fetchall("SELECT user_id FROM participants WHERE opted_out = 1")
        return {int(row[0]) for row in rows}

    async def forget_user(self, user_id: int) -> int:
        """Delete every stored message of a participant; returns how many messages."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT COUNT(DISTINCT message_id) FROM answers WHERE author_id = ?", (user_id,)
            )
            row = await cursor.fetchone()
            cursor = await connection.execute(
                "SELECT DISTINCT message_id FROM reactions WHERE user_id = ?", (user_id,)
            )
            reacted = [(int(r[0]),) for r in await cursor.fetchall()]
            await connection.execute("DELETE FROM answers WHERE author_id = ?", (user_id,))
            await connection.execute("DELETE FROM reactions WHERE user_id = ?", (user_id,))
            await connection.executemany(_RECOUNT, reacted)
            await connection.execute("DELETE FROM participants WHERE user_id = ?", (user_id,))
        return int(row[0]) if row else 0

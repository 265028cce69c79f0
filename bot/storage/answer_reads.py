"""Answer reads: an occurrence's stored messages for its recap, and what backfill compares
with a channel's history (the newest stored message, stored versions, reactions)."""

from __future__ import annotations

from bot.core.answers import Answer, AnswerSource
from bot.core.writes import StoredVersion
from bot.storage._convert import dt, dt_or_none
from bot.storage.db import Database, Row


def answer_of(row: Row) -> Answer:
    """A stored message part as an :class:`Answer` (the row joined with its author's name)."""
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


class AnswerReadRepository:
    """Reads of stored messages."""

    db: Database

    async def answers(self, occurrence_id: int, *, include_deleted: bool = False) -> list[Answer]:
        """An occurrence's stored messages, oldest first, parts in order."""
        deleted = "" if include_deleted else "AND a.deleted = 0"
        rows = await self.db.fetchall(
            f"""SELECT a.*, p.name FROM answers a JOIN participants p ON p.user_id = a.author_id
                WHERE a.occurrence_id = ? {deleted}
                ORDER BY a.created_at, a.message_id, a.part""",  # noqa: S608
            (occurrence_id,),
        )
        return [answer_of(row) for row in rows]

    async def message_occurrence(self, message_id: int) -> int | None:
        """The occurrence a stored message belongs to."""
        row = await self.db.fetchone(
            "SELECT occurrence_id FROM answers WHERE message_id = ? LIMIT 1", (message_id,)
        )
        return int(row[0]) if row else None

    async def reactions_of(self, occurrence_id: int) -> dict[int, set[tuple[int, str]]]:
        """Every stored message of an occurrence (deleted ones too) with its stored reactions
        as (user id, emoji): an empty set for a message nobody reacted to. Backfill compares
        them with the reactions Discord shows now (:mod:`bot.discord_app.backfill`)."""
        rows = await self.db.fetchall(
            """SELECT m.message_id, r.user_id, r.emoji
               FROM (SELECT DISTINCT message_id FROM answers WHERE occurrence_id = ?) m
               LEFT JOIN reactions r ON r.message_id = m.message_id""",
            (occurrence_id,),
        )
        stored: dict[int, set[tuple[int, str]]] = {}
        for message_id, user_id, emoji in rows:
            reactions = stored.setdefault(int(message_id), set())
            if user_id is not None:
                reactions.add((int(user_id), str(emoji)))
        return stored

    async def stored_versions(self, occurrence_id: int) -> dict[int, StoredVersion]:
        """Every stored message of an occurrence: its thread (None: the channel), the edit
        stored (None: never edited) and whether it was deleted. Backfill compares them with
        the history Discord shows to catch edits and deletes it missed."""
        rows = await self.db.fetchall(
            """SELECT message_id, MAX(thread_id), MAX(edited_at), MIN(deleted) = 1 FROM answers
               WHERE occurrence_id = ? GROUP BY message_id""",
            (occurrence_id,),
        )
        return {
            int(message_id): StoredVersion(
                None if thread_id is None else int(thread_id), dt_or_none(edited), bool(deleted)
            )
            for message_id, thread_id, edited, deleted in rows
        }

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

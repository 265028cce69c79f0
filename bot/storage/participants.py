"""Participants and their consent: names, opt-outs, first-timers, and forgetting."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from bot.storage._convert import ts
from bot.storage.answer_writes import PARTICIPANT, RECOUNT
from bot.storage.db import Database


class ParticipantRepository:
    """Participants: the names they post under and whether recaps may name them."""

    db: Database

    async def set_opt_out(self, user_id: int, name: str, opted_out: bool, at: datetime) -> None:
        """Whether the recap may quote or name this participant."""
        async with self.db.transaction() as connection:
            await connection.execute(PARTICIPANT, (user_id, name, ts(at)))
            await connection.execute(
                "UPDATE participants SET opted_out = ? WHERE user_id = ?", (int(opted_out), user_id)
            )

    async def participant_names(self, user_ids: Collection[int]) -> dict[int, str]:
        """The names these users last posted under, in any chat (those never seen are left
        out): hosts and guests who did not post in a chat are still named in its recap."""
        if not user_ids:
            return {}
        ids = sorted(set(user_ids))
        rows = await self.db.fetchall(
            f"SELECT user_id, name FROM participants WHERE user_id IN ({','.join('?' * len(ids))})",  # noqa: S608
            ids,
        )
        return {int(row[0]): str(row[1]) for row in rows if row[1]}

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
            await connection.executemany(RECOUNT, reacted)
            await connection.execute("DELETE FROM participants WHERE user_id = ?", (user_id,))
        return int(row[0]) if row else 0

    async def first_timers(self, occurrence_id: int, chat_id: str, start: datetime) -> set[int]:
        """Participants who answered in this occurrence and in no earlier one of the chat.

        Reads the answers of this occurrence and of the chat's earlier occurrences only
        (through the occurrence index), so the cost follows the chat's own history, not
        the whole database.
        """
        rows = await self.db.fetchall(
            """SELECT author_id FROM answers
               WHERE occurrence_id = ? AND deleted = 0
                 AND source NOT IN ('conversation', 'takeaway')
               EXCEPT
               SELECT author_id FROM answers
               WHERE occurrence_id IN (
                       SELECT id FROM occurrences WHERE chat_id = ?
                         AND (start_at < ? OR (start_at = ? AND id < ?)))
                 AND source NOT IN ('conversation', 'takeaway')""",
            (occurrence_id, chat_id, ts(start), ts(start), occurrence_id),
        )
        return {int(row[0]) for row in rows}

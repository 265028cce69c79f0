"""The suggestions repository: questions members suggest (``/chat suggest``) and their upvotes.

Portable SQL only (``?`` placeholders, ``ON CONFLICT``, explicit ids with ``RETURNING``), so
the PostgreSQL backend can reuse it. Votes are counted from ``suggestion_votes``; a vote on
a message that is not a suggestion's, or by its own author, is not stored.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from bot.core.suggestions import Suggestion, SuggestionStatus
from bot.storage._convert import dt, dt_or_none, ts
from bot.storage.db import Database

_SELECT = """SELECT s.*, (SELECT COUNT(*) FROM suggestion_votes v
                          WHERE v.suggestion_id = s.id) AS votes
             FROM suggestions s"""


def _suggestion(row: Any) -> Suggestion:
    return Suggestion(
        suggestion_id=int(row["id"]),
        chat_id=str(row["chat_id"]),
        author_id=int(row["author_id"]),
        author_name=str(row["author_name"]),
        text=str(row["text"]),
        created_at=dt(row["created_at"]),
        status=SuggestionStatus(row["status"]),
        votes=int(row["votes"]),
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        position=row["position"],
        decided_at=dt_or_none(row["decided_at"]),
        occurrence_id=row["occurrence_id"],
    )


class SuggestionRepository:
    """Suggested questions, their review and their votes."""

    db: Database

    async def add_suggestion(
        self,
        chat_id: str,
        author_id: int,
        author_name: str,
        text: str,
        at: datetime,
        *,
        max_open: int,
    ) -> Suggestion | None:
        """Record an open suggestion, unless its author has ``max_open`` open ones for the
        chat already (None then); the count and the insert are one transaction."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                """SELECT COUNT(*) FROM suggestions
                   WHERE chat_id = ? AND author_id = ? AND status = 'open'""",
                (chat_id, author_id),
            )
            row = await cursor.fetchone()
            if row is not None and int(row[0]) >= max_open:
                return None
            cursor = await connection.execute(
                """INSERT INTO suggestions (chat_id, author_id, author_name, text, status,
                                            created_at)
                   VALUES (?, ?, ?, ?, 'open', ?) RETURNING id""",
                (chat_id, author_id, author_name, text, ts(at)),
            )
            inserted = await cursor.fetchone()
        assert inserted is not None
        return Suggestion(
            suggestion_id=int(inserted[0]),
            chat_id=chat_id,
            author_id=author_id,
            author_name=author_name,
            text=text,
            created_at=at,
        )

    async def open_suggestions_of(self, chat_id: str, author_id: int) -> int:
        """How many open suggestions ``author_id`` has for the chat."""
        row = await self.db.fetchone(
            """SELECT COUNT(*) FROM suggestions
               WHERE chat_id = ? AND author_id = ? AND status = 'open'""",
            (chat_id, author_id),
        )
        return int(row[0]) if row is not None else 0

    async def suggestion_posted(self, suggestion_id: int, channel_id: int, message_id: int) -> None:
        """Record the message members upvote the suggestion on."""
        await self.db.write(
            "UPDATE suggestions SET channel_id = ?, message_id = ? WHERE id = ?",
            (channel_id, message_id, suggestion_id),
        )

    async def suggestion(self, suggestion_id: int) -> Suggestion | None:
        """One suggestion by id (None: there is none, or its author was forgotten)."""
        row = await self.db.fetchone(
            f"{_SELECT} WHERE s.id = ? AND s.status <> 'withdrawn'", (suggestion_id,)
        )
        return None if row is None else _suggestion(row)

    async def suggestions(
        self, chat_id: str, statuses: Collection[SuggestionStatus]
    ) -> list[Suggestion]:
        """The chat's suggestions in ``statuses``, oldest first, with their votes."""
        wanted = sorted(str(s) for s in statuses)
        marks = ", ".join("?" for _ in wanted)
        rows = await self.db.fetchall(
            f"{_SELECT} WHERE s.chat_id = ? AND s.status IN ({marks}) ORDER BY s.created_at, s.id",
            (chat_id, *wanted),
        )
        return [_suggestion(row) for row in rows]

    async def suggestions_by(self, author_id: int) -> list[Suggestion]:
        """Every suggestion ``author_id`` made, oldest first (``/chat my-data``)."""
        rows = await self.db.fetchall(
            f"{_SELECT} WHERE s.author_id = ? AND s.status <> 'withdrawn'"
            " ORDER BY s.created_at, s.id",
            (author_id,),
        )
        return [_suggestion(row) for row in rows]

    async def decide_suggestion(
        self,
        suggestion_id: int,
        status: SuggestionStatus,
        by: int,
        at: datetime,
        *,
        position: int | None = None,
    ) -> bool:
        """Approve or reject an open suggestion; False when it is not open (decided already,
        or gone)."""
        changed = await self.db.write(
            """UPDATE suggestions SET status = ?, decided_by = ?, decided_at = ?, position = ?
               WHERE id = ? AND status = 'open'""",
            (str(status), by, ts(at), position, suggestion_id),
        )
        return changed > 0

    async def mark_suggestions_asked(
        self, suggestion_ids: Sequence[int], occurrence_id: int
    ) -> None:
        """The approved ``suggestion_ids`` are asked by ``occurrence_id`` (it started)."""
        if not suggestion_ids:
            return
        marks = ", ".join("?" for _ in suggestion_ids)
        await self.db.write(
            f"""UPDATE suggestions SET status = 'asked', occurrence_id = ?
                WHERE status = 'approved' AND id IN ({marks})""",  # noqa: S608 (marks only)
            (occurrence_id, *suggestion_ids),
        )

    async def vote_suggestion(self, message_id: int, user_id: int, up: bool, at: datetime) -> bool:
        """A 👍 added (``up``) or removed on a message; True when it is a suggestion's message
        and the vote changed. A suggestion's author does not vote for it."""
        if up:
            changed = await self.db.write(
                """INSERT INTO suggestion_votes (suggestion_id, user_id, voted_at)
                   SELECT id, ?, ? FROM suggestions
                   WHERE message_id = ? AND author_id <> ? AND status <> 'withdrawn'
                   ON CONFLICT (suggestion_id, user_id) DO NOTHING""",
                (user_id, ts(at), message_id, user_id),
            )
        else:
            changed = await self.db.write(
                """DELETE FROM suggestion_votes WHERE user_id = ? AND suggestion_id IN (
                       SELECT id FROM suggestions WHERE message_id = ?)""",
                (user_id, message_id),
            )
        return changed > 0

    async def suggestion_messages(self) -> dict[int, int]:
        """Open suggestions' messages, by message id, with the channel each is in (backfill
        reads their 👍 again)."""
        rows = await self.db.fetchall(
            """SELECT message_id, channel_id FROM suggestions
               WHERE status = 'open' AND message_id IS NOT NULL""",
            (),
        )
        return {int(row[0]): int(row[1]) for row in rows}

    async def set_suggestion_votes(
        self, message_id: int, user_ids: Collection[int], at: datetime
    ) -> None:
        """The 👍 on a suggestion's message as Discord has them now (read after a restart):
        votes of people who took theirs back go, new ones are added."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT id, author_id FROM suggestions WHERE message_id = ?", (message_id,)
            )
            row = await cursor.fetchone()
            if row is None:
                return
            suggestion_id, author_id = int(row[0]), int(row[1])
            voters = sorted(set(user_ids) - {author_id})
            if voters:
                marks = ", ".join("?" for _ in voters)
                await connection.execute(
                    f"""DELETE FROM suggestion_votes WHERE suggestion_id = ?
                        AND user_id NOT IN ({marks})""",  # noqa: S608 (marks only)
                    (suggestion_id, *voters),
                )
            else:  # (NOT IN an empty list is not SQL; NOT IN (NULL) keeps every row)
                await connection.execute(
                    "DELETE FROM suggestion_votes WHERE suggestion_id = ?", (suggestion_id,)
                )
            for voter in voters:
                await connection.execute(
                    """INSERT INTO suggestion_votes (suggestion_id, user_id, voted_at)
                       VALUES (?, ?, ?) ON CONFLICT (suggestion_id, user_id) DO NOTHING""",
                    (suggestion_id, voter, ts(at)),
                )

    async def withdrawn_suggestions(self) -> list[tuple[int, int, int]]:
        """(id, channel, message) of the suggestions of forgotten people whose message is
        still to delete."""
        rows = await self.db.fetchall(
            """SELECT id, channel_id, message_id FROM suggestions
               WHERE status = 'withdrawn' ORDER BY id""",
            (),
        )
        return [(int(r[0]), int(r[1] or 0), int(r[2] or 0)) for r in rows]

    async def drop_suggestion(self, suggestion_id: int) -> None:
        """Delete a withdrawn suggestion for good (its message is gone)."""
        await self.db.write(
            "DELETE FROM suggestions WHERE id = ? AND status = 'withdrawn'", (suggestion_id,)
        )

"""The boards repository: topic boards, the chat series' boards, and members' saves
(migration 9)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.boards import (
    MAX_BOARDS,
    Board,
    BoardExists,
    BoardSpec,
    Save,
    TooManyBoards,
    name_key,
)
from bot.storage._convert import dt, ts
from bot.storage.db import Database


def _board(row: Any) -> Board:
    return Board(
        board_id=row["id"],
        name=row["name"],
        description=row["description"],
        keywords=tuple(k for k in row["keywords"].split(",") if k),
        from_file=bool(row["from_file"]),
        chat_id=row["chat_id"],
        created_at=dt(row["created_at"]),
    )


def _save(row: Any) -> Save:
    return Save(
        board_id=row["board_id"],
        user_id=row["user_id"],
        url=row["url"],
        message_id=row["message_id"],
        channel_id=row["channel_id"],
        guild_id=row["guild_id"],
        saved_at=dt(row["saved_at"]),
        user_name=row["user_name"],
    )


class BoardRepository:
    """Boards and saves."""

    db: Database

    async def boards(self) -> list[Board]:
        """Every board: the chat series' boards, then topic boards, each by name."""
        rows = await self.db.fetchall("SELECT * FROM boards ORDER BY chat_id IS NULL, name_key", ())
        return [_board(row) for row in rows]

    async def create_board(self, spec: BoardSpec, *, created_by: int | None, at: datetime) -> Board:
        """Add a topic board; raises :class:`BoardExists` (the name, folded, is taken) or
        :class:`TooManyBoards` (:data:`MAX_BOARDS` topic boards exist)."""
        key = name_key(spec.name)
        async with self.db.transaction() as connection:
            cursor = await connection.execute("SELECT name FROM boards WHERE name_key = ?", (key,))
            existing = await cursor.fetchone()
            if existing is not None:
                raise BoardExists(
                    f"A board named `{existing[0]}` exists already; pick another name, or "
                    "save links to it with Save to board."
                )
            cursor = await connection.execute(
                "SELECT COUNT(*) FROM boards WHERE chat_id IS NULL", ()
            )
            row = await cursor.fetchone()
            if row is not None and row[0] >= MAX_BOARDS:
                raise TooManyBoards(
                    f"This server has {MAX_BOARDS} topic boards, the most it can have; "
                    "remove one from boards.yaml first."
                )
            cursor = await connection.execute(
                """INSERT INTO boards (name, name_key, description, keywords, from_file,
                       created_by, created_at)
                   VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING id""",
                (spec.name, key, spec.description, ",".join(spec.keywords), created_by, ts(at)),
            )
            created = await cursor.fetchone()
        assert created is not None
        return Board(created[0], spec.name, spec.description, spec.keywords, False, None, at)

    async def sync_file_boards(self, specs: Sequence[BoardSpec], at: datetime) -> None:
        """Make the boards from boards.yaml exactly ``specs``: new ones added, changed ones
        updated (a board of that name made with /board create becomes the file's), boards no
        longer in the file removed with their saves."""
        keys = {name_key(spec.name) for spec in specs}
        async with self.db.transaction() as connection:
            for spec in specs:
                await connection.execute(
                    """INSERT INTO boards (name, name_key, description, keywords, from_file,
                           created_at)
                       VALUES (?, ?, ?, ?, 1, ?)
                       ON CONFLICT (name_key) DO UPDATE SET name = excluded.name,
                           description = excluded.description, keywords = excluded.keywords,
                           from_file = 1, chat_id = NULL""",
                    (
                        spec.name,
                        name_key(spec.name),
                        spec.description,
                        ",".join(spec.keywords),
                        ts(at),
                    ),
                )
            cursor = await connection.execute(
                "SELECT id, name_key FROM boards WHERE from_file = 1", ()
            )
            gone = [row[0] for row in await cursor.fetchall() if row[1] not in keys]
            for board_id in gone:
                await connection.execute("DELETE FROM board_saves WHERE board_id = ?", (board_id,))
                await connection.execute("DELETE FROM boards WHERE id = ?", (board_id,))

    async def sync_series_boards(self, boards: Sequence[Board]) -> None:
        """Keep a board for each chat series (``boards`` from
        :func:`bot.core.boards.series_boards`); a series' board stays when its chat goes."""
        async with self.db.transaction() as connection:
            for board in boards:
                await connection.execute(
                    """INSERT INTO boards (name, name_key, description, keywords, from_file,
                           chat_id, created_at)
                       VALUES (?, ?, ?, '', 0, ?, ?)
                       ON CONFLICT (name_key) DO UPDATE SET description = excluded.description,
                           chat_id = excluded.chat_id""",
                    (
                        board.name,
                        name_key(board.name),
                        board.description,
                        board.chat_id,
                        ts(board.created_at),
                    ),
                )

    async def save_link(self, save: Save) -> bool:
        """Record a save; False when that person had saved that link there already."""
        rows = await self.db.write(
            """INSERT INTO board_saves (board_id, user_id, url, message_id, channel_id,
                   guild_id, saved_at, user_name)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (board_id, user_id, url) DO NOTHING""",
            (
                save.board_id,
                save.user_id,
                save.url,
                save.message_id,
                save.channel_id,
                save.guild_id,
                ts(save.saved_at),
                save.user_name,
            ),
        )
        return rows > 0

    async def saves_of(self, user_id: int) -> list[Save]:
        """Everything ``user_id`` saved (any board, My saves included), newest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM board_saves WHERE user_id = ? ORDER BY saved_at DESC, url",
            (user_id,),
        )
        return [_save(row) for row in rows]

    async def board_saves(self) -> list[Save]:
        """Every save to a server board (never anyone's My saves), oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM board_saves WHERE board_id <> 0 ORDER BY saved_at, url", ()
        )
        return [_save(row) for row in rows]

    async def link_versions(self) -> dict[int, tuple[object, ...]]:
        """A version of what each occurrence's reading list is made of, by occurrence id: its
        messages (how many, the newest created and edited, the deleted and the questions
        summed). Equal versions mean the same stored messages: every write of them adds or
        removes a message, stamps an edit, marks one deleted or gives one a question. A version of the link cards of every occurrence is under id 0 (a link's card
        may come from another occurrence's message)."""
        rows = await self.db.fetchall(
            """SELECT occurrence_id, COUNT(*) AS n, MAX(created_at) AS created,
                      MAX(edited_at) AS edited, SUM(deleted) AS deleted,
                      SUM(COALESCE(question, -1)) AS questions
               FROM answers GROUP BY occurrence_id""",
            (),
        )
        versions: dict[int, tuple[object, ...]] = {
            row["occurrence_id"]: (
                row["n"],
                row["created"],
                row["edited"],
                row["deleted"],
                row["questions"],
            )
            for row in rows
        }
        cards = await self.db.fetchone(
            "SELECT COUNT(*) AS n, MAX(seen_at) AS seen FROM link_cards", ()
        )
        versions[0] = (cards["n"], cards["seen"]) if cards is not None else (0, None)
        return versions

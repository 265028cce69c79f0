"""The link cards repository: Discord's unfurls of links shared in chats (migration 9).

One row per (message, normalised link). Reading lists ask for the cards of their links and
get the newest card of each. A card of a message by someone who asked to be forgotten, sent
before the request, is refused here and deleted by the migration's triggers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from bot.core.cards import LinkCard
from bot.storage._convert import dt, ts
from bot.storage.db import Database

#: Links asked for per statement (SQLite allows 32,766 parameters; PostgreSQL 65,535).
LOOKUP_CHUNK = 500


def _card(row: Any) -> LinkCard:
    return LinkCard(
        url=row["url"],
        title=row["title"],
        description=row["description"],
        provider=row["provider"],
        thumbnail=row["thumbnail"],
        message_id=row["message_id"],
        author_id=row["author_id"],
        posted_at=dt(row["posted_at"]),
        seen_at=dt(row["seen_at"]),
    )


class CardRepository:
    """Link cards by message and link."""

    db: Database

    async def save_cards(self, cards: Sequence[LinkCard]) -> int:
        """Store (or refresh) cards; returns how many were stored (a card of a forgotten
        person's message is not)."""
        stored = 0
        async with self.db.transaction() as connection:
            for card in cards:
                cursor = await connection.execute(
                    """INSERT INTO link_cards (message_id, url, author_id, posted_at, title,
                           description, provider, thumbnail, seen_at)
                       SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?
                       WHERE NOT EXISTS (
                           SELECT 1 FROM forget_requests WHERE user_id = ? AND requested_at >= ?
                       )
                       ON CONFLICT (message_id, url) DO UPDATE SET
                           title = excluded.title, description = excluded.description,
                           provider = excluded.provider, thumbnail = excluded.thumbnail,
                           seen_at = excluded.seen_at""",
                    (
                        card.message_id,
                        card.url,
                        card.author_id,
                        ts(card.posted_at),
                        card.title,
                        card.description,
                        card.provider,
                        card.thumbnail,
                        ts(card.seen_at),
                        card.author_id,
                        ts(card.posted_at),
                    ),
                )
                stored += max(cursor.rowcount, 0)
        return stored

    async def cards_for(self, urls: Collection[str]) -> dict[str, LinkCard]:
        """The newest card of each of these normalised links that has one."""
        wanted = sorted(set(urls))
        found: dict[str, LinkCard] = {}
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT * FROM link_cards WHERE url IN ({marks}) ORDER BY seen_at, message_id",  # noqa: S608
                tuple(chunk),
            )
            for row in rows:
                found[row["url"]] = _card(row)
        return found

    async def message_cards(self, message_id: int) -> list[LinkCard]:
        """The cards of one message, in link order."""
        rows = await self.db.fetchall(
            "SELECT * FROM link_cards WHERE message_id = ? ORDER BY url", (message_id,)
        )
        return [_card(row) for row in rows]

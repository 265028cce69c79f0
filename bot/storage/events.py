"""The scheduled-events repository: which Discord guild event mirrors which occurrence."""

from __future__ import annotations

from typing import Any

from bot.core.ports.records import EventLink
from bot.storage._convert import dt, ts
from bot.storage.db import Database


def _link(row: Any) -> EventLink:
    return EventLink(
        occurrence_id=row["occurrence_id"],
        guild_id=row["guild_id"],
        event_id=row["event_id"],
        start=dt(row["start_at"]),
        end=dt(row["end_at"]),
        status=row["status"],
    )


class EventRepository:
    """Links between occurrences and guild scheduled events."""

    db: Database

    async def event_link(self, occurrence_id: int) -> EventLink | None:
        """The event of an occurrence, if one was created."""
        row = await self.db.fetchone(
            "SELECT * FROM scheduled_events WHERE occurrence_id = ?", (occurrence_id,)
        )
        return None if row is None else _link(row)

    async def orphan_event_links(self) -> list[EventLink]:
        """Events whose occurrence was dropped (rescheduled, or its chat removed)."""
        rows = await self.db.fetchall(
            """SELECT * FROM scheduled_events
               WHERE occurrence_id NOT IN (SELECT id FROM occurrences) ORDER BY occurrence_id"""
        )
        return [_link(row) for row in rows]

    async def delete_event_link(self, occurrence_id: int) -> None:
        """Forget the event of an occurrence (once the Discord event is cancelled)."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "DELETE FROM scheduled_events WHERE occurrence_id = ?", (occurrence_id,)
            )

    async def save_event_link(self, link: EventLink) -> None:
        """Store or update the event of an occurrence."""
        async with self.db.transaction() as connection:
            await connection.execute(
                """INSERT INTO scheduled_events
                     (occurrence_id, guild_id, event_id, start_at, end_at, status)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(occurrence_id) DO UPDATE SET event_id = excluded.event_id,
                     start_at = excluded.start_at, end_at = excluded.end_at,
                     status = excluded.status""",
                (
                    link.occurrence_id,
                    link.guild_id,
                    link.event_id,
                    ts(link.start),
                    ts(link.end),
                    link.status,
                ),
            )

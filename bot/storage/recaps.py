"""The live recaps repository: published recaps that are edited in place as answers change.

A recap is posted once (the engine's ``recap`` step) and then kept live for a
while: late answers in the questions' threads, edits, deletes, reactions and the
takeaways in its reflection thread mark it *dirty*, and
:class:`bot.runtime.live_recaps.LiveRecaps` edits the published messages. The
dirty mark is stored, so a change that arrives just before a crash is shown after
the restart.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from bot.core.ports import LiveRecap, PostResult, RecapChanges
from bot.storage._convert import dt, dt_or_none, ts
from bot.storage.db import Connection, Database, Row

_ANSWER = "a.deleted = 0 AND a.source NOT IN ('conversation', 'takeaway')"


def _ids(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split())


def _live(row: Row) -> LiveRecap:
    return LiveRecap(
        occurrence_id=row["occurrence_id"],
        channel_id=row["channel_id"],
        message_ids=_ids(row["message_ids"]),
        thread_id=row["thread_id"],
        published_at=dt(row["published_at"]),
        as_of=dt(row["as_of"]),
        shown_answers=row["shown_answers"],
        revision=row["revision"],
        updated_at=dt_or_none(row["updated_at"]),
        dirty_since=dt_or_none(row["dirty_since"]),
        changes=row["changes"],
        erased=row["erased"],
        erased_answers=row["erased_answers"],
    )


async def insert_live_recap(
    connection: Connection,
    occurrence_id: int,
    channel_id: int,
    result: PostResult,
    at: datetime,
    as_of: datetime,
) -> None:
    """Keep a just-published recap live (in the caller's transaction: see
    :meth:`bot.storage.posts.PostRepository.record_posted`). ``as_of`` is when the answers it
    shows were read; the answers sent by then are counted as shown."""
    await connection.execute(
        f"""INSERT INTO live_recaps (occurrence_id, channel_id, message_ids, thread_id,
                published_at, as_of, shown_answers)
            SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT),
                CAST(? AS TEXT), CAST(? AS TEXT), COUNT(*) FROM answers a
            WHERE a.occurrence_id = ? AND a.created_at <= ? AND {_ANSWER}
            ON CONFLICT(occurrence_id) DO NOTHING""",  # noqa: S608 (constants only)
        (
            occurrence_id,
            channel_id,
            " ".join(map(str, result.message_ids)),
            result.thread_id,
            ts(at),
            ts(as_of),
            occurrence_id,
            ts(as_of),
        ),
    )


class LiveRecapRepository:
    """One row per published recap that is kept up to date."""

    db: Database

    async def live_recap(self, occurrence_id: int) -> LiveRecap | None:
        """The live recap of an occurrence, if its recap was published."""
        row = await self.db.fetchone(
            "SELECT * FROM live_recaps WHERE occurrence_id = ?", (occurrence_id,)
        )
        return _live(row) if row is not None else None

    async def live_recaps(self, since: datetime) -> list[LiveRecap]:
        """Recaps published at or after ``since`` (the ones still kept live), and older ones
        with a change not shown yet (a participant's words withdrawn at their request, however
        old the recap), oldest first."""
        rows = await self.db.fetchall(
            """SELECT * FROM live_recaps
               WHERE ended = 0 AND (published_at >= ? OR dirty_since IS NOT NULL)
               ORDER BY published_at""",
            (ts(since),),
        )
        return [_live(row) for row in rows]

    async def mark_recaps_dirty(self, occurrence_ids: Collection[int], at: datetime) -> None:
        """Note that these occurrences' answers changed at ``at`` (the earliest mark stays)."""
        ids = sorted(occurrence_ids)
        if not ids:
            return
        async with self.db.transaction() as connection:
            await connection.execute(
                f"""UPDATE live_recaps SET dirty_since = COALESCE(dirty_since, ?),
                        changes = changes + 1
                    WHERE occurrence_id IN ({",".join("?" * len(ids))})""",  # noqa: S608
                (ts(at), *ids),
            )

    async def recap_revised(
        self,
        occurrence_id: int,
        message_ids: Sequence[int],
        revision: int,
        at: datetime,
        shown_changes: int,
    ) -> None:
        """Record an update of the published recap, which shows the changes counted up to
        ``shown_changes``. The dirty mark is cleared only if no change was marked since: one
        stored while the messages were being edited keeps the recap dirty, as if it came
        now (so the next update follows after the usual delay)."""
        async with self.db.transaction() as connection:
            await connection.execute(
                """UPDATE live_recaps SET message_ids = ?, revision = ?, updated_at = ?,
                       dirty_since = CASE WHEN changes = ? THEN NULL ELSE ? END
                   WHERE occurrence_id = ?""",
                (
                    " ".join(map(str, message_ids)),
                    revision,
                    ts(at),
                    shown_changes,
                    ts(at),
                    occurrence_id,
                ),
            )

    async def move_live_recap(self, occurrence_id: int, message_ids: Sequence[int]) -> None:
        """The recap was posted again (``/chat recap``): keep the new copy up to date."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE live_recaps SET message_ids = ?, ended = 0 WHERE occurrence_id = ?",
                (" ".join(map(str, message_ids)), occurrence_id),
            )

    async def end_live_recap(self, occurrence_id: int) -> None:
        """Stop updating a recap (its messages are gone); it stays in the record."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE live_recaps SET ended = 1, dirty_since = NULL WHERE occurrence_id = ?",
                (occurrence_id,),
            )

    async def recap_changes(self, occurrence_id: int, as_of: datetime) -> RecapChanges:
        """Counts for the recap's "updated" line (see :class:`RecapChanges`)."""
        row = await self.db.fetchone(
            f"""SELECT
                  COUNT(CASE WHEN {_ANSWER} AND a.created_at > ? THEN 1 END),
                  COUNT(CASE WHEN {_ANSWER} AND a.created_at <= ? AND a.edited_at > ? THEN 1 END),
                  COUNT(CASE WHEN {_ANSWER} THEN 1 END),
                  COUNT(CASE WHEN a.deleted = 0 AND a.source = 'takeaway' THEN 1 END)
                FROM answers a WHERE a.occurrence_id = ?""",  # noqa: S608 (constants only)
            (ts(as_of), ts(as_of), ts(as_of), occurrence_id),
        )
        assert row is not None
        return RecapChanges(int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    async def occurrences_of_messages(self, message_ids: Collection[int]) -> set[int]:
        """The occurrences that stored messages belong to (for deletes and reactions)."""
        ids = sorted(set(message_ids))
        found: set[int] = set()
        for first in range(0, len(ids), 500):
            chunk = ids[first : first + 500]
            rows = await self.db.fetchall(
                f"""SELECT DISTINCT occurrence_id FROM answers
                    WHERE message_id IN ({",".join("?" * len(chunk))})""",  # noqa: S608
                chunk,
            )
            found.update(int(row[0]) for row in rows)
        return found

"""The polls repository: polls the bot posted and their votes (message, answer, user).

A vote event is applied once (the primary key makes a redelivered event a no-op); the
reconciliation after a restart replaces a poll's votes with what Discord's voters endpoint
lists; Discord's final counts are kept when it ends the poll. Voters are stored only to count
each vote once: nothing shows who voted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping
from datetime import datetime

from bot.core.ports import PollRecord, PollTally
from bot.storage._convert import dt, ts
from bot.storage.db import Database

_COLUMNS = (
    "message_id, occurrence_id, channel_id, step_key, question, text, options_json, multiple, "
    "reactions, end_with_recap, opened_at, expires_at, finalized, final_counts_json"
)


def _poll(row: sqlite3.Row) -> PollRecord:
    counts = row["final_counts_json"]
    return PollRecord(
        message_id=row["message_id"],
        occurrence_id=row["occurrence_id"],
        channel_id=row["channel_id"],
        step_key=row["step_key"],
        question=row["question"],
        text=row["text"],
        options=tuple(json.loads(row["options_json"])),
        multiple=bool(row["multiple"]),
        opened_at=dt(row["opened_at"]),
        expires_at=dt(row["expires_at"]),
        reactions=bool(row["reactions"]),
        end_with_recap=bool(row["end_with_recap"]),
        finalized=bool(row["finalized"]),
        final_counts=None
        if counts is None
        else {int(answer): int(n) for answer, n in json.loads(counts).items()},
    )


class PollRepository:
    """Polls and votes over the ``polls`` and ``poll_votes`` tables (migration 10)."""

    db: Database

    async def record_poll(self, poll: PollRecord) -> None:
        """Keep a posted poll; recording it again changes nothing."""
        await self.db.write(
            f"""INSERT INTO polls ({_COLUMNS}, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (message_id) DO NOTHING""",  # noqa: S608 (a fixed column list)
            (
                poll.message_id,
                poll.occurrence_id,
                poll.channel_id,
                poll.step_key,
                poll.question,
                poll.text,
                json.dumps(list(poll.options)),
                int(poll.multiple),
                int(poll.reactions),
                int(poll.end_with_recap),
                ts(poll.opened_at),
                ts(poll.expires_at),
                int(poll.finalized),
                None if poll.final_counts is None else json.dumps(dict(poll.final_counts)),
                ts(poll.opened_at),
            ),
        )

    async def poll(self, message_id: int) -> PollRecord | None:
        """The poll posted as ``message_id``, if any."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM polls WHERE message_id = ?",  # noqa: S608
            (message_id,),
        )
        return None if row is None else _poll(row)

    async def poll_tallies(self, occurrence_id: int) -> list[PollTally]:
        """The occurrence's polls (opened first, first) with who voted for what."""
        rows = await self.db.fetchall(
            f"""SELECT {_COLUMNS} FROM polls WHERE occurrence_id = ?
                ORDER BY opened_at, message_id""",  # noqa: S608
            (occurrence_id,),
        )
        polls = [_poll(row) for row in rows]
        votes: dict[int, dict[int, set[int]]] = {p.message_id: {} for p in polls}
        if polls:
            vote_rows = await self.db.fetchall(
                """SELECT v.message_id, v.answer_id, v.user_id FROM poll_votes v
                   JOIN polls p ON p.message_id = v.message_id
                   WHERE p.occurrence_id = ?""",
                (occurrence_id,),
            )
            for row in vote_rows:
                answers = votes[row["message_id"]]
                answers.setdefault(row["answer_id"], set()).add(row["user_id"])
        return [
            PollTally(p, {a: frozenset(u) for a, u in votes[p.message_id].items()}) for p in polls
        ]

    async def polls_since(self, since: datetime) -> list[PollRecord]:
        """Polls opened since ``since`` or not yet final (oldest first)."""
        rows = await self.db.fetchall(
            f"""SELECT {_COLUMNS} FROM polls WHERE opened_at >= ? OR finalized = 0
                ORDER BY opened_at, message_id""",  # noqa: S608
            (ts(since),),
        )
        return [_poll(row) for row in rows]

    async def set_poll_vote(
        self, message_id: int, answer_id: int, user_id: int, voted: bool, at: datetime
    ) -> bool:
        """Add or remove one vote; False when it changed nothing or the poll is not ours."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT finalized FROM polls WHERE message_id = ?", (message_id,)
            )
            if await cursor.fetchone() is None:
                return False
            if voted:
                cursor = await conn.execute(
                    """INSERT INTO poll_votes (message_id, answer_id, user_id, voted_at)
                       VALUES (?, ?, ?, ?)
                       ON CONFLICT (message_id, answer_id, user_id) DO NOTHING""",
                    (message_id, answer_id, user_id, ts(at)),
                )
            else:
                cursor = await conn.execute(
                    """DELETE FROM poll_votes
                       WHERE message_id = ? AND answer_id = ? AND user_id = ?""",
                    (message_id, answer_id, user_id),
                )
            changed = cursor.rowcount > 0
            if changed:
                await conn.execute(
                    "UPDATE polls SET updated_at = ? WHERE message_id = ?", (ts(at), message_id)
                )
            return changed

    async def replace_poll_votes(
        self, message_id: int, votes: Mapping[int, Collection[int]], at: datetime
    ) -> bool:
        """Make the stored votes exactly ``votes``; False when they were so already."""
        wanted = {(answer, user) for answer, users in votes.items() for user in users}
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT answer_id, user_id FROM poll_votes WHERE message_id = ?", (message_id,)
            )
            have = {(row[0], row[1]) for row in await cursor.fetchall()}
            if have == wanted:
                return False
            for answer, user in have - wanted:
                await conn.execute(
                    """DELETE FROM poll_votes
                       WHERE message_id = ? AND answer_id = ? AND user_id = ?""",
                    (message_id, answer, user),
                )
            for answer, user in wanted - have:
                await conn.execute(
                    """INSERT INTO poll_votes (message_id, answer_id, user_id, voted_at)
                       VALUES (?, ?, ?, ?)
                       ON CONFLICT (message_id, answer_id, user_id) DO NOTHING""",
                    (message_id, answer, user, ts(at)),
                )
            await conn.execute(
                "UPDATE polls SET updated_at = ? WHERE message_id = ?", (ts(at), message_id)
            )
            return True

    async def finalize_poll(self, message_id: int, counts: Mapping[int, int], at: datetime) -> bool:
        """Keep Discord's final counts; False when the poll was final already (or not ours)."""
        async with self.db.transaction() as conn:
            cursor = await conn.execute(
                """UPDATE polls SET finalized = 1, final_counts_json = ?, updated_at = ?
                   WHERE message_id = ? AND finalized = 0""",
                (json.dumps({str(a): n for a, n in counts.items()}), ts(at), message_id),
            )
            return cursor.rowcount > 0

    async def polls_changed_at(self, occurrence_id: int) -> datetime | None:
        """When a vote or result of the occurrence's polls last changed (None: no polls)."""
        row = await self.db.fetchone(
            "SELECT MAX(updated_at) FROM polls WHERE occurrence_id = ?", (occurrence_id,)
        )
        return None if row is None or row[0] is None else dt(row[0])

"""The alerts repository: followed keywords, members' settings, blocks, excluded channels,
matches and deliveries (intent before the DM, its message id after).

Portable SQL only (``?`` placeholders, ``ON CONFLICT``, ``RETURNING id``), so the
PostgreSQL backend can reuse it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, time
from typing import Any

from bot.core.alerts import (
    AlertRefused,
    DigestMode,
    DigestSettings,
    FollowedAlert,
    check_room,
    parse_keywords,
)
from bot.core.alerts.records import (
    AlertMatch,
    AlertPerson,
    AlertsState,
    BlockKind,
    PendingDelivery,
)
from bot.core.alerts.terms import Keywords
from bot.storage._convert import dt, dt_or_none, ts, ts_or_none
from bot.storage.db import Database

_MATCH_COLUMNS = (
    "message_id, alert_id, user_id, guild_id, channel_id, thread_id, author_id, author_name, "
    "content, created_at, found_at"
)
#: Matches that are waiting or in a delivery (the ones a delete or edit can withdraw).
_OPEN = "('pending', 'sending')"


def _alert(row: sqlite3.Row) -> FollowedAlert:
    return FollowedAlert(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        user_id=int(row["user_id"]),
        keywords=parse_keywords(str(row["shown"])),
    )


def _match(row: sqlite3.Row) -> AlertMatch:
    return AlertMatch(
        message_id=int(row["message_id"]),
        alert_id=int(row["alert_id"]),
        user_id=int(row["user_id"]),
        guild_id=int(row["guild_id"]),
        channel_id=int(row["channel_id"]),
        thread_id=None if row["thread_id"] is None else int(row["thread_id"]),
        author_id=int(row["author_id"]),
        author_name=str(row["author_name"]),
        content=str(row["content"]),
        created_at=dt(row["created_at"]),
        found_at=dt(row["found_at"]),
    )


def _match_params(match: AlertMatch) -> tuple[Any, ...]:
    return (
        match.message_id,
        match.alert_id,
        match.user_id,
        match.guild_id,
        match.channel_id,
        match.thread_id,
        match.author_id,
        match.author_name,
        match.content,
        ts(match.created_at),
        ts(match.found_at),
    )


class AlertRepository:
    """Keyword alerts and their digests."""

    db: Database

    # ------------------------------------------------------------------ alerts
    async def follow_alert(
        self, guild_id: int, user_id: int, keywords: Keywords, at: datetime
    ) -> FollowedAlert:
        """Store a member's new alert. Raises :class:`AlertRefused` when they already follow
        the same words or already follow the most alerts a member can."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT key FROM alerts WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
            keys = [str(row[0]) for row in await cursor.fetchall()]
            if keywords.key in keys:
                raise AlertRefused(f"You already follow `{keywords.shown}` here.")
            check_room(len(keys))
            cursor = await connection.execute(
                """INSERT INTO alerts (guild_id, user_id, key, shown, created_at)
                   VALUES (?, ?, ?, ?, ?) RETURNING id""",
                (guild_id, user_id, keywords.key, keywords.shown, ts(at)),
            )
            row = await cursor.fetchone()
            assert row is not None
            await connection.execute(
                """INSERT INTO alert_people (user_id, updated_at) VALUES (?, ?)
                   ON CONFLICT (user_id) DO NOTHING""",
                (user_id, ts(at)),
            )
        return FollowedAlert(int(row[0]), guild_id, user_id, keywords)

    async def alerts_of(self, user_id: int, guild_id: int | None = None) -> list[FollowedAlert]:
        """A member's alerts (in one server, or all), oldest first."""
        if guild_id is None:
            rows = await self.db.fetchall(
                "SELECT * FROM alerts WHERE user_id = ? ORDER BY id", (user_id,)
            )
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM alerts WHERE user_id = ? AND guild_id = ? ORDER BY id",
                (user_id, guild_id),
            )
        return [_alert(row) for row in rows]

    async def unfollow_alert(self, user_id: int, alert_id: int) -> FollowedAlert | None:
        """Drop a member's alert (its pending matches go with it); None if it is not theirs."""
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT * FROM alerts WHERE id = ? AND user_id = ?", (alert_id, user_id)
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            await connection.execute("DELETE FROM alert_matches WHERE alert_id = ?", (alert_id,))
            await connection.execute("DELETE FROM alerts WHERE id = ?", (alert_id,))
        return _alert(row)

    # ----------------------------------------------------------------- people
    async def alert_person(self, user_id: int) -> AlertPerson:
        """A member's settings and delivery state (defaults when they never set any)."""
        row = await self.db.fetchone("SELECT * FROM alert_people WHERE user_id = ?", (user_id,))
        if row is None:
            return AlertPerson(user_id)
        hours, minutes = str(row["digest_time"]).split(":")
        return AlertPerson(
            user_id=user_id,
            settings=DigestSettings(
                DigestMode(str(row["mode"])), time(int(hours), int(minutes)), str(row["timezone"])
            ),
            paused=bool(row["paused"]),
            due_at=dt_or_none(row["due_at"]),
            last_attempt=dt_or_none(row["last_attempt"]),
            refused_at=dt_or_none(row["refused_at"]),
        )

    async def save_alert_settings(
        self, user_id: int, settings: DigestSettings, at: datetime
    ) -> None:
        """Store a member's delivery settings; their next delivery is computed again."""
        await self.db.write(
            """INSERT INTO alert_people (user_id, mode, digest_time, timezone, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode,
                 digest_time = excluded.digest_time, timezone = excluded.timezone,
                 due_at = NULL, updated_at = excluded.updated_at""",
            (user_id, settings.mode.value, f"{settings.at:%H:%M}", settings.zone, ts(at)),
        )

    async def set_alerts_paused(self, user_id: int, paused: bool, at: datetime) -> None:
        """Pause (nothing is matched for them meanwhile) or resume a member's alerts."""
        await self.db.write(
            """INSERT INTO alert_people (user_id, paused, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (user_id) DO UPDATE SET paused = excluded.paused,
                 updated_at = excluded.updated_at""",
            (user_id, int(paused), ts(at)),
        )

    async def set_alert_block(
        self, user_id: int, kind: BlockKind, target_id: int, blocked: bool
    ) -> bool:
        """Block (or unblock) a member or channel for a member's alerts; False if unchanged."""
        if blocked:
            changed = await self.db.write(
                """INSERT INTO alert_blocks (user_id, kind, target_id) VALUES (?, ?, ?)
                   ON CONFLICT (user_id, kind, target_id) DO NOTHING""",
                (user_id, kind.value, target_id),
            )
        else:
            changed = await self.db.write(
                "DELETE FROM alert_blocks WHERE user_id = ? AND kind = ? AND target_id = ?",
                (user_id, kind.value, target_id),
            )
        return changed > 0

    async def alert_blocks_of(self, user_id: int) -> list[tuple[BlockKind, int]]:
        """What a member blocked."""
        rows = await self.db.fetchall(
            "SELECT kind, target_id FROM alert_blocks WHERE user_id = ? ORDER BY kind, target_id",
            (user_id,),
        )
        return [(BlockKind(str(row[0])), int(row[1])) for row in rows]

    async def set_alert_excluded(
        self, guild_id: int, channel_id: int, by: int, at: datetime, excluded: bool
    ) -> bool:
        """Exclude (or include again) a channel from alerts; False if unchanged."""
        if excluded:
            changed = await self.db.write(
                """INSERT INTO alert_excluded (channel_id, guild_id, excluded_by, excluded_at)
                   VALUES (?, ?, ?, ?) ON CONFLICT (channel_id) DO NOTHING""",
                (channel_id, guild_id, by, ts(at)),
            )
        else:
            changed = await self.db.write(
                "DELETE FROM alert_excluded WHERE channel_id = ? AND guild_id = ?",
                (channel_id, guild_id),
            )
        return changed > 0

    async def excluded_channels(self, guild_id: int) -> list[int]:
        """The channels of a server excluded from alerts."""
        rows = await self.db.fetchall(
            "SELECT channel_id FROM alert_excluded WHERE guild_id = ? ORDER BY channel_id",
            (guild_id,),
        )
        return [int(row[0]) for row in rows]

    async def alerts_state(self, *, with_alerts: bool = True) -> AlertsState:
        """Everything the watcher keeps in memory (without the alerts themselves when
        ``with_alerts`` is False: only pauses, blocks and excluded channels)."""
        alerts = (
            await self.db.fetchall("SELECT id, guild_id, user_id, shown FROM alerts")
            if with_alerts
            else []
        )
        paused = await self.db.fetchall("SELECT user_id FROM alert_people WHERE paused = 1")
        blocks = await self.db.fetchall("SELECT user_id, kind, target_id FROM alert_blocks")
        excluded = await self.db.fetchall("SELECT channel_id FROM alert_excluded")
        return AlertsState(
            alerts=[(int(r[0]), int(r[1]), int(r[2]), str(r[3])) for r in alerts],
            paused=frozenset(int(r[0]) for r in paused),
            blocks=frozenset((int(r[0]), BlockKind(str(r[1])), int(r[2])) for r in blocks),
            excluded=frozenset(int(r[0]) for r in excluded),
        )

    # ---------------------------------------------------------------- matches
    async def record_alert_matches(
        self,
        found: Sequence[AlertMatch],
        still: Mapping[int, Collection[int]],
        cursors: Mapping[int, tuple[int, int]],
    ) -> None:
        """In one transaction: store ``found`` (a message matched again keeps one row, with
        the newest text, and is not delivered twice), then withdraw the open matches of each
        message in ``still`` whose alert is not among its alert ids (a deleted message:
        none; an edit: the alerts it still matches), and move the backfill cursors
        (channel id -> (guild id, newest message id read))."""
        async with self.db.transaction() as connection:
            if found:
                await connection.executemany(
                    f"""INSERT INTO alert_matches ({_MATCH_COLUMNS})
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (message_id, alert_id) DO UPDATE SET
                          content = excluded.content, author_name = excluded.author_name,
                          state = CASE WHEN alert_matches.state = 'withdrawn'
                                       THEN 'pending' ELSE alert_matches.state END""",  # noqa: S608
                    [_match_params(match) for match in found],
                )
            for message_id, alert_ids in still.items():
                keep = sorted(alert_ids)
                marks = ", ".join("?" for _ in keep)
                sql = (
                    f"UPDATE alert_matches SET state = 'withdrawn' WHERE message_id = ? "  # noqa: S608
                    f"AND state IN {_OPEN}"
                )
                if keep:
                    sql += f" AND alert_id NOT IN ({marks})"
                await connection.execute(sql, (message_id, *keep))
            if cursors:
                await connection.executemany(
                    """INSERT INTO alert_cursors (channel_id, guild_id, message_id)
                       VALUES (?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET
                         message_id = CASE WHEN excluded.message_id > alert_cursors.message_id
                           THEN excluded.message_id ELSE alert_cursors.message_id END""",
                    [(channel, guild, message) for channel, (guild, message) in cursors.items()],
                )

    async def alert_cursors(self) -> dict[int, tuple[int, int]]:
        """Channel id -> (guild id, newest message id the watcher read there)."""
        rows = await self.db.fetchall("SELECT channel_id, guild_id, message_id FROM alert_cursors")
        return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def unscheduled_alert_people(self) -> list[tuple[int, datetime]]:
        """Members with pending matches and no delivery time yet, with their oldest match's
        time."""
        rows = await self.db.fetchall(
            """SELECT m.user_id, MIN(m.found_at) FROM alert_matches m
               JOIN alert_people p ON p.user_id = m.user_id
               WHERE m.state = 'pending' AND p.due_at IS NULL GROUP BY m.user_id"""
        )
        return [(int(r[0]), dt(r[1])) for r in rows]

    async def oldest_pending_alert(self, user_id: int) -> datetime | None:
        """When a member's oldest pending match was found (None: nothing pending)."""
        row = await self.db.fetchone(
            """SELECT MIN(found_at) FROM alert_matches
               WHERE user_id = ? AND state = 'pending'""",
            (user_id,),
        )
        return None if row is None or row[0] is None else dt(row[0])

    async def schedule_alert_delivery(self, user_id: int, due_at: datetime | None) -> None:
        """Set when a member's pending matches are delivered next."""
        await self.db.write(
            "UPDATE alert_people SET due_at = ? WHERE user_id = ?", (ts_or_none(due_at), user_id)
        )

    async def due_alert_people(self, now: datetime) -> list[int]:
        """Members whose delivery is due at ``now`` (paused ones wait), or who have a delivery
        begun and never finished (a crash), soonest first."""
        rows = await self.db.fetchall(
            """SELECT user_id FROM alert_people WHERE due_at <= ? AND paused = 0
               UNION SELECT user_id FROM alert_deliveries WHERE outcome = 'sending'""",
            (ts(now),),
        )
        return sorted(int(r[0]) for r in rows)

    async def next_alert_due(self) -> datetime | None:
        """The soonest delivery time of any member who is not paused."""
        row = await self.db.fetchone(
            "SELECT MIN(due_at) FROM alert_people WHERE due_at IS NOT NULL AND paused = 0"
        )
        return None if row is None or row[0] is None else dt(row[0])

    # ------------------------------------------------------------- deliveries
    async def begin_alert_delivery(self, user_id: int, at: datetime) -> PendingDelivery | None:
        """The member's delivery to send now: one begun before and never finished
        (``resumed``), else a new one whose intent is recorded here with every pending
        match. None when nothing is pending."""
        row = await self.db.fetchone(
            """SELECT id, intent_at FROM alert_deliveries
               WHERE user_id = ? AND outcome = 'sending' ORDER BY id LIMIT 1""",
            (user_id,),
        )
        if row is not None:
            delivery_id, intent_at, resumed = int(row[0]), dt(row[1]), True
        else:
            async with self.db.transaction() as connection:
                cursor = await connection.execute(
                    "SELECT COUNT(*) FROM alert_matches WHERE user_id = ? AND state = 'pending'",
                    (user_id,),
                )
                count = await cursor.fetchone()
                if count is None or not count[0]:
                    return None
                cursor = await connection.execute(
                    """INSERT INTO alert_deliveries (user_id, intent_at) VALUES (?, ?)
                       RETURNING id""",
                    (user_id, ts(at)),
                )
                created = await cursor.fetchone()
                assert created is not None
                delivery_id, intent_at, resumed = int(created[0]), at, False
                await connection.execute(
                    """UPDATE alert_matches SET state = 'sending', delivery_id = ?
                       WHERE user_id = ? AND state = 'pending'""",
                    (delivery_id, user_id),
                )
        rows = await self.db.fetchall(
            f"""SELECT {_MATCH_COLUMNS} FROM alert_matches
                WHERE delivery_id = ? AND state = 'sending'
                ORDER BY created_at, message_id, alert_id""",  # noqa: S608
            (delivery_id,),
        )
        return PendingDelivery(delivery_id, user_id, intent_at, [_match(r) for r in rows], resumed)

    async def finish_alert_delivery(
        self,
        delivery: PendingDelivery,
        *,
        outcome: str,
        at: datetime,
        dm_message_id: int | None = None,
        sent: Collection[tuple[int, int]] = (),
        unseen: Collection[tuple[int, int]] = (),
    ) -> None:
        """Record a delivery's result: ``sent`` (its DM's id), ``empty`` (nothing left to
        show) or ``refused`` (Discord refused the DM, 50007). ``sent`` and ``unseen`` are
        (message id, alert id) keys; the delivery's other matches wait for the next one
        (a refused delivery's all do). The member's due time is cleared (computed again)."""
        async with self.db.transaction() as connection:
            await connection.execute(
                """UPDATE alert_deliveries SET outcome = ?, dm_message_id = ?, finished_at = ?
                   WHERE id = ?""",
                (outcome, dm_message_id, ts(at), delivery.id),
            )
            for state, keys in (("sent", sent), ("unseen", unseen)):
                await connection.executemany(
                    """UPDATE alert_matches SET state = ?
                       WHERE message_id = ? AND alert_id = ? AND delivery_id = ?""",
                    [(state, message, alert, delivery.id) for message, alert in keys],
                )
            await connection.execute(
                """UPDATE alert_matches SET state = 'pending', delivery_id = NULL
                   WHERE delivery_id = ? AND state = 'sending'""",
                (delivery.id,),
            )
            refused = ts(at) if outcome == "refused" else None
            await connection.execute(
                """UPDATE alert_people SET due_at = NULL, last_attempt = ?,
                     refused_at = CASE WHEN ? = 'empty' THEN refused_at ELSE ? END
                   WHERE user_id = ?""",
                (ts(at), outcome, refused, delivery.user_id),
            )

    async def alert_deliveries_sent(self, user_id: int) -> list[tuple[int, int]]:
        """A member's sent deliveries: (delivery id, DM message id), oldest first."""
        rows = await self.db.fetchall(
            """SELECT id, dm_message_id FROM alert_deliveries
               WHERE user_id = ? AND outcome = 'sent' ORDER BY id""",
            (user_id,),
        )
        return [(int(r[0]), int(r[1])) for r in rows]

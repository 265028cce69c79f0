"""The lease repository: which process runs a chat's timed steps (see bot.runtime.leases).

Portable SQL, the same on SQLite and PostgreSQL. The claim is one conditional statement
(an upsert, or an update, whose ``WHERE`` accepts only the holder or an expired claim), so of
two processes claiming an expired lease at once exactly one changes the row and sees a row
count of 1: on SQLite because the database has one writer at a time; on PostgreSQL because
the statement locks the row and, under READ COMMITTED, evaluates its ``WHERE`` again on the
version the other process committed (``ON CONFLICT DO UPDATE ... WHERE`` likewise). That is
what ``SELECT ... FOR UPDATE SKIP LOCKED`` would give a queue of steps, in one round trip and
without holding a transaction open: a lease names one chat's steps, so there is no queue to
skip through. ``_claim`` remains the one method a backend would override.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.core.ports import Lease
from bot.storage._convert import dt, ts
from bot.storage.db import Database

_SELECT = "SELECT name, owner, home, expires_at, claimed_at, wanted_by FROM leases"

#: Insert when absent; take over when ours or expired (the second ``?`` is now).
CLAIM_OR_CREATE = """
INSERT INTO leases (name, owner, home, expires_at, claimed_at, wanted_by)
VALUES (?, ?, ?, ?, ?, NULL)
ON CONFLICT (name) DO UPDATE SET
    owner = excluded.owner,
    home = excluded.home,
    expires_at = excluded.expires_at,
    claimed_at = CASE WHEN leases.owner = excluded.owner
                      THEN leases.claimed_at ELSE excluded.claimed_at END,
    wanted_by = CASE WHEN leases.owner = excluded.owner THEN leases.wanted_by ELSE NULL END
WHERE leases.owner = excluded.owner OR leases.expires_at <= ?
"""

#: Take over only an existing lease that is ours or expired.
CLAIM_EXISTING = """
UPDATE leases SET
    home = ?,
    expires_at = ?,
    claimed_at = CASE WHEN owner = ? THEN claimed_at ELSE ? END,
    wanted_by = CASE WHEN owner = ? THEN wanted_by ELSE NULL END,
    owner = ?
WHERE name = ? AND (owner = ? OR expires_at <= ?)
"""


def lease_of(row: sqlite3.Row) -> Lease:
    """A stored row as a :class:`Lease`."""
    return Lease(
        name=str(row["name"]),
        owner=str(row["owner"]),
        home=bool(row["home"]),
        expires_at=dt(row["expires_at"]),
        claimed_at=dt(row["claimed_at"]),
        wanted_by=row["wanted_by"],
    )


class LeaseRepository:
    """Leases on timed steps, one row per leased name."""

    db: Database

    async def claim_lease(
        self, name: str, owner: str, now: datetime, until: datetime, *, home: bool, create: bool
    ) -> bool:
        """Claim (or renew) ``name`` for ``owner`` until ``until``; True when ``owner`` holds it.

        It succeeds when ``owner`` already holds it or the holder's claim expired by ``now``;
        when nobody holds it, only with ``create``."""
        return await self._claim(name, owner, now, until, home=home, create=create)

    async def _claim(
        self, name: str, owner: str, now: datetime, until: datetime, *, home: bool, create: bool
    ) -> bool:
        """The claim statement (a backend with row locks overrides this one method)."""
        if create:
            params = (name, owner, int(home), ts(until), ts(now), ts(now))
            return await self.db.write(CLAIM_OR_CREATE, params) == 1
        params_existing = (int(home), ts(until), owner, ts(now), owner, owner, name, owner, ts(now))
        return await self.db.write(CLAIM_EXISTING, params_existing) == 1

    async def renew_leases(self, owner: str, until: datetime) -> int:
        """The heartbeat: extend every lease ``owner`` holds to ``until``; returns how many."""
        return await self.db.write(
            "UPDATE leases SET expires_at = ? WHERE owner = ?", (ts(until), owner)
        )

    async def release_lease(self, name: str, owner: str) -> None:
        """Give ``name`` up, if ``owner`` holds it."""
        await self.db.write("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    async def want_lease(self, name: str, owner: str) -> None:
        """Ask whoever holds ``name`` to hand it to ``owner`` (its home) after its step."""
        await self.db.write(
            "UPDATE leases SET wanted_by = ? WHERE name = ? AND owner <> ?", (owner, name, owner)
        )

    async def lease(self, name: str) -> Lease | None:
        """The lease on ``name``, if anyone holds (or held) it."""
        row = await self.db.fetchone(_SELECT + " WHERE name = ?", (name,))
        return None if row is None else lease_of(row)

    async def leases(self) -> list[Lease]:
        """Every lease, by name."""
        rows = await self.db.fetchall(_SELECT + " ORDER BY name")
        return [lease_of(row) for row in rows]

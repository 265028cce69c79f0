"""The occurrences repository: each occurrence's run, with its steps as durable timers."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from bot.core.errors import OccurrenceNotFound
from bot.core.plan import Step, StepKind, StepStatus
from bot.core.ports import Occurrence
from bot.core.run import Phase, Record, Run
from bot.core.spec import ChatSpec
from bot.storage._convert import dt, dt_or_none, ts, ts_or_none
from bot.storage.db import Connection, Database, Row

_FINISHED = tuple(phase.value for phase in Phase if phase.finished)


class OccurrenceRepository:
    """Occurrences, their timers (one row per step) and their moderation timeline."""

    db: Database

    async def create_occurrence(self, spec: ChatSpec, run: Run) -> Run:
        """Store a planned occurrence with its timers; idempotent per (chat, start), also when
        several processes sharing the database plan it at the same moment (the one whose
        insert lands first stores it; the others get the stored run)."""
        existing = await self._occurrence_at(spec.id, run.start)
        if existing is not None:
            return existing
        async with self.db.transaction() as connection:
            cursor = await connection.execute(
                """INSERT INTO occurrences (chat_id, start_at, phase, paused_at, spec_json, created_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (chat_id, start_at) DO NOTHING RETURNING id""",
                (
                    spec.id,
                    ts(run.start),
                    run.phase.value,
                    ts_or_none(run.paused_at),
                    spec.to_json(),
                    ts(datetime.now(UTC)),
                ),
            )
            inserted = await cursor.fetchone()
            if inserted is not None:
                run = replace(run, occurrence_id=int(inserted[0]))
                await _write_steps(connection, run)
        if inserted is None:  # another process stored it since the read above
            stored = await self._occurrence_at(spec.id, run.start)
            assert stored is not None
            return stored
        return run

    async def _occurrence_at(self, chat_id: str, start: datetime) -> Run | None:
        """The stored run of ``chat_id``'s occurrence starting at ``start``, if any."""
        row = await self.db.fetchone(
            "SELECT id FROM occurrences WHERE chat_id = ? AND start_at = ?", (chat_id, ts(start))
        )
        return None if row is None else (await self.load_occurrence(int(row["id"]))).run

    async def save_run(self, run: Run, records: Sequence[Record] = ()) -> None:
        """Persist the run's phase, pause and steps, and timeline records, atomically."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE occurrences SET phase = ?, paused_at = ? WHERE id = ?",
                (run.phase.value, ts_or_none(run.paused_at), run.occurrence_id),
            )
            await _write_steps(connection, run)
            await connection.executemany(
                "INSERT INTO controls (occurrence_id, action, actor, at, detail) VALUES (?,?,?,?,?)",
                [(run.occurrence_id, r.action, r.actor, ts(r.at), r.detail) for r in records],
            )

    async def replace_spec(self, occurrence_id: int, spec: ChatSpec) -> None:
        """Point an occurrence that has not started at a new version of its chat's spec."""
        async with self.db.transaction() as connection:
            await connection.execute(
                "UPDATE occurrences SET spec_json = ? WHERE id = ?", (spec.to_json(), occurrence_id)
            )

    async def load_occurrence(self, occurrence_id: int) -> Occurrence:
        """One occurrence with its steps and timeline."""
        row = await self.db.fetchone("SELECT * FROM occurrences WHERE id = ?", (occurrence_id,))
        if row is None:
            raise OccurrenceNotFound(f"no occurrence {occurrence_id}")
        return await self._assemble(row)

    async def occurrences(
        self, *, chat_id: str | None = None, unfinished: bool = False
    ) -> list[Occurrence]:
        """Occurrences, oldest start first."""
        clauses, params = [], []
        if chat_id is not None:
            clauses.append("chat_id = ?")
            params.append(chat_id)
        if unfinished:
            clauses.append(f"phase NOT IN ({','.join('?' * len(_FINISHED))})")
            params.extend(_FINISHED)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = await self.db.fetchall(
            f"SELECT * FROM occurrences {where} ORDER BY start_at, id",  # noqa: S608
            params,
        )
        return [await self._assemble(row) for row in rows]

    async def delete_occurrence(self, occurrence_id: int) -> None:
        """Drop an occurrence that has not started (its chat was rescheduled or removed)."""
        async with self.db.transaction() as connection:
            await connection.execute("DELETE FROM occurrences WHERE id = ?", (occurrence_id,))

    async def next_due(self, exclude: Collection[int] = ()) -> datetime | None:
        """The earliest due time among timers that are waiting to fire.

        ``exclude`` leaves out occurrences the runtime is already advancing.
        """
        skip = f" AND t.occurrence_id NOT IN ({','.join('?' * len(exclude))})" if exclude else ""
        rows = await self.db.fetchall(
            _WAITING_SQL.format(select="MIN(t.due_at)") + skip, (*_FINISHED, *exclude)
        )
        value = rows[0][0] if rows else None
        return dt(value) if value else None

    async def due_occurrences(self, now: datetime) -> list[int]:
        """Occurrences with a waiting timer due at ``now``, earliest first."""
        rows = await self.db.fetchall(
            _WAITING_SQL.format(select="t.occurrence_id, MIN(t.due_at) AS first")
            + " AND t.due_at <= ? GROUP BY t.occurrence_id ORDER BY first",
            (*_FINISHED, ts(now)),
        )
        return [int(row[0]) for row in rows]

    async def controls(self, occurrence_id: int) -> list[Record]:
        """The moderation timeline of an occurrence, in order."""
        rows = await self.db.fetchall(
            "SELECT action, actor, at, detail FROM controls WHERE occurrence_id = ? ORDER BY id",
            (occurrence_id,),
        )
        return [Record(r["action"], r["actor"], dt(r["at"]), r["detail"]) for r in rows]

    async def _assemble(self, row: Row) -> Occurrence:
        occurrence_id = int(row["id"])
        step_rows = await self.db.fetchall(
            "SELECT * FROM timers WHERE occurrence_id = ? ORDER BY due_at, rowid", (occurrence_id,)
        )
        steps = tuple(
            Step(
                key=s["step_key"],
                kind=StepKind(s["kind"]),
                due=dt(s["due_at"]),
                question=s["question"],
                status=StepStatus(s["status"]),
                late=bool(s["late"]),
                note=s["note"],
            )
            for s in step_rows
        )
        run = Run(
            occurrence_id=occurrence_id,
            chat_id=row["chat_id"],
            start=dt(row["start_at"]),
            steps=steps,
            phase=Phase(row["phase"]),
            paused_at=dt_or_none(row["paused_at"]),
        )
        return Occurrence(
            run=run,
            spec=ChatSpec.from_json(row["spec_json"]),
            records=tuple(await self.controls(occurrence_id)),
        )


# A timer waits when it is pending and its occurrence is neither finished nor
# paused; notices to moderators wait regardless (they outlive the run).
_WAITING_SQL = (
    "SELECT {select} FROM timers t JOIN occurrences o ON o.id = t.occurrence_id "  # noqa: S608
    "WHERE t.status = 'pending' AND ("
    "  t.kind = 'notice' OR ("
    "    o.phase NOT IN (" + ",".join("?" * len(_FINISHED)) + ") AND ("
    "      o.paused_at IS NULL OR t.kind NOT IN ('intro','question','last_call','closing','recap'))))"
)


async def _write_steps(connection: Connection, run: Run) -> None:
    keys = [s.key for s in run.steps]
    await connection.execute(
        f"DELETE FROM timers WHERE occurrence_id = ? AND step_key NOT IN ({','.join('?' * len(keys))})",  # noqa: S608
        (run.occurrence_id, *keys),
    )
    await connection.executemany(
        """INSERT INTO timers (occurrence_id, step_key, kind, question, due_at, status, late, note)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(occurrence_id, step_key) DO UPDATE SET due_at = excluded.due_at,
             status = excluded.status, late = excluded.late, note = excluded.note""",
        [
            (
                run.occurrence_id,
                s.key,
                s.kind.value,
                s.question,
                ts(s.due),
                s.status.value,
                int(s.late),
                s.note,
            )
            for s in run.steps
        ],
    )

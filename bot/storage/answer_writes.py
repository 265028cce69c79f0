"""The answer write pipeline: participants' messages, keyed by Discord message id and part.

Every write is an upsert, so the same message delivered twice (gateway
redelivery, backfill from history after downtime) is stored once, and an older
copy never overwrites a newer edit.

``deleted`` is 0 for a live part, 1 when the message was deleted (final: a
redelivery never brings it back), and 2 when an edit removed that part (a later
edit that answers the question again brings it back).

**Batches.** :meth:`AnswerWriteRepository.write_answers` applies a batch of writes
(messages, edits, deletes, reactions, re-attributions) in their order, in one
transaction; the collector's writer task uses it so that a burst costs one
commit, not one per message. A run of messages is stored by **one** statement
per 2,048 rows: ``INSERT INTO incoming_answers VALUES (…), (…), …`` into a
``TEMP`` view whose ``INSTEAD OF`` trigger upserts each row's participant and
answer. Why one statement: aiosqlite runs SQL in its own thread, and sqlite3
releases the GIL for every statement step; each time that thread needs the GIL
back it must win it from the event loop, which, flooded with gateway events,
re-takes it first (see :mod:`bot.runtime.collector`). So the usual batch, new
messages only, is one call: a lone ``INSERT``, which SQLite applies atomically
(all its rows and triggers, or none) with no ``BEGIN`` and ``COMMIT`` round
trips; a batch with edits, deletes or reactions is one transaction of a few
statements; never one statement per row (``executemany``) or per table.
Statements come in power-of-two sizes (padded with all-NULL rows, which the
trigger skips), so only a few are ever prepared and cached (a prepared 1,000-row
statement takes about 2 MB).

**On PostgreSQL** (``dialect.incoming == "arrays"``) a run of messages is one statement too,
:data:`_ARRAYS`: the rows go as one array per column (``unnest``), whatever their number,
so there is one prepared statement; it upserts the participants and the answers set-wise
with the same rules as the SQLite trigger. A message part that comes twice in a run starts
a new statement (PostgreSQL's upsert touches a row once per statement), so the copies
apply in order as on SQLite.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Sequence
from datetime import datetime
from functools import cache

from bot.core.answers import Answer
from bot.core.writes import (
    AnswerWrite,
    AttributeToQuestion,
    ChangeReaction,
    DeleteMessages,
    ForgetPerson,
    StoreMessage,
)
from bot.storage._convert import ts, ts_or_none
from bot.storage.db import Connection, Database
from bot.storage.forgetting import forget_plan

PARTICIPANT_CONFLICT = """
ON CONFLICT(user_id) DO UPDATE SET name = excluded.name,
    first_seen = CASE WHEN excluded.first_seen < participants.first_seen
        THEN excluded.first_seen ELSE participants.first_seen END
"""
PARTICIPANT = (
    "INSERT INTO participants (user_id, name, first_seen) VALUES (?, ?, ?)"  # noqa: S608
    + PARTICIPANT_CONFLICT
)
RECOUNT = """
UPDATE answers SET reactions =
    (SELECT COUNT(*) FROM reactions WHERE reactions.message_id = answers.message_id)
WHERE message_id = ?
"""
#: What a stored message part is, as the incoming view takes it.
_INCOMING_COLUMNS = (
    "message_id",
    "part",
    "occurrence_id",
    "channel_id",
    "thread_id",
    "author_id",
    "author_name",
    "question",
    "content",
    "source",
    "created_at",
    "edited_at",
    "reply_to",
    "late",
)
# Created once per connection (TEMP: nothing in the database file changes).
# The store's door for forgotten people: a message part whose author asked to be forgotten
# and that was created up to their request is skipped (with its author's name), whichever
# path brings it (a live edit, backfill after a restart, a redelivered event).
# A new answer row starts with the reactions already stored for its message: a reaction
# may be handled before its message (events run concurrently, backfill comes late).
# An existing row's count is kept current by the reaction writes themselves.
# An edit with no prefix of its own (conversation) keeps the question its part was stored
# under: it was attributed by the question current when it was sent, and an edit (or the
# same edit read again by backfill) comes later, when another question may be current.
_INCOMING = (
    "CREATE TEMP VIEW IF NOT EXISTS incoming_answers AS SELECT "  # noqa: S608 (constants only)
    + ", ".join(("NULL AS author_name" if c == "author_name" else c) for c in _INCOMING_COLUMNS)
    + " FROM main.answers WHERE 0",
    """CREATE TEMP TRIGGER IF NOT EXISTS store_incoming_answer
    INSTEAD OF INSERT ON incoming_answers WHEN NEW.message_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM main.forget_requests f
                        WHERE f.user_id = NEW.author_id AND NEW.created_at <= f.requested_at)
    BEGIN
        INSERT INTO participants (user_id, name, first_seen)
        VALUES (NEW.author_id, NEW.author_name, NEW.created_at)
        ON CONFLICT(user_id) DO UPDATE SET name = excluded.name,
            first_seen = MIN(participants.first_seen, excluded.first_seen);
        INSERT INTO answers (message_id, part, occurrence_id, channel_id, thread_id, author_id,
                             question, content, source, created_at, edited_at, reply_to, late,
                             reactions, deleted)
        VALUES (NEW.message_id, NEW.part, NEW.occurrence_id, NEW.channel_id, NEW.thread_id,
                NEW.author_id, NEW.question, NEW.content, NEW.source, NEW.created_at,
                NEW.edited_at, NEW.reply_to, NEW.late,
                (SELECT COUNT(*) FROM reactions WHERE reactions.message_id = NEW.message_id), 0)
        ON CONFLICT(message_id, part) DO UPDATE SET content = excluded.content,
            question = IIF(excluded.source = 'conversation', answers.question, excluded.question),
            source = IIF(excluded.source = 'conversation', answers.source, excluded.source),
            edited_at = excluded.edited_at, deleted = 0
        WHERE answers.deleted != 1 AND COALESCE(excluded.edited_at, excluded.created_at)
                                       >= COALESCE(answers.edited_at, answers.created_at);
    END""",
)
#: PostgreSQL's run of messages (see the module docstring): the same door (forgotten
#: people's old messages are skipped), participant upsert (the newest name, the earliest
#: first_seen) and answer upsert (redelivery stores once, an older copy never overwrites an
#: edit, a delete is final) as the SQLite trigger, set-wise. The answer insert sees the
#: participants inserted beside it when its foreign key is checked, at the statement's end.
_ARRAYS = """
WITH incoming AS (
    SELECT * FROM unnest(
        CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]),
        CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]),
        CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
        CAST(? AS BIGINT[]), CAST(? AS BIGINT[])
    ) WITH ORDINALITY AS i (message_id, part, occurrence_id, channel_id, thread_id, author_id,
                            author_name, question, content, source, created_at, edited_at,
                            reply_to, late, n)
    WHERE NOT EXISTS (SELECT 1 FROM forget_requests f
                      WHERE f.user_id = i.author_id AND i.created_at <= f.requested_at)
), people AS (
    INSERT INTO participants AS p (user_id, name, first_seen)
    SELECT DISTINCT ON (author_id) author_id, author_name,
           MIN(created_at) OVER (PARTITION BY author_id)
    FROM incoming ORDER BY author_id, n DESC
    ON CONFLICT (user_id) DO UPDATE SET name = excluded.name,
        first_seen = LEAST(p.first_seen, excluded.first_seen)
)
INSERT INTO answers AS a (message_id, part, occurrence_id, channel_id, thread_id, author_id,
                          question, content, source, created_at, edited_at, reply_to, late,
                          reactions, deleted)
SELECT message_id, part, occurrence_id, channel_id, thread_id, author_id, question, content,
       source, created_at, edited_at, reply_to, late,
       (SELECT COUNT(*) FROM reactions r WHERE r.message_id = incoming.message_id), 0
FROM incoming ORDER BY n
ON CONFLICT (message_id, part) DO UPDATE SET content = excluded.content,
    question = CASE WHEN excluded.source = 'conversation' THEN a.question
                    ELSE excluded.question END,
    source = CASE WHEN excluded.source = 'conversation' THEN a.source ELSE excluded.source END,
    edited_at = excluded.edited_at, deleted = 0
WHERE a.deleted != 1 AND COALESCE(excluded.edited_at, excluded.created_at)
                         >= COALESCE(a.edited_at, a.created_at)
"""
#: The most rows per statement (14 parameters each, 28,672 in all; SQLite allows 32,766).
_ROWS_PER_STATEMENT = 2048
_NULL_ROW = (None,) * len(_INCOMING_COLUMNS)


@cache
def _incoming_sql(rows: int) -> str:
    row = "(" + ", ".join("?" * len(_INCOMING_COLUMNS)) + ")"
    return (
        f"INSERT INTO incoming_answers ({', '.join(_INCOMING_COLUMNS)}) VALUES "  # noqa: S608
        + ", ".join([row] * rows)
    )


#: A plan: the statements (SQL, parameters) that make some writes, in order; each
#: ``yield`` receives the statement's row count.
_Plan = Generator[tuple[str, Sequence[object]], int, None]


class AnswerWriteRepository:
    """Messages, edits, deletes, reactions and re-attributions, in batches."""

    db: Database
    #: The TEMP view and trigger of :data:`_INCOMING` exist on ``db``'s connection (or
    #: are not needed).
    _incoming_ready: bool = False

    @property
    def _upsert(self) -> Callable[[list[object]], _Plan]:
        """How this backend stores a run of message parts."""
        return _arrays_plan if self.db.dialect.incoming == "arrays" else _upsert_plan

    async def upsert_answers(self, answers: Sequence[Answer]) -> None:
        """Store answers (and their authors) in one transaction; idempotent per message part."""
        if answers:
            values: list[object] = []
            for answer in answers:
                values.extend(_answer_row(answer))
            await self._write(self._upsert(values))

    async def write_answers(self, writes: Sequence[AnswerWrite]) -> list[int]:
        """Apply ``writes`` in order, in one transaction (all or nothing).

        Consecutive messages are stored together (one statement per 2,048 rows); an
        edit's dropped parts, a delete or a reaction is applied after everything
        before it, so a delete or an edit that follows a message's creation always
        lands after it. Returns one number per write: parts stored, or rows changed.
        """
        results: list[int] = []
        if not writes:
            return results
        plan = _write_plan(writes, results, self._upsert)
        if self._incoming_ready and all(
            type(write) is StoreMessage and write.edited_at is None for write in writes
        ):
            # New messages only (the usual batch): their statements need no row counts, and
            # one statement (up to 2,048 rows) runs on its own, atomic by itself.
            statements = list(plan)
            if len(statements) == 1:
                await self.db.write(*statements[0])
                return results
            plan = _replay(statements)
        await self._write(plan)
        return results

    async def _write(self, plan: _Plan) -> None:
        async with self.db.transaction() as connection:
            if not self._incoming_ready and self.db.dialect.incoming == "view":
                for statement in _INCOMING:
                    await connection.execute(statement)
            await _run(connection, plan)
        self._incoming_ready = True

    async def attribute_to_question(
        self, occurrence_id: int, question: int, message_id: int, thread_id: int | None
    ) -> int:
        """Attribute conversation that replied to, or was posted in the thread of, question
        ``question``'s message before the bot had recorded it (a fast participant)."""
        results: list[int] = []
        write = AttributeToQuestion(occurrence_id, question, message_id, thread_id)
        async with self.db.transaction() as connection:
            await _run(connection, _write_plan([write], results))
        return results[0]

    async def drop_parts_from(self, message_id: int, count: int, at: datetime) -> None:
        """Mark parts ``count`` and later removed by the edit made ``at`` (fewer answers now)."""
        async with self.db.transaction() as connection:
            await _run(connection, _drop_plan(message_id, count, at))

    async def mark_deleted(self, message_ids: Sequence[int]) -> int:
        """Mark messages deleted; returns how many stored parts that touched."""
        results: list[int] = []
        async with self.db.transaction() as connection:
            await _run(connection, _write_plan([DeleteMessages(tuple(message_ids))], results))
        return results[0]

    async def set_reaction(self, message_id: int, user_id: int, emoji: str, present: bool) -> None:
        """Add or remove one user's reaction, then recount the message's reactions."""
        write = ChangeReaction(message_id, user_id, emoji, present)
        async with self.db.transaction() as connection:
            await _run(connection, _write_plan([write], []))


# --- plans: the statements of each write, run on either connection ------------------------


def _replay(statements: list[tuple[str, Sequence[object]]]) -> _Plan:
    """Statements already planned, as a plan again (their row counts are not needed)."""
    for statement in statements:  # noqa: UP028 (a list iterator cannot take send())
        yield statement


async def _run(connection: Connection, plan: _Plan) -> None:
    with contextlib.suppress(StopIteration):
        statement = next(plan)
        while True:
            cursor = await connection.execute(*statement)
            statement = plan.send(cursor.rowcount)


def _write_plan(
    writes: Sequence[AnswerWrite],
    results: list[int],
    upsert: Callable[[list[object]], _Plan] | None = None,
) -> _Plan:
    """Every write in order; consecutive messages share their statements (``upsert``'s).
    Appends one number per write to ``results``."""
    upsert = upsert or _upsert_plan
    rows: list[object] = []  # message parts' values, row after row (no tuple per row)
    for write in writes:
        if isinstance(write, StoreMessage):
            _message_rows(write, rows)
            results.append(len(write.parts))
            if write.edited_at is not None:
                yield from upsert(rows)
                rows = []
                yield from _drop_plan(write.message_id, len(write.parts), write.edited_at)
            continue
        yield from upsert(rows)
        rows = []
        if isinstance(write, DeleteMessages):
            results.append((yield from _delete_plan(write.message_ids)))
        elif isinstance(write, ChangeReaction):
            yield from _reaction_plan(write)
            results.append(1)
        elif isinstance(write, ForgetPerson):
            results.append((yield from forget_plan(write)))
        else:
            results.append((yield from _attribute_plan(write)))
    yield from upsert(rows)


def _upsert_plan(values: list[object]) -> _Plan:
    """Message parts (and their authors), one statement per :data:`_ROWS_PER_STATEMENT`;
    ``values`` holds the parts' columns (:data:`_INCOMING_COLUMNS`) row after row."""
    width = len(_INCOMING_COLUMNS)
    step = _ROWS_PER_STATEMENT * width
    for first in range(0, len(values), step):
        params = values[first : first + step]
        count = len(params) // width
        size = 1 << (count - 1).bit_length()  # the power of two that fits it
        params.extend(_NULL_ROW * (size - count))
        yield _incoming_sql(size), params


def _arrays_plan(values: list[object]) -> _Plan:
    """PostgreSQL's :data:`_ARRAYS`: one statement per run of distinct message parts, its
    parameters one list per column."""
    width = len(_INCOMING_COLUMNS)
    first, seen = 0, set[tuple[object, object]]()
    for row in range(0, len(values), width):
        key = (values[row], values[row + 1])
        if key in seen:  # a second copy: after the first one's statement
            yield _ARRAYS, [values[first + c : row : width] for c in range(width)]
            first, seen = row, set()
        seen.add(key)
    if first < len(values):
        yield _ARRAYS, [values[first + c :: width] for c in range(width)]


def _drop_plan(message_id: int, count: int, at: datetime) -> _Plan:
    yield (
        """UPDATE answers SET deleted = 2, edited_at = ?
           WHERE message_id = ? AND part >= ? AND deleted = 0""",
        (ts(at), message_id, count),
    )


def _delete_plan(message_ids: Sequence[int]) -> Generator[tuple[str, Sequence[object]], int, int]:
    changed = 0
    for first in range(0, len(message_ids), _ROWS_PER_STATEMENT):
        chunk = message_ids[first : first + _ROWS_PER_STATEMENT]
        changed += yield (
            f"UPDATE answers SET deleted = 1 WHERE deleted != 1 "  # noqa: S608
            f"AND message_id IN ({','.join('?' * len(chunk))})",
            tuple(chunk),
        )
    return changed


def _reaction_plan(change: ChangeReaction) -> _Plan:
    if change.present:
        # A forgotten person's reaction on a message created up to their request is refused:
        # it is one they made before (reconciliation after a restart reads it back), or one
        # that cannot be told apart from it.
        yield (
            """INSERT INTO reactions (message_id, user_id, emoji)
               SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT) WHERE NOT EXISTS (
                   SELECT 1 FROM forget_requests f JOIN answers a ON a.message_id = ?
                   WHERE f.user_id = ? AND a.created_at <= f.requested_at)
               ON CONFLICT (message_id, user_id, emoji) DO NOTHING""",
            (change.message_id, change.user_id, change.emoji, change.message_id, change.user_id),
        )
    else:
        yield (
            "DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ?",
            (change.message_id, change.user_id, change.emoji),
        )
    yield RECOUNT, (change.message_id,)


def _attribute_plan(
    write: AttributeToQuestion,
) -> Generator[tuple[str, Sequence[object]], int, int]:
    changed = yield (
        """UPDATE answers SET question = ?, source = 'reply'
           WHERE occurrence_id = ? AND reply_to = ? AND source = 'conversation'""",
        (write.question, write.occurrence_id, write.message_id),
    )
    if write.thread_id is not None:
        changed += yield (
            """UPDATE answers SET question = ?, source = 'thread'
               WHERE occurrence_id = ? AND thread_id = ? AND source = 'conversation'""",
            (write.question, write.occurrence_id, write.thread_id),
        )
    return changed


def _answer_row(a: Answer) -> tuple[object, ...]:
    return (
        a.message_id,
        a.part,
        a.occurrence_id,
        a.channel_id,
        a.thread_id,
        a.author_id,
        a.author_name,
        a.question,
        a.content,
        a.source.value,
        ts(a.created_at),
        ts_or_none(a.edited_at),
        a.reply_to,
        int(a.late),
    )


def _message_rows(m: StoreMessage, rows: list[object]) -> None:
    created, edited, late = ts(m.created_at), ts_or_none(m.edited_at), int(m.late)
    for index, part in enumerate(m.parts):
        rows.extend(
            (
                m.message_id,
                index,
                m.occurrence_id,
                m.channel_id,
                m.thread_id,
                m.author_id,
                m.author_name,
                part.question,
                part.text,
                part.source.value,
                created,
                edited,
                m.reply_to,
                late,
            )
        )

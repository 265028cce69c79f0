"""Batches of answer writes: one statement when that is enough, all or nothing always.

The collector's writer stores a burst of messages with ``write_answers``. A batch of
new messages only is one ``INSERT`` run on its own (SQLite applies a lone statement
atomically); anything else, or more rows than one statement holds, is a transaction.
Either way a batch is stored whole or not at all.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.core.answers import AnswerSource, Attribution
from bot.core.writes import DeleteMessages, StoreMessage
from bot.storage import SqliteStore, StorageError
from tests.support.backends import sqlite_database
from tests.unit.storage import CHANNEL, START, new_occurrence


def _message(occurrence_id: int, message_id: int, *, parts: int = 1) -> StoreMessage:
    return StoreMessage(
        message_id=message_id,
        occurrence_id=occurrence_id,
        channel_id=CHANNEL,
        thread_id=None,
        author_id=500 + message_id % 7,
        author_name=f"person {message_id % 7}",
        created_at=START + timedelta(seconds=message_id),
        edited_at=None,
        reply_to=None,
        late=False,
        parts=[
            Attribution(n + 1, f"answer {message_id}.{n}", AnswerSource.PREFIX)
            for n in range(parts)
        ],
    )


def _traced(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements the bot sends to aiosqlite's thread from now on, one per call."""
    statements: list[str] = []
    connection = sqlite_database(store).connection
    execute = connection.execute

    def recorded(sql: str, *args: Any) -> Any:
        statements.append(" ".join(sql.split()))
        return execute(sql, *args)

    monkeypatch.setattr(connection, "execute", recorded)
    return statements


async def _count(store: SqliteStore) -> int:
    row = await store.db.fetchone("SELECT COUNT(*) FROM answers")
    assert row is not None
    return int(row[0])


@pytest.mark.sqlite_only  # counts the calls into aiosqlite
async def test_new_messages_are_one_statement_without_begin_or_commit(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    occurrence = (await new_occurrence(store)).occurrence_id
    await store.write_answers([_message(occurrence, 1)])  # the first batch sets up the view
    statements = _traced(store, monkeypatch)

    results = await store.write_answers([_message(occurrence, m, parts=2) for m in range(2, 50)])

    assert results == [2] * 48
    assert [s.split()[0] for s in statements] == ["INSERT"]
    assert await _count(store) == 1 + 96


@pytest.mark.sqlite_only  # counts the calls into aiosqlite
async def test_a_batch_with_a_delete_is_one_transaction_in_order(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    occurrence = (await new_occurrence(store)).occurrence_id
    await store.write_answers([_message(occurrence, 1)])
    statements = _traced(store, monkeypatch)

    results = await store.write_answers(
        [_message(occurrence, 2), DeleteMessages((2,)), _message(occurrence, 3)]
    )

    assert results == [1, 1, 1]
    assert statements[0] == "BEGIN IMMEDIATE"
    assert statements[-1] == "COMMIT"
    live = await store.db.fetchall("SELECT message_id FROM answers WHERE deleted = 0")
    assert sorted(row[0] for row in live) == [1, 3]


@pytest.mark.sqlite_only  # counts the calls into aiosqlite
async def test_more_rows_than_one_statement_holds_are_one_transaction(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    occurrence = (await new_occurrence(store)).occurrence_id
    await store.write_answers([_message(occurrence, 1)])
    statements = _traced(store, monkeypatch)

    await store.write_answers([_message(occurrence, m, parts=3) for m in range(2, 1002)])

    assert statements[0] == "BEGIN IMMEDIATE"
    assert statements[-1] == "COMMIT"
    assert sum(s.startswith("INSERT") for s in statements) == 2  # 3,000 rows: 2,048 + 952
    assert await _count(store) == 1 + 3000


@pytest.mark.parametrize("size", [10, 1500], ids=["one statement", "a transaction"])
async def test_a_batch_that_fails_stores_nothing(store: SqliteStore, size: int) -> None:
    occurrence = (await new_occurrence(store)).occurrence_id
    await store.write_answers([_message(occurrence, 1)])
    batch = [_message(occurrence, m, parts=2) for m in range(2, 2 + size)]
    batch[-1] = batch[-1]._replace(occurrence_id=occurrence + 999)  # no such occurrence

    with pytest.raises(StorageError, match=r"(?i)foreign key"):
        await store.write_answers(batch)

    assert await _count(store) == 1


async def test_copies_of_a_message_in_one_batch_apply_in_order(store: SqliteStore) -> None:
    """A message, its redelivery, its edit, an older copy and a conversation edit in one batch:
    stored once, the edit kept, the older copy ignored, the question of its first copy kept;
    the author's newest name and earliest time kept (the same on every backend)."""
    occurrence = (await new_occurrence(store)).occurrence_id
    first = _message(occurrence, 1)
    edit = first._replace(
        edited_at=START + timedelta(minutes=5),
        author_name="renamed",
        parts=[Attribution(1, "edited answer", AnswerSource.PREFIX)],
    )
    chatter = edit._replace(
        edited_at=START + timedelta(minutes=6),
        parts=[Attribution(None, "now just chatting", AnswerSource.CONVERSATION)],
    )
    other = _message(occurrence, 2)
    await store.write_answers([first, other, first, edit, first, other, chatter])

    (answer,) = [a for a in await store.answers(occurrence) if a.message_id == 1]
    assert (answer.content, answer.question, answer.source) == (
        "now just chatting",
        1,
        AnswerSource.PREFIX,
    )
    assert answer.edited_at == START + timedelta(minutes=6)
    assert await _count(store) == 2
    person = await store.db.fetchone(
        "SELECT name, first_seen FROM participants WHERE user_id = ?", (first.author_id,)
    )
    assert person is not None
    assert person["name"] == "renamed"

"""Schema migrations: a bot upgrade keeps every chat, occurrence, post and answer it stored.

Databases "made by an earlier version" are built with ``open_database(migrate_to=k)``
and filled with plain SQL that was valid at version ``k``, then opened by the
current code exactly as a restarted bot would open them.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.plan import StepStatus
from bot.core.run import Phase, Record
from bot.storage import EventLink, SqliteStore, StorageError, open_store
from bot.storage.db import BUSY_TIMEOUT_MS, open_database, split_statements
from bot.storage.migrations import LATEST_VERSION
from tests.unit.storage import CHANNEL, SPEC, START, new_occurrence

OCCURRENCE = 1
MESSAGE = 9100
INTRO_MESSAGE = 9001


def _ts(minutes: float) -> str:
    """A stored timestamp ``minutes`` after the chat's start, as the bot writes them."""
    return (START + timedelta(minutes=minutes)).isoformat(timespec="microseconds")


#: Rows each schema version introduced, written as that version's code would have.
SEED: dict[int, list[tuple[str, tuple[object, ...]]]] = {
    1: [
        (
            "INSERT INTO chats VALUES (?, ?, ?, ?, 1, ?)",
            (SPEC.id, "chats/careerchat.yaml", SPEC.to_json(), "old-hash", _ts(-60 * 24)),
        ),
        (
            "INSERT INTO occurrences VALUES (?, ?, ?, 'running', NULL, ?, ?)",
            (OCCURRENCE, SPEC.id, _ts(0), SPEC.to_json(), _ts(-60 * 24)),
        ),
        (
            "INSERT INTO timers VALUES (?, 'intro', 'intro', NULL, ?, 'done', 0, '')",
            (OCCURRENCE, _ts(0)),
        ),
        (
            "INSERT INTO timers VALUES (?, 'q1', 'question', 1, ?, 'pending', 0, '')",
            (OCCURRENCE, _ts(8)),
        ),
        (
            "INSERT INTO posts VALUES (?, 'intro', ?, 'Welcome!', ?, ?, NULL, ?, 0)",
            (OCCURRENCE, CHANNEL, _ts(0), INTRO_MESSAGE, _ts(0)),
        ),
        ("INSERT INTO participants VALUES (501, 'alice', ?, 0)", (_ts(2),)),
        (
            "INSERT INTO answers VALUES (?, 0, ?, ?, NULL, 501, 1, 'A1: hello', 'prefix', ?,"
            " NULL, 0, 0, NULL, 0)",
            (MESSAGE, OCCURRENCE, CHANNEL, _ts(2)),
        ),
    ],
    2: [
        ("INSERT INTO reactions VALUES (?, 502, '👍')", (MESSAGE,)),
        ("UPDATE answers SET reactions = 1 WHERE message_id = ?", (MESSAGE,)),
        (
            "INSERT INTO controls VALUES (1, ?, 'pause', 'mod', ?, 'during Q1')",
            (OCCURRENCE, _ts(3)),
        ),
    ],
    3: [
        (
            "INSERT INTO scheduled_events VALUES (?, 42, 7007, ?, ?, 'scheduled')",
            (OCCURRENCE, _ts(0), _ts(78)),
        ),
    ],
}


async def _database_from_version(path: Path, version: int) -> None:
    """A database file as the bot at schema ``version`` left it, with rows of that era."""
    database = await open_database(path, migrate_to=version)
    await database.close()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        for number in range(1, version + 1):
            for sql, params in SEED.get(number, []):
                connection.execute(sql, params)
    connection.close()


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    connection.close()
    return version


async def test_empty_file_is_migrated_to_the_latest_version(db_path: Path) -> None:
    """A first start creates every table; the bot can schedule and record a chat at once."""
    store = await open_store(db_path)
    try:
        assert await store.db.schema_version() == LATEST_VERSION
        run = await new_occurrence(store)
        await store.save_run(run, [Record("pause", "mod", START)])
        assert await store.controls(run.occurrence_id) == [Record("pause", "mod", START)]
    finally:
        await store.close()
    assert _user_version(db_path) == LATEST_VERSION


async def _assert_seed_kept(store: SqliteStore, version: int) -> None:
    """Every row ``SEED`` wrote up to ``version`` reads back through the current code."""
    if version >= 1:
        assert await store.chat_specs() == [SPEC]
        occurrence = await store.load_occurrence(OCCURRENCE)
        assert occurrence.run.phase is Phase.RUNNING
        assert occurrence.run.step("intro").status is StepStatus.DONE
        assert occurrence.run.step("q1").status is StepStatus.PENDING
        assert await store.next_due() == START + timedelta(minutes=8)
        post = await store.post_by_message(INTRO_MESSAGE)
        assert post is not None
        assert post.step_key == "intro"
        assert [a.content for a in await store.answers(OCCURRENCE)] == ["A1: hello"]
    if version >= 2:
        assert await store.controls(OCCURRENCE) == [
            Record("pause", "mod", START + timedelta(minutes=3), "during Q1")
        ]
        assert (await store.answers(OCCURRENCE))[0].reactions == 1
    if version >= 3:
        link = await store.event_link(OCCURRENCE)
        assert link is not None
        assert (link.event_id, link.end) == (7007, START + timedelta(minutes=78))


async def _assert_every_table_usable(store: SqliteStore, version: int) -> None:
    """The tables added after ``version`` take writes on the upgraded file."""
    run = (await store.load_occurrence(OCCURRENCE)).run if version >= 1 else None
    if run is None:
        run = await new_occurrence(store)
    await store.save_run(run, [Record("resume", "mod", START + timedelta(minutes=5))])
    assert (await store.controls(run.occurrence_id))[-1].action == "resume"
    link = EventLink(run.occurrence_id, 42, 8008, START, START + timedelta(hours=1), "active")
    await store.save_event_link(link)
    assert await store.event_link(run.occurrence_id) == link
    await store.set_reaction(MESSAGE, 503, "🎉", present=True)
    if version >= 1:
        assert (await store.answers(OCCURRENCE))[0].reactions == (2 if version >= 2 else 1)


@pytest.mark.parametrize("version", range(LATEST_VERSION))
async def test_database_of_every_earlier_version_is_upgraded_with_data_kept(
    db_path: Path, version: int
) -> None:
    """After an upgrade the chats, the running occurrence, posts and answers are all there."""
    await _database_from_version(db_path, version)
    assert _user_version(db_path) == version

    store = await open_store(db_path)
    try:
        assert await store.db.schema_version() == LATEST_VERSION
        await _assert_seed_kept(store, version)
        await _assert_every_table_usable(store, version)
    finally:
        await store.close()
    assert _user_version(db_path) == LATEST_VERSION


async def test_reopening_the_latest_database_keeps_everything(db_path: Path) -> None:
    """A restart without an upgrade changes nothing."""
    store = await open_store(db_path)
    run = await new_occurrence(store)
    await store.close()

    store = await open_store(db_path)
    try:
        assert await store.db.schema_version() == LATEST_VERSION
        assert (await store.load_occurrence(run.occurrence_id)).run == run
    finally:
        await store.close()


async def test_database_from_a_newer_bot_is_refused_and_left_alone(db_path: Path) -> None:
    """Running an old bot on a newer database says so, naming the file, and does not touch it."""
    database = await open_database(db_path)
    await database.close()
    with sqlite3.connect(db_path) as connection:
        connection.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    connection.close()

    with pytest.raises(StorageError) as raised:
        await open_store(db_path)
    message = str(raised.value)
    assert str(db_path) in message
    assert "newer" in message
    assert "upgrade the bot" in message
    assert _user_version(db_path) == LATEST_VERSION + 1


async def test_failed_migration_leaves_the_previous_version(db_path: Path) -> None:
    """A migration that cannot apply is rolled back whole: the file stays usable at its version."""
    database = await open_database(db_path, migrate_to=1)
    await database.close()
    with sqlite3.connect(db_path) as connection:
        # Someone created a table that migration 2 wants to create.
        connection.execute("CREATE TABLE controls (anything TEXT)")
    connection.close()

    with pytest.raises(StorageError, match=str(db_path)):
        await open_store(db_path)
    assert _user_version(db_path) == 1
    with sqlite3.connect(db_path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert "reactions" not in tables  # created earlier in the same migration, then rolled back


async def test_pragmas_are_in_force_after_open(db_path: Path) -> None:
    """WAL, NORMAL sync, foreign keys and a busy timeout: the durability the bot relies on."""
    store = await open_store(db_path)
    try:

        async def pragma(name: str) -> object:
            row = await store.db.fetchone(f"PRAGMA {name}")
            assert row is not None
            return row[0]

        assert str(await pragma("journal_mode")).lower() == "wal"
        assert await pragma("foreign_keys") == 1
        assert await pragma("synchronous") == 1  # NORMAL
        busy = await pragma("busy_timeout")
        assert isinstance(busy, int)
        assert busy == BUSY_TIMEOUT_MS > 0
    finally:
        await store.close()


async def test_data_folder_is_created(tmp_path: Path) -> None:
    """DATABASE_PATH may point into folders that do not exist yet."""
    path = tmp_path / "deep" / "data" / "bot.db"
    store = await open_store(path)
    await store.close()
    assert path.is_file()
    assert _user_version(path) == LATEST_VERSION


def test_split_statements_keeps_semicolons_inside_strings_and_triggers() -> None:
    """Migrations are split into whole statements, never inside a literal or a trigger body."""
    script = """
    CREATE TABLE t (a TEXT);
    INSERT INTO t VALUES ('one; two');
    CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN
        UPDATE t SET a = a || ';';
    END;
    SELECT 1
    """
    statements = split_statements(script)
    assert len(statements) == 4
    assert statements[1] == "INSERT INTO t VALUES ('one; two');"
    assert statements[2].startswith("CREATE TRIGGER")
    assert statements[2].endswith("END;")
    assert statements[3] == "SELECT 1"

"""Chat drafts: what a moderator typed into a form survives a restart until the chat is saved,
and drafts older than a day are dropped."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.ports import ChatDraft
from bot.storage import SqliteStore, open_store
from bot.storage.db import open_database
from tests.unit.storage import START

TYPED = {"title": "Career Chat", "questions": 'Who?\nWhat? 🌱\n"quoted" # not a comment'}


async def test_a_draft_survives_a_restart_and_is_updated_in_place(
    store: SqliteStore, store_at: Path | str
) -> None:
    draft = await store.save_draft(ChatDraft(0, 42, 501, None, TYPED, START))
    assert draft.draft_id > 0
    other = await store.save_draft(ChatDraft(0, 42, 502, "careerchat", {"title": "x"}, START))
    assert other.draft_id != draft.draft_id
    await store.close()

    reopened = await open_store(store_at)
    try:
        assert await reopened.draft(draft.draft_id) == draft
        changed = ChatDraft(draft.draft_id, 42, 501, None, TYPED | {"intro": "Hi"}, START)
        assert await reopened.save_draft(changed) == changed
        assert (await reopened.draft(draft.draft_id)) == changed
        await reopened.delete_draft(draft.draft_id)
        assert await reopened.draft(draft.draft_id) is None
        assert (await reopened.draft(other.draft_id)) == other
    finally:
        await reopened.close()


async def test_drafts_older_than_the_cut_off_are_dropped(store: SqliteStore) -> None:
    old = await store.save_draft(ChatDraft(0, 42, 501, None, TYPED, START))
    new = await store.save_draft(ChatDraft(0, 42, 501, None, TYPED, START + timedelta(days=1)))
    assert await store.delete_drafts_before(START + timedelta(hours=12)) == 1
    assert await store.draft(old.draft_id) is None
    assert await store.draft(new.draft_id) == new


async def test_a_database_from_before_drafts_gets_the_table(db_path: Path) -> None:
    database = await open_database(db_path, migrate_to=6)
    await database.close()
    store = await open_store(db_path)
    try:
        saved = await store.save_draft(ChatDraft(0, 42, 501, None, TYPED, START))
        assert await store.draft(saved.draft_id) == saved
    finally:
        await store.close()

"""Chats: reloading the chat files tells the bot which chats are new, changed or removed."""

from __future__ import annotations

from bot.storage import SqliteStore
from tests.support.specs import make_spec


async def test_save_chat_reports_new_changed_and_unchanged(store: SqliteStore) -> None:
    """Only a new or edited chat file makes the bot replan; an untouched one does not."""
    spec = make_spec()
    assert await store.save_chat(spec) is True
    assert await store.save_chat(spec) is False
    edited = make_spec(title="Career Chat, renamed")
    assert await store.save_chat(edited) is True
    assert await store.save_chat(edited) is False
    assert await store.chat_specs() == [edited]


async def test_removed_chat_is_kept_for_the_archive_and_can_come_back(store: SqliteStore) -> None:
    """Deleting a chat file hides the chat; putting the file back reactivates it."""
    career = make_spec()
    lead = make_spec(id="leadchat", title="Lead Chat", hashtag="#leadchat")
    await store.save_chat(lead)
    await store.save_chat(career)
    assert [s.id for s in await store.chat_specs()] == ["careerchat", "leadchat"]

    await store.deactivate_chat("careerchat")
    assert await store.chat_specs() == [lead]
    assert await store.chat_specs(active_only=False) == [career, lead]

    assert await store.save_chat(career) is True  # the same spec, back again
    assert await store.chat_specs() == [career, lead]
    assert await store.save_chat(career) is False


async def test_chat_spec_round_trips_every_field(store: SqliteStore) -> None:
    """What the bot reads back is exactly the chat the file described."""
    spec = make_spec(source="chats/careerchat.yaml", hosts=(1, 2), guests=(3,), guild=42)
    await store.save_chat(spec)
    assert await store.chat_specs() == [spec]

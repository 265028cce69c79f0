"""Scheduled events: the link between an occurrence and its Discord guild event is kept."""

from __future__ import annotations

from datetime import timedelta

from bot.storage import EventLink, SqliteStore
from tests.unit.storage import START, new_occurrence


async def test_event_link_is_stored_and_updated(store: SqliteStore) -> None:
    """After a restart the bot edits the guild event it made instead of creating another."""
    run = await new_occurrence(store)
    assert await store.event_link(run.occurrence_id) is None

    link = EventLink(run.occurrence_id, 42, 7007, START, START + timedelta(hours=1), "scheduled")
    await store.save_event_link(link)
    assert await store.event_link(run.occurrence_id) == link

    moved = EventLink(
        run.occurrence_id, 42, 7007, START, START + timedelta(hours=1, minutes=5), "active"
    )
    await store.save_event_link(moved)
    assert await store.event_link(run.occurrence_id) == moved


async def test_event_link_outlives_a_deleted_occurrence(store: SqliteStore) -> None:
    """A dropped occurrence's guild event is still known, so it can be deleted on Discord."""
    run = await new_occurrence(store)
    link = EventLink(run.occurrence_id, 42, 7007, START, START + timedelta(hours=1), "scheduled")
    await store.save_event_link(link)
    await store.delete_occurrence(run.occurrence_id)
    assert await store.event_link(run.occurrence_id) == link

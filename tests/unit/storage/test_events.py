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


async def test_orphan_links_are_those_of_dropped_occurrences_until_forgotten(
    store: SqliteStore,
) -> None:
    """The adapter cancels the events of dropped occurrences, then forgets their links."""
    kept = await new_occurrence(store)
    dropped = await new_occurrence(store, start=START + timedelta(days=7))
    for run in (kept, dropped):
        await store.save_event_link(
            EventLink(run.occurrence_id, 42, 7000 + run.occurrence_id, START, START, "scheduled")
        )
    assert await store.orphan_event_links() == []
    await store.delete_occurrence(dropped.occurrence_id)
    [orphan] = await store.orphan_event_links()
    assert orphan.occurrence_id == dropped.occurrence_id
    await store.delete_event_link(dropped.occurrence_id)
    assert await store.orphan_event_links() == []
    assert await store.event_link(kept.occurrence_id) is not None

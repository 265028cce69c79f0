"""The alerts repository on a real SQLite file: one alert per member and words, matches
keyed by message and alert (redelivery and backfill store one; a sent match never comes
back), withdrawals, deliveries' intent and result, cursors that only move forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.alerts import AlertRefused, parse_keywords
from bot.core.alerts.records import AlertMatch
from bot.storage import SqliteStore

T0 = datetime(2027, 1, 1, tzinfo=UTC)


def match(message_id: int, alert_id: int, user_id: int = 5, text: str = "phoenix") -> AlertMatch:
    return AlertMatch(message_id, alert_id, user_id, 1, 10, None, 7, "Avery", text, T0, T0)


async def test_one_alert_per_member_and_words(store: SqliteStore) -> None:
    first = await store.follow_alert(1, 5, parse_keywords("#job Phoenix"), T0)
    with pytest.raises(AlertRefused, match="already follow"):
        await store.follow_alert(1, 5, parse_keywords("phoenix JOB"), T0)
    other = await store.follow_alert(2, 5, parse_keywords("#job Phoenix"), T0)  # another server
    assert [a.id for a in await store.alerts_of(5)] == [first.id, other.id]
    assert [a.id for a in await store.alerts_of(5, 1)] == [first.id]
    assert await store.unfollow_alert(6, first.id) is None  # not theirs
    assert (await store.unfollow_alert(5, first.id)) == first


async def test_matches_are_stored_once_and_never_delivered_twice(store: SqliteStore) -> None:
    alert = await store.follow_alert(1, 5, parse_keywords("phoenix"), T0)
    await store.record_alert_matches([match(100, alert.id)], {}, {})
    await store.record_alert_matches([match(100, alert.id, text="phoenix again")], {}, {})
    delivery = await store.begin_alert_delivery(5, T0)
    assert delivery is not None
    assert [m.content for m in delivery.matches] == ["phoenix again"]
    await store.finish_alert_delivery(
        delivery, outcome="sent", at=T0, dm_message_id=900, sent=[(100, alert.id)]
    )
    await store.record_alert_matches([match(100, alert.id)], {}, {})  # backfilled again
    assert await store.begin_alert_delivery(5, T0) is None
    assert await store.alert_deliveries_sent(5) == [(delivery.id, 900)]


async def test_withdrawals_and_a_crash_between_intent_and_result(store: SqliteStore) -> None:
    alert = await store.follow_alert(1, 5, parse_keywords("phoenix"), T0)
    await store.record_alert_matches([match(100, alert.id), match(101, alert.id)], {}, {})
    delivery = await store.begin_alert_delivery(5, T0)
    assert delivery is not None
    await store.record_alert_matches([], {100: set()}, {})  # deleted before the send
    resumed = await store.begin_alert_delivery(5, T0 + timedelta(minutes=1))
    assert resumed is not None
    assert resumed.resumed
    assert resumed.id == delivery.id
    assert [m.message_id for m in resumed.matches] == [101]
    await store.finish_alert_delivery(resumed, outcome="refused", at=T0)
    person = await store.alert_person(5)
    assert person.refused_at == T0
    assert await store.oldest_pending_alert(5) == T0  # kept for the next try


async def test_cursors_only_move_forward(store: SqliteStore) -> None:
    await store.record_alert_matches([], {}, {10: (1, 500)})
    await store.record_alert_matches([], {}, {10: (1, 400), 11: (1, 7)})
    assert await store.alert_cursors() == {10: (1, 500), 11: (1, 7)}

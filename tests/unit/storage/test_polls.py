"""Polls and votes: each vote counted once, reconciled to Discord's list, final counts kept,
and a forget-me takes a person's votes."""

from __future__ import annotations

from datetime import timedelta

from bot.core.ports import PollRecord
from bot.storage import SqliteStore
from tests.unit.storage import CHANNEL, START, new_occurrence


def _poll(occurrence_id: int, message_id: int = 9001, question: int | None = 1) -> PollRecord:
    return PollRecord(
        message_id=message_id,
        occurrence_id=occurrence_id,
        channel_id=CHANNEL,
        step_key=f"q{question}" if question else "poll-1",
        question=question,
        text="Q1: Which fern? #plantchat",
        options=("Boston", "Maidenhair", "Staghorn"),
        multiple=False,
        opened_at=START,
        expires_at=START + timedelta(hours=2),
    )


async def test_a_poll_is_kept_once_with_its_options(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    poll = _poll(run.occurrence_id)
    await store.record_poll(poll)
    await store.record_poll(poll)
    assert await store.poll(9001) == poll
    assert await store.poll(9002) is None
    assert [t.poll for t in await store.poll_tallies(run.occurrence_id)] == [poll]


async def test_votes_count_once_and_removals_apply(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    await store.record_poll(_poll(run.occurrence_id))
    at = START + timedelta(minutes=9)
    assert await store.set_poll_vote(9001, 1, 501, True, at)
    assert not await store.set_poll_vote(9001, 1, 501, True, at)  # redelivered
    assert await store.set_poll_vote(9001, 2, 502, True, at)
    assert await store.set_poll_vote(9001, 2, 503, True, at)
    assert await store.set_poll_vote(9001, 2, 503, False, at)
    assert not await store.set_poll_vote(9001, 2, 503, False, at)
    assert not await store.set_poll_vote(4242, 1, 501, True, at)  # not a poll of ours
    (tally,) = await store.poll_tallies(run.occurrence_id)
    assert tally.votes == {1: frozenset({501}), 2: frozenset({502})}


async def test_reconciliation_replaces_the_votes_with_discords_list(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    await store.record_poll(_poll(run.occurrence_id))
    at = START + timedelta(minutes=9)
    await store.set_poll_vote(9001, 1, 501, True, at)
    await store.set_poll_vote(9001, 2, 502, True, at)
    assert await store.replace_poll_votes(9001, {1: [501, 504], 3: [505]}, at)
    assert not await store.replace_poll_votes(9001, {1: {504, 501}, 3: {505}}, at)
    (tally,) = await store.poll_tallies(run.occurrence_id)
    assert tally.votes == {1: frozenset({501, 504}), 3: frozenset({505})}


async def test_final_counts_are_kept_once(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    await store.record_poll(_poll(run.occurrence_id))
    at = START + timedelta(hours=2)
    assert await store.finalize_poll(9001, {1: 0, 2: 3, 3: 1}, at)
    assert not await store.finalize_poll(9001, {1: 9}, at)
    poll = await store.poll(9001)
    assert poll is not None
    assert poll.finalized
    assert poll.final_counts == {1: 0, 2: 3, 3: 1}


async def test_polls_to_reconcile_are_recent_or_not_final(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    await store.record_poll(_poll(run.occurrence_id, 9001))
    await store.record_poll(_poll(run.occurrence_id, 9002, question=2))
    await store.finalize_poll(9002, {1: 1}, START)
    later = START + timedelta(days=3)
    assert [p.message_id for p in await store.polls_since(later)] == [9001]
    assert [p.message_id for p in await store.polls_since(START)] == [9001, 9002]


async def test_a_forget_me_takes_a_persons_votes(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    await store.record_poll(_poll(run.occurrence_id))
    at = START + timedelta(minutes=9)
    await store.set_poll_vote(9001, 1, 501, True, at)
    await store.set_poll_vote(9001, 1, 502, True, at)
    await store.forget_user(501, at + timedelta(minutes=1))
    (tally,) = await store.poll_tallies(run.occurrence_id)
    assert tally.votes == {1: frozenset({502})}


async def test_my_data_lists_a_persons_votes_and_nobody_elses(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    await store.record_poll(_poll(run.occurrence_id))
    at = START + timedelta(minutes=9)
    await store.set_poll_vote(9001, 2, 501, True, at)
    await store.set_poll_vote(9001, 3, 502, True, at)
    data = await store.personal_data(501)
    assert [(v.message_id, v.option, v.question, v.voted_at) for v in data.poll_votes] == [
        (9001, "Maidenhair", "Q1: Which fern? #plantchat", at)
    ]
    assert not data.empty

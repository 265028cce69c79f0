"""The runtime's poll counting over a real store: votes, text polls' reactions, reconciling,
final results, ending polls with the recap, and published recaps told of every change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.polls import NUMBER_EMOJIS
from bot.core.ports import PollRecord, PostRequest, PostResult
from bot.runtime.clock import VirtualClock
from bot.runtime.polls import Polls
from bot.storage import SqliteStore
from tests.unit.storage import CHANNEL, START, new_occurrence


@dataclass
class EndingVenue:
    """Posts nothing; ends polls with the final counts it is given."""

    counts: dict[int, int]
    ended: list[int] = field(default_factory=list)

    async def post(self, request: PostRequest) -> PostResult:
        raise AssertionError("not posted in these tests")

    async def end_poll(self, channel_id: int, message_id: int) -> dict[int, int] | None:
        self.ended.append(message_id)
        return self.counts


def record(occurrence_id: int, message_id: int, **changes: object) -> PollRecord:
    poll = PollRecord(
        message_id=message_id,
        occurrence_id=occurrence_id,
        channel_id=CHANNEL,
        step_key="q1",
        question=1,
        text="Q1: Which? #c",
        options=("a", "b", "c"),
        multiple=False,
        opened_at=START,
        expires_at=START + timedelta(hours=1),
    )
    return PollRecord(**{**poll.__dict__, **changes})


async def test_votes_and_reactions_are_counted_and_recaps_told(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    occurrence_id = run.occurrence_id
    polls = Polls(store, VirtualClock(START))
    told: list[set[int]] = []
    polls.on_changed.append(lambda occurrences, _messages: told.append(set(occurrences)))
    assert not await polls.vote(700, 1, 501, True)  # not yet recorded: asked again later
    await store.record_poll(record(occurrence_id, 700))
    await store.record_poll(record(occurrence_id, 701, reactions=True, step_key="q2"))
    assert await polls.vote(700, 1, 501, True)
    assert not await polls.vote(700, 1, 501, True)
    assert not await polls.vote(700, 4, 502, True)  # no such option
    assert not await polls.vote(701, 1, 502, True)  # a text poll counts reactions, not votes
    assert await polls.reaction(701, 502, NUMBER_EMOJIS[1], True)
    assert not await polls.reaction(701, 502, NUMBER_EMOJIS[5], True)  # only 3 options
    assert not await polls.reaction(701, 502, "👍", True)
    assert not await polls.reaction(700, 502, NUMBER_EMOJIS[0], True)  # a native poll
    results = await polls.results(occurrence_id)
    assert [[o.votes for o in r.options] for r in results] == [[1, 0, 0], [0, 1, 0]]
    assert told == [{occurrence_id}, {occurrence_id}]


async def test_reconciling_and_final_results(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    polls = Polls(store, VirtualClock(START))
    await store.record_poll(record(run.occurrence_id, 700))
    await polls.vote(700, 1, 501, True)
    assert await polls.reconcile(700, {1: [501, 503], 2: [504], 9: [505]})
    assert not await polls.reconcile(700, {1: [503, 501], 2: [504]})
    assert await polls.finalized(700, {1: 2, 2: 1})
    assert not await polls.finalized(700, {1: 2, 2: 1})
    (result,) = await polls.results(run.occurrence_id)
    assert result.final
    assert result.voters == 3
    assert [o.votes for o in result.options] == [2, 1, 0]
    assert [p.message_id for p in await polls.to_reconcile()] == [700]


async def test_polls_that_end_with_the_recap_are_ended_others_run_their_time(
    store: SqliteStore,
) -> None:
    run = await new_occurrence(store)
    venue = EndingVenue({1: 3})
    polls = Polls(store, VirtualClock(START), venue)  # type: ignore[arg-type]
    await store.record_poll(record(run.occurrence_id, 700))  # a poll question: runs its time
    await store.record_poll(record(run.occurrence_id, 701, end_with_recap=True, question=None))
    text = record(run.occurrence_id, 702, end_with_recap=True, reactions=True, question=None)
    await store.record_poll(text)
    await polls.reaction(702, 501, NUMBER_EMOJIS[2], True)
    assert await polls.end_with_recap(run.occurrence_id) == 2
    assert venue.ended == [701]
    assert [r.final for r in await polls.results(run.occurrence_id)] == [False, True, True]
    polls_now = {p.message_id: p for p in await store.polls_since(START - timedelta(days=1))}
    assert not polls_now[700].finalized
    assert polls_now[701].final_counts == {1: 3}
    assert polls_now[702].final_counts == {3: 1}
    assert await polls.end_with_recap(run.occurrence_id) == 0


async def test_a_forgotten_persons_votes_are_not_kept_again(store: SqliteStore) -> None:
    run = await new_occurrence(store)
    polls = Polls(store, VirtualClock(START))
    await store.record_poll(record(run.occurrence_id, 700))
    await store.forget_user(501, START)
    assert not await polls.vote(700, 1, 501, True)
    await polls.reconcile(700, {1: [501, 502]})
    (result,) = await polls.results(run.occurrence_id)
    assert result.voters == 1

"""Live recaps in storage: where a recap was published, what changed since, and whether a change
is still to be shown (a crash between a change and the edit that shows it loses nothing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core.answers import AnswerSource
from bot.core.plan import StepKind
from bot.core.ports import PostRequest, PostResult
from bot.storage import SqliteStore
from tests.unit.storage import START, answer, new_occurrence

AS_OF = START + timedelta(minutes=60)
AT = AS_OF + timedelta(seconds=5)


async def _published(store: SqliteStore) -> int:
    occurrence = (await new_occurrence(store)).occurrence_id
    await store.upsert_answers(
        [
            answer(occurrence, 1, "A1: shown", minute=10),
            answer(occurrence, 2, "A1: shown, edited later", minute=11),
            answer(occurrence, 3, "A2: shown, deleted later", minute=12),
            answer(occurrence, 4, "chatter", question=None, minute=13),
        ]
    )
    request = PostRequest(occurrence, "recap", 111, StepKind.RECAP, "📋 Recap")
    await store.record_intent(request, AS_OF, late=False)
    result = PostResult(9000, thread_id=9000, more_ids=(9001, 9002))
    await store.record_posted(occurrence, "recap", result, AT, live_as_of=AS_OF)
    return occurrence


async def test_publishing_records_the_messages_and_what_they_show(store: SqliteStore) -> None:
    occurrence = await _published(store)
    live = await store.live_recap(occurrence)
    assert live is not None
    assert live.message_ids == (9000, 9001, 9002)
    assert live.thread_id == 9000
    assert live.shown_answers == 3  # conversation is not an answer
    assert (live.published_at, live.as_of) == (AT, AS_OF)
    assert (live.revision, live.dirty_since, live.changes) == (0, None, 0)
    post = await store.post(occurrence, "recap")
    assert post is not None
    assert post.message_id == 9000
    assert [r.occurrence_id for r in await store.live_recaps(AT - timedelta(days=7))] == [
        occurrence
    ]
    assert await store.live_recaps(AT + timedelta(seconds=1)) == []


async def test_other_posts_are_not_kept_live(store: SqliteStore) -> None:
    occurrence = (await new_occurrence(store)).occurrence_id
    request = PostRequest(occurrence, "q1", 111, StepKind.QUESTION, "**Q1:**")
    await store.record_intent(request, AS_OF, late=False)
    await store.record_posted(occurrence, "q1", PostResult(7000), AT)
    assert await store.live_recap(occurrence) is None


async def test_changes_since_the_first_version_are_counted(store: SqliteStore) -> None:
    occurrence = await _published(store)
    later = AS_OF + timedelta(hours=5)
    late = replace(answer(occurrence, 5, "A1: late", minute=65), late=True)
    edited = replace(answer(occurrence, 2, "A1: shown, edited", minute=11), edited_at=later)
    takeaway = replace(
        answer(occurrence, 6, "a takeaway", question=1, minute=70),
        source=AnswerSource.TAKEAWAY,
    )
    await store.upsert_answers([late, edited, takeaway])
    await store.mark_deleted([3])
    changes = await store.recap_changes(occurrence, AS_OF)
    assert (changes.late_answers, changes.edited, changes.answers, changes.takeaways) == (
        1,
        1,
        3,
        1,
    )
    assert await store.occurrences_of_messages([3, 6, 424242]) == {occurrence}


async def test_a_change_during_an_update_keeps_the_recap_dirty(store: SqliteStore) -> None:
    occurrence = await _published(store)
    first = AT + timedelta(minutes=1)
    await store.mark_recaps_dirty([occurrence], first)
    await store.mark_recaps_dirty([occurrence], first + timedelta(seconds=10))
    live = await store.live_recap(occurrence)
    assert live is not None
    assert (live.dirty_since, live.changes) == (first, 2)  # the earliest mark stays
    # An update that started from those two changes, and one more came in meanwhile.
    await store.mark_recaps_dirty([occurrence], first + timedelta(seconds=20))
    done = first + timedelta(seconds=30)
    await store.recap_revised(occurrence, [9000, 9001], 1, done, shown_changes=2)
    live = await store.live_recap(occurrence)
    assert live is not None
    assert (live.revision, live.message_ids, live.dirty_since) == (1, (9000, 9001), done)
    await store.recap_revised(occurrence, [9000, 9001], 2, done, shown_changes=3)
    live = await store.live_recap(occurrence)
    assert live is not None
    assert (live.revision, live.dirty_since, live.updated_at) == (2, None, done)


async def test_an_ended_recap_is_not_live_until_it_is_posted_again(store: SqliteStore) -> None:
    occurrence = await _published(store)
    await store.mark_recaps_dirty([occurrence], AT)
    await store.end_live_recap(occurrence)
    assert await store.live_recaps(AT - timedelta(days=1)) == []
    await store.move_live_recap(occurrence, [9100])
    [live] = await store.live_recaps(AT - timedelta(days=1))
    assert live.message_ids == (9100,)
    assert live.dirty_since is None


async def test_first_timers_are_counted_within_the_chat(store: SqliteStore) -> None:
    earlier = (await new_occurrence(store)).occurrence_id
    later_start = START + timedelta(days=7)
    later = (await new_occurrence(store, start=later_start)).occurrence_id
    await store.upsert_answers(
        [
            answer(earlier, 1, "A1: regular", author_id=501),
            answer(earlier, 2, "chatter only", question=None, author_id=502),
            answer(later, 3, "A1: regular again", author_id=501),
            answer(later, 4, "A1: first real answer", author_id=502),
            answer(later, 5, "A1: newcomer", author_id=503),
            answer(later, 6, "just chatting", question=None, author_id=504),
        ]
    )
    assert await store.first_timers(later, "careerchat", later_start) == {502, 503}
    assert await store.first_timers(earlier, "careerchat", START) == {501}

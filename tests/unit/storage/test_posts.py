"""Posts: the intent is recorded before posting and the message id after, so no step posts twice."""

from __future__ import annotations

from datetime import timedelta

from bot.core.plan import StepKind
from bot.core.ports import PostRequest, PostResult
from bot.storage import SqliteStore
from tests.unit.storage import CHANNEL, START, new_occurrence


def _request(occurrence_id: int, key: str = "q1", text: str = "**Q1:** Who?") -> PostRequest:
    return PostRequest(
        occurrence_id=occurrence_id,
        step_key=key,
        channel_id=CHANNEL,
        kind=StepKind.QUESTION,
        text=text,
        thread_name="Q1",
    )


async def test_intent_is_new_once_then_returned_as_it_was(store: SqliteStore) -> None:
    """A retry after a crash finds the first attempt's record, text and time unchanged."""
    run = await new_occurrence(store)
    first_at = START + timedelta(minutes=8)

    record, created = await store.record_intent(_request(run.occurrence_id), first_at, late=False)
    assert created is True
    assert record.step_key == "q1"
    assert record.text == "**Q1:** Who?"
    assert record.intent_at == first_at
    assert record.message_id is None
    assert record.late is False

    again, created_again = await store.record_intent(
        _request(run.occurrence_id, text="**Q1:** Who? (late)"),
        first_at + timedelta(minutes=5),
        late=True,
    )
    assert created_again is False
    assert again == record
    assert await store.posts(run.occurrence_id) == [record]


async def test_posted_message_and_thread_are_recorded(store: SqliteStore) -> None:
    """After posting, the record knows the message and its thread, and when it went out."""
    run = await new_occurrence(store)
    await store.record_intent(_request(run.occurrence_id), START, late=False)
    posted_at = START + timedelta(seconds=2)
    await store.record_posted(run.occurrence_id, "q1", PostResult(8001, 8002), posted_at)

    record = await store.post(run.occurrence_id, "q1")
    assert record is not None
    assert (record.message_id, record.thread_id, record.posted_at) == (8001, 8002, posted_at)
    assert await store.post(run.occurrence_id, "q2") is None


async def test_post_by_message_finds_the_post_from_message_or_thread(store: SqliteStore) -> None:
    """A reply to a question, or a message in its thread, is traced back to that question."""
    run = await new_occurrence(store)
    await store.record_intent(_request(run.occurrence_id, "intro", "Welcome!"), START, late=False)
    await store.record_posted(run.occurrence_id, "intro", PostResult(8000), START)
    await store.record_intent(_request(run.occurrence_id), START, late=False)
    await store.record_posted(run.occurrence_id, "q1", PostResult(8001, 8002), START)

    by_message = await store.post_by_message(8001)
    by_thread = await store.post_by_message(8002)
    assert by_message is not None
    assert by_thread is not None
    assert by_message.step_key == by_thread.step_key == "q1"
    intro = await store.post_by_message(8000)
    assert intro is not None
    assert intro.step_key == "intro"
    assert await store.post_by_message(9999) is None


async def test_posts_are_listed_in_the_order_intended(store: SqliteStore) -> None:
    """The recap and crash recovery see posts in the order the bot meant to make them."""
    run = await new_occurrence(store)
    for minutes, key in [(16, "q2"), (0, "intro"), (8, "q1")]:
        await store.record_intent(
            _request(run.occurrence_id, key), START + timedelta(minutes=minutes), late=False
        )
    assert [p.step_key for p in await store.posts(run.occurrence_id)] == ["intro", "q1", "q2"]

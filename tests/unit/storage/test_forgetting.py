"""Forget-me as a durable record: what it deletes, what it keeps, and the store's door that
refuses a forgotten person's old messages whichever way they come back."""

from __future__ import annotations

from datetime import timedelta

from bot.core.answers import AnswerSource, Attribution
from bot.core.plan import StepKind
from bot.core.ports import ChatDraft, PostRequest, PostResult
from bot.core.profiles import Profile
from bot.core.writes import AttributeToQuestion, ChangeReaction, ForgetPerson, StoreMessage
from bot.storage import SqliteStore
from tests.unit.storage import CHANNEL, START, answer, new_occurrence

ALICE, BOB, CAROL = 501, 502, 503
#: Alice asks to be forgotten half an hour into the chat.
REQUEST = START + timedelta(minutes=30)


def _message(
    occurrence: int, message_id: int, minute: float, *, edited: float | None = None
) -> StoreMessage:
    return StoreMessage(
        message_id=message_id,
        occurrence_id=occurrence,
        channel_id=CHANNEL,
        thread_id=None,
        author_id=ALICE,
        author_name="alice",
        created_at=START + timedelta(minutes=minute),
        edited_at=None if edited is None else START + timedelta(minutes=edited),
        reply_to=None,
        late=False,
        parts=[Attribution(1, "A1: mine", AnswerSource.PREFIX)],
    )


async def _alice_and_bob(store: SqliteStore) -> int:
    occurrence = (await new_occurrence(store)).occurrence_id
    await store.upsert_answers(
        [
            answer(occurrence, 9001, "A1: alice early", minute=5),
            answer(occurrence, 9002, "R1: alice takeaway", question=None, minute=10),
            answer(occurrence, 9003, "A1: bob", author_id=BOB, author_name="bob", minute=6),
        ]
    )
    await store.set_reaction(9003, ALICE, "👍", present=True)
    await store.set_reaction(9001, BOB, "🎉", present=True)
    return occurrence


async def test_forgetting_deletes_everything_of_theirs_and_keeps_their_consent(
    store: SqliteStore,
) -> None:
    occurrence = await _alice_and_bob(store)
    await store.set_opt_out(ALICE, "alice", True, START)

    request = await store.forget_user(ALICE, REQUEST)

    assert request.messages == 2
    assert request.requested_at == REQUEST
    stored = await store.answers(occurrence, include_deleted=True)
    assert [a.author_id for a in stored] == [BOB]
    assert stored[0].reactions == 0  # alice's 👍 on bob's answer is gone
    assert await store.opted_out() == {ALICE}  # the opt-out survives
    assert await store.participant_names([ALICE]) == {}  # the name is gone
    assert await store.forgotten() == {ALICE: REQUEST}
    data = await store.personal_data(ALICE)
    assert data.messages == ()
    assert data.reactions == ()
    assert data.opted_out
    assert data.forget_requested_at == REQUEST


async def test_the_door_refuses_their_old_messages_on_every_path(store: SqliteStore) -> None:
    """A live edit, backfill (the same message read again), a reaction and re-attribution
    never bring back what they posted before the request; what they post after counts."""
    occurrence = await _alice_and_bob(store)
    await store.forget_user(ALICE, REQUEST)

    await store.write_answers(
        [
            _message(occurrence, 9001, 5, edited=40),  # a live edit of an old message
            _message(occurrence, 9001, 5),  # backfill reads it again
            ChangeReaction(9003, ALICE, "👍", present=True),  # reconciliation re-adds it
            AttributeToQuestion(occurrence, 1, 9001, None),
        ]
    )
    assert [a.author_id for a in await store.answers(occurrence, include_deleted=True)] == [BOB]
    assert (await store.answers(occurrence))[0].reactions == 0

    await store.write_answers([_message(occurrence, 9010, 45)])  # after the request
    await store.write_answers([ChangeReaction(9010, BOB, "👍", present=True)])
    await store.write_answers([ChangeReaction(9010, ALICE, "🔁", present=True)])
    after = {a.message_id: a for a in await store.answers(occurrence)}
    assert set(after) == {9003, 9010}
    assert after[9010].reactions == 2
    assert await store.participant_names([ALICE]) == {ALICE: "alice"}


async def test_a_message_queued_before_the_request_is_erased_with_it(store: SqliteStore) -> None:
    """In one batch, a message stored before the forget write is deleted by it."""
    occurrence = (await new_occurrence(store)).occurrence_id
    await store.write_answers([_message(occurrence, 9001, 20), ForgetPerson(ALICE, REQUEST)])
    assert await store.answers(occurrence) == []
    assert (await store.forget_request(ALICE)) is not None


async def test_twice_in_a_row_and_for_someone_with_nothing_stored(store: SqliteStore) -> None:
    occurrence = await _alice_and_bob(store)
    first = await store.forget_user(ALICE, REQUEST)
    second = await store.forget_user(ALICE, REQUEST + timedelta(minutes=1))
    assert (first.messages, second.messages) == (2, 0)
    assert second.requested_at == REQUEST + timedelta(minutes=1)
    earlier = await store.forget_user(ALICE, REQUEST)  # an older time never narrows it
    assert earlier.requested_at == REQUEST + timedelta(minutes=1)
    nobody = await store.forget_user(CAROL, REQUEST, by_moderator=True)
    assert (nobody.messages, nobody.recaps, nobody.by_moderator) == (0, 0, True)
    assert len(await store.answers(occurrence)) == 1


async def test_published_recaps_that_showed_them_are_marked_however_old(
    store: SqliteStore,
) -> None:
    occurrence = await _alice_and_bob(store)
    published = START + timedelta(hours=2)
    request = PostRequest(occurrence, "recap", CHANNEL, StepKind.RECAP, "recap")
    await store.record_intent(request, published, late=False)
    await store.record_posted(
        occurrence, "recap", PostResult(7000), published, live_as_of=published
    )
    long_after = published + timedelta(days=400)

    applied = await store.forget_user(ALICE, long_after)

    assert applied.recaps == 1
    (live,) = await store.live_recaps(long_after - timedelta(days=7))  # old, but dirty
    assert live.dirty_since == long_after
    assert (live.erased, live.erased_answers) == (1, 1)  # her answer; not her takeaway
    bob_only = await store.forget_user(CAROL, long_after)
    assert bob_only.recaps == 0


async def test_my_data_has_their_words_and_nobody_elses(store: SqliteStore) -> None:
    occurrence = await _alice_and_bob(store)
    await store.write_answers([_message(occurrence, 9001, 5, edited=7)])
    data = await store.personal_data(ALICE)
    assert data.name == "alice"
    assert not data.opted_out
    assert [(m.message_id, m.content, m.edited_at is not None) for m in data.messages] == [
        (9001, "A1: mine", True),
        (9002, "R1: alice takeaway", False),
    ]
    assert {m.chat_id for m in data.messages} == {"careerchat"}
    assert [(r.message_id, r.emoji) for r in data.reactions] == [(9003, "👍")]
    assert "bob" not in repr(data)
    assert (await store.personal_data(CAROL)).empty


async def test_a_moderators_unfinished_chat_forms_are_in_my_data_and_forgotten(
    store: SqliteStore,
) -> None:
    draft = await store.save_draft(ChatDraft(0, 42, ALICE, None, {"title": "Alice's chat"}, START))
    other = await store.save_draft(ChatDraft(0, 42, BOB, None, {"title": "Bob's chat"}, START))
    data = await store.personal_data(ALICE)
    assert [(d.chat_id, "Alice's chat" in d.fields) for d in data.drafts] == [(None, True)]
    assert "Bob's chat" not in repr(data)
    await store.forget_user(ALICE, REQUEST)
    assert await store.draft(draft.draft_id) is None
    assert await store.draft(other.draft_id) == other


async def test_my_data_has_their_profile_and_forgetting_removes_it(store: SqliteStore) -> None:
    await store.save_profile(
        Profile(ALICE, True, "I teach maths", "https://a.example", START), "alice"
    )
    data = await store.personal_data(ALICE)
    assert data.profile is not None
    assert (data.profile.bio, data.profile.link) == ("I teach maths", "https://a.example")
    await store.forget_user(ALICE, REQUEST)
    assert (await store.personal_data(ALICE)).profile is None

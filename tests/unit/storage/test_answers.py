"""Answers: every message is stored once, whatever order Discord delivers copies and edits in.

What a participant would notice is the recap and the transcript: an answer
counted twice, an edit lost, a deleted message quoted, a reaction counted
twice. Each test stores messages as the collector does and reads them back.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core.answers import Answer, AnswerSource
from bot.core.writes import StoredVersion
from bot.storage import SqliteStore
from tests.unit.storage import CHANNEL, START, answer, new_occurrence

ALICE, BOB, CAROL = 501, 502, 503
THREAD = 7001


async def _occurrence(store: SqliteStore) -> int:
    return (await new_occurrence(store)).occurrence_id


def _contents(answers: list[Answer]) -> list[str]:
    return [a.content for a in answers]


# --- idempotent upserts -----------------------------------------------------------------


async def test_same_message_delivered_twice_is_stored_once(store: SqliteStore) -> None:
    """A gateway redelivery or a backfill from history never makes a second answer."""
    occurrence = await _occurrence(store)
    first = answer(occurrence, 9001, "A1: my network")
    await store.upsert_answers([first])
    await store.upsert_answers([first])

    stored = await store.answers(occurrence)
    assert len(stored) == 1
    assert stored[0].content == "A1: my network"
    assert stored[0].author_name == "alice"
    assert stored[0].created_at == START + timedelta(minutes=10)


async def test_edit_updates_the_answer(store: SqliteStore) -> None:
    """The recap quotes what the participant says now, not what they first typed."""
    occurrence = await _occurrence(store)
    await store.upsert_answers([answer(occurrence, 9001, "A1: teh network")])
    await store.upsert_answers([answer(occurrence, 9001, "A1: the network", edited_minute=12)])

    [stored] = await store.answers(occurrence)
    assert stored.content == "A1: the network"
    assert stored.edited_at == START + timedelta(minutes=12)


async def test_older_copy_after_an_edit_does_not_overwrite_it(store: SqliteStore) -> None:
    """A backfill that reads the original after the edit arrived keeps the edit."""
    occurrence = await _occurrence(store)
    await store.upsert_answers([answer(occurrence, 9001, "A1: edited", edited_minute=15)])
    await store.upsert_answers([answer(occurrence, 9001, "A1: original")])
    await store.upsert_answers([answer(occurrence, 9001, "A1: first edit", edited_minute=12)])

    [stored] = await store.answers(occurrence)
    assert stored.content == "A1: edited"
    assert stored.edited_at == START + timedelta(minutes=15)


async def test_deleted_message_is_not_resurrected_by_a_redelivery(store: SqliteStore) -> None:
    """Once deleted, a message never comes back into the recap, even if delivered again."""
    occurrence = await _occurrence(store)
    message = answer(occurrence, 9001, "A1: oops, wrong chat")
    await store.upsert_answers([message, answer(occurrence, 9002, "A1: keep me", author_id=BOB)])

    assert await store.mark_deleted([9001]) == 1
    assert await store.mark_deleted([9001]) == 0  # already deleted
    await store.upsert_answers([message])
    await store.upsert_answers([answer(occurrence, 9001, "A1: edited", edited_minute=20)])

    assert _contents(await store.answers(occurrence)) == ["A1: keep me"]
    [deleted] = [a for a in await store.answers(occurrence, include_deleted=True) if a.deleted]
    assert deleted.message_id == 9001
    assert deleted.content == "A1: oops, wrong chat"


# --- multi-part messages ------------------------------------------------------------------


def _parts(occurrence: int, texts: list[str], edited_minute: float | None = None) -> list[Answer]:
    return [
        answer(occurrence, 9001, text, part=n, question=n + 1, edited_minute=edited_minute)
        for n, text in enumerate(texts)
    ]


async def test_message_answering_several_questions_is_stored_as_parts(store: SqliteStore) -> None:
    """``A1: yes A2: no A3: maybe`` counts once for each question, in order."""
    occurrence = await _occurrence(store)
    await store.upsert_answers(_parts(occurrence, ["yes", "no", "maybe"]))
    await store.upsert_answers(_parts(occurrence, ["yes", "no", "maybe"]))

    stored = await store.answers(occurrence)
    assert [(a.part, a.question, a.content) for a in stored] == [
        (0, 1, "yes"),
        (1, 2, "no"),
        (2, 3, "maybe"),
    ]
    assert await store.mark_deleted([9001]) == 3


async def test_edit_to_fewer_parts_drops_the_rest(store: SqliteStore) -> None:
    """Editing ``A1: yes A2: no A3: maybe`` down to one answer leaves only A1 counted."""
    occurrence = await _occurrence(store)
    await store.upsert_answers(_parts(occurrence, ["yes", "no", "maybe"]))
    await store.upsert_answers(_parts(occurrence, ["yes, really"], edited_minute=12))
    await store.drop_parts_from(9001, 1, START + timedelta(minutes=12))

    assert _contents(await store.answers(occurrence)) == ["yes, really"]
    assert len(await store.answers(occurrence, include_deleted=True)) == 3


async def test_edit_that_adds_a_dropped_part_back_counts_it_again(store: SqliteStore) -> None:
    """A participant who removes A2 by an edit and then puts it back has their A2 counted."""
    occurrence = await _occurrence(store)
    await store.upsert_answers(_parts(occurrence, ["yes", "no"]))
    await store.upsert_answers(_parts(occurrence, ["yes"], edited_minute=12))
    await store.drop_parts_from(9001, 1, START + timedelta(minutes=12))
    await store.upsert_answers(_parts(occurrence, ["yes", "no after all"], edited_minute=14))
    await store.drop_parts_from(9001, 2, START + timedelta(minutes=14))

    assert _contents(await store.answers(occurrence)) == ["yes", "no after all"]


async def test_edit_without_a_prefix_keeps_the_question_it_was_stored_under(
    store: SqliteStore,
) -> None:
    """A remark made during Q2 and edited during Q3 stays with Q2 (the collector attributes
    an unprefixed edit to the question current at edit time); an edit that adds a prefix
    moves it to that question."""
    occurrence = await _occurrence(store)
    remark = answer(occurrence, 9001, "same here", question=2)
    await store.upsert_answers([replace(remark, source=AnswerSource.REPLY)])
    edit = answer(occurrence, 9001, "same here, and more", question=3, edited_minute=20)
    await store.upsert_answers([replace(edit, source=AnswerSource.CONVERSATION)])
    [stored] = await store.answers(occurrence)
    assert (stored.question, stored.source, stored.content) == (
        2,
        AnswerSource.REPLY,
        "same here, and more",
    )
    prefixed = answer(occurrence, 9001, "now an answer to Q3", question=3, edited_minute=25)
    await store.upsert_answers([prefixed])
    [stored] = await store.answers(occurrence)
    assert (stored.question, stored.source) == (3, AnswerSource.PREFIX)


async def test_stored_versions_tell_backfill_what_it_has(store: SqliteStore) -> None:
    """Per message: its thread, the newest edit stored, and whether it was deleted."""
    occurrence = await _occurrence(store)
    await store.upsert_answers(
        [
            answer(occurrence, 9001, "A1: plain"),
            answer(occurrence, 9002, "in a thread", thread_id=THREAD, edited_minute=12),
            answer(occurrence, 9003, "A1: yes"),
            answer(occurrence, 9003, "A2: no", part=1, question=2),
        ]
    )
    await store.mark_deleted([9002])
    versions = await store.stored_versions(occurrence)
    assert versions[9001] == StoredVersion(None, None, False)
    assert versions[9002] == StoredVersion(THREAD, START + timedelta(minutes=12), True)
    assert versions[9003] == StoredVersion(None, None, False)  # one entry for its two parts
    assert set(versions) == {9001, 9002, 9003}


# --- reactions ----------------------------------------------------------------------------


async def _reactions(store: SqliteStore, occurrence: int) -> dict[int, int]:
    return {a.message_id: a.reactions for a in await store.answers(occurrence)}


async def test_reactions_count_each_user_and_emoji_once(store: SqliteStore) -> None:
    """A redelivered reaction event does not inflate the count; counts are per message."""
    occurrence = await _occurrence(store)
    await store.upsert_answers(
        [answer(occurrence, 9001), answer(occurrence, 9002, "A1: other", author_id=BOB)]
    )
    await store.set_reaction(9001, BOB, "👍", present=True)
    await store.set_reaction(9001, BOB, "👍", present=True)
    assert await _reactions(store, occurrence) == {9001: 1, 9002: 0}

    await store.set_reaction(9001, BOB, "🎉", present=True)
    await store.set_reaction(9001, CAROL, "👍", present=True)
    await store.set_reaction(9002, ALICE, "👍", present=True)
    assert await _reactions(store, occurrence) == {9001: 3, 9002: 1}


async def test_removing_a_reaction_decrements_and_never_goes_negative(store: SqliteStore) -> None:
    """Taking a reaction back uncounts it; removing one that was never counted changes nothing."""
    occurrence = await _occurrence(store)
    await store.upsert_answers([answer(occurrence, 9001)])
    await store.set_reaction(9001, BOB, "👍", present=True)
    await store.set_reaction(9001, CAROL, "👍", present=True)

    await store.set_reaction(9001, BOB, "👍", present=False)
    assert await _reactions(store, occurrence) == {9001: 1}
    await store.set_reaction(9001, BOB, "👍", present=False)
    await store.set_reaction(9001, BOB, "🙃", present=False)
    assert await _reactions(store, occurrence) == {9001: 1}
    await store.set_reaction(9001, CAROL, "👍", present=False)
    assert await _reactions(store, occurrence) == {9001: 0}


async def test_reactions_survive_an_edit(store: SqliteStore) -> None:
    """Editing an answer keeps the reactions it already has."""
    occurrence = await _occurrence(store)
    await store.upsert_answers([answer(occurrence, 9001)])
    await store.set_reaction(9001, BOB, "👍", present=True)
    await store.upsert_answers([answer(occurrence, 9001, "A1: better", edited_minute=11)])
    assert await _reactions(store, occurrence) == {9001: 1}


async def test_reaction_handled_before_its_message_is_counted(store: SqliteStore) -> None:
    """A quick 👍 whose event is processed before the message's own event still counts."""
    occurrence = await _occurrence(store)
    await store.set_reaction(9001, BOB, "👍", present=True)
    await store.upsert_answers([answer(occurrence, 9001)])
    assert await _reactions(store, occurrence) == {9001: 1}


# --- participants: forgetting and opting out ----------------------------------------------


async def test_forget_user_removes_their_messages(store: SqliteStore) -> None:
    """``forget me`` deletes every message of the participant and says how many."""
    occurrence = await _occurrence(store)
    await store.upsert_answers(
        [
            *_parts(occurrence, ["yes", "no"]),  # alice's two-part message 9001
            answer(occurrence, 9002, "A3: also me", question=3),
            answer(occurrence, 9003, "A1: bob here", author_id=BOB, author_name="bob"),
        ]
    )
    await store.mark_deleted([9002])
    await store.set_reaction(9001, BOB, "👍", present=True)

    later = START + timedelta(hours=1)
    assert (await store.forget_user(ALICE, later)).messages == 2
    remaining = await store.answers(occurrence, include_deleted=True)
    assert [(a.author_id, a.content) for a in remaining] == [(BOB, "A1: bob here")]
    assert await store.message_occurrence(9001) is None
    assert (await store.forget_user(ALICE, later)).messages == 0


async def test_forget_user_uncounts_their_reactions(store: SqliteStore) -> None:
    """After ``forget me``, the participant's reactions no longer count on others' answers."""
    occurrence = await _occurrence(store)
    await store.upsert_answers([answer(occurrence, 9003, "A1: bob here", author_id=BOB)])
    await store.set_reaction(9003, ALICE, "👍", present=True)
    await store.set_reaction(9003, CAROL, "👍", present=True)

    await store.forget_user(ALICE, START + timedelta(hours=1))
    assert await _reactions(store, occurrence) == {9003: 1}


async def test_opt_out_and_back_in(store: SqliteStore) -> None:
    """Opting out keeps a participant out of the recap until they opt back in."""
    at = START + timedelta(minutes=1)
    assert await store.opted_out() == set()
    await store.set_opt_out(ALICE, "alice", True, at)
    await store.set_opt_out(BOB, "bob", True, at)
    assert await store.opted_out() == {ALICE, BOB}
    await store.set_opt_out(BOB, "bob", False, at)
    assert await store.opted_out() == {ALICE}


async def test_opt_out_before_speaking_holds_after_speaking(store: SqliteStore) -> None:
    """Opting out at the start is not undone by the participant's first answer."""
    occurrence = await _occurrence(store)
    await store.set_opt_out(ALICE, "alice", True, START)
    await store.upsert_answers([answer(occurrence, 9001)])
    assert await store.opted_out() == {ALICE}


# --- lookups used by attribution and backfill ---------------------------------------------


async def test_message_occurrence(store: SqliteStore) -> None:
    """A reply to a stored message is traced to that message's chat."""
    occurrence = await _occurrence(store)
    await store.upsert_answers([answer(occurrence, 9001)])
    assert await store.message_occurrence(9001) == occurrence
    assert await store.message_occurrence(424242) is None


async def test_last_message_id_per_channel_and_thread(store: SqliteStore) -> None:
    """Backfill resumes after the newest stored message of the channel, or of one thread.

    Thread messages are stored with the chat's channel id; they must not move the
    channel's backfill past channel messages it has not read yet.
    """
    occurrence = await _occurrence(store)
    other = (await new_occurrence(store, start=START + timedelta(days=7))).occurrence_id
    await store.upsert_answers(
        [
            answer(occurrence, 100, minute=1),
            answer(occurrence, 300, minute=3, thread_id=THREAD),
            answer(occurrence, 200, minute=2, thread_id=THREAD),
            answer(other, 900, minute=1),
        ]
    )
    assert await store.last_message_id(occurrence, CHANNEL) == 100
    assert await store.last_message_id(occurrence, CHANNEL, THREAD) == 300
    assert await store.last_message_id(occurrence, CHANNEL, 4040) is None
    assert await store.last_message_id(other, CHANNEL) == 900
    assert await store.last_message_id(other, CHANNEL, THREAD) is None

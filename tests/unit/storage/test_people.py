"""Storage of the people to learn from: profiles (and forgetting them), and the engaged answers
``/chat people`` reads, with its topic index kept right through edits, deletes and forgetting."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.core.engagement import topic_clauses
from bot.core.profiles import Profile
from bot.core.writes import ChangeReaction, DeleteMessages
from bot.storage import SqliteStore
from tests.unit.storage import SPEC, START, answer, new_occurrence


def profile(user_id: int, *, public: bool = True, minute: float = 0, bio: str = "") -> Profile:
    return Profile(
        user_id, public, bio, "https://example.org/me", START + timedelta(minutes=minute)
    )


async def test_a_profile_is_stored_replaced_and_read_back(store: SqliteStore) -> None:
    assert await store.profile(501) is None
    await store.save_profile(profile(501, bio="Biology teacher"), "alice")
    await store.save_profile(profile(501, public=False, minute=5, bio="Now a coach"), "alice")
    assert await store.profile(501) == profile(501, public=False, minute=5, bio="Now a coach")
    assert await store.profiles() == [profile(501, public=False, minute=5, bio="Now a coach")]
    assert await store.participant_names([501]) == {501: "alice"}


async def test_forgetting_a_person_deletes_the_profile_they_set_before(store: SqliteStore) -> None:
    await store.save_profile(profile(501), "alice")
    await store.save_profile(profile(502), "bob")
    await store.forget_user(501, START + timedelta(minutes=1))
    assert [p.user_id for p in await store.profiles()] == [502]
    # A profile set after the request is theirs again; a second request takes it too.
    await store.save_profile(profile(501, minute=2), "alice")
    assert await store.profile(501) is not None
    await store.forget_user(501, START + timedelta(minutes=3))
    assert await store.profile(501) is None


async def _engaged_chat(store: SqliteStore) -> int:
    run = await new_occurrence(store)
    occurrence = run.occurrence_id
    await store.upsert_answers(
        [
            answer(occurrence, 1, "A1: my favourite podcast is about café culture"),
            answer(occurrence, 2, "A1: a mentor of mine", author_id=502, author_name="bob"),
            answer(occurrence, 3, "A1: nobody reacted to this podcast one", author_id=503),
            replace(
                answer(occurrence, 4, "agreed", question=None, author_id=502, author_name="bob"),
                reply_to=1,
            ),
            replace(
                answer(occurrence, 5, "me too", question=None, author_id=504, author_name="dee"),
                reply_to=4,
            ),
        ]
    )
    await store.write_answers([ChangeReaction(2, 501, "👍", True)])
    return occurrence


async def test_engaged_answers_come_with_their_reactions_and_reply_chains(
    store: SqliteStore,
) -> None:
    occurrence = await _engaged_chat(store)
    rows = await store.engagement_rows([occurrence])
    assert sorted(a.message_id for a in rows.answers) == [1, 2]  # 3 drew nothing
    assert rows.reactions == {2: frozenset({501})}
    assert sorted((m.message_id, m.author_id, m.reply_to) for m in rows.replies) == [
        (4, 502, 1),
        (5, 504, 4),
    ]
    assert (await store.engagement_rows([occurrence + 1])).answers == ()


async def test_a_topic_finds_answers_by_their_words_or_their_question(store: SqliteStore) -> None:
    occurrence = await _engaged_chat(store)
    questions = {(occurrence, n): q.text for n, q in enumerate(SPEC.questions, start=1)}

    async def found(*words: str) -> list[int]:
        rows = await store.engagement_rows([occurrence], topic_clauses(words, questions))
        return sorted(a.message_id for a in rows.answers)

    assert await found("podcast") == [1]  # 3 mentions it too, but drew nothing
    assert await found("cafe") == [1]  # accents folded
    assert await found("pod", "caf") == [1]  # at the start of words
    assert await found("cast") == []
    assert await found("mentor") == [2]
    # Edits are indexed: the podcast answer is now about books.
    await store.upsert_answers([answer(occurrence, 1, "A1: books, mostly", edited_minute=20)])
    assert await found("podcast") == []
    assert await found("books") == [1]
    # A new answer after the last search is indexed at the next one.
    await store.upsert_answers(
        [answer(occurrence, 6, "A1: my podcast habit", author_id=505, minute=30)]
    )
    await store.write_answers([ChangeReaction(6, 501, "🎧", True)])
    assert await found("podcast") == [6]
    await assert_index_matches_the_answers(store)


async def test_the_topic_index_forgets_deleted_and_forgotten_answers(store: SqliteStore) -> None:
    occurrence = await _engaged_chat(store)
    questions = {(occurrence, n): q.text for n, q in enumerate(SPEC.questions, start=1)}
    clauses = topic_clauses(("mentor",), questions)
    assert [a.message_id for a in (await store.engagement_rows([occurrence], clauses)).answers] == [
        2
    ]
    await store.write_answers([DeleteMessages((2,))])
    assert (await store.engagement_rows([occurrence], clauses)).answers == ()
    # bob is forgotten: his newest rows go, the index mark comes down, a reused rowid is found.
    await store.forget_user(502, START + timedelta(hours=1))
    await store.upsert_answers(
        [answer(occurrence, 7, "A1: my mentor, again", author_id=506, minute=40)]
    )
    await store.write_answers([ChangeReaction(7, 501, "👍", True)])
    assert [a.message_id for a in (await store.engagement_rows([occurrence], clauses)).answers] == [
        7
    ]
    await assert_index_matches_the_answers(store)


async def assert_index_matches_the_answers(store: SqliteStore) -> None:
    """FTS5 checks its index against the answers' text (``rank`` 1: against the content table too;
    every row is indexed after a search). PostgreSQL's index is an index of the answers
    table itself: nothing to check."""
    if not store.db.dialect.lazy_topic_index:
        return
    async with store.db.transaction() as connection:
        await connection.execute(
            "INSERT INTO answer_words (answer_words, rank) VALUES ('integrity-check', 1)"
        )

"""Questions from the community: limits, votes and their order, approval into the next
occurrence (once, across restarts), and consent (opted-out credit omitted, forgotten dropped,
my-data lists them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.plan import StepKind
from bot.core.run import Phase
from bot.core.suggestions import (
    MAX_OPEN_PER_MEMBER,
    SuggestionRefused,
    SuggestionStatus,
    max_length,
)
from bot.core.texts import question_text
from bot.runtime.clock import VirtualClock
from bot.runtime.root import Runtime, build_runtime
from bot.storage import SqliteStore, open_store
from tests.support.driving import drive
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)
FILE = "chats/careerchat.yaml"
ALICE, BOB, CAROL, MOD = 501, 502, 503, 900


@pytest.fixture
def runtime(store: SqliteStore, venue: MemoryVenue, clock: VirtualClock) -> Runtime:
    return build_runtime(store, venue, clock)


async def scheduled(runtime: Runtime, **overrides: object) -> None:
    spec = make_spec(source=FILE, repeat="weekly", **overrides)
    await runtime.engine.sync_chats([spec], [FILE])


async def planned_questions(store: SqliteStore) -> list[str]:
    occurrence = (await store.occurrences(chat_id="careerchat", unfinished=True))[0]
    return [q.text for q in occurrence.spec.questions]


async def test_text_limits_and_five_open_per_member(runtime: Runtime) -> None:
    await scheduled(runtime)
    suggestions = runtime.suggestions
    with pytest.raises(SuggestionRefused, match="empty"):
        await suggestions.suggest("careerchat", ALICE, "alice", "   ")
    too_long = "x" * (max_length(make_spec()) + 1)
    with pytest.raises(SuggestionRefused, match="shorten it by 1"):
        await suggestions.suggest("careerchat", ALICE, "alice", too_long)
    for number in range(MAX_OPEN_PER_MEMBER):
        await suggestions.suggest("careerchat", ALICE, "alice", f"Idea {number}?")
    with pytest.raises(SuggestionRefused, match="5 open suggestions"):
        await suggestions.suggest("careerchat", ALICE, "alice", "One more?")
    # Someone else still may; and a decided one frees a place.
    await suggestions.suggest("careerchat", BOB, "bob", "Bob's idea?")
    first = (await suggestions.review("careerchat"))[0]
    await suggestions.reject(first.suggestion_id, MOD)
    await suggestions.suggest("careerchat", ALICE, "alice", "Now it fits?")
    with pytest.raises(SuggestionRefused, match="rejected already"):
        await suggestions.approve(first.suggestion_id, MOD)


async def test_the_longest_suggestion_fits_in_one_message(runtime: Runtime) -> None:
    await scheduled(runtime)
    spec = make_spec()
    longest = "y" * max_length(spec)
    suggestion, _ = await runtime.suggestions.suggest("careerchat", ALICE, "a" * 32, longest)
    await runtime.suggestions.approve(suggestion.suggestion_id, MOD)
    occurrence = (await runtime.engine.store.occurrences(unfinished=True))[0]
    assert len(question_text(occurrence.spec, 6)) <= 2000


async def test_upvotes_order_the_list(runtime: Runtime, store: SqliteStore) -> None:
    await scheduled(runtime)
    suggestions = runtime.suggestions
    made = []
    for number, author in enumerate((ALICE, BOB, CAROL), start=1):
        suggestion, _ = await suggestions.suggest("careerchat", author, "x", f"Q{number}?")
        await suggestions.posted(suggestion, 111, 7000 + number)
        made.append(suggestion)
    # Carol's gets two votes, Bob's one; Alice's own vote for hers does not count.
    assert await suggestions.vote(7003, ALICE, "👍", True)
    assert await suggestions.vote(7003, BOB, "👍", True)
    assert not await suggestions.vote(7003, BOB, "👍", True)  # twice is once
    assert await suggestions.vote(7002, CAROL, "👍", True)
    assert not await suggestions.vote(7001, ALICE, "👍", True)  # her own
    assert not await suggestions.vote(7001, BOB, "❤️", True)  # not an upvote
    assert not await suggestions.vote(9999, BOB, "👍", True)  # not a suggestion
    listed = await suggestions.review("careerchat")
    assert [(s.text, s.votes) for s in listed] == [("Q3?", 2), ("Q2?", 1), ("Q1?", 0)]
    # A vote taken back, and votes read again from Discord after a restart.
    assert await suggestions.vote(7003, BOB, "👍", False)
    await suggestions.reconcile(7001, {BOB, CAROL, ALICE})
    listed = await suggestions.review("careerchat")
    assert [(s.text, s.votes) for s in listed] == [("Q1?", 2), ("Q2?", 1), ("Q3?", 1)]
    await suggestions.reconcile(7001, set())  # every 👍 taken back while it was down
    listed = await suggestions.review("careerchat")
    assert [(s.text, s.votes) for s in listed] == [("Q2?", 1), ("Q3?", 1), ("Q1?", 0)]


async def test_approved_joins_the_next_occurrence_with_credit_once(
    runtime: Runtime, store: SqliteStore, clock: VirtualClock, venue: MemoryVenue
) -> None:
    await scheduled(runtime)
    suggestions = runtime.suggestions
    after, _ = await suggestions.suggest("careerchat", ALICE, "Alice A.", "What surprised you?")
    before2, _ = await suggestions.suggest("careerchat", BOB, "Bob", "Who helped you?")
    await suggestions.approve(after.suggestion_id, MOD)
    await suggestions.approve(before2.suggestion_id, MOD, position=2)
    assert await planned_questions(store) == [
        "Question number 1?",
        "Who helped you?",
        "Question number 2?",
        "Question number 3?",
        "Question number 4?",
        "Question number 5?",
        "What surprised you?",
    ]
    # A reload of the file (a restart) plans the same: nothing twice.
    await scheduled(runtime)
    assert len(await planned_questions(store)) == 7
    await drive(runtime.engine, clock, START + timedelta(hours=3))
    asked = [m.text for m in venue.messages if m.kind is StepKind.QUESTION]
    texts = [t for t in asked if "Who helped you?" in t]
    assert len(texts) == 1
    assert "**Q2:**" in texts[0]
    assert "Suggested by Bob" in texts[0]
    assert any("**Q7:** What surprised you?" in t and "Alice A." in t for t in asked)
    statuses = {s.status for s in await store.suggestions("careerchat", list(SuggestionStatus))}
    assert statuses == {SuggestionStatus.ASKED}
    # The next week's occurrence has only the file's questions.
    assert len(await planned_questions(store)) == 5


async def test_approved_during_a_live_chat_waits_for_the_next(
    runtime: Runtime, store: SqliteStore, clock: VirtualClock
) -> None:
    await scheduled(runtime)
    await drive(runtime.engine, clock, START + timedelta(minutes=10))
    live = (await store.occurrences(chat_id="careerchat", unfinished=True))[0]
    assert live.run.phase is Phase.RUNNING
    suggestion, _ = await runtime.suggestions.suggest("careerchat", ALICE, "alice", "Later?")
    await runtime.suggestions.approve(suggestion.suggestion_id, MOD)
    assert len(await planned_questions(store)) == 5  # the live one keeps its questions
    await drive(runtime.engine, clock, START + timedelta(hours=3))
    assert (await planned_questions(store))[-1] == "Later?"


async def test_a_restart_between_start_and_marking_never_asks_twice(
    store: SqliteStore, venue: MemoryVenue, clock: VirtualClock, db_path: object
) -> None:
    first = build_runtime(store, venue, clock)
    await scheduled(first)
    suggestion, _ = await first.suggestions.suggest("careerchat", ALICE, "alice", "Once?")
    await first.suggestions.approve(suggestion.suggestion_id, MOD)
    # The occurrence runs without the listener that marks suggestions asked (a crash at
    # the wrong moment); the planner still marks them before planning the next one.
    first.engine.on_run_saved.remove(first.suggestions.on_run_saved)
    await drive(first.engine, clock, START + timedelta(hours=3))
    assert [q for q in await planned_questions(store) if q == "Once?"] == []
    reopened = await open_store(str(db_path))
    try:
        second = build_runtime(reopened, venue, clock)
        await scheduled(second)
        assert "Once?" not in await planned_questions(reopened)
    finally:
        await reopened.close()


async def test_opted_out_author_is_not_credited(
    runtime: Runtime, store: SqliteStore, clock: VirtualClock
) -> None:
    await scheduled(runtime)
    suggestion, _ = await runtime.suggestions.suggest("careerchat", ALICE, "Alice", "Why?")
    await runtime.suggestions.approve(suggestion.suggestion_id, MOD)
    await store.set_opt_out(ALICE, "Alice", True, clock.now())
    await runtime.suggestions.person_changed(ALICE)
    occurrence = (await store.occurrences(unfinished=True))[0]
    text = question_text(occurrence.spec, 6)
    assert "Alice" not in text
    assert "Suggested by a member" in text


async def test_forgotten_authors_suggestions_are_dropped_and_my_data_lists_them(
    runtime: Runtime, store: SqliteStore
) -> None:
    await scheduled(runtime)
    approved, _ = await runtime.suggestions.suggest("careerchat", ALICE, "Alice", "Mine?")
    await runtime.suggestions.posted(approved, 111, 7001)
    await runtime.suggestions.suggest("careerchat", ALICE, "Alice", "Open one?")
    await runtime.suggestions.approve(approved.suggestion_id, MOD)
    bob, _ = await runtime.suggestions.suggest("careerchat", BOB, "Bob", "Bob's?")
    await runtime.suggestions.posted(bob, 111, 7002)
    await runtime.suggestions.vote(7002, ALICE, "👍", True)
    data = await runtime.consent.my_data(ALICE)
    assert [(q.text, q.status) for q in data.suggestions] == [
        ("Mine?", "approved"),
        ("Open one?", "open"),
    ]
    assert "Mine?" in await planned_questions(store)
    await runtime.consent.forget(ALICE)
    assert "Mine?" not in await planned_questions(store)
    assert await store.suggestions_by(ALICE) == []
    assert (await runtime.consent.my_data(ALICE)).suggestions == ()
    assert [(s.text, s.votes) for s in await runtime.suggestions.review("careerchat")] == [
        ("Bob's?", 0)
    ]


async def test_a_forgotten_authors_posted_suggestions_are_deleted_from_discord(
    runtime: Runtime, store: SqliteStore
) -> None:
    await scheduled(runtime)
    posted, _ = await runtime.suggestions.suggest("careerchat", ALICE, "Alice", "Posted?")
    await runtime.suggestions.posted(posted, 111, 7001)
    deleted: list[tuple[int, int]] = []
    platform_up = False

    async def delete_message(channel_id: int, message_id: int) -> bool:
        if platform_up:
            deleted.append((channel_id, message_id))
        return platform_up

    runtime.suggestions.delete_message = delete_message
    await runtime.consent.forget(ALICE)
    # Emptied at once (their words are gone from the store), the message kept for a retry.
    assert await store.suggestions_by(ALICE) == []
    assert await store.withdrawn_suggestions() == [(posted.suggestion_id, 111, 7001)]
    rows = await store.db.fetchall("SELECT text, author_name FROM suggestions", ())
    assert [tuple(row) for row in rows] == [("", "")]
    platform_up = True
    await runtime.suggestions.sweep()  # the next connection
    assert deleted == [(111, 7001)]
    assert await store.withdrawn_suggestions() == []

"""Backfill's reaction reconciliation: what it asks Discord, what it changes, what it reads.

The comparison and the changes are pure functions of the stored reactions and
what Discord shows (:mod:`bot.discord_app.backfill`); the stored reactions come
from :meth:`bot.storage.answer_reads.AnswerReadRepository.reactions_of` on a real SQLite
file. The requests themselves are proved end to end (tests/e2e/test_bot_reactions.py).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.discord_app.backfill import reaction_plan, user_changes
from bot.storage import SqliteStore
from tests.unit.storage import START, answer, new_occurrence

ME, ANA, BEN, CY = 1, 501, 502, 503


def test_matching_counts_need_no_question() -> None:
    stored = {(ANA, "👍"), (BEN, "👍"), (CY, "🎉")}
    assert reaction_plan(stored, {"👍": 2, "🎉": 1}, ME) == (set(), [])


def test_a_changed_count_is_read_and_a_vanished_emoji_is_removed_without_asking() -> None:
    stored = {(ANA, "👍"), (BEN, "👍"), (CY, "🎉")}
    to_read, removed = reaction_plan(stored, {"👍": 1, "🔥": 2}, ME)
    assert to_read == {"👍", "🔥"}
    assert removed == [(CY, "🎉", False)]


def test_the_bots_own_reaction_is_left_out() -> None:
    # Discord's count without the bot's (me) is what the caller passes: 🔥 only by the bot
    # is 0, so nothing is asked and a stray stored row of the bot's is never kept or added.
    stored = {(ME, "🔥"), (ANA, "👍")}
    assert reaction_plan(stored, {"🔥": 0, "👍": 1}, ME) == (set(), [])
    assert user_changes(stored, "👍", {ME, ANA, BEN}, ME) == [(BEN, "👍", True)]


def test_user_changes_add_the_new_and_remove_the_gone() -> None:
    stored = {(ANA, "👍"), (BEN, "👍"), (BEN, "🎉")}
    assert user_changes(stored, "👍", {BEN, CY}, ME) == [(CY, "👍", True), (ANA, "👍", False)]
    assert user_changes(stored, "🎉", {BEN}, ME) == []


users = st.sets(st.sampled_from([ME, ANA, BEN, CY, 504, 505]))
by_emoji = st.dictionaries(st.sampled_from(["👍", "🎉", "🔥", "<:party:42>"]), users)


@given(stored_by_emoji=by_emoji, truth_by_emoji=by_emoji)
def test_applying_the_plan_makes_every_count_right(
    stored_by_emoji: dict[str, set[int]], truth_by_emoji: dict[str, set[int]]
) -> None:
    """Whatever was stored and whatever Discord shows, the stored counts end up Discord's (the
    bot's own left out), and every emoji whose count differed ends up with Discord's users."""
    stored = {(u, e) for e, us in stored_by_emoji.items() for u in us}
    truth = {(u, e) for e, us in truth_by_emoji.items() for u in us if u != ME}
    live = Counter(e for _, e in truth)
    to_read, changes = reaction_plan(stored, {e: live[e] for e in truth_by_emoji}, ME)
    for emoji in to_read:
        changes += user_changes(stored, emoji, truth_by_emoji[emoji], ME)

    after = set(stored)
    for user_id, emoji, present in changes:
        (after.add if present else after.discard)((user_id, emoji))
    after = {(u, e) for u, e in after if u != ME}
    assert Counter(e for _, e in after) == live
    for emoji in to_read:
        assert {r for r in after if r[1] == emoji} == {r for r in truth if r[1] == emoji}
    assert all(user_id != ME for user_id, _, present in changes if present)


async def test_reactions_of_lists_every_stored_message_of_the_occurrence(
    store: SqliteStore,
) -> None:
    """Each stored message once (whatever its parts), with its reactions or none; reactions
    on messages of other occurrences or on messages never stored are not listed."""
    occurrence = (await new_occurrence(store)).occurrence_id
    other = (await new_occurrence(store, start=START + timedelta(days=7))).occurrence_id
    await store.upsert_answers(
        [
            answer(occurrence, 9001, "A1: one", part=0),
            answer(occurrence, 9001, "A2: two", part=1, question=2),
            answer(occurrence, 9002, "no reactions here", question=None),
            answer(occurrence, 9003, "A1: deleted later"),
            answer(other, 9100, "A1: another occurrence"),
        ]
    )
    await store.set_reaction(9001, ANA, "👍", present=True)
    await store.set_reaction(9001, BEN, "👍", present=True)
    await store.set_reaction(9001, BEN, "<:party:42>", present=True)
    await store.set_reaction(9003, CY, "🎉", present=True)
    await store.set_reaction(9100, ANA, "👍", present=True)
    await store.set_reaction(9999, ANA, "👍", present=True)  # a message never stored
    await store.mark_deleted([9003])

    assert await store.reactions_of(occurrence) == {
        9001: {(ANA, "👍"), (BEN, "👍"), (BEN, "<:party:42>")},
        9002: set(),
        9003: {(CY, "🎉")},
    }
    assert await store.reactions_of(other) == {9100: {(ANA, "👍")}}

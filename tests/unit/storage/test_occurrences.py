"""Occurrences: each planned chat and its steps as durable timers, surviving restarts.

``next_due`` and ``due_occurrences`` decide when the bot wakes up: a wrong
answer means a question posted during a pause, a reminder swallowed by a
pause, or a missed-chat notice that is never sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.errors import OccurrenceNotFound
from bot.core.plan import Step, StepKind, StepStatus, build_plan
from bot.core.ports import PostRequest, PostResult
from bot.core.run import Phase, Record, Run, new_run
from bot.storage import SqliteStore, open_store
from tests.support.specs import make_spec
from tests.unit.storage import CHANNEL, SPEC, START, answer, new_occurrence

NEXT_WEEK = START + timedelta(days=7)


def _change(run: Run, key: str, **changes: Any) -> Run:
    """``run`` with step ``key`` changed (KeyError when it has none)."""
    run.step(key)
    return replace(
        run, steps=tuple(replace(s, **changes) if s.key == key else s for s in run.steps)
    )


def _done(run: Run, *keys: str) -> Run:
    for key in keys:
        run = _change(run, key, status=StepStatus.DONE)
    return run


def _notice(run: Run, due_minutes: float) -> Run:
    notice = Step("notice-x", StepKind.NOTICE, START + timedelta(minutes=due_minutes), note="hi")
    return replace(run, steps=(*run.steps, notice))


#: The reminder steps, earliest first (24 h, 1 h and 10 min before the start).
REMINDERS = tuple(s.key for s in build_plan(SPEC, START) if s.kind is StepKind.REMINDER)


# --- creating and saving ------------------------------------------------------------------


async def test_create_occurrence_is_idempotent_per_chat_and_start(store: SqliteStore) -> None:
    """Replanning after a restart finds the stored occurrence instead of making a second one."""
    first = await new_occurrence(store)
    again = await store.create_occurrence(SPEC, new_run(0, SPEC, START, ()))
    assert again == first
    assert again.steps == build_plan(SPEC, START)  # the stored plan, not the one passed in

    later = await new_occurrence(store, start=NEXT_WEEK)
    assert later.occurrence_id != first.occurrence_id
    listed = await store.occurrences(chat_id=SPEC.id)
    assert [o.run.occurrence_id for o in listed] == [first.occurrence_id, later.occurrence_id]
    assert await store.occurrences(chat_id="otherchat") == []


async def test_processes_planning_the_same_occurrence_at_once_store_it_once(
    store: SqliteStore, store_at: Path | str
) -> None:
    """Several processes sharing the database start together and each plans the chat's next
    occurrence: one stores it, every one gets that stored run (none fails on the unique key)."""
    others = [await open_store(store_at) for _ in range(3)]
    try:
        await store.save_chat(SPEC)
        plan = build_plan(SPEC, START)
        runs = await asyncio.gather(
            *(s.create_occurrence(SPEC, new_run(0, SPEC, START, plan)) for s in [store, *others])
        )
        assert len({run.occurrence_id for run in runs}) == 1
        assert all(run == runs[0] for run in runs)
        assert [o.run for o in await store.occurrences(chat_id=SPEC.id)] == [runs[0]]
        assert await _count(store, "timers") == len(plan)
    finally:
        for other in others:
            await other.close()


async def test_save_run_round_trips_phase_pause_and_every_step_field(store: SqliteStore) -> None:
    """After a restart the bot sees exactly the run it saved: done, skipped, late, moved steps."""
    run = await new_occurrence(store)
    run = _done(run, *REMINDERS, "intro", "q1")
    run = _change(run, "intro", late=True, due=START + timedelta(minutes=2), note="bot was busy")
    run = _change(run, "q2", status=StepStatus.SKIPPED, note="skipped by a moderator")
    run = _change(run, "q3", due=START + timedelta(minutes=30, microseconds=5))
    run = replace(run, steps=tuple(s for s in run.steps if s.key != "lastcall-2"))
    run = _notice(run, 11)
    run = replace(run, phase=Phase.PAUSED, paused_at=START + timedelta(minutes=11, seconds=3))
    await store.save_run(run)

    loaded = (await store.load_occurrence(run.occurrence_id)).run
    assert (loaded.phase, loaded.paused_at) == (Phase.PAUSED, run.paused_at)
    assert (loaded.chat_id, loaded.start) == (SPEC.id, START)
    assert {s.key: s for s in loaded.steps} == {s.key: s for s in run.steps}
    assert not loaded.has_step("lastcall-2")
    assert [s.due for s in loaded.steps] == sorted(s.due for s in loaded.steps)


async def test_controls_are_kept_in_order(store: SqliteStore) -> None:
    """The recap's moderation timeline lists every control once, in the order they happened."""
    run = await new_occurrence(store)
    records = [
        Record("pause", "mod", START + timedelta(minutes=10), "during Q1"),
        Record("resume", "mod", START + timedelta(minutes=12), "after 2 min"),
        Record("extend", "host", START + timedelta(minutes=13), "Q1 +2 min"),
    ]
    await store.save_run(run, records[:2])
    await store.save_run(run)
    await store.save_run(run, records[2:])
    assert await store.controls(run.occurrence_id) == records
    assert (await store.load_occurrence(run.occurrence_id)).records == tuple(records)


async def test_replace_spec_changes_what_a_planned_occurrence_runs_with(store: SqliteStore) -> None:
    """An edited chat file reaches occurrences that have not started yet."""
    run = await new_occurrence(store)
    edited = make_spec(intro="Welcome, everyone!")
    await store.replace_spec(run.occurrence_id, edited)
    assert (await store.load_occurrence(run.occurrence_id)).spec == edited


async def test_unfinished_occurrences(store: SqliteStore) -> None:
    """Finished occurrences drop out of the list the bot resumes after a restart."""
    done = await new_occurrence(store)
    await store.save_run(replace(done, phase=Phase.RECAPPED))
    pending = await new_occurrence(store, start=NEXT_WEEK)
    unfinished = await store.occurrences(unfinished=True)
    assert [o.run.occurrence_id for o in unfinished] == [pending.occurrence_id]
    assert len(await store.occurrences()) == 2


async def test_load_missing_occurrence(store: SqliteStore) -> None:
    """Asking for an occurrence that does not exist is a named error, not a crash."""
    with pytest.raises(OccurrenceNotFound):
        await store.load_occurrence(404)


# --- when the bot wakes up ----------------------------------------------------------------


async def test_next_due_is_the_earliest_waiting_step(store: SqliteStore) -> None:
    """A fresh occurrence wakes the bot for its first reminder, then each step in turn."""
    run = await new_occurrence(store)
    assert await store.next_due() == START - timedelta(hours=24)
    await store.save_run(_done(run, *REMINDERS))
    assert await store.next_due() == START


async def test_paused_run_holds_its_steps_but_not_reminders_or_notices(store: SqliteStore) -> None:
    """While paused no question is posted, but a reminder or a notice to moderators still is."""
    run = await new_occurrence(store)
    run = _done(run, *REMINDERS[:2])
    run = _notice(run, 30)
    run = replace(run, phase=Phase.PAUSED, paused_at=START - timedelta(minutes=20))
    await store.save_run(run)
    assert await store.next_due() == START - timedelta(minutes=10)  # reminder-10m

    await store.save_run(_done(run, REMINDERS[2]))
    assert await store.next_due() == START + timedelta(minutes=30)  # the notice, not the intro
    assert await store.due_occurrences(START + timedelta(minutes=29)) == []

    await store.save_run(_done(run, REMINDERS[2], "notice-x"))
    assert await store.next_due() is None

    resumed = replace(_done(run, REMINDERS[2], "notice-x"), phase=Phase.RUNNING, paused_at=None)
    await store.save_run(resumed)
    assert await store.next_due() == START


@pytest.mark.parametrize("phase", [Phase.RECAPPED, Phase.CANCELLED, Phase.MISSED])
async def test_finished_occurrence_only_waits_for_notices(store: SqliteStore, phase: Phase) -> None:
    """Nothing more is posted after the end, except a pending notice to the moderators."""
    run = replace(await new_occurrence(store), phase=phase)
    await store.save_run(run)
    assert await store.next_due() is None
    assert await store.due_occurrences(START + timedelta(days=1)) == []

    await store.save_run(_notice(run, 100))
    assert await store.next_due() == START + timedelta(minutes=100)
    assert await store.due_occurrences(START + timedelta(minutes=100)) == [run.occurrence_id]


async def test_next_due_leaves_out_excluded_occurrences(store: SqliteStore) -> None:
    """Occurrences the runtime is already advancing do not wake it again."""
    first = await new_occurrence(store)
    second = await new_occurrence(store, start=NEXT_WEEK)
    assert await store.next_due() == START - timedelta(hours=24)
    assert await store.next_due(exclude=[first.occurrence_id]) == NEXT_WEEK - timedelta(hours=24)
    assert await store.next_due(exclude=[first.occurrence_id, second.occurrence_id]) is None


async def test_due_occurrences_earliest_first(store: SqliteStore) -> None:
    """Occurrences with a step due by now, the most overdue first; the rest wait."""
    later = await new_occurrence(store, start=NEXT_WEEK)
    earlier = await new_occurrence(store)
    assert await store.due_occurrences(START - timedelta(days=2)) == []
    assert await store.due_occurrences(START - timedelta(hours=24)) == [earlier.occurrence_id]
    assert await store.due_occurrences(NEXT_WEEK) == [
        earlier.occurrence_id,
        later.occurrence_id,
    ]


# --- deleting -----------------------------------------------------------------------------


async def _count(store: SqliteStore, table: str) -> int:
    row = await store.db.fetchone(f"SELECT COUNT(*) FROM {table}")
    assert row is not None
    return int(row[0])


async def test_delete_occurrence_removes_its_timers_posts_answers_and_controls(
    store: SqliteStore,
) -> None:
    """A rescheduled occurrence leaves nothing behind that could fire or be posted."""
    run = await new_occurrence(store)
    kept = await new_occurrence(store, start=NEXT_WEEK)
    request = PostRequest(run.occurrence_id, "intro", CHANNEL, StepKind.INTRO, "Welcome!")
    await store.record_intent(request, START, late=False)
    await store.record_posted(run.occurrence_id, "intro", PostResult(8000), START)
    await store.upsert_answers([answer(run.occurrence_id, 9001)])
    await store.save_run(run, [Record("start", "mod", START)])

    await store.delete_occurrence(run.occurrence_id)

    with pytest.raises(OccurrenceNotFound):
        await store.load_occurrence(run.occurrence_id)
    assert await store.post_by_message(8000) is None
    assert await store.answers(run.occurrence_id, include_deleted=True) == []
    assert await store.controls(run.occurrence_id) == []
    assert await _count(store, "timers") == len(kept.steps)
    assert await store.next_due() == NEXT_WEEK - timedelta(hours=24)
    assert await store.chat_specs() == [SPEC]

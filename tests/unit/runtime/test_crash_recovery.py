"""A crash before and after every step's intent and post, then a restart: each step posted once.

The crash is a BaseException raised from our own ports (the store and the
venue), so it unwinds the engine like a killed process would; the restart is a
new store and engine over the same SQLite file and the same platform.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.plan import build_plan
from bot.core.ports import PostRequest, VenueError
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.storage import SqliteStore, open_store
from tests.conftest import T0
from tests.support.driving import drive
from tests.support.specs import make_spec
from tests.support.venue import Crash, MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)
END = START + timedelta(hours=3)
SPEC = make_spec()
KEYS = [step.key for step in build_plan(SPEC, START)]
POINTS = ["before_intent", "after_intent", "after_post", "after_record"]


def _crash_store_method(store: SqliteStore, name: str, key: str, *, after: bool) -> None:
    original: Callable[..., Awaitable[Any]] = getattr(store, name)

    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        first = args[0]
        step_key = first.step_key if isinstance(first, PostRequest) else args[1]
        if step_key == key and not after:
            raise Crash(f"{name} {key}")
        result = await original(*args, **kwargs)
        if step_key == key and after:
            raise Crash(f"{name} {key}")
        return result

    setattr(store, name, wrapper)


def _crash_venue(venue: MemoryVenue, key: str, hook: str) -> None:
    def crash(request: PostRequest) -> None:
        if request.step_key == key:
            raise Crash(f"{hook} {key}")

    setattr(venue, hook, crash)


async def _arm(store: SqliteStore, venue: MemoryVenue, key: str, point: str) -> None:
    if point == "before_intent":
        _crash_store_method(store, "record_intent", key, after=False)
    elif point == "after_intent":
        _crash_venue(venue, key, "before_post")
    elif point == "after_post":
        _crash_venue(venue, key, "after_post")
    else:
        _crash_store_method(store, "record_posted", key, after=True)


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("key", KEYS)
async def test_crash_at_every_point_posts_each_step_exactly_once(
    tmp_path: Path, key: str, point: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "bot.db"
    clock = VirtualClock(T0)
    venue = MemoryVenue(clock)

    store = await open_store(db)
    engine = Engine(store, venue, clock)
    await engine.schedule_chat(SPEC)
    await _arm(store, venue, key, point)
    with pytest.raises(Crash):
        await drive(engine, clock, END)
    await store.close()

    venue.before_post = venue.after_post = None
    store = await open_store(db)
    try:
        engine = Engine(store, venue, clock)
        await engine.sync_chats([SPEC], [])
        with caplog.at_level(logging.INFO, logger="bot.runtime.posting"):
            await drive(engine, clock, END)
        # Only a post made before the crash but not recorded is found in the history.
        found = [r.getMessage() for r in caplog.records if "found in the history" in r.getMessage()]
        assert found == (
            [f"{SPEC.id} {key}: posted (found in the history)"] if point == "after_post" else []
        )
        first = (await store.occurrences(chat_id=SPEC.id))[0].run.occurrence_id
        assert venue.step_keys(first) == KEYS
        posts = await store.posts(first)
        assert sorted(p.step_key for p in posts) == sorted(KEYS)
        assert all(p.message_id is not None for p in posts)
        # Every stored message id is the one on the platform.
        by_key = {m.step_key: m.message_id for m in venue.messages if m.occurrence_id == first}
        assert {p.step_key: p.message_id for p in posts} == by_key
    finally:
        await store.close()


async def test_bot_down_through_q2_posts_it_late_and_keeps_spacing(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    clock = VirtualClock(T0)
    venue = MemoryVenue(clock)
    store = await open_store(db)
    engine = Engine(store, venue, clock)
    await engine.schedule_chat(SPEC)
    await drive(engine, clock, START + timedelta(minutes=10))  # Q1 posted at +8
    await store.close()

    clock.set(START + timedelta(minutes=21))  # down from +10 to +21: missed lastcall-1, q2
    store = await open_store(db)
    try:
        engine = Engine(store, venue, clock)
        await drive(engine, clock, END)
        posted = {m.step_key: m.at - START for m in venue.messages}
        minutes = timedelta(minutes=1)
        # lastcall-1 was due at +15 and q2 at +16: the overtaken last call is skipped,
        # q2 goes out at +21 marked late, and everything after keeps its spacing (+5 min).
        assert "lastcall-1" not in posted
        assert posted["q2"] == 21 * minutes
        assert posted["lastcall-2"] == 28 * minutes
        assert posted["q3"] == 29 * minutes
        assert posted["closing"] == 53 * minutes
        q2 = next(m for m in venue.messages if m.step_key == "q2")
        assert "late" in q2.text
        assert [p.late for p in await store.posts(1) if p.step_key == "q2"] == [True]
    finally:
        await store.close()


async def test_bot_back_after_max_late_marks_missed_and_plans_next(tmp_path: Path) -> None:
    spec = make_spec(repeat="weekly")
    clock = VirtualClock(T0)
    venue = MemoryVenue(clock)
    store = await open_store(tmp_path / "bot.db")
    try:
        engine = Engine(store, venue, clock)
        await engine.schedule_chat(spec)
        await drive(engine, clock, START - timedelta(minutes=30))  # reminders 1d, 1h posted
        clock.set(START + timedelta(minutes=45))  # down across the start, past max_late 30m
        await drive(engine, clock, START + timedelta(hours=3))
        occurrences = await store.occurrences(chat_id=spec.id)
        assert occurrences[0].run.phase.value == "missed"
        assert venue.step_keys() == ["reminder-1d", "reminder-1h", "notice-missed"]
        notice = venue.messages[-1]
        assert "missed" in notice.text
        assert occurrences[1].run.start == START + timedelta(days=7)
    finally:
        await store.close()


@pytest.mark.parametrize(("moderator_channel", "notices_in"), [(None, 111), (222, 222)])
async def test_notices_go_to_the_moderator_channel_and_the_chat_stays_in_its_channel(
    engine: Engine,
    venue: MemoryVenue,
    clock: VirtualClock,
    moderator_channel: int | None,
    notices_in: int,
) -> None:
    spec = make_spec(moderator_channel=moderator_channel)

    def refuse_last_reminder(request: PostRequest) -> None:
        if request.step_key == "reminder-10m":
            raise VenueError("403 Missing Permissions", permanent=True)

    venue.before_post = refuse_last_reminder
    await engine.schedule_chat(spec)
    await drive(engine, clock, START + timedelta(minutes=10))  # Q1 posted at +8
    clock.set(START + timedelta(minutes=50))  # down from +10: last call 1 (+15) is past max_late
    await drive(engine, clock, END)

    channels = {m.step_key: m.channel_id for m in venue.messages}
    notices = {key: channel for key, channel in channels.items() if key.startswith("notice-")}
    assert notices == {
        "notice-failed-reminder-10m": notices_in,
        "notice-cut-lastcall-1": notices_in,
    }
    chat = {key: channel for key, channel in channels.items() if key not in notices}
    assert chat == dict.fromkeys(
        ["reminder-1d", "reminder-1h", "intro", "q1", "closing", "recap"], 111
    )
    cut = next(m for m in venue.messages if m.step_key == "notice-cut-lastcall-1")
    assert "cut short after Q1" in cut.text
    # The venue knows where to tell moderators that it could not open a question's thread.
    q1 = next(m for m in venue.messages if m.step_key == "q1")
    assert q1.request is not None
    assert q1.request.notice_channel_id == notices_in

"""A whole chat through the engine: the exact posts, in order, at their times."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.core.run import Next, Phase
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from tests.support.driving import drive
from tests.support.specs import make_spec
from tests.support.venue import MemoryVenue

START = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)  # 19:00 Phoenix on Jan 5


async def test_full_run_posts_every_step_once_at_its_time(
    engine: Engine, venue: MemoryVenue, clock: VirtualClock
) -> None:
    spec = make_spec(repeat="weekly")
    await engine.schedule_chat(spec)
    await drive(engine, clock, START + timedelta(hours=3))

    timeline = [(m.step_key, m.at - START) for m in venue.messages]
    minutes = timedelta(minutes=1)
    expected = [
        ("reminder-1d", -24 * 60 * minutes),
        ("reminder-1h", -60 * minutes),
        ("reminder-10m", -10 * minutes),
        ("intro", 0 * minutes),
        ("q1", 8 * minutes),
        ("lastcall-1", 15 * minutes),
        ("q2", 16 * minutes),
        ("lastcall-2", 23 * minutes),
        ("q3", 24 * minutes),
        ("lastcall-3", 31 * minutes),
        ("q4", 32 * minutes),
        ("lastcall-4", 39 * minutes),
        ("q5", 40 * minutes),
        ("lastcall-5", 47 * minutes),
        ("closing", 48 * minutes),
        ("recap", 78 * minutes),
    ]
    assert timeline == expected
    q3 = next(m for m in venue.messages if m.step_key == "q3")
    assert q3.text.startswith("**Q3:** Question number 3? #CareerChat")
    assert 'starting with "A3:"' in q3.text
    assert q3.thread_id == q3.message_id
    last_call = next(m for m in venue.messages if m.step_key == "lastcall-5")
    assert "We wrap up" in last_call.text

    occurrences = await engine.store.occurrences(chat_id="careerchat")
    assert occurrences[0].run.phase is Phase.RECAPPED
    # The weekly chat's next occurrence is planned as soon as this one finished.
    assert occurrences[1].run.start == START + timedelta(days=7)
    assert occurrences[1].run.phase is Phase.SCHEDULED
    posts = await engine.store.posts(occurrences[0].run.occurrence_id)
    assert [p.step_key for p in posts] == [key for key, _ in expected]
    assert all(p.message_id is not None for p in posts)


async def test_timer_loop_sleeps_until_due_and_wakes_for_earlier_work(
    engine: Engine, venue: MemoryVenue, clock: VirtualClock
) -> None:
    await engine.schedule_chat(make_spec(reminders=()))
    loop = asyncio.create_task(engine.run_forever())
    try:
        await asyncio.sleep(0.05)
        assert venue.messages == []  # nothing due yet: the loop sleeps
        clock.set(START)
        for _ in range(100):
            if venue.step_keys():
                break
            await asyncio.sleep(0.01)
        assert venue.step_keys() == ["intro"]
        # A control that makes work due now wakes the sleeping loop without time moving.
        await engine.control("careerchat", Next(actor="mod"))
        for _ in range(100):
            if len(venue.step_keys()) == 2:
                break
            await asyncio.sleep(0.01)
        assert venue.step_keys() == ["intro", "q1"]
    finally:
        await engine.stop()
        loop.cancel()

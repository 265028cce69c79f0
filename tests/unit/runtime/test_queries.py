"""/chat list: the upcoming starts of every chat, planned or to come, and none used up."""

from __future__ import annotations

from datetime import timedelta

from bot.core.run import Start
from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine
from bot.runtime.queries import upcoming
from bot.storage import SqliteStore
from tests.support.driving import drive
from tests.support.specs import make_spec


async def test_a_weekly_chat_lists_its_planned_start_then_the_repeats(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    spec = make_spec(repeat="weekly")
    planned = await engine.schedule_chat(spec)
    assert planned is not None
    found = await upcoming(store, clock.now())
    assert [u.start for u in found] == [planned.run.start + timedelta(weeks=n) for n in range(3)]
    assert [u.planned for u in found] == [True, False, False]


async def test_a_one_off_chat_started_early_is_not_listed_again_at_its_time(
    engine: Engine, store: SqliteStore, clock: VirtualClock
) -> None:
    spec = make_spec()  # one-off
    planned = await engine.schedule_chat(spec)
    assert planned is not None
    assert [u.start for u in await upcoming(store, clock.now())] == [planned.run.start]
    await engine.control(spec.id, Start("mod"))
    await drive(engine, clock, clock.now() + timedelta(hours=2))
    assert await upcoming(store, clock.now()) == []

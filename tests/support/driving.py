"""Helpers that drive the engine through virtual time."""

from __future__ import annotations

from datetime import datetime

from bot.runtime.clock import VirtualClock
from bot.runtime.engine import Engine


async def drive(
    engine: Engine, clock: VirtualClock, until: datetime, *, max_steps: int = 10_000
) -> None:
    """Fire every timer due up to ``until``, moving virtual time from one due step to the next."""
    for _ in range(max_steps):
        await engine.run_due()
        due = await engine.store.next_due()
        if due is None or due > until:
            break
        clock.set(max(due, clock.now()))
    if clock.now() < until:
        clock.set(until)
        await engine.run_due()

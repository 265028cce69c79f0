"""The speed tricks (bot.runtime.speed) change when work runs, never its outcome."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator

import pytest

from bot.runtime.speed import YOUNG_THRESHOLD, collection_paused, handing_over, tune_gc


@pytest.fixture
def restored_gc() -> Iterator[None]:
    """Put the test process's collector back as it was."""
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    if enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("restored_gc")
def test_tune_gc_freezes_what_is_loaded_and_raises_only_the_young_threshold() -> None:
    _, older, oldest = gc.get_threshold()
    gc.unfreeze()

    tune_gc()

    assert gc.get_threshold() == (YOUNG_THRESHOLD, older, oldest)
    assert gc.get_freeze_count() > 1000  # the modules imported so far
    assert gc.isenabled()


@pytest.mark.usefixtures("restored_gc")
@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_held_while_a_recap_is_made_and_given_back_as_it_was(
    enabled: bool,
) -> None:
    if enabled:
        gc.enable()
    else:
        gc.disable()

    during: list[bool] = []

    def render() -> None:
        with collection_paused():
            during.append(gc.isenabled())
            raise ValueError("the renderer failed")

    with pytest.raises(ValueError, match="the renderer failed"):
        render()

    assert during == [False]
    assert gc.isenabled() is enabled


async def test_a_write_handed_over_returns_what_the_thread_returned() -> None:
    """The database thread's work, however long, comes back as it is (the loop blocks
    briefly now and then meanwhile; it never drops or repeats the work)."""
    calls: list[str] = []

    def work() -> list[int]:
        calls.append(threading.current_thread().name)
        threading.Event().wait(0.02)  # several hand-off periods
        return [1, 2, 3]

    assert await handing_over(asyncio.to_thread(work)) == [1, 2, 3]
    assert len(calls) == 1
    assert calls[0] != threading.current_thread().name


async def test_cancelling_the_caller_cancels_the_handed_over_write() -> None:
    started, never = asyncio.Event(), asyncio.Event()
    outcome: list[str] = []

    async def write() -> list[int]:
        started.set()
        try:
            await never.wait()
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise
        return []

    caller = asyncio.ensure_future(handing_over(write()))
    await started.wait()
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    for _ in range(10):  # the write's task takes its cancellation at its next step
        if outcome:
            break
        await asyncio.sleep(0)
    assert outcome == ["cancelled"]

"""The bot's speed tricks, in one place: what each does, why, and what it buys.

Each trick here changes *when* work runs (or what the interpreter does between our
lines), never what the bot stores or posts. The figures are from ``python -m bench``
on the 2-core machine the benchmarks run on (``bench/NOTES.md`` tells how each is
measured, ``bench/RESULTS.md`` holds the last run); they vary by a tenth or more from
run to run, as that machine is shared.

**1. The GIL hand-off while a batch of answers is written** (:func:`handing_over`,
used by :class:`bot.runtime.answer_writer.AnswerWriter`). aiosqlite runs SQL in a
thread of its own, which needs the GIL back after every statement step. An event
loop flooded with gateway events releases the GIL only for an instant when it polls
and takes it back before the woken thread can (the interpreter's switch interval
never expires, as the GIL changed hands), so the database thread starves. While a
batch is in flight the writer therefore blocks the loop for :data:`HANDOFF` every
:data:`HANDOFF_EVERY`; a thread waiting for the GIL takes it then. When the loop is
not flooded the batch is done before the first hand-off and nothing is blocked.

* Buys: commit latency (a message received -> its batch committed) at 13-17k
  messages/s went from **3.5 s (p50) without it to under 100 ms (p99)** with it; the
  run of record (2026-12-07) read p50 30 ms / p99 61 ms at 24,700 answers/s.
* Costs: at most a tenth of the loop's time, and only while a batch is in flight.
* Tried instead: ``sys.setswitchinterval(0.0002)`` (p99 45 ms against 50-60 ms, but
  12-16k instead of 18k answers/s when the gateway yields after every event); a
  hand-off every 4 ms (ingest share ~0.68 instead of ~0.64 of the limit, but p99 up
  to 84 ms).

**2. The garbage collector's settings of the bot process** (:func:`tune_gc`, called by
``python -m bot run`` after its imports, and by ``python -m bench`` before every
figure and baseline alike). Every gateway event allocates a dozen container objects
(discord.py's message, member, lists, the bot's attributed answer) that live for a
few milliseconds, and answers wait up to
:data:`bot.runtime.answer_writer.BATCH_DELAY` for their batch's commit, a net growth
of tracked objects. With CPython's default first generation of 700 objects a burst
set off a young collection every ~150 messages, each walking the thousands of
objects alive in discord.py's message cache. Almost none of these objects are in
reference cycles (reference counting frees them), so a larger first generation frees
the same memory and skips most of that walking; the modules and settings loaded at
start are frozen (never collected, never walked again).

* Buys: **374 young collections (0.55 s, a tenth of the ingest time) per 100,000
  messages -> 11 (0.03 s)**; discord.py's own parse got faster with it too (46,000 ->
  60,000 messages/s); together with the writer's other changes of that commit the
  ingest share of the limit went from 0.47-0.58 to 0.61-0.63.
* Costs: memory held by cyclic garbage lingers a little longer (the older
  generations keep CPython's defaults, so full collections still run).

**3. No cyclic collection while a recap is built or rendered**
(:func:`collection_paused`, around :func:`bot.core.recap.build_recap` and the
renderers in :mod:`bot.runtime.recaps`). A recap allocates an object or more per
answer and frees them by reference counting; the collector's passes over them only
add time, and it grows faster than the chat, as each full pass walks everything
allocated so far.

* Buys: about a tenth of the recap's time at 100,000 answers where the process runs
  with CPython's default settings (``python -m bot recap``, the archive: 8.0-8.1 s ->
  7.0-7.1 s), and little within noise once :func:`tune_gc` is on, as in the bot
  (7.0-7.3 s -> 6.9-8.4 s; 2026-12-07, ``bench/NOTES.md``). It was said to save a
  fifth when it came, before :func:`tune_gc` existed.
* Costs: nothing cyclic is collected for the few seconds a large recap takes.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

#: While a batch is being written, every this many seconds the loop is blocked for
#: :data:`HANDOFF` seconds so that the database thread can take the GIL.
HANDOFF_EVERY, HANDOFF = 0.002, 0.0002

#: Objects allocated (net) before a young collection (CPython's default: 700; 3.13: 2,000).
YOUNG_THRESHOLD = 10_000


async def handing_over(work: Coroutine[Any, Any, T]) -> T:
    """Await ``work`` (run by another thread, such as aiosqlite's), blocking the loop for
    :data:`HANDOFF` every :data:`HANDOFF_EVERY` until it is done, so that the thread gets
    the GIL. Cancelling the caller cancels ``work``."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait((task,), timeout=HANDOFF_EVERY)
            if done:
                return task.result()
            _hand_over_gil()
    except asyncio.CancelledError:
        task.cancel()
        raise


def _hand_over_gil() -> None:
    time.sleep(HANDOFF)  # releases the GIL; a waiting thread takes it


def tune_gc() -> None:
    """Freeze what is loaded so far (modules, settings: never collected, never walked
    again) and raise the young generation's threshold to :data:`YOUNG_THRESHOLD`.
    Call once at start, after the imports; the older generations keep their defaults."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while a recap is built or rendered (and
    give it back as it was, enabled or not)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

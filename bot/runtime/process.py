"""Settings of the long-running bot process: Python's cyclic garbage collector.

The bot is an event service: every gateway event allocates a dozen container
objects (discord.py's message, member, lists, the bot's attributed answer) that
live for a few milliseconds, and the answers wait for their batch's commit (up to
:data:`bot.runtime.answer_writer.BATCH_DELAY`). With CPython's default first
generation of 700 objects, a burst of a few thousand messages a second set off a
young collection every 150 messages or so, each walking the thousands of objects
still alive in discord.py's message cache; in ``bench`` that was a tenth of the
ingest time. Almost none of these objects are in reference cycles (reference
counting frees them), so a larger first generation frees the same memory and
skips most of that walking.
"""

from __future__ import annotations

import gc

#: Objects allocated (net) before a young collection (CPython's default: 700; 3.13: 2,000).
YOUNG_THRESHOLD = 10_000


def tune_gc() -> None:
    """Freeze what is loaded so far (modules, settings: never collected, never walked
    again) and raise the young generation's threshold to :data:`YOUNG_THRESHOLD`.
    Call once at start, after the imports; the older generations keep their defaults."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)

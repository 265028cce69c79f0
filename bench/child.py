"""The bot process parts, in a fresh interpreter: ``python -m bench.child MODE DATABASE CHATS``.

* ``imports``: import what the bot process imports (discord.py, the bot, the recap
  renderers and their chart library), then report peak RSS (the memory baseline).
* ``restart``: as the bot starts: open the store, read the chat files and make
  the schedule match them (the engine's planner), load the collector's cache of
  collecting chats, and process every due step (posted to an in-memory venue);
  print a JSON line once all chats are resumed. The parent times it from spawn.
* ``memory``: ``restart``, then fill the collector's caches (its recent-message
  map, with messages it attributes and stores), then build and render the recap
  of the chat with the most answers; report peak RSS.

Peak RSS is the kernel's high-water mark (VmHWM in /proc/self/status), so it
counts everything the process ever held at once, not just what is live at the end.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()

#: The modules the bot process imports (``python -m bot run``), and the recap renderers.
MODULES = (
    "bot.discord_app.main",
    "bot.chatfile",
    "bot.runtime.engine",
    "bot.runtime.collector",
    "bot.storage",
    "bench.world",
)
#: Loaded on the first recap (the chart library is heavy and loaded on demand).
RECAP_MODULES = ("bot.runtime.recaps", "bot.render.chart", "bot.render.html_page")


def import_all(recap: bool) -> list[str]:
    """Import the bot's modules; returns the ones this tree does not have."""
    missing = []
    for name in MODULES + (RECAP_MODULES if recap else ()):
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


async def resume(database: Path, chats_dir: Path) -> dict[str, Any]:
    """Start as the bot does; returns what it found and how long each part took."""
    from bench.common import peak_rss_mb
    from bench.world import RecordingVenue
    from bot.chatfile import load_chats
    from bot.core.plan import StepKind, StepStatus
    from bot.runtime.clock import SystemClock
    from bot.runtime.root import build_runtime
    from bot.storage import open_store

    parts: dict[str, float] = {"imports": time.perf_counter() - STARTED}
    began = time.perf_counter()
    store = await open_store(database)
    parts["open store"] = time.perf_counter() - began
    clock = SystemClock()
    venue = RecordingVenue(clock)
    runtime = build_runtime(store, venue, clock)
    engine, collector = runtime.engine, runtime.collector
    began = time.perf_counter()
    chats = load_chats([chats_dir], clock.now())
    await engine.sync_chats(list(chats.specs.values()), [r.path for r in chats.results])
    parts["chat files + planning"] = time.perf_counter() - began
    began = time.perf_counter()
    await collector.refresh()
    parts["collector refresh"] = time.perf_counter() - began
    began = time.perf_counter()
    await engine.run_due()
    parts["due steps"] = time.perf_counter() - began
    live = collector.live
    posted_q2 = sum(
        1
        for o in live
        for s in o.run.steps
        if s.kind is StepKind.QUESTION and s.question == 2 and s.status is StepStatus.DONE
    )
    return {
        "chats": len(chats.specs),
        "live": len(live),
        "posted_q2": posted_q2,
        "posts": len(venue.sent),
        "parts": parts,
        "rss_mb": peak_rss_mb(),
        "store": store,
        "collector": collector,
    }


async def memory(database: Path, chats_dir: Path, messages: int) -> dict[str, Any]:
    """Resume, fill the collector's caches, build and render one recap; report peak RSS."""
    from bench.common import peak_rss_mb
    from bot.runtime.routing import IncomingMessage

    state = await resume(database, chats_dir)
    store, collector = state.pop("store"), state.pop("collector")
    live = collector.live
    now = datetime.now(UTC)
    for index in range(messages):
        occurrence = live[index % len(live)]
        collector.enqueue(
            IncomingMessage(
                message_id=2_000_000_000_000 + index,
                channel_id=occurrence.spec.channel,
                author_id=950_000 + index % 500,
                author_name=f"Learner {index % 500}",
                content=f"A2: answer number {index} with a link https://example.org/{index}",
                created_at=now,
            )
        )
        if index % 1000 == 999:
            await asyncio.sleep(0)
    await collector.flush()
    state["after collector"] = peak_rss_mb()
    row = await store.db.fetchone(
        "SELECT occurrence_id, COUNT(*) AS n FROM answers GROUP BY occurrence_id "
        "ORDER BY n DESC LIMIT 1"
    )
    occurrence = await store.load_occurrence(int(row[0]))
    began = time.perf_counter()
    recap = await _recap(store, occurrence)
    state["recap"] = {"answers": int(row[1]), "seconds": time.perf_counter() - began, **recap}
    state["rss_mb"] = peak_rss_mb()
    await collector.close()
    await store.close()
    return state


async def _recap(store: Any, occurrence: Any) -> dict[str, Any]:
    try:
        recaps: Any = importlib.import_module("bot.runtime.recaps")
    except ImportError:
        engine = importlib.import_module("bot.runtime.engine")
        answers = await store.answers(occurrence.run.occurrence_id)
        recap: Any = importlib.import_module("bot.core.recap")
        text = recap.summary_text(recap.summarize(occurrence.spec, occurrence.run, answers))
        del engine
        return {"pipeline": "summarize", "chars": len(text)}
    from bench.recap import _request

    model = await recaps.load_recap(store, occurrence)
    post = recaps.recap_post(model, _request(occurrence))
    return {"pipeline": "load_recap + recap_post", "files": len(post.files)}


def main(argv: list[str]) -> int:
    """Run one mode and print its JSON line."""
    mode = argv[0]
    if mode == "imports":
        from bench.common import peak_rss_mb

        missing = import_all(recap=True)
        print(json.dumps({"rss_mb": peak_rss_mb(), "missing": missing}), flush=True)
        return 0
    database, chats_dir = Path(argv[1]), Path(argv[2])
    import_all(recap=False)
    from bot.runtime.speed import tune_gc

    tune_gc()  # as python -m bot run does after its imports
    if mode == "restart":
        state = asyncio.run(_restart(database, chats_dir))
    elif mode == "memory":
        state = asyncio.run(memory(database, chats_dir, int(argv[3])))
    else:
        raise SystemExit(f"unknown mode {mode}")
    state["seconds"] = time.perf_counter() - STARTED
    print(json.dumps(state, default=str), flush=True)
    return 0


async def _restart(database: Path, chats_dir: Path) -> dict[str, Any]:
    state = await resume(database, chats_dir)
    store, collector = state.pop("store"), state.pop("collector")
    state["resumed_after"] = time.perf_counter() - STARTED
    print(json.dumps({"resumed": True}), flush=True)
    await collector.close()
    await store.close()
    return state


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

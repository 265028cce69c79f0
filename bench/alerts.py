"""Alerts: what keyword alerts add to the ingest path, and a daily digest run.

* **Matching cost per message.** ``members`` x 5 alerts (50,000 at full size) in one
  server, words from a 4,500-word keyword vocabulary, 300 cities and 200 hashtags (one to
  three terms an alert, some quoted phrases). Each message (12-30 words: one in five a
  keyword word, the rest from 2,000 everyday words nobody follows; a hashtag and a city in
  some) goes through :meth:`AlertWatcher.observe` alone, timed one by one in
  :data:`PASSES` passes (each message's fastest kept: the machine is shared): p50 / p99.
  Baseline: the ingest path without alerts, per message (its mean, from the ingest
  figure). An information row gives the worst case: every word of every message is some
  alert's keyword.
* **Messages/s through ingest, alerts on vs off.** The ingest benchmark's bot path (the
  bot's client class, discord.py's parse, the listener, attribution, batched commit),
  with the alert watcher plugged in (on: matches written too) or not (off), each run on
  a fresh copy of the same database, alternated; the median of the pairs' ratios.
* **A daily digest run.** ``members`` members with 5 alerts and 3 pending matches each,
  all due at 08:00: :meth:`AlertDeliveries.deliver_due` with a DM port that answers at
  once (no network) and pacing off: what the bot itself can do (DMs/s). The real run is
  paced at :data:`bot.runtime.alert_delivery.PACE` DMs a second, so it takes
  ``members / PACE`` seconds and stays under Discord's 50 requests a second (a DM is one
  request, two the first time its channel is opened).
"""

from __future__ import annotations

import asyncio
import gc
import random
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.client import bot_gateway
from bench.common import Figure, above, below, per_second, percentile
from bench.gateway import GUILD_ID, Messages, Payload, guild_create
from bench.world import chat_spec, chats_of, run_chats_until, temp_db, threads_of
from bot.core.alerts import parse_keywords
from bot.runtime.alert_delivery import PACE, AlertDeliveries
from bot.runtime.alerts import AlertWatcher
from bot.runtime.clock import VirtualClock
from bot.runtime.collector import Collector
from bot.runtime.routing import IncomingMessage
from bot.storage import SqliteStore, open_store

NAME = "alerts"
TARGET_P99 = 0.001
TARGET_RATIO = 0.8
#: Discord's global rate limit, requests a second.
DISCORD_GLOBAL = 50.0
ALERTS_EACH = 5
#: Each message is timed in this many passes and its fastest kept: on a shared machine a
#: single timing catches the process preempted for milliseconds.
PASSES = 3
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "ve", "zo", "pi", "sa", "do", "qu", "ber", "lin"]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[str], list[str], list[str]]:
    """Keyword words (4,500), cities (300), hashtags (200), and 2,000 everyday words that
    nobody follows (what most of a message is made of: "the", "we", "thanks" ...)."""
    words: set[str] = set()
    while len(words) < 7000:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 5))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    cities, tags, common = ordered[:300], ordered[300:500], ordered[500:2500]
    return ordered[2500:], cities, tags, common


def alert_texts(rng: random.Random, words: list[str], cities: list[str], tags: list[str]) -> str:
    """One member's alert (1-3 terms): hashtag + city, words, a phrase."""
    roll = rng.random()
    if roll < 0.4:
        return f"#{rng.choice(tags)} {rng.choice(cities)}"
    if roll < 0.7:
        return " ".join(rng.sample(words, rng.randint(1, 2))) + f" #{rng.choice(tags)}"
    if roll < 0.9:
        return f'"{rng.choice(words)} {rng.choice(words)}" {rng.choice(cities)}'
    return " ".join(rng.sample(words, 3))


def message_text(
    rng: random.Random,
    words: list[str],
    cities: list[str],
    tags: list[str],
    common: list[str] | None = None,
) -> str:
    """A message of 12-30 words, with a hashtag and a city now and then: with ``common``,
    one word in five is a keyword word and the rest everyday words; without it, every word
    is some alert's keyword (the worst case)."""
    count = rng.randint(12, 30)
    if common is None:
        out = [rng.choice(words) for _ in range(count)]
    else:
        out = [rng.choice(words if rng.random() < 0.2 else common) for _ in range(count)]
    if rng.random() < 0.3:
        out.insert(rng.randrange(len(out)), f"#{rng.choice(tags)}")
    if rng.random() < 0.3:
        out.insert(rng.randrange(len(out)), rng.choice(cities).capitalize())
    return " ".join(out)


async def _add_alerts(store: SqliteStore, members: int, rng: random.Random) -> None:
    words, cities, tags, _common = _vocabulary(rng)
    now = datetime.now(UTC).isoformat()
    rows, people, seen = [], [], set()
    for member in range(members):
        user = 10_000_000 + member
        people.append((user, now))
        for _ in range(ALERTS_EACH):
            keywords = parse_keywords(alert_texts(rng, words, cities, tags))
            if (user, keywords.key) in seen:
                continue
            seen.add((user, keywords.key))
            rows.append((GUILD_ID, user, keywords.key, keywords.shown, now))
    async with store.db.transaction() as connection:
        await connection.executemany(
            "INSERT INTO alerts (guild_id, user_id, key, shown, created_at) VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        await connection.executemany(
            "INSERT INTO alert_people (user_id, updated_at) VALUES (?, ?)", people
        )


@dataclass
class AlertsResult:
    """What the alerts benchmark measured."""

    members: int
    alerts: int
    load_seconds: float
    observe: list[float]
    matches_per_message: float
    #: The same with every word of every message some alert's keyword.
    worst: list[float]
    worst_matches_per_message: float
    messages: int
    off_seconds: list[float]
    on_seconds: list[float]
    digest_members: int
    digest_seconds: float
    digest_sent: int

    @property
    def ratios(self) -> list[float]:
        """Each pair's rate on / rate off."""
        return [off / on for off, on in zip(self.off_seconds, self.on_seconds, strict=True)]


async def measure(
    folder: Path, members: int, messages: int, digest_members: int, repeats: int
) -> AlertsResult:
    """Every figure of the alerts benchmark."""
    rng = random.Random(18)
    world = temp_db(folder, "alerts-world.db")
    store = await open_store(world)
    try:
        now = datetime.now(UTC)
        start = now - timedelta(minutes=20)
        specs = [chat_spec(i, start, questions=5, interval=timedelta(minutes=4)) for i in range(3)]
        venue = await run_chats_until(store, specs, now, start - timedelta(seconds=1))
        await _add_alerts(store, members, rng)
        count = await store.db.fetchone("SELECT COUNT(*) FROM alerts")
    finally:
        await store.close()
    words, cities, tags, common = _vocabulary(random.Random(18))
    live = chats_of(venue, specs)
    guild = guild_create([s.channel for s in specs], threads_of(venue))
    payloads = Messages().many(live, messages)
    worst = [dict(payload) for payload in payloads]
    for payload, worse in zip(payloads, worst, strict=True):
        payload["content"] = message_text(rng, words, cities, tags, common)
        worse["content"] = message_text(rng, words, cities, tags)
    observed = temp_db(folder, "alerts-observe.db")
    shutil.copyfile(world, observed)
    observe, found, load_seconds = await _observe_each(observed, payloads)
    shutil.copyfile(world, observed)
    worst_times, worst_found, _ = await _observe_each(observed, worst)
    off_runs: list[float] = []
    on_runs: list[float] = []
    for attempt in range(repeats):
        for alerts_on in (False, True):
            path = temp_db(folder, f"alerts-{attempt}-{int(alerts_on)}.db")
            shutil.copyfile(world, path)
            seconds = await _ingest(path, guild, payloads, alerts_on)
            (on_runs if alerts_on else off_runs).append(seconds)
    digest_seconds, sent = await _digest_run(folder, digest_members, rng)
    return AlertsResult(
        members=members,
        alerts=int(count[0]) if count else 0,
        load_seconds=load_seconds,
        observe=observe,
        matches_per_message=found / max(len(payloads), 1),
        worst=worst_times,
        worst_matches_per_message=worst_found / max(len(worst), 1),
        messages=len(payloads),
        off_seconds=off_runs,
        on_seconds=on_runs,
        digest_members=digest_members,
        digest_seconds=digest_seconds,
        digest_sent=sent,
    )


def _incoming(payload: Payload, index: int) -> IncomingMessage:
    return IncomingMessage(
        message_id=int(payload["id"]),
        channel_id=int(payload["channel_id"]),
        author_id=int(payload["author"]["id"]),
        author_name=str(payload["author"]["username"]),
        content=str(payload["content"]),
        created_at=datetime.now(UTC) + timedelta(seconds=index),
    )


async def _observe_each(path: Path, payloads: list[Payload]) -> tuple[list[float], int, float]:
    """Each message through the watcher alone, timed; then its matches written (a copy of
    the world, so the ingest runs start from the same database)."""
    incoming = [_incoming(payload, index) for index, payload in enumerate(payloads)]
    store = await open_store(path)
    try:
        watcher = AlertWatcher(store, VirtualClock(datetime.now(UTC)))
        began = time.perf_counter()
        await watcher.load()
        load_seconds = time.perf_counter() - began
        clock = time.perf_counter
        passes: list[list[float]] = []
        found = 0
        for _ in range(PASSES):
            gc.collect()
            times = []
            found = 0
            for message in incoming:
                began = clock()
                found += watcher.observe(GUILD_ID, message)
                times.append(clock() - began)
            passes.append(times)
            await watcher.flush()
        await watcher.close()
        times = [min(each) for each in zip(*passes, strict=True)]
    finally:
        await store.close()
    return times, found, load_seconds


async def _ingest(path: Path, guild: Payload, payloads: list[Payload], alerts_on: bool) -> float:
    store = await open_store(path)
    try:
        collector = Collector(store)
        await collector.refresh()
        watcher = AlertWatcher(store, VirtualClock(datetime.now(UTC)))
        if alerts_on:
            await watcher.load()
        async with bot_gateway(store, collector) as state:
            client: Any = state.dispatch.__self__  # type: ignore[attr-defined]  # the bot
            client.listeners.alerts = watcher if alerts_on else None
            state.parse_guild_create(guild)
            parse: Callable[[Payload], None] = state.parse_message_create  # type: ignore[assignment]
            gc.collect()
            began = time.perf_counter()
            for index, payload in enumerate(payloads, start=1):
                parse(payload)
                if index % 16 == 0:
                    await asyncio.sleep(0)
            await collector.flush()
            await watcher.flush()
            seconds = time.perf_counter() - began
        await collector.close()
        return seconds
    finally:
        await store.close()


class _InstantDMs:
    """DMs answered at once (no network): what the bot itself costs per delivery."""

    def __init__(self) -> None:
        self.sent = 0

    async def send_dm(self, user_id: int, text: str, key: str) -> int:
        self.sent += 1
        await asyncio.sleep(0)
        return self.sent

    async def find_dm(self, user_id: int, key: str, after: datetime) -> int | None:
        return None

    async def can_view(
        self, user_id: int, guild_id: int, channel_id: int, thread_id: int | None
    ) -> bool:
        return True


async def _digest_run(folder: Path, members: int, rng: random.Random) -> tuple[float, int]:
    path = temp_db(folder, "alerts-digest.db")
    store = await open_store(path)
    try:
        await _add_alerts(store, members, rng)
        eight = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
        found = (eight - timedelta(hours=5)).isoformat()
        alerts = await store.db.fetchall("SELECT id, user_id FROM alerts")
        by_user: dict[int, list[int]] = {}
        for alert_id, user_id in alerts:
            by_user.setdefault(int(user_id), []).append(int(alert_id))
        rows = []
        message = 500_000_000
        for user_id, ids in by_user.items():
            for n in range(3):
                message += 1
                rows.append(
                    (
                        message,
                        ids[n % len(ids)],
                        user_id,
                        GUILD_ID,
                        42,
                        None,
                        7,
                        "Avery",
                        f"lead number {n}: a #job in Phoenix for a designer",
                        found,
                        found,
                    )
                )
        async with store.db.transaction() as connection:
            await connection.executemany(
                """INSERT INTO alert_matches (message_id, alert_id, user_id, guild_id,
                   channel_id, thread_id, author_id, author_name, content, created_at, found_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                rows,
            )
            await connection.execute(
                "UPDATE alert_people SET mode = 'daily', digest_time = '08:00', due_at = ?",
                (eight.isoformat(timespec="microseconds"),),
            )
        direct = _InstantDMs()
        deliveries = AlertDeliveries(store, direct, VirtualClock(eight))
        deliveries.pace = 0
        gc.collect()
        began = time.perf_counter()
        sent = await deliveries.deliver_due()
        return time.perf_counter() - began, sent
    finally:
        await store.close()


def figures(result: AlertsResult) -> list[Figure]:
    """The alerts rows of the table."""
    p50, p99 = percentile(result.observe, 0.5), percentile(result.observe, 0.99)
    worst50, worst99 = percentile(result.worst, 0.5), percentile(result.worst, 0.99)
    off_each = statistics.median(result.off_seconds) / result.messages
    ratio = statistics.median(result.ratios)
    off_rate = result.messages / statistics.median(result.off_seconds)
    on_rate = result.messages / statistics.median(result.on_seconds)
    capacity = result.digest_sent / result.digest_seconds if result.digest_seconds else 0.0
    paced = result.digest_members / PACE

    def us(seconds: float) -> str:
        return f"{seconds * 1e6:.0f} µs"

    return [
        Figure(
            NAME,
            f"added matching cost per message p50 / p99 ({result.alerts:,} alerts)",
            f"{us(p50)} / {us(p99)}",
            f"ingest without alerts {us(off_each)} a message (mean)",
            f"p99 < {TARGET_P99 * 1000:.0f} ms",
            p99 < TARGET_P99,
            f"{result.members:,} members x {ALERTS_EACH} alerts; "
            f"{result.matches_per_message:.2f} matches a message; loading the alerts took "
            f"{result.load_seconds:.2f} s",
            above(p99 * 1000, TARGET_P99 * 1000, " ms") if p99 >= TARGET_P99 else "",
        ),
        Figure(
            NAME,
            "the same, every word of every message some alert's keyword",
            f"{us(worst50)} / {us(worst99)}",
            f"ingest without alerts {us(off_each)} a message (mean)",
            "(information: the worst case)",
            None,
            f"{result.worst_matches_per_message:.2f} matches a message",
        ),
        Figure(
            NAME,
            "messages/s through ingest, alerts on / off",
            f"{per_second(on_rate)} ({ratio:.2f})",
            f"off {per_second(off_rate)}",
            f">= {TARGET_RATIO}",
            ratio >= TARGET_RATIO,
            f"{result.messages:,} messages; median of {len(result.ratios)} pairs ("
            + ", ".join(f"{r:.2f}" for r in result.ratios)
            + ")",
            below(ratio, TARGET_RATIO) if ratio < TARGET_RATIO else "",
        ),
        Figure(
            NAME,
            f"daily digest run, {result.digest_members:,} members (bot side, unpaced)",
            f"{result.digest_seconds:.1f} s, {per_second(capacity)} DMs",
            f"paced run {paced:.0f} s at {PACE:.0f} DMs/s (Discord: {DISCORD_GLOBAL:.0f} req/s)",
            f">= {PACE:.0f} DMs/s",
            capacity >= PACE,
            f"{result.digest_sent:,} DMs, 3 matches each; at {PACE:.0f} DMs/s a run uses at most "
            f"{3 * PACE:.0f} of Discord's {DISCORD_GLOBAL:.0f} requests a second (a delivery: "
            "the member, their DM channel the first time, the DM)",
            below(capacity, PACE, " DMs/s") if capacity < PACE else "",
        ),
    ]

"""Sizes of a benchmark run: the full run (``make bench``), a quick one, or chosen by flags/env."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Config:
    """Every size the benchmarks take. Environment variables ``BENCH_<FIELD>`` (upper case)
    and ``--set field=value`` override them."""

    #: Where databases and chat files go; None: a temporary folder, removed afterwards.
    folder: Path | None = None
    #: Best of this many runs for throughput figures (the machine may be shared).
    repeats: int = 3

    ingest_messages: int = 100_000
    ingest_chats: int = 10
    #: Pairs (the bot path, then its limit) behind the ingest share: their median is reported.
    ingest_pairs: int = 5

    recap_sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    #: The linear-growth check: the larger is four times the smaller.
    recap_growth_sizes: tuple[int, ...] = (2_000, 8_000)

    timing_chats: int = 20
    timing_rate: float = 500.0
    timing_questions: int = 18
    timing_interval: float = 3.0
    #: Seconds from setting the chats up to their start.
    timing_lead: float = 3.0

    memory_chats: int = 100
    memory_answers: int = 1_000_000

    #: Several processes: chats split over two runtimes, seconds between questions, lease.
    shards_chats: int = 100
    shards_questions: int = 3
    shards_interval: float = 3.0
    shards_lease: float = 3.0
    #: shards_pg: pairs (one process, then two at once) ingesting ingest_messages.
    shards_ingest_pairs: int = 3

    restart_chats: int = 100
    restart_answers: int = 100_000

    #: /chat people: answers stored, topics asked.
    people_answers: int = 1_000_000
    people_topics: int = 20
    #: The series page: a weekly chat's occurrences, answers in each.
    series_occurrences: int = 260
    series_answers: int = 50

    #: Keyword alerts: members following 5 alerts each, messages matched, members in the
    #: daily digest run, pairs (alerts off, then on) behind the ingest ratio.
    alerts_members: int = 10_000
    alerts_messages: int = 20_000
    alerts_digest_members: int = 10_000
    alerts_pairs: int = 3
    #: The archive: a weekly chat's recaps over five years, and their answers in all.
    archive_recaps: int = 260
    archive_answers: int = 200_000


FULL = Config()
QUICK = Config(
    repeats=1,
    ingest_messages=2_000,
    ingest_chats=3,
    ingest_pairs=1,
    recap_sizes=(100, 300, 1_000),
    recap_growth_sizes=(200, 800),
    timing_chats=3,
    timing_rate=100.0,
    timing_questions=1,
    timing_interval=0.5,
    timing_lead=1.0,
    memory_chats=5,
    memory_answers=5_000,
    shards_chats=6,
    shards_questions=2,
    shards_interval=2.0,
    shards_lease=2.0,
    shards_ingest_pairs=1,
    restart_chats=5,
    restart_answers=2_000,
    people_answers=5_000,
    people_topics=5,
    series_occurrences=10,
    series_answers=20,
    alerts_members=200,
    alerts_messages=1_000,
    alerts_digest_members=100,
    alerts_pairs=1,
    archive_recaps=6,
    archive_answers=1_200,
)


def _parse(kind: Any, text: str) -> Any:
    if kind in ("Path", "Path | None"):
        return Path(text)
    if kind == "int":
        return int(text.replace("_", ""))
    if kind == "float":
        return float(text)
    if kind == "tuple[int, ...]":
        return tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    raise ValueError(f"cannot set a {kind} from text")


def configure(base: Config, settings: list[str], environ: dict[str, str] | None = None) -> Config:
    """``base`` with ``BENCH_*`` environment variables, then ``name=value`` settings, applied."""
    environ = dict(os.environ) if environ is None else environ
    kinds = {f.name: f.type for f in fields(Config)}
    changes: dict[str, Any] = {}
    for name, kind in kinds.items():
        value = environ.get(f"BENCH_{name.upper()}")
        if value:
            changes[name] = _parse(kind, value)
    for setting in settings:
        name, _, value = setting.partition("=")
        name = name.strip().replace("-", "_")
        if name not in kinds or not value:
            raise ValueError(f"unknown setting {setting!r}; known: {', '.join(kinds)}")
        changes[name] = _parse(kinds[name], value.strip())
    return replace(base, **changes)

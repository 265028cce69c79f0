"""Memory and restart: the bot process parts measured in fresh interpreters (bench.child).

* **Memory:** peak RSS of a process that opens a store of ``memory_chats`` live
  chats and ``memory_answers`` stored answers, resumes them (engine and
  collector), fills the collector's caches and builds and renders one recap.
  Baseline: a fresh interpreter that only imports the same modules.
* **Restart:** wall time from spawning ``python -m bench.child restart`` to its
  "resumed" line, with ``restart_chats`` live chats (each with a question due)
  and ``restart_answers`` stored answers. Baseline: ``python -c "import bot"``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Figure, above
from bench.fleet import Fleet, build_fleet, make_due

REPO = Path(__file__).resolve().parents[1]
TARGET_RSS_MB = 200.0
#: Messages the memory child attributes and stores (fills the collector's recent map).
MEMORY_MESSAGES = 50_000


def _child(*args: str) -> list[str]:
    return [sys.executable, "-m", "bench.child", *args]


def _json(line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise RuntimeError(f"the child said {line!r}") from error
    if not isinstance(value, dict):
        raise RuntimeError(f"the child said {line!r}")
    return value


@dataclass
class MemoryResult:
    """Peak RSS of the bot parts and of the bare imports."""

    fleet: Fleet
    state: dict[str, Any]
    baseline: dict[str, Any]

    @property
    def peak(self) -> float:
        """Peak RSS of the bot parts (MB)."""
        return float(self.state["rss_mb"])


def measure_memory(folder: Path, chats: int, answers: int, messages: int) -> MemoryResult:
    """Build the fleet, then run the memory child and the imports-only baseline."""
    fleet = asyncio.run(build_fleet(folder, "memory", chats, answers))
    make_due(fleet)
    done = subprocess.run(
        _child("memory", str(fleet.database), str(fleet.chats_dir), str(messages)),
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed:\n{done.stderr}")
    state = _json(done.stdout.strip().splitlines()[-1])
    imports = subprocess.run(
        _child("imports"), cwd=REPO, capture_output=True, text=True, check=True
    )
    return MemoryResult(fleet, state, _json(imports.stdout.strip().splitlines()[-1]))


@dataclass
class RestartResult:
    """Seconds from spawn to resumed, the child's own account, and the bare import."""

    fleet: Fleet
    seconds: float
    state: dict[str, Any]
    baseline: float
    due: int


def measure_restart(folder: Path, chats: int, answers: int, repeats: int = 1) -> RestartResult:
    """Build the fleet, then time the restart child (best of ``repeats``) and the baseline."""
    fleet = asyncio.run(build_fleet(folder, "restart", chats, answers))
    results = []
    for _ in range(repeats):
        work = Path(f"{fleet.database}.run")
        _copy_database(fleet.database, work)
        run = Fleet(work, fleet.chats_dir, fleet.chats, fleet.answers)
        due = make_due(run)
        results.append((*_time_restart(run), due))
    seconds, state, due = min(results, key=lambda r: r[0])
    baseline = min(_time_import() for _ in range(max(repeats, 2)))
    return RestartResult(fleet, seconds, state, baseline, due)


def _copy_database(source: Path, target: Path) -> None:
    import sqlite3
    from contextlib import closing

    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _time_restart(fleet: Fleet) -> tuple[float, dict[str, Any]]:
    began = time.perf_counter()
    with subprocess.Popen(
        _child("restart", str(fleet.database), str(fleet.chats_dir)),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        first = process.stdout.readline()
        seconds = time.perf_counter() - began
        rest, errors = process.communicate()
    if process.returncode != 0 or not first.strip():
        raise RuntimeError(f"restart child failed:\n{errors}")
    _json(first)
    return seconds, _json(rest.strip().splitlines()[-1])


def _time_import() -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import bot"], cwd=REPO, check=True)
    return time.perf_counter() - began


def memory_figures(result: MemoryResult) -> list[Figure]:
    """The memory row of the table."""
    state, fleet = result.state, result.fleet
    recap = state.get("recap", {})
    return [
        Figure(
            "memory",
            f"peak RSS, {fleet.chats} live chats, {fleet.answers:,} answers stored",
            f"{result.peak:.0f} MB",
            f"bare interpreter, same imports: {float(result.baseline['rss_mb']):.0f} MB",
            f"< {TARGET_RSS_MB:.0f} MB",
            result.peak < TARGET_RSS_MB and state.get("live") == fleet.chats,
            f"peak {float(state.get('after collector', 0)):.0f} MB before the recap; the recap "
            f"of {recap.get('answers', 0):,} answers ({recap.get('pipeline', '?')}) took "
            f"{float(recap.get('seconds', 0)):.2f} s; {state.get('live')} chats live",
            above(result.peak, TARGET_RSS_MB, " MB") if result.peak >= TARGET_RSS_MB else "",
        )
    ]


def restart_figures(result: RestartResult) -> list[Figure]:
    """The restart row of the table."""
    state, fleet = result.state, result.fleet
    parts = state.get("parts", {})
    resumed = state.get("live") == fleet.chats and state.get("posted_q2") == fleet.chats
    detail = ", ".join(f"{name} {float(value):.2f} s" for name, value in parts.items())
    return [
        Figure(
            "restart",
            f"start -> {fleet.chats} chats resumed, {fleet.answers:,} answers stored",
            f"{result.seconds:.2f} s",
            f'python -c "import bot": {result.baseline:.2f} s',
            f"all {fleet.chats} resumed, due steps posted",
            resumed,
            f"{state.get('live')} live, {state.get('posted_q2')} of {result.due} due questions "
            f"posted; {detail}",
        )
    ]

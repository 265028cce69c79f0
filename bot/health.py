"""Liveness for container health checks: the running bot touches a heartbeat file.

``python -m bot run`` writes ``heartbeat.json`` next to the database every
:data:`INTERVAL` seconds while its timer loop is alive and its gateway
connection is up; ``python -m bot health`` exits 0 when that file is fresh.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

INTERVAL = timedelta(seconds=30)
STALE_AFTER = timedelta(seconds=120)


def heartbeat_path(database_path: Path) -> Path:
    """Where the heartbeat of the bot using ``database_path`` lives."""
    return database_path.parent / "heartbeat.json"


def write_heartbeat(path: Path, now: datetime, *, connected: bool) -> None:
    """Record that the bot is alive (atomically: write then rename)."""
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps({"at": now.isoformat(), "connected": connected}))
    scratch.replace(path)


def check_health(path: Path, now: datetime) -> tuple[bool, str]:
    """(healthy, reason) from the heartbeat file."""
    try:
        beat = json.loads(path.read_text())
        at = datetime.fromisoformat(beat["at"])
        age = now - at
    except (OSError, ValueError, KeyError, TypeError) as error:
        return False, f"no readable heartbeat at {path}: {error}"
    if age > STALE_AFTER:
        return False, f"heartbeat is {int(age.total_seconds())}s old"
    if not beat.get("connected", False):
        return False, "the bot is not connected to Discord"
    return True, f"alive ({int(age.total_seconds())}s ago)"


def now_utc() -> datetime:
    """The current time (the health command runs outside the bot's clock)."""
    return datetime.now(UTC)

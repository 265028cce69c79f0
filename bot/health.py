"""Liveness for container health checks: the running bot touches a heartbeat file.

``python -m bot run`` writes ``heartbeat.json`` next to the database every
:data:`INTERVAL` seconds while its timer loop is alive and its gateway
connection is up; ``python -m bot health`` exits 0 when that file is fresh.

With ``SHARD_IDS`` each process has its own file (``heartbeat-shards-0-1.json``), listing
its shards and whether each is connected (the process is unhealthy when one is not), and
its name in the leases; ``health`` then also lists the leases in the store: which process
runs which chat's steps, and until when its claim holds unless renewed.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.ports import Lease

INTERVAL = timedelta(seconds=30)
STALE_AFTER = timedelta(seconds=120)


def heartbeat_path(database_path: Path, shard_ids: Collection[int] | None = None) -> Path:
    """Where the heartbeat of the bot using ``database_path`` (running ``shard_ids``) lives."""
    if not shard_ids:
        return database_path.parent / "heartbeat.json"
    return database_path.parent / f"heartbeat-shards-{'-'.join(map(str, sorted(shard_ids)))}.json"


def write_heartbeat(
    path: Path,
    now: datetime,
    *,
    connected: bool,
    shards: Mapping[int, bool] | None = None,
    owner: str | None = None,
) -> None:
    """Record that the bot is alive (atomically: write then rename), with each shard it runs
    and whether that shard is connected, and its name in the leases."""
    beat: dict[str, object] = {"at": now.isoformat(), "connected": connected}
    if shards is not None:
        beat["shards"] = {str(shard): up for shard, up in sorted(shards.items())}
    if owner is not None:
        beat["owner"] = owner
    scratch = path.with_suffix(".tmp")
    scratch.write_text(json.dumps(beat))
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
    shards = beat.get("shards") or {}
    down = sorted(int(shard) for shard, up in shards.items() if not up)
    if down:
        listed = ", ".join(map(str, down))
        return False, f"shard{'s' if len(down) > 1 else ''} {listed} not connected to Discord"
    reason = f"alive ({int(age.total_seconds())}s ago)"
    if shards:
        listed = ", ".join(sorted(shards, key=int))
        reason += f"; shard{'s' if len(shards) > 1 else ''} {listed} connected"
    if beat.get("owner"):
        reason += f"; leases as {beat['owner']}"
    return True, reason


def lease_lines(leases: Sequence[Lease], now: datetime) -> list[str]:
    """One line per lease for ``health``: the chat's steps, who runs them, until when."""
    lines = []
    for lease in leases:
        left = int((lease.expires_at - now).total_seconds())
        state = f"renew within {left}s" if left >= 0 else f"EXPIRED {-left}s ago"
        role = "its home" if lease.home else "substitute"
        wanted = f", wanted back by {lease.wanted_by}" if lease.wanted_by else ""
        lines.append(f"lease {lease.name}: {lease.owner} ({role}{wanted}), {state}")
    return lines


def now_utc() -> datetime:
    """The current time (the health command runs outside the bot's clock)."""
    return datetime.now(UTC)

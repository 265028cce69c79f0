"""Container health: the heartbeat file says whether the bot is alive and connected."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.ports import Lease
from bot.health import STALE_AFTER, check_health, heartbeat_path, lease_lines, write_heartbeat

NOW = datetime(2027, 1, 6, 2, 0, tzinfo=UTC)


@pytest.fixture
def beat(tmp_path: Path) -> Path:
    """Where the heartbeat of a bot with its database in tmp_path/data lives."""
    path = heartbeat_path(tmp_path / "data" / "bot.db")
    path.parent.mkdir()
    return path


def test_heartbeat_lives_next_to_the_database(tmp_path: Path) -> None:
    """The health check finds the file in the database's folder (the container's volume)."""
    assert heartbeat_path(tmp_path / "data" / "bot.db") == tmp_path / "data" / "heartbeat.json"


def test_fresh_heartbeat_is_healthy(beat: Path) -> None:
    """A bot that wrote its heartbeat seconds ago, connected, is healthy."""
    write_heartbeat(beat, NOW, connected=True)
    healthy, reason = check_health(beat, NOW + timedelta(seconds=12))
    assert healthy is True
    assert reason == "alive (12s ago)"
    assert sorted(p.name for p in beat.parent.iterdir()) == ["heartbeat.json"]  # no scratch file


def test_heartbeat_just_inside_the_limit_is_healthy(beat: Path) -> None:
    """Exactly the stale limit still counts as alive; one second more does not."""
    write_heartbeat(beat, NOW, connected=True)
    assert check_health(beat, NOW + STALE_AFTER)[0] is True
    assert check_health(beat, NOW + STALE_AFTER + timedelta(seconds=1))[0] is False


def test_stale_heartbeat_is_unhealthy(beat: Path) -> None:
    """A bot whose loop stopped writing (hung, crashed) is reported with the heartbeat's age."""
    write_heartbeat(beat, NOW, connected=True)
    healthy, reason = check_health(beat, NOW + timedelta(minutes=5))
    assert healthy is False
    assert reason == "heartbeat is 300s old"


def test_disconnected_bot_is_unhealthy(beat: Path) -> None:
    """Alive but not connected to Discord is unhealthy, and says so."""
    write_heartbeat(beat, NOW, connected=False)
    healthy, reason = check_health(beat, NOW + timedelta(seconds=5))
    assert healthy is False
    assert "not connected to Discord" in reason


def test_newer_heartbeat_replaces_the_old_one(beat: Path) -> None:
    """Each beat overwrites the last: a reconnect turns an unhealthy bot healthy again."""
    write_heartbeat(beat, NOW, connected=False)
    write_heartbeat(beat, NOW + timedelta(seconds=30), connected=True)
    assert check_health(beat, NOW + timedelta(seconds=31)) == (True, "alive (1s ago)")


def test_missing_heartbeat_is_unhealthy(beat: Path) -> None:
    """Before the bot first starts (or with the wrong DATABASE_PATH) the reason names the file."""
    healthy, reason = check_health(beat, NOW)
    assert healthy is False
    assert str(beat) in reason


@pytest.mark.parametrize(
    "content",
    ["", "{not json", "[]", '"text"', "{}", '{"at": 5}', '{"at": "yesterday"}'],
    ids=["empty", "truncated", "list", "string", "no-time", "number", "bad-time"],
)
def test_unreadable_heartbeat_is_unhealthy(beat: Path, content: str) -> None:
    """A damaged heartbeat file is unhealthy with a reason, never a crash of the check."""
    beat.write_text(content)
    healthy, reason = check_health(beat, NOW)
    assert healthy is False
    assert str(beat) in reason


def test_heartbeat_without_timezone_is_unhealthy_not_a_crash(beat: Path) -> None:
    """A heartbeat written by hand or another tool without an offset is reported, not a traceback."""
    beat.write_text(json.dumps({"at": "2027-01-06T02:00:00", "connected": True}))
    healthy, reason = check_health(beat, NOW)
    assert healthy is False
    assert reason


def test_each_sharded_process_has_its_own_heartbeat_listing_its_shards(tmp_path: Path) -> None:
    """Two processes next to one database write two files; a shard down is unhealthy."""
    database = tmp_path / "bot.db"
    first, second = heartbeat_path(database, (1, 0)), heartbeat_path(database, [2])
    assert (first.name, second.name) == ("heartbeat-shards-0-1.json", "heartbeat-shards-2.json")
    write_heartbeat(
        first, NOW, connected=True, shards={1: True, 0: True}, owner="host:7:shards=0,1"
    )
    assert check_health(first, NOW + timedelta(seconds=3)) == (
        True,
        "alive (3s ago); shards 0, 1 connected; leases as host:7:shards=0,1",
    )
    write_heartbeat(second, NOW, connected=True, shards={2: False}, owner="host:8:shards=2")
    assert check_health(second, NOW) == (False, "shard 2 not connected to Discord")


def test_lease_lines_say_who_runs_which_chat_until_when() -> None:
    leases = [
        Lease("occurrence:1", "host:7:shards=0", True, NOW + timedelta(seconds=20), NOW),
        Lease("occurrence:2", "host:7:shards=0", False, NOW - timedelta(seconds=4), NOW, "h:8"),
    ]
    assert lease_lines(leases, NOW) == [
        "lease occurrence:1: host:7:shards=0 (its home), renew within 20s",
        "lease occurrence:2: host:7:shards=0 (substitute, wanted back by h:8), EXPIRED 4s ago",
    ]

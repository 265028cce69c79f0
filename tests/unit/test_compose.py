"""compose.yaml: the processes' settings are valid and their shards cover SHARD_COUNT once."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.config import load_settings

COMPOSE = Path(__file__).resolve().parents[2] / "compose.yaml"
TOKEN = "FAKEtoken0123456789.AbCdEf.fakeSecretPart_0123456789"


def test_every_shard_runs_in_exactly_one_bot_service() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    bots = {name: s for name, s in services.items() if "SHARD_IDS" in s.get("environment", {})}
    assert len(bots) >= 2
    counts: set[int | None] = set()
    shards: list[int] = []
    for service in bots.values():
        environ = {k: str(v) for k, v in service["environment"].items()} | {"DISCORD_TOKEN": TOKEN}
        settings = load_settings(environ, need_token=False)
        assert settings.shard_ids is not None
        assert settings.lease_seconds > 0
        counts.add(settings.shard_count)
        shards.extend(settings.shard_ids)
        assert "postgres" in service["depends_on"]
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
    [count] = counts
    assert count is not None
    assert sorted(shards) == list(range(count))

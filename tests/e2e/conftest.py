"""Fixtures for end-to-end tests against the loopback Discord stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import discord.gateway
import discord.http
import pytest
import yarl

from tests.e2e.botproc import TOKEN, BotProcess, World, build_world
from tests.e2e.standin import StandIn


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    """A started stand-in on a free 127.0.0.1 port (short heartbeats), stopped afterwards."""
    async with StandIn(heartbeat_interval=1000) as server:
        yield server


@pytest.fixture
def discord_at_standin(standin: StandIn) -> Iterator[StandIn]:
    """Points this process's discord.py (REST base and default gateway) at ``standin``, and
    restores the real Discord addresses afterwards."""
    route, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = standin.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(standin.gateway_url)
    try:
        yield standin
    finally:
        discord.http.Route.BASE = route
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


@pytest.fixture
async def world() -> AsyncIterator[World]:
    """A stand-in with a guild, a chat channel, a moderator and three participants."""
    async with StandIn(heartbeat_interval=1000, token=TOKEN) as standin:
        yield build_world(standin)


@pytest.fixture
async def bot(world: World, tmp_path: Path) -> AsyncIterator[BotProcess]:
    """The bot process for ``world`` (not started); stopped with SIGTERM afterwards."""
    process = BotProcess(world.standin, tmp_path)
    yield process
    await process.stop()

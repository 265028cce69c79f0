"""Gateway sharding in the stand-in, as Discord does it, proven with discord.py's own
AutoShardedClient and with plain clients identifying as one shard each."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest

from tests.e2e.standin import StandIn
from tests.e2e.standin.shards import parse_shard, receives, shard_of

WAIT = 10.0


def intents() -> discord.Intents:
    wanted = discord.Intents.default()
    wanted.message_content = True
    return wanted


class QuickShards(discord.AutoShardedClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s between IDENTIFYs (one bucket); the stand-in does not limit."""


@contextlib.asynccontextmanager
async def running(client: discord.Client, standin: StandIn) -> AsyncIterator[discord.Client]:
    await client.login(standin.token)
    task = asyncio.create_task(client.connect())
    try:
        await asyncio.wait_for(client.wait_until_ready(), WAIT)
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, 5)


def test_the_shard_formula_and_the_identify_field() -> None:
    assert shard_of(41771983423143937, 2) == (41771983423143937 >> 22) % 2
    assert parse_shard(None) == (0, 1)
    assert parse_shard([1, 2]) == (1, 2)
    for wrong in ([2, 2], [-1, 2], [0, 0], [0], "0,1", [0.0, 1]):
        assert parse_shard(wrong) is None
    assert receives((0, 2), None)  # DMs: shard 0 only
    assert not receives((1, 2), None)


def test_a_guild_can_be_placed_on_a_shard(discord_at_standin: StandIn) -> None:
    standin = discord_at_standin
    for shard_id in (0, 1, 2, 1, 0):
        guild = standin.add_guild(f"on {shard_id}", shard=(shard_id, 3))
        assert shard_of(guild.id, 3) == shard_id


async def test_gateway_bot_answers_shards_and_session_start_limit(standin: StandIn) -> None:
    standin.hub.sharding.recommended = 2
    headers = {"Authorization": f"Bot {standin.token}"}
    url = f"{standin.api_base}/gateway/bot"
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        body = await response.json()
    assert body["url"] == standin.gateway_url
    assert body["shards"] == 2
    assert body["session_start_limit"] == {
        "total": 1000,
        "remaining": 1000,
        "reset_after": 14_400_000,
        "max_concurrency": 1,
    }


async def test_auto_sharded_client_gets_each_guild_on_its_shard(
    discord_at_standin: StandIn,
) -> None:
    """No shard count given: discord.py asks /gateway/bot, opens both shards, and each guild's
    events come on the shard of (guild_id >> 22) % 2."""
    standin = discord_at_standin
    standin.hub.sharding.recommended = 2
    first = standin.add_guild("First", shard=(0, 2))
    second = standin.add_guild("Second", shard=(1, 2))
    channels = [standin.add_text_channel(g, "chats") for g in (first, second)]
    alice = standin.add_user("alice")
    for guild in (first, second):
        standin.add_member(guild, alice)
    client = QuickShards(intents=intents(), guild_ready_timeout=0.05)
    async with running(client, standin):
        assert client.shard_count == 2
        assert sorted(client.shards) == [0, 1]
        assert {g.id: g.shard_id for g in client.guilds} == {first.id: 0, second.id: 1}
        shard_of_message: dict[str, int | None] = {}

        async def on_message(message: discord.Message) -> None:
            assert message.guild is not None
            shard_of_message[message.content] = message.guild.shard_id

        client.event(on_message)
        await standin.say(channels[0], alice, "in the first")
        await standin.say(channels[1], alice, "in the second")
        await standin.wait_for(lambda: len(shard_of_message) == 2, timeout=WAIT)
        assert shard_of_message == {"in the first": 0, "in the second": 1}
    sessions = list(standin.hub.sessions.values())
    assert sorted(s.shard for s in sessions) == [(0, 2), (1, 2)]
    assert standin.calls("GET", r"^/gateway/bot$")
    limit = standin.hub.sharding.gateway_bot("")["session_start_limit"]
    assert limit["remaining"] == 1000 - 2


async def test_a_process_given_one_shard_sees_only_that_shards_guilds(
    discord_at_standin: StandIn,
) -> None:
    """Two clients, shard 0 and shard 1 of 2 (as two processes with SHARD_IDS): READY lists
    and GUILD_CREATE sends only each shard's guilds, messages and interactions go to the
    shard of their guild only, and READY says which shard it is."""
    standin = discord_at_standin
    first = standin.add_guild("First", shard=(0, 2))
    second = standin.add_guild("Second", shard=(1, 2))
    channels = [standin.add_text_channel(g, "chats") for g in (first, second)]
    alice = standin.add_user("alice")
    for guild in (first, second):
        standin.add_member(guild, alice)
    seen: dict[int, list[str]] = {0: [], 1: []}
    clients = [
        QuickShards(intents=intents(), guild_ready_timeout=0.05, shard_count=2, shard_ids=[n])
        for n in (0, 1)
    ]
    for n, client in enumerate(clients):

        async def on_message(message: discord.Message, n: int = n) -> None:
            seen[n].append(message.content)

        client.event(on_message)
    async with running(clients[0], standin), running(clients[1], standin):
        assert [g.id for g in clients[0].guilds] == [first.id]
        assert [g.id for g in clients[1].guilds] == [second.id]
        await standin.say(channels[0], alice, "hello first")
        await standin.say(channels[1], alice, "hello second")
        await standin.wait_for(lambda: seen[0] and seen[1], timeout=WAIT)
        await asyncio.sleep(0.2)  # anything misrouted would have arrived by now
        assert seen == {0: ["hello first"], 1: ["hello second"]}
    readies = {tuple(p["d"]["shard"]) for p in standin.hub.received if p.get("op") == 2}
    assert readies == {(0, 2), (1, 2)}
    readys = [p["d"] for s in standin.hub.sessions.values() for p in s.buffer if p["t"] == "READY"]
    ready_shards = sorted(tuple(d["shard"]) for d in readys)
    assert ready_shards == [(0, 2), (1, 2)]


@pytest.mark.parametrize("shard", [[2, 2], [0, 0]])
async def test_an_impossible_shard_is_closed_with_4010(
    discord_at_standin: StandIn, shard: list[int]
) -> None:
    standin = discord_at_standin
    async with aiohttp.ClientSession() as http, http.ws_connect(standin.gateway_url) as ws:
        hello = await ws.receive_json()
        assert hello["op"] == 10
        identify = {"token": standin.token, "intents": 1, "properties": {}, "shard": shard}
        await ws.send_json({"op": 2, "d": identify})
        message = await ws.receive()
        assert message.type is aiohttp.WSMsgType.CLOSE
        assert message.data == 4010

"""Two ``python -m bot run`` processes, shard 0 and shard 1 of 2, over one database, a chat in
a guild on each shard: each process runs its own guild's chat; when the process of the second
guild is killed -9 mid-chat, the other posts that chat's next question once the lease expired,
never twice, and the answers sent meanwhile are in the recap after the killed process is back.

The processes' tests run on both stores several processes may share: one SQLite file (WAL,
one machine) and a PostgreSQL database (a real server started by the session,
tests/support/postgres.py; in CI a missing server fails the test rather than skipping it).
Both processes started at the same moment on an empty database migrate it once."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import discord.utils
import pytest

from bot.storage.migrations import LATEST_VERSION
from tests.e2e.botproc import (
    BotProcess,
    World,
    chat_yaml,
    count_posts,
    host,
    wait_post,
)
from tests.e2e.standin import Perm, StandIn
from tests.e2e.standin.shards import drop_shard
from tests.support.backends import BACKENDS
from tests.support.postgres import PostgresServer

#: Short leases (LEASE_SECONDS): a dead process's chats wait at most this long.
LEASE = 3
WAIT = 60.0
PREFIXES = ["👋", "**Q1:**", "**Q2:**", "**Q3:**", "🏁", "📋"]


class ShardProcess(BotProcess):
    """The bot running some shards; processes share the database and the chat files."""

    def __init__(
        self, standin: StandIn, workdir: Path, shard_ids: str, database_url: str | None = None
    ) -> None:
        super().__init__(standin, workdir)
        self.shard_ids = shard_ids
        self.database_url = database_url
        self.log = workdir / f"bot-shards-{shard_ids}.log"

    def env(self) -> dict[str, str]:
        return super().env() | {
            "SHARD_COUNT": "2",
            "SHARD_IDS": self.shard_ids,
            "LEASE_SECONDS": str(LEASE),
        }


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str | None:
    """The processes' shared store: None for the SQLite file in the test's folder, or the
    ``DATABASE_URL`` of a fresh, migrated PostgreSQL database."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return None


@pytest.fixture(params=BACKENDS)
async def empty_database_url(request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    """Like ``database_url``, but nothing in it yet: no SQLite file, or an empty PostgreSQL
    database (not cloned from the migrated template), dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = await server.fresh_database(template=None)
    yield server.url(name)
    await server.drop(name)


#: The line a process logs when it migrated the database (how many migrations it applied).
MIGRATED = re.compile(r"migrated to version (\d+) \((\d+) migrations applied\)")


def migrations_applied(process: BotProcess) -> int:
    """How many migrations ``process`` applied, from its log."""
    text = process.log.read_text() if process.log.exists() else ""
    return sum(int(applied) for _, applied in MIGRATED.findall(text))


def guild_world(standin: StandIn, name: str, shard: int) -> World:
    """A guild on ``shard`` of 2 with a chat channel, a moderator and two participants."""
    guild = standin.add_guild(name, shard=(shard, 2))
    channel = standin.add_text_channel(guild, "chats")
    moderators = standin.add_role(guild, "Moderators", int(Perm.MANAGE_EVENTS))
    mod = standin.add_user(f"mod-{shard}")
    standin.add_member(guild, mod, roles=[moderators])
    people = [standin.add_user(f"{person}-{shard}") for person in ("ana", "ben")]
    for person in people:
        standin.add_member(guild, person)
    return World(standin, guild, channel, moderators, mod, people)


def posted_at(message: dict[str, object]) -> float:
    return discord.utils.snowflake_time(int(str(message["id"]))).timestamp()


async def test_kill_9_of_a_shards_process_hands_its_chat_to_the_other_once(
    world: World, tmp_path: Path, database_url: str | None
) -> None:
    standin = world.standin
    first, second = guild_world(standin, "First", 0), guild_world(standin, "Second", 1)
    zero = ShardProcess(standin, tmp_path, "0", database_url)
    one = ShardProcess(standin, tmp_path, "1", database_url)
    for chat_id, place in (("firstchat", first), ("secondchat", second)):
        (zero.chats / f"{chat_id}.yaml").write_text(
            chat_yaml(place.channel, chat_id=chat_id, interval="8s", last_call="2s", late="4s")
        )
    try:
        await zero.start()
        await one.start()
        # Commands are synced once per guild, by the process that has it.
        assert "firstchat" in (await host(first, first.mod, "start", chat="firstchat")).content
        assert "secondchat" in (await host(second, second.mod, "start", chat="secondchat")).content
        await wait_post(first, "**Q1:**", channel=first.channel)
        q1 = await wait_post(second, "**Q1:**", channel=second.channel)
        ana, ben = second.people
        await standin.say(second.channel, ana, "A1: before the kill")
        await standin.wait_for(
            lambda: one.query("SELECT 1 FROM answers WHERE content = 'before the kill'"),
            timeout=WAIT,
        )
        leases = dict(one.query("SELECT name, owner FROM leases"))
        assert sorted(leases) == ["occurrence:1", "occurrence:2"]
        assert "shards=0" in leases["occurrence:1"]
        assert "shards=1" in leases["occurrence:2"]

        await one.kill()
        killed = time.time()
        await standin.say(second.channel, ben, "A1: while its process was dead")
        q2 = await wait_post(second, "**Q2:**", within=8 + LEASE + 10, channel=second.channel)
        # Q2 was due 8 s after Q1: posted by shard 0's process within the lease time + 5 s
        # of the later of its due time and the kill.
        due = posted_at(q1) + 8
        assert posted_at(q2) - max(due, killed) <= LEASE + 5, (posted_at(q2), due, killed)
        owner = dict(zero.query("SELECT name, owner FROM leases"))["occurrence:2"]
        assert "shards=0" in owner
        await standin.say(second.channel, ana, "A2: answered while its process was dead")

        await one.start()
        recap = await wait_post(second, "📋", within=WAIT, channel=second.channel)
        await wait_post(first, "📋", within=WAIT, channel=first.channel)
        for place in (first, second):
            counts = {p: count_posts(place, p, place.channel) for p in PREFIXES}
            assert counts == dict.fromkeys(PREFIXES, 1), (place.guild.name, counts)
        assert re.search(r"Q1: .* — 2 answers from 2 people", recap["content"]), recap["content"]
        assert re.search(r"Q2: .* — 1 answer from 1 person", recap["content"]), recap["content"]
        # Done: no lease is held any more.
        await standin.wait_for(lambda: zero.query("SELECT name FROM leases") == [], timeout=10)
        # Each guild's commands were synced once, by its own process (not again at the
        # restart: unchanged), never by the other.
        synced = [
            re.sub(r"^/applications/\d+/guilds/(\d+)/commands$", r"\1", call.path)
            for call in standin.calls("PUT", r"^/applications/\d+/guilds/\d+/commands$")
        ]
        assert sorted(synced) == sorted(
            [str(first.guild.id), str(second.guild.id), str(world.guild.id)]
        )
        assert await zero.stop() == 0
        assert await one.stop() == 0
        if database_url is not None:
            assert not zero.database.exists()  # nothing went to an SQLite file
    finally:
        await zero.stop()
        await one.stop()


async def test_a_shard_back_with_a_new_session_backfills_what_it_missed(
    world: World, tmp_path: Path
) -> None:
    """One process running both shards: when the gateway drops one shard's session (not
    resumable), that shard identifies again (discord.py sends no second on_ready for it) and
    the answers sent meanwhile in its guild are read from the history."""
    standin = world.standin
    second = guild_world(standin, "Second", 1)
    bot = ShardProcess(standin, tmp_path, "0,1")
    (bot.chats / "secondchat.yaml").write_text(
        chat_yaml(second.channel, chat_id="secondchat", interval="30s")
    )
    try:
        await bot.start()
        assert "secondchat" in (await host(second, second.mod, "start", chat="secondchat")).content
        await wait_post(second, "**Q1:**", channel=second.channel)
        assert drop_shard(standin.hub, 1) == 1
        await standin.say(second.channel, second.people[0], "A1: while the shard was away")
        await standin.wait_for(
            lambda: bot.query("SELECT 1 FROM answers WHERE content = 'while the shard was away'"),
            timeout=WAIT,
        )
        assert bot.log_count("reconnected (new session)") >= 1
        assert await bot.stop() == 0
    finally:
        await bot.stop()


async def test_two_processes_started_together_on_an_empty_database_migrate_it_once(
    world: World, tmp_path: Path, empty_database_url: str | None
) -> None:
    """Both processes start at the same moment on a database nothing has touched: every
    migration is applied once (on PostgreSQL all by one process, under the advisory lock; on
    SQLite each one inside the write lock, maybe some by each process), and both serve."""
    standin = world.standin
    first, second = guild_world(standin, "First", 0), guild_world(standin, "Second", 1)
    zero = ShardProcess(standin, tmp_path, "0", empty_database_url)
    one = ShardProcess(standin, tmp_path, "1", empty_database_url)
    for chat_id, place in (("firstchat", first), ("secondchat", second)):
        (zero.chats / f"{chat_id}.yaml").write_text(
            chat_yaml(place.channel, chat_id=chat_id, interval="60s")
        )
    try:
        await asyncio.gather(zero.start(), one.start())
        applied = [migrations_applied(zero), migrations_applied(one)]
        assert sum(applied) == LATEST_VERSION, applied
        if empty_database_url is not None:
            assert sorted(applied) == [0, LATEST_VERSION], applied
            rows = zero.query("SELECT version FROM schema_version ORDER BY version")
            assert [version for (version,) in rows] == list(range(1, LATEST_VERSION + 1))
        else:
            assert zero.query("PRAGMA user_version") == [(LATEST_VERSION,)]
        # Both serve: each starts its guild's chat, and holds its lease.
        for place in (first, second):
            chat_id = "firstchat" if place is first else "secondchat"
            assert chat_id in (await host(place, place.mod, "start", chat=chat_id)).content
            await wait_post(place, "👋", channel=place.channel)
        # (Ids need not be 1 and 2: on PostgreSQL the loser of a race for the same
        # occurrence consumed an id of the sequence.)
        chats = {
            f"occurrence:{id_}": chat
            for id_, chat in zero.query("SELECT id, chat_id FROM occurrences")
        }
        leases = {
            chats[name]: owner for name, owner in zero.query("SELECT name, owner FROM leases")
        }
        assert sorted(leases) == ["firstchat", "secondchat"], leases
        assert leases["firstchat"].endswith("shards=0"), leases
        assert leases["secondchat"].endswith("shards=1"), leases
        assert await zero.stop() == 0
        assert await one.stop() == 0
    finally:
        await zero.stop()
        await one.stop()

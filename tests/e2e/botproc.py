"""Running ``python -m bot run`` as a subprocess against the stand-in, as a user would."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import discord.utils

from bot.core.run import LATE_GRACE
from tests.e2e.standin import Answer, Channel, Guild, Perm, Role, StandIn, User
from tests.support.postgres import run_sync

#: A token of the shape the bot's settings check expects.
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GStand.in-token-for-end-to-end-tests"
REPO = Path(__file__).resolve().parents[2]


def chat_yaml(
    channel: Channel,
    *,
    chat_id: str = "e2echat",
    questions: int = 3,
    interval: str = "8s",
    last_call: str = "2s",
    late: str = "6s",
    moderator_channel: Channel | int | None = None,
) -> str:
    """A short chat (seconds, not minutes) in ``channel``, far in the future until started;
    notes to moderators go to ``moderator_channel`` (a channel, or any id) when given."""
    items = "\n".join(
        f"  - Question number {n}, what do you think?" for n in range(1, questions + 1)
    )
    if isinstance(moderator_channel, Channel):
        moderator_channel = moderator_channel.id
    extra = "" if moderator_channel is None else f"moderator_channel: {moderator_channel}\n"
    return f"""\
id: {chat_id}
title: End to end chat
hashtag: "#E2EChat"
channel: {channel.id}
timezone: UTC
start: 2030-01-01 18:00
intro: Welcome to the end-to-end chat.
question_interval: {interval}
last_call: {last_call}
late_answers: {late}
questions:
{items}
closing: Thanks everyone.
{extra}"""


@dataclass
class World:
    """A guild with a chat channel, a moderator, and participants."""

    standin: StandIn
    guild: Guild
    channel: Channel
    moderators: Role
    mod: User
    people: list[User] = field(default_factory=list)


def build_world(standin: StandIn, participants: int = 3) -> World:
    """The stand-in's guild as the e2e tests use it."""
    guild = standin.add_guild("Learning Guild")
    channel = standin.add_text_channel(guild, "chats")
    moderators = standin.add_role(guild, "Moderators", int(Perm.MANAGE_EVENTS))
    mod = standin.add_user("mod")
    standin.add_member(guild, mod, roles=[moderators])
    people = []
    for name in ("ana", "ben", "cy", "dee", "eve", "fay")[:participants]:
        user = standin.add_user(name)
        standin.add_member(guild, user)
        people.append(user)
    return World(standin, guild, channel, moderators, mod, people)


class BotProcess:
    """The bot as a child process; kill -9 and restart keep the same database and chats."""

    def __init__(self, standin: StandIn, workdir: Path) -> None:
        self.standin = standin
        self.workdir = workdir
        self.chats = workdir / "chats"
        self.chats.mkdir(exist_ok=True)
        self.database = workdir / "data" / "bot.db"
        #: DATABASE_URL: the bot keeps its data in PostgreSQL there (tests/e2e/test_bot_postgres.py).
        self.database_url: str | None = None
        self.log = workdir / "bot.log"
        self.proc: asyncio.subprocess.Process | None = None
        #: More settings for the bot's environment (``ARCHIVE_DIR``, ...), set before start.
        self.extra_env: dict[str, str] = {}

    def env(self) -> dict[str, str]:
        url = {"DATABASE_URL": self.database_url} if self.database_url else {}
        return (
            url
            | {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
            | {
                "DISCORD_API_BASE": self.standin.base_url,
                "DISCORD_TOKEN": TOKEN,
                "DATABASE_PATH": str(self.database),
                "CHATS_DIR": str(self.chats),
                "GUILD_READY_TIMEOUT": "0.05",
                "LOG_LEVEL": "INFO",
                "RECAP_UPDATE_DELAY": "1",
            }
            | self.extra_env
        )

    def log_count(self, text: str) -> int:
        """How many times ``text`` appears in the bot's log so far."""
        return self.log.read_text().count(text) if self.log.exists() else 0

    async def start(self) -> None:
        """Start the bot; return once it is connected and its commands are synced."""
        ready = self.log_count("connected as")
        log = self.log.open("a")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=self.env(), cwd=REPO, stdout=log, stderr=log
        )
        log.close()
        # The bot logs "connected as" at the end of on_ready, after syncing its commands.
        await self.standin.wait_for(lambda: self.log_count("connected as") > ready, timeout=30)

    async def kill(self) -> None:
        """kill -9: no cleanup at all."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> int:
        """SIGTERM and wait for a clean exit; returns the exit code."""
        if self.proc is None:
            return 0
        if self.proc.returncode is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    async def build_archive(self, out: Path) -> None:
        """``python -m bot archive --out`` on the bot's database (running or stopped)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "archive",
            "--out",
            str(out),
            env=self.env(),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, err.decode()

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the bot's database (WAL lets us read while it runs)."""
        if self.database_url:
            return run_sync(self.database_url, sql, params)
        with contextlib.closing(sqlite3.connect(self.database)) as connection:
            return connection.execute(sql, params).fetchall()

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        """Change the bot's database (while it is stopped), committed."""
        if self.database_url:
            run_sync(self.database_url, sql, params)
            return
        with contextlib.closing(sqlite3.connect(self.database)) as connection, connection:
            connection.execute(sql, params)


def bot_posts(world: World, channel: Channel | None = None) -> list[dict[str, Any]]:
    """The bot's messages in ``channel`` (the chat channel by default), oldest first (deleted
    ones left out)."""
    return [
        m
        for m in world.standin.messages(channel or world.channel, include_deleted=False)
        if m["author"]["id"] == str(world.standin.bot.id)
    ]


def count_posts(world: World, prefix: str, channel: Channel | None = None) -> int:
    """How many of the bot's messages (in ``channel``, the chat's by default) start with
    ``prefix``."""
    return sum(1 for m in bot_posts(world, channel) if m["content"].startswith(prefix))


async def wait_post(
    world: World, prefix: str, within: float = 40.0, channel: Channel | None = None
) -> dict[str, Any]:
    """The bot's first message starting with ``prefix`` (in ``channel``, the chat's by
    default), waiting for it to appear."""

    def find() -> dict[str, Any] | None:
        posts = bot_posts(world, channel)
        return next((m for m in posts if m["content"].startswith(prefix)), None)

    found: dict[str, Any] = await world.standin.wait_for(find, timeout=within)
    return found


async def command(world: World, user: User, sub: str, **options: Any) -> Answer:
    """``user`` runs ``/chat sub`` (the commands for everyone) with ``options``; returns the
    bot's answer."""
    interaction = await world.standin.invoke(
        user, world.guild, world.channel, "chat", sub, options=options
    )
    return await interaction.wait_response(40.0)


async def host(world: World, user: User, sub: str, **options: Any) -> Answer:
    """``user`` runs ``/host sub`` (the moderators' commands) with ``options``; returns the
    bot's answer. Raises PermissionError when Discord would not show ``/host`` to ``user``."""
    interaction = await world.standin.invoke(
        user, world.guild, world.channel, "host", sub, options=options
    )
    return await interaction.wait_response(40.0)


async def start_chat(world: World, bot: BotProcess, **chat: Any) -> None:
    """Write the chat file, start the bot, and /host start the chat."""
    (bot.chats / "e2echat.yaml").write_text(chat_yaml(world.channel, **chat))
    await bot.start()
    answer = await host(world, world.mod, "start", chat="e2echat")
    assert "starting now" in answer.content, answer.content


async def wait_thread(world: World, question: dict[str, Any]) -> int:
    """The id of the thread the bot opens from a question post (it has the post's id)."""
    thread_id = int(question["id"])
    await world.standin.wait_for(lambda: thread_id in world.standin.world.channels, timeout=40)
    return thread_id


def planned_questions(bot: BotProcess) -> dict[int, datetime]:
    """When the bot plans to post each question: its timers' ``due_at`` (UTC ISO-8601). Read it
    as soon as the chat has started: a post that fails is retried later and its timer moves
    (as does every later step when one is more than the engine's 60 s grace late)."""
    return {
        int(number): datetime.fromisoformat(at)
        for number, at in bot.query("SELECT question, due_at FROM timers WHERE kind = 'question'")
    }


def question_lateness(world: World, planned: dict[int, datetime]) -> dict[int, float]:
    """Seconds each posted question came after its ``planned`` time, by the stand-in's
    timestamp (the snowflake) of the bot's "**Qn:**" message."""
    lateness: dict[int, float] = {}
    for message in bot_posts(world):
        found = re.match(r"\*\*Q(\d+):\*\*", message["content"])
        if found is not None:
            number = int(found.group(1))
            assert number not in lateness, f"Q{number} posted twice"
            sent = discord.utils.snowflake_time(int(message["id"]))
            lateness[number] = (sent - planned[number]).total_seconds()
    return lateness


def assert_on_schedule(
    world: World, bot: BotProcess, planned: dict[int, datetime], tolerance: float
) -> dict[int, float]:
    """Every planned question was posted, within ``tolerance`` seconds of its ``planned`` time
    (see :func:`planned_questions`), and no step was so late that the engine re-timed the run.
    Returns each question's lateness in seconds."""
    assert tolerance <= LATE_GRACE.total_seconds(), "a tolerance beyond the engine's grace"
    lateness = question_lateness(world, planned)
    assert sorted(lateness) == sorted(planned), (lateness, planned)
    assert bot.query("SELECT step_key FROM timers WHERE late = 1") == []
    assert all(-0.05 <= late <= tolerance for late in lateness.values()), (lateness, tolerance)
    return lateness

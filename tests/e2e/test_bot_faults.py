"""Faults against the real bot: rate limits, server errors, missing permissions, gateway drops,
broken chat files dropped in while running, and non-moderators trying every control."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sqlite3

from tests.e2e.botproc import (
    BotProcess,
    World,
    bot_posts,
    command,
    count_posts,
    start_chat,
    wait_post,
    wait_thread,
)
from tests.e2e.standin import Perm

SEND = r"/channels/\d+/messages$"
QUESTIONS = ["**Q1:**", "**Q2:**", "**Q3:**"]


async def test_429_and_500_on_question_posts_keep_order_and_post_once(
    world: World, bot: BotProcess
) -> None:
    standin = world.standin
    await start_chat(world, bot, interval="4s")
    await wait_post(world, "👋")
    # The next sends are rate limited, then two fail with 500 after Discord applied them
    # (the answer is lost): discord.py retries with the same nonce, Discord de-duplicates.
    limited = standin.faults.add("POST", SEND, status=429, count=3, retry_after=0.3)
    lost = standin.faults.add("POST", SEND, status=500, count=2, after_apply=True)
    await wait_post(world, "🏁", within=60)
    assert limited.hits == 3
    assert lost.hits == 2
    assert [count_posts(world, q) for q in QUESTIONS] == [1, 1, 1]
    order = [m["content"][:7] for m in bot_posts(world) if m["content"].startswith("**Q")]
    assert order == ["**Q1:**", "**Q2:**", "**Q3:**"]


async def test_no_thread_permission_falls_back_to_prefixes_and_tells_moderators_once(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, _) = world.standin, world.people
    standin.deny(world.channel, int(Perm.CREATE_PUBLIC_THREADS))
    await start_chat(world, bot, questions=2, interval="4s")
    await wait_post(world, "**Q1:**")
    await standin.say(world.channel, ana, "A1: fallback answer")
    await wait_post(world, "**Q2:**")
    await standin.say(world.channel, ben, "A2: another")
    recap = await wait_post(world, "📋", within=60)
    assert count_posts(world, "🛠️ Moderators: I may not create threads") == 1
    assert re.search(r"Q1: .* — 1 answer from 1 person", recap["content"])
    assert re.search(r"Q2: .* — 1 answer from 1 person", recap["content"])
    assert standin.calls("POST", r"/threads$")  # it tried, got 403, and did not crash


async def test_no_send_permission_is_reported_without_a_crash_loop(
    world: World, bot: BotProcess
) -> None:
    standin = world.standin
    standin.deny(world.channel, int(Perm.SEND_MESSAGES))
    await start_chat(world, bot, questions=2, interval="3s")
    await standin.wait_for(
        lambda: bot.query("SELECT phase FROM occurrences") == [("recapped",)], timeout=60
    )
    assert "Missing Permissions" in bot.log.read_text()
    await asyncio.sleep(1)
    attempts = len(standin.calls("POST", SEND))
    await asyncio.sleep(3)
    assert len(standin.calls("POST", SEND)) == attempts  # it gave up; no retry loop
    assert attempts <= 20
    assert bot.proc is not None
    assert bot.proc.returncode is None  # still running
    check = await command(world, world.mod, "check")
    assert "missing **Send Messages**" in check.content


async def test_gateway_resume_and_reidentify_mid_chat_backfill_missed_answers(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    await start_chat(world, bot, questions=2, interval="12s", late="3s")
    thread = await wait_thread(world, await wait_post(world, "**Q1:**"))
    async with standin.faults.gateway_down(resumable=True):
        await standin.say(world.channel, ana, "A1: sent while the gateway was down (resume)")
    async with standin.faults.gateway_down(resumable=False):
        await standin.say(world.channel, ben, "A1: sent while the session was lost")
        await standin.say(thread, cy, "in the thread while the session was lost")
    await standin.wait_for(
        lambda: len(bot.query("SELECT 1 FROM answers WHERE deleted = 0")) == 3, timeout=40
    )
    recap = await wait_post(world, "📋", within=60)
    assert re.search(r"Q1: .* — 3 answers from 3 people", recap["content"]), recap["content"]
    assert "backfill:" in bot.log.read_text()


async def test_broken_chat_files_dropped_in_are_reported_and_others_keep_running(
    world: World, bot: BotProcess
) -> None:
    await start_chat(world, bot, questions=2, interval="6s")
    (bot.chats / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    (bot.chats / "typo.yaml").write_text(
        "id: typo\ntitel: Typo chat\nhashtag: '#T'\nchannel: 1\ntimezone: UTC\n"
        "start: 2030-01-01 10:00\nquestions: [q]\n"
    )
    reload = await command(world, world.mod, "reload")
    assert "broken.yaml:3:1: YAML syntax error" in reload.content
    assert "did you mean 'title'" in reload.content
    assert "✅" in reload.content  # the good file still loads
    recap = await wait_post(world, "📋", within=60)
    assert "End to end chat" in recap["content"]
    assert count_posts(world, "**Q2:**") == 1


async def test_only_moderators_control_chats_and_events_follow_the_run(
    world: World, bot: BotProcess
) -> None:
    standin, ana = world.standin, world.people[0]
    await start_chat(world, bot, questions=3, interval="6s", late="3s")
    events = standin.scheduled_events(world.guild)
    assert len(events) == 1
    assert events[0].name.startswith("End to end chat")
    await wait_post(world, "**Q1:**")
    await standin.wait_for(lambda: standin.scheduled_events(world.guild)[0].status == 2, 20)

    options = {"chat": "e2echat"}
    for sub, extra in [
        ("next", {}),
        ("pause", {}),
        ("resume", {}),
        ("extend", {"minutes": 3}),
        ("skip", {"question": 3}),
        ("stop", {}),
        ("cancel", {}),
        ("start", {}),
        ("reload", {}),
        ("check", {}),
        ("recap", {}),
    ]:
        answer = await command(
            world, ana, sub, **options if sub not in ("reload", "check") else {}, **extra
        )
        assert answer.ephemeral, sub
        assert "only moderators" in answer.content, (sub, answer.content)

    paused = await command(world, world.mod, "pause", chat="e2echat")
    assert "paused" in paused.content
    refused = await command(world, world.mod, "next", chat="e2echat")
    assert "paused" in refused.content
    resumed = await command(world, world.mod, "resume", chat="e2echat")
    assert "resumed" in resumed.content
    skipped = await command(world, world.mod, "skip", chat="e2echat", question=3)
    assert "Q3 skipped" in skipped.content
    nexted = await command(world, world.mod, "next", chat="e2echat")
    assert "next question" in nexted.content
    await wait_post(world, "**Q2:**")
    stopped = await command(world, world.mod, "stop", chat="e2echat")
    assert "closing now" in stopped.content
    await wait_post(world, "📋", within=40)
    assert count_posts(world, "**Q3:**") == 0
    await standin.wait_for(lambda: standin.scheduled_events(world.guild)[0].status == 3, 20)

    status = await command(world, ana, "status", chat="e2echat")
    assert "recapped" in status.content
    listing = await command(world, ana, "list")
    assert "No chats are scheduled" in listing.content or "<t:" in listing.content
    choices = await standin.autocomplete(
        ana, world.guild, world.channel, "chat", "status", focused="chat", options={"chat": "e2e"}
    )
    answer = await choices.wait_response(10)
    assert [c["value"] for c in answer.choices or []] == ["e2echat"]


async def test_sigterm_during_a_burst_stores_every_queued_answer(
    world: World, bot: BotProcess
) -> None:
    """The database is locked by another process while a burst arrives, so answers wait in
    the bot's queue; SIGTERM comes, the lock goes: every answer is stored before the bot exits."""
    standin, people = world.standin, world.people
    await start_chat(world, bot, questions=2, interval="30s")
    await wait_post(world, "**Q1:**")
    with contextlib.closing(sqlite3.connect(bot.database, isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        for index in range(60):
            await standin.say(world.channel, people[index % 3], f"A1: burst answer {index}")
        await asyncio.sleep(1.5)  # received and queued; the writer is retrying the lock
        assert bot.proc is not None
        bot.proc.send_signal(signal.SIGTERM)
        # Held until the bot has closed its connection and is waiting on its queue.
        await standin.wait_for(lambda: not standin.hub.connected(), timeout=10)
        await asyncio.sleep(1.5)
        other.execute("ROLLBACK")
    assert await asyncio.wait_for(bot.proc.wait(), 30) == 0
    stored = {row[0] for row in bot.query("SELECT content FROM answers")}
    assert {f"burst answer {index}" for index in range(60)} <= stored

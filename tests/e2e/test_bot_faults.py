"""Faults against the real bot: rate limits, server errors, missing permissions, gateway drops,
broken chat files dropped in while running, and non-moderators trying every control."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sqlite3
import sys
from datetime import UTC, datetime

import pytest

from bot.core.run import RETRY_DELAY
from tests.e2e.botproc import (
    REPO,
    BotProcess,
    World,
    assert_on_schedule,
    bot_posts,
    chat_yaml,
    command,
    count_posts,
    host,
    planned_questions,
    start_chat,
    wait_post,
    wait_thread,
)
from tests.e2e.standin import Perm
from tests.support.disks import small_disk
from tests.support.permissions import obeying_file_modes, read_only

SEND = r"/channels/\d+/messages$"
HISTORY = r"/channels/\d+/messages$"  # GET: a channel's or a thread's history
THREADS = r"/channels/\d+/messages/\d+/threads$"
REACTIONS = r"/channels/\d+/messages/\d+/reactions/[^/]+$"  # GET: who reacted
QUESTIONS = ["**Q1:**", "**Q2:**", "**Q3:**"]
#: Seconds of slack on top of the injected waits: the loopback round trips, a busy 2-core box.
SLACK = 2.0


def assert_questions_once_in_order(world: World) -> None:
    assert [count_posts(world, q) for q in QUESTIONS] == [1, 1, 1]
    order = [m["content"][:7] for m in bot_posts(world) if m["content"].startswith("**Q")]
    assert order == QUESTIONS


def assert_answers_once(bot: BotProcess, expected: int) -> list[tuple[int, str]]:
    """Exactly ``expected`` live answer rows, no message part twice; returns (question, text)."""
    rows = bot.query("SELECT message_id, part, question, content FROM answers WHERE deleted = 0")
    assert len(rows) == len({(r[0], r[1]) for r in rows}) == expected, rows
    return sorted((r[2], r[3]) for r in rows)


async def test_429_and_500_on_question_posts_keep_order_and_post_once(
    world: World, bot: BotProcess
) -> None:
    standin = world.standin
    await start_chat(world, bot, interval="4s")
    planned = planned_questions(bot)
    await wait_post(world, "👋")
    # Q1's send is rate limited three times, then fails twice with 500 after Discord applied
    # it (the answer is lost): discord.py retries with the same nonce, Discord de-duplicates;
    # after its fifth try it gives up, and the engine finds the post in the history later.
    # Then Q2's send meets a global 429 (every request waits).
    limited = standin.faults.add("POST", SEND, status=429, count=3, retry_after=0.3)
    lost = standin.faults.add("POST", SEND, status=500, count=2, after_apply=True)
    stopped = standin.faults.add("POST", SEND, status=429, retry_after=1.0, is_global=True)
    await wait_post(world, "🏁", within=60)
    assert (limited.hits, lost.hits, stopped.hits) == (3, 2, 1)
    assert_questions_once_in_order(world)
    # Q1's send holds the chat while discord.py waits: the three 429s, then 1 + 2 x tries
    # seconds before its fourth and fifth tries (7 s, 9 s); Q2 then waits out the global 429.
    assert_on_schedule(world, bot, planned, tolerance=3 * 0.3 + 7 + 9 + 1.0 + SLACK)


async def test_a_429_storm_outlasting_discord_py_keeps_the_questions_in_order(
    world: World, bot: BotProcess
) -> None:
    """Five 429s in a row on Q1's send: discord.py gives up, the engine retries Q1 after its
    retry delay, and the rest of the run waits for it (keeping its spacing) instead of
    posting Q2 first."""
    standin = world.standin
    await start_chat(world, bot, interval="4s")
    planned = planned_questions(bot)
    await wait_post(world, "👋")
    storm = standin.faults.add("POST", SEND, status=429, count=5, retry_after=0.2)
    await wait_post(world, "🏁", within=60)
    assert storm.hits == 5
    assert_questions_once_in_order(world)
    lateness = assert_on_schedule(
        world, bot, planned, tolerance=5 * 0.2 + RETRY_DELAY.total_seconds() + SLACK
    )
    # Spacing kept: Q2 and Q3 are as late as Q1 (they moved with it), not squeezed after it.
    assert abs(lateness[2] - lateness[1]) < SLACK
    assert abs(lateness[3] - lateness[1]) < SLACK


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


async def test_notes_to_moderators_go_to_the_moderator_channel_not_the_chat(
    world: World, bot: BotProcess
) -> None:
    """With ``moderator_channel`` set, what the bot has to tell moderators (it may not open
    threads, it may not list the chat as a server event) is said there, once each, and the
    chat channel carries only the chat."""
    standin = world.standin
    moderators = standin.add_text_channel(world.guild, "moderators")
    standin.deny(world.channel, int(Perm.CREATE_PUBLIC_THREADS))
    role = standin.bot_role(world.guild)
    standin.set_role_permissions(
        role, role.permissions & ~int(Perm.MANAGE_EVENTS | Perm.CREATE_EVENTS)
    )
    await start_chat(world, bot, questions=2, interval="4s", moderator_channel=moderators)
    threads = await wait_post(world, "🛠️ Moderators: I may not create threads", channel=moderators)
    await wait_post(world, "🛠️ Moderators: grant me **Manage Events**", channel=moderators)
    await wait_post(world, "**Q2:**")
    await wait_post(world, "🏁", within=60)

    assert f"<#{world.channel.id}>" in threads["content"]  # names the chat's channel
    assert count_posts(world, "🛠️", channel=moderators) == 2  # told once each
    assert [m for m in bot_posts(world, moderators) if not m["content"].startswith("🛠️")] == []
    assert count_posts(world, "🛠️") == 0
    assert count_posts(world, "**Q") == 2  # the questions stand in the chat channel


async def test_chat_check_reports_the_moderator_channel_of_each_chat(
    world: World, bot: BotProcess
) -> None:
    """``/host check`` and the start-up check look at a chat's own moderator channel too: a
    channel where the bot may not post, and one it cannot find, are named with the fix."""
    standin = world.standin
    moderators = standin.add_text_channel(world.guild, "moderators")
    standin.deny(moderators, int(Perm.SEND_MESSAGES))
    (bot.chats / "e2echat.yaml").write_text(chat_yaml(world.channel, moderator_channel=moderators))
    (bot.chats / "lostchat.yaml").write_text(
        chat_yaml(world.channel, chat_id="lostchat", moderator_channel=1187654321098765432)
    )
    await bot.start()

    check = await host(world, world.mod, "check")
    lines = check.content.splitlines()
    unknown = (
        "⚠️ lostchat (moderator notices): moderator channel 1187654321098765432 not found; "
        "invite the bot to its server or fix `moderator_channel` in the chat file"
    )
    assert "✅ e2echat in #chats: all permissions in place" in lines
    at = lines.index("⚠️ e2echat (moderator notices) in #moderators:")
    assert lines[at + 1].startswith("    missing **Send Messages** (to tell moderators")
    assert "✅ lostchat in #chats: all permissions in place" in lines
    assert unknown in lines
    assert "View Channel" not in check.content  # the bot sees both channels it was given
    assert f"check: {unknown}" in bot.log.read_text()


async def test_429_storm_and_5xx_burst_on_thread_creation_keep_one_thread_per_question(
    world: World, bot: BotProcess
) -> None:
    """Q1's thread meets a 429 storm that outlasts discord.py's five tries, then a global 429;
    Q2's a 503 (discord.py does not retry it) and then Discord creates the thread but the
    answer is lost twice (502, 500): the retry gets 160004, "already created". Each question
    keeps its one thread, the answers in it count, and the chat keeps its schedule."""
    standin, (ana, ben, cy) = world.standin, world.people
    storm = standin.faults.add("POST", THREADS, status=429, count=6, retry_after=0.3)
    stopped = standin.faults.add("POST", THREADS, status=429, retry_after=1.0, is_global=True)
    await start_chat(world, bot, questions=3, interval="4s", late="3s")
    planned = planned_questions(bot)
    q1 = await wait_post(world, "**Q1:**")
    # Q1's thread exists: its creation is over, so the next faults meet Q2's.
    await standin.say(await wait_thread(world, q1), ana, "in the first thread")
    unavailable = standin.faults.add("POST", THREADS, status=503)
    lost = standin.faults.add("POST", THREADS, status=502, after_apply=True)
    lost_again = standin.faults.add("POST", THREADS, status=500)
    q2 = await wait_post(world, "**Q2:**")
    await standin.say(await wait_thread(world, q2), ben, "in the second thread")
    q3 = await wait_post(world, "**Q3:**", within=30)
    await standin.say(await wait_thread(world, q3), cy, "in the third thread")

    await standin.wait_for(
        lambda: bot.query("SELECT COUNT(*) FROM posts WHERE thread_id IS NOT NULL") == [(3,)],
        timeout=30,
    )
    assert (storm.hits, stopped.hits) == (6, 1)
    assert (unavailable.hits, lost.hits, lost_again.hits) == (1, 1, 1)
    already = [r for r in standin.calls("POST", THREADS) if r.status == 400]
    assert [r.response["code"] for r in already] == [160004]
    threads = bot.query(
        "SELECT step_key, message_id, thread_id FROM posts WHERE step_key LIKE 'q%'"
    )
    assert sorted(threads) == sorted(
        (f"q{n}", int(q["id"]), int(q["id"])) for n, q in enumerate((q1, q2, q3), 1)
    )
    await standin.wait_for(lambda: len(bot.query("SELECT 1 FROM answers")) == 3, timeout=20)
    assert assert_answers_once(bot, 3) == [
        (1, "in the first thread"),
        (2, "in the second thread"),
        (3, "in the third thread"),
    ]
    assert_questions_once_in_order(world)
    # Waited out: Q1's thread: five 429s, the bot's 1 s retry, one more 429, the global 429;
    # Q2's: the bot's 1 s retry after the 503, discord.py's 1 s and 3 s before retrying 5xx.
    assert_on_schedule(world, bot, planned, tolerance=6 * 0.3 + 1 + 1.0 + 1 + 1 + 3 + SLACK)


async def test_429_storm_and_5xx_burst_on_reaction_reads_during_backfill(
    world: World, bot: BotProcess
) -> None:
    """Reactions change while the session is lost; the backfill after the re-identify asks
    who reacted through a 429 storm (and a global 429) and a 5xx burst, and stores each
    reaction once, while the questions keep their schedule."""
    standin, (ana, ben, cy) = world.standin, world.people
    await start_chat(world, bot, questions=3, interval="4s", late="3s")
    planned = planned_questions(bot)
    thread = await wait_thread(world, await wait_post(world, "**Q1:**"))
    first = int((await standin.say(thread, ana, "first in the thread"))["id"])
    second = int((await standin.say(world.channel, ben, "A1: in the channel"))["id"])
    third = int((await standin.say(thread, cy, "third in the thread"))["id"])
    await standin.wait_for(lambda: len(bot.query("SELECT 1 FROM answers")) == 3, timeout=20)

    storm = standin.faults.add("GET", REACTIONS, status=429, count=6, retry_after=0.3)
    stopped = standin.faults.add("GET", REACTIONS, status=429, retry_after=1.0, is_global=True)
    unavailable = standin.faults.add("GET", REACTIONS, status=503)
    failing = standin.faults.add("GET", REACTIONS, status=502)
    async with standin.faults.gateway_down(resumable=False):
        await standin.react(first, ben, "👍")
        await standin.react(first, cy, "👍")
        await standin.react(second, ana, "🎉")
        await standin.react(third, ana, "🔥")
    expected = {
        (first, ben.id, "👍"),
        (first, cy.id, "👍"),
        (second, ana.id, "🎉"),
        (third, ana.id, "🔥"),
    }
    await standin.wait_for(
        lambda: set(bot.query("SELECT message_id, user_id, emoji FROM reactions")) == expected,
        timeout=40,
    )
    await wait_post(world, "**Q3:**", within=30)
    assert (storm.hits, stopped.hits, unavailable.hits, failing.hits) == (6, 1, 1, 1)
    assert dict(bot.query("SELECT message_id, reactions FROM answers")) == {
        first: 2,
        second: 1,
        third: 1,
    }
    assert_answers_once(bot, 3)
    assert_questions_once_in_order(world)
    # Backfill runs beside the timer loop: only the global 429 holds a question post back.
    assert_on_schedule(world, bot, planned, tolerance=1.0 + SLACK)


async def test_429_storm_and_5xx_burst_on_history_reads_during_backfill(
    world: World, bot: BotProcess
) -> None:
    """While the session is lost, 150 answers come (two history pages). The backfill's first
    page goes through; the second meets a 429 storm, a global 429 and a 5xx burst, and the
    read goes on from where it stopped: every answer is stored once, the questions keep
    their schedule."""
    standin, people = world.standin, world.people
    await start_chat(world, bot, questions=3, interval="4s", late="3s")
    planned = planned_questions(bot)
    await wait_thread(world, await wait_post(world, "**Q1:**"))
    await standin.say(world.channel, people[0], "A1: before the outage")
    await standin.wait_for(lambda: len(bot.query("SELECT 1 FROM answers")) == 1, timeout=20)

    storm = standin.faults.add("GET", HISTORY, status=429, count=6, retry_after=0.3, pass_first=1)
    stopped = standin.faults.add("GET", HISTORY, status=429, retry_after=1.0, is_global=True)
    unavailable = standin.faults.add("GET", HISTORY, status=503)
    failing = standin.faults.add("GET", HISTORY, status=500)
    async with standin.faults.gateway_down(resumable=False):
        for index in range(150):
            await standin.say(world.channel, people[index % 3], f"A1: missed answer {index}")
    await standin.wait_for(lambda: len(bot.query("SELECT 1 FROM answers")) == 151, timeout=40)
    await wait_post(world, "**Q3:**", within=30)
    assert (storm.passed, storm.hits, stopped.hits, unavailable.hits, failing.hits) == (
        1,
        6,
        1,
        1,
        1,
    )
    stored = assert_answers_once(bot, 151)
    assert {text for _, text in stored} == {"before the outage"} | {
        f"missed answer {index}" for index in range(150)
    }
    assert_questions_once_in_order(world)
    assert_on_schedule(world, bot, planned, tolerance=1.0 + SLACK)


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
    check = await host(world, world.mod, "check")
    assert "missing **Send Messages**" in check.content


async def test_a_read_only_database_stops_the_bot_with_one_clear_error(
    world: World, bot: BotProcess
) -> None:
    """The bot's database (and its folder) became read-only: ``python -m bot run`` says so in
    one line naming the file and the fix, exits 2 (no traceback, no crash loop), and posts
    nothing."""
    await start_chat(world, bot, interval="30s")
    await wait_post(world, "👋")
    assert await bot.stop() == 0
    posts = len(bot_posts(world))
    command = obeying_file_modes([sys.executable, "-m", "bot", "run"], bot.database.parent)
    with read_only(bot.database, folder=True):
        done = await asyncio.create_subprocess_exec(
            *command,
            env=bot.env(),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(done.communicate(), 60)
    text = output.decode()
    assert done.returncode == 2, text
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, text
    assert str(bot.database) in errors[0]
    assert "write" in errors[0]
    assert "Traceback" not in text
    assert len(bot_posts(world)) == posts


async def test_a_full_disk_mid_chat_loses_nothing_and_recovers_once_there_is_room(
    world: World, bot: BotProcess
) -> None:
    """The database lives on a small real disk (tmpfs) that fills up right after Q1: a burst of
    long answers cannot be stored and Q2 cannot be recorded. The bot says so in clear lines
    (the file, "the disk is full", no traceback), keeps running and retries; once room is made
    every answer is stored once, Q2 and Q3 go out once and in order, and the recap counts all."""
    standin, people = world.standin, world.people
    with small_disk(bot.database.parent, size="4m") as disk:
        await start_chat(world, bot, questions=3, interval="8s", late="3s")
        thread = await wait_thread(world, await wait_post(world, "**Q1:**"))
        await standin.say(thread, people[0], "stored before the disk filled")
        await standin.wait_for(lambda: len(bot.query("SELECT 1 FROM answers")) == 1, timeout=20)

        assert disk.fill() > 0
        assert disk.free() == 0
        # About 60 kB of answers: more than the write-ahead log has room for, so SQLite must
        # grow it, and cannot.
        for index in range(30):
            text = f"full-disk answer {index} " + "words " * 300
            await standin.say(thread, people[index % 3], text)
        await standin.wait_for(lambda: bot.log_count("the disk is full") >= 2, timeout=30)
        assert len(bot.query("SELECT 1 FROM answers")) == 1  # nothing stored half-way
        # The disk stays full until Q2 is due: small writes (the engine's) may still fit in
        # the log's pages that the failed batches took; whether they do or not, Q2 goes out
        # once and in order.
        q2_due = planned_questions(bot)[2]
        await asyncio.sleep((q2_due - datetime.now(UTC)).total_seconds() + 1)
        assert disk.free() == 0
        assert len(bot.query("SELECT 1 FROM answers")) == 1
        disk.make_room()

        await standin.wait_for(lambda: len(bot.query("SELECT 1 FROM answers")) == 31, timeout=60)
        recap = await wait_post(world, "📋", within=90)
        assert re.search(r"Q1: .* — 31 answers from 3 people", recap["content"]), recap["content"]
        stored = assert_answers_once(bot, 31)
        assert {text.split(" words")[0] for _, text in stored} == {
            "stored before the disk filled"
        } | {f"full-disk answer {index}" for index in range(30)}
        assert_questions_once_in_order(world)
        assert await bot.stop() == 0
    log = bot.log.read_text()
    full = [line for line in log.splitlines() if "the disk is full" in line]
    assert full
    assert all(str(bot.database) in line for line in full), full
    assert any("retrying in" in line for line in full)
    assert "Traceback" not in log


async def test_gateway_resume_and_reidentify_mid_chat_backfill_missed_answers(
    world: World, bot: BotProcess
) -> None:
    """Messages, an edit and a delete missed while the gateway was down: a resumed session
    replays them; after a lost session, backfill reads them from the history (the edit
    replaces the stored text, the deleted answer leaves the record)."""
    standin, (ana, ben, cy) = world.standin, world.people
    await start_chat(world, bot, questions=2, interval="12s", late="3s")
    thread = await wait_thread(world, await wait_post(world, "**Q1:**"))
    edited = int((await standin.say(world.channel, cy, "A1: first thoughts"))["id"])
    deleted = int((await standin.say(thread, ben, "an answer taken back later"))["id"])
    await standin.wait_for(lambda: len(bot.query("SELECT 1 FROM answers")) == 2, timeout=20)
    async with standin.faults.gateway_down(resumable=True):
        await standin.say(world.channel, ana, "A1: sent while the gateway was down (resume)")
    # Back (resumed, the missed message replayed) before the session is lost.
    await standin.wait_for(lambda: bot.log_count("reconnected (resumed)") == 1, timeout=30)
    async with standin.faults.gateway_down(resumable=False):
        await standin.say(world.channel, ben, "A1: sent while the session was lost")
        await standin.say(thread, cy, "in the thread while the session was lost")
        await standin.edit(edited, cy, "A1: second thoughts, edited while the session was lost")
        await standin.delete(deleted)
    await standin.wait_for(
        lambda: len(bot.query("SELECT 1 FROM answers WHERE deleted = 0")) == 4, timeout=40
    )
    recap = await wait_post(world, "📋", within=60)
    assert re.search(r"Q1: .* — 4 answers from 3 people", recap["content"]), recap["content"]
    assert bot.query("SELECT content, question FROM answers WHERE message_id = ?", (edited,)) == [
        ("second thoughts, edited while the session was lost", 1)
    ]
    assert bot.query("SELECT deleted FROM answers WHERE message_id = ?", (deleted,)) == [(1,)]
    assert bot.log_count("connected as") == 2  # a new session: on_ready and a full backfill
    assert bot.log_count("1 edit(s) and 1 delete(s) caught up") == 1


async def test_broken_chat_files_dropped_in_are_reported_and_others_keep_running(
    world: World, bot: BotProcess
) -> None:
    await start_chat(world, bot, questions=2, interval="6s")
    (bot.chats / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n")
    (bot.chats / "typo.yaml").write_text(
        "id: typo\ntitel: Typo chat\nhashtag: '#T'\nchannel: 1\ntimezone: UTC\n"
        "start: 2030-01-01 10:00\nquestions: [q]\n"
    )
    reload = await host(world, world.mod, "reload")
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

    # Discord does not show /host to a member without Manage Events; when a server's admins
    # show it to one anyway, the bot itself refuses every /host command.
    with pytest.raises(PermissionError):
        await host(world, ana, "next", chat="e2echat")
    standin.set_command_permissions(world.guild, "host", allow=[ana])
    options = {"chat": "e2echat"}
    for sub, extra in [
        ("schedule", {}),
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
        answer = await host(
            world, ana, sub, **options if sub not in ("reload", "check") else {}, **extra
        )
        assert answer.ephemeral, sub
        assert "only moderators" in answer.content, (sub, answer.content)

    paused = await host(world, world.mod, "pause", chat="e2echat")
    assert "paused" in paused.content
    refused = await host(world, world.mod, "next", chat="e2echat")
    assert "paused" in refused.content
    resumed = await host(world, world.mod, "resume", chat="e2echat")
    assert "resumed" in resumed.content
    skipped = await host(world, world.mod, "skip", chat="e2echat", question=3)
    assert "Q3 skipped" in skipped.content
    nexted = await host(world, world.mod, "next", chat="e2echat")
    assert "next question" in nexted.content
    await wait_post(world, "**Q2:**")
    stopped = await host(world, world.mod, "stop", chat="e2echat")
    assert "closing now" in stopped.content
    await wait_post(world, "📋", within=40)
    assert count_posts(world, "**Q3:**") == 0
    await standin.wait_for(lambda: standin.scheduled_events(world.guild)[0].status == 3, 20)
    # The recap is on Discord a moment before the bot has recorded it (it opens the recap's
    # reflection thread first).
    await standin.wait_for(
        lambda: bot.query("SELECT phase FROM occurrences") == [("recapped",)], timeout=20
    )

    status = await command(world, ana, "status", chat="e2echat")
    assert "recapped" in status.content
    listing = await command(world, ana, "list")
    # The one-off chat was started ahead of its file's start (2030-01-01 18:00 UTC, see
    # chat_yaml) and has run: that start is used up, so nothing is upcoming (it was listed,
    # as a repeat that would never come, before 2026-12).
    assert listing.content.startswith("No chats are scheduled"), listing.content
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

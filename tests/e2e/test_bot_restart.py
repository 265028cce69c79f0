"""kill -9 in the middle of a chat, answers while the bot is down, restart: nothing lost or doubled."""

from __future__ import annotations

import asyncio
import random
import re

import pytest

from tests.e2e.botproc import (
    BotProcess,
    World,
    count_posts,
    start_chat,
    wait_post,
)

WAIT = 40.0
KEYS = ["intro", "q1", "lastcall-1", "q2", "lastcall-2", "q3", "lastcall-3", "closing", "recap"]


def assert_each_step_posted_once(world: World) -> None:
    prefixes = [
        "👋",
        "**Q1:**",
        "**Q2:**",
        "**Q3:**",
        "⏳ Last call for A1",
        "⏳ Last call for A2",
        "⏳ Last call for A3",
        "🏁",
        "📋",
    ]
    assert {p: count_posts(world, p) for p in prefixes} == dict.fromkeys(prefixes, 1)


async def test_kill_9_mid_chat_then_restart_loses_and_doubles_nothing(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    await start_chat(world, bot)
    q1 = await wait_post(world, "**Q1:**")
    await standin.wait_for(lambda: int(q1["id"]) in standin.world.channels, timeout=WAIT)
    await standin.say(int(q1["id"]), ana, "before the crash, in the thread")
    await standin.say(world.channel, ben, "A1: before the crash, prefixed")
    await standin.wait_for(
        lambda: len(bot.query("SELECT 1 FROM answers WHERE deleted = 0")) == 2, timeout=WAIT
    )

    await bot.kill()
    # While the bot is down: answers in the thread and the channel, an edit, a reaction.
    during = await standin.say(int(q1["id"]), cy, "while the bot was down, in the thread")
    await standin.say(world.channel, ana, "A1: while down, prefixed https://example.org/while")
    await standin.react(int(during["id"]), ben, "👍")
    await asyncio.sleep(2)  # the bot stays down across Q1's last call
    await bot.start()

    recap = await wait_post(world, "📋", within=60)
    assert_each_step_posted_once(world)
    assert re.search(r"Q1: .* — 4 answers from 3 people", recap["content"]), recap["content"]
    stored = {row[0] for row in bot.query("SELECT content FROM answers WHERE deleted = 0")}
    assert {
        "before the crash, in the thread",
        "before the crash, prefixed",
        "while the bot was down, in the thread",
        "while down, prefixed https://example.org/while",
    } <= stored
    keys = [row[0] for row in bot.query("SELECT step_key FROM posts ORDER BY intent_at")]
    assert sorted(keys) == sorted(KEYS)
    assert await bot.stop() == 0


@pytest.mark.parametrize("seed", range(20))
async def test_kill_9_at_a_random_moment(world: World, bot: BotProcess, seed: int) -> None:
    """Seeded kill -9 moments across a whole chat: every question once, every answer once."""
    rng = random.Random(seed)
    standin, people = world.standin, world.people
    await start_chat(world, bot, questions=2, interval="3s", last_call="1s", late="2s")
    kill_at = rng.uniform(0.2, 9.0)  # the chat runs ~11 s: intro, Q1 +3, Q2 +6, close +9
    sent: list[str] = []
    loop = asyncio.get_running_loop()
    begin = loop.time()
    killed = False
    for index in range(12):
        await asyncio.sleep(0.8)
        if not killed and loop.time() - begin >= kill_at:
            await bot.kill()
            killed = True
        person = people[index % len(people)]
        text = f"A{1 + index % 2}: answer {index} from seed {seed}"
        await standin.say(world.channel, person, text)
        sent.append(text.split(": ", 1)[1])
    if not killed:
        await bot.kill()
    await bot.start()
    await wait_post(world, "📋", within=60)
    for prefix in ("👋", "**Q1:**", "**Q2:**", "🏁", "📋"):
        assert count_posts(world, prefix) == 1, prefix
    # Every answer sent after the intro is stored exactly once (by message id).
    rows = bot.query("SELECT message_id, part, content FROM answers WHERE deleted = 0")
    assert len(rows) == len({(r[0], r[1]) for r in rows})
    stored = {r[2] for r in rows}
    missing = [text for text in sent if text not in stored]
    assert missing == [], missing
    assert await bot.stop() == 0

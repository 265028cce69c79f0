"""A whole chat through the real bot process, real discord.py and the loopback stand-in."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.botproc import (
    BotProcess,
    World,
    bot_posts,
    chat_yaml,
    command,
    count_posts,
    host,
    wait_post,
)

WAIT = 30.0


def mid(message: dict[str, Any]) -> int:
    return int(message["id"])


async def test_full_chat_from_schedule_to_recap(world: World, bot: BotProcess) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    await bot.start()
    upload = await standin.invoke(
        world.mod,
        world.guild,
        world.channel,
        "host",
        "schedule",
        attachments={"file": ("e2echat.yaml", chat_yaml(world.channel).encode())},
    )
    scheduled = await upload.wait_response(WAIT)
    assert "is scheduled for <t:" in scheduled.content
    assert scheduled.ephemeral

    # Discord does not show /host to members; a server's admins may show it to anyone, and
    # then the bot itself refuses.
    with pytest.raises(PermissionError):
        await host(world, ana, "start", chat="e2echat")
    standin.set_command_permissions(world.guild, "host", allow=[ana])
    refused = await host(world, ana, "start", chat="e2echat")
    assert refused.ephemeral
    assert refused.content == (
        "⚠️ only moderators can do that (Manage Events or Manage Server permission)"
    )
    assert count_posts(world, "👋") == 0

    started = await host(world, world.mod, "start", chat="e2echat")
    assert "starting now" in started.content
    await wait_post(world, "👋")
    q1 = await wait_post(world, "**Q1:**")
    # The bot opens a thread from Q1 right after posting it; it has Q1's id.
    await standin.wait_for(lambda: int(q1["id"]) in standin.world.channels, timeout=WAIT)
    thread = standin.channel(int(q1["id"]))
    assert "#E2EChat" in q1["content"]

    in_thread = await standin.say(
        thread, ana, "Thread answer with a link https://example.org/a?utm_source=x"
    )
    prefixed = await standin.say(world.channel, ben, "A1: prefixed answer @everyone")
    await standin.react(mid(in_thread), ben, "👍")
    await standin.react(mid(in_thread), cy, "🎉")
    await standin.edit(mid(prefixed), ben, "A1: edited prefixed answer")

    q2 = await wait_post(world, "**Q2:**")
    reply = await standin.say(world.channel, cy, "reply to Q2", reply_to=mid(q2))
    doomed = await standin.say(world.channel, ana, "A2: I will delete this")
    await standin.delete(mid(doomed))
    multi = await standin.say(world.channel, cy, "A1: late for Q1 A2: and Q2 too")
    assert multi
    assert reply

    status = await command(world, world.mod, "status", chat="e2echat")
    assert "Answers so far:" in status.content

    await wait_post(world, "**Q3:**")
    await wait_post(world, "🏁")
    late = await standin.say(world.channel, ana, "A3: a late answer")
    assert late
    recap = await wait_post(world, "📋")

    text = recap["content"]
    assert re.search(r"Q1: .* — 3 answers from 3 people", text), text
    # ana deleted her A2, so Q2 has cy's reply to the question and cy's split A2.
    assert re.search(r"Q2: .* — 2 answers from 1 person", text), text
    assert re.search(r"Q3: .* — 1 answer from 1 person", text), text
    assert "1 late" in text

    keys = [row[0] for row in bot.query("SELECT step_key FROM posts ORDER BY intent_at")]
    assert keys == [
        "intro",
        "q1",
        "lastcall-1",
        "q2",
        "lastcall-2",
        "q3",
        "lastcall-3",
        "closing",
        "recap",
    ]
    stored = bot.query(
        "SELECT content, question, reactions, deleted FROM answers WHERE source != 'conversation' "
        "ORDER BY created_at, part"
    )
    assert ("Thread answer with a link https://example.org/a?utm_source=x", 1, 2, 0) in stored
    assert ("edited prefixed answer @everyone", 1, 0, 0) not in stored
    assert ("edited prefixed answer", 1, 0, 0) in stored
    assert ("I will delete this", 2, 0, 1) in stored

    sends = standin.calls("POST", r"/channels/\d+/messages$")
    assert sends
    assert all(call.json.get("allowed_mentions") == {"parse": []} for call in sends)
    assert [p for p in bot_posts(world) if "@everyone" in p["content"]] == []

"""An edit is stored the same whichever way it reaches the bot: live (MESSAGE_UPDATE, which
carries the whole message) or read back from history after the bot was down."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.e2e.botproc import BotProcess, World, start_chat, wait_post

WAIT = 30.0


def stored(bot: BotProcess, message: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What the bot stored of ``message``: (content, question, source, edited at)."""
    return [
        (content, question, source, None if edited is None else datetime.fromisoformat(edited))
        for content, question, source, edited in bot.query(
            "SELECT content, question, source, edited_at FROM answers WHERE message_id = ?",
            (int(message["id"]),),
        )
    ]


def expected(world: World, message: dict[str, Any], text: str) -> list[tuple[Any, ...]]:
    """An A1 answer reading ``text`` and then the message's attachment link, edited when the
    stand-in says it was."""
    now = world.standin.message(message["id"])
    [attachment] = now["attachments"]
    edited = datetime.fromisoformat(now["edited_timestamp"])
    return [(f"{text}\n{attachment['url']}", 1, "prefix", edited)]


async def test_an_edit_with_an_attachment_is_stored_the_same_live_and_backfilled(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, _) = world.standin, world.people
    await start_chat(world, bot, questions=3, interval="15s")
    await wait_post(world, "**Q1:**")  # the chat runs for a minute from here
    notes = [("notes.txt", b"my notes")]
    live = await standin.say(world.channel, ana, "A1: a first draft", attachments=notes)
    offline = await standin.say(world.channel, ben, "A1: a first draft", attachments=notes)
    await standin.wait_for(lambda: stored(bot, live) and stored(bot, offline), timeout=WAIT)

    await standin.edit(live["id"], ana, "A1: what I meant")
    want = expected(world, live, "what I meant")
    await standin.wait_for(lambda: stored(bot, live) == want, timeout=WAIT)

    assert await bot.stop() == 0
    await standin.edit(offline["id"], ben, "A1: what I meant")
    await bot.start()  # backfill reads the edit from the channel's history
    want_offline = expected(world, offline, "what I meant")
    await standin.wait_for(lambda: stored(bot, offline) == want_offline, timeout=WAIT)
    assert stored(bot, live) == want  # the live edit is stored as the backfilled one is

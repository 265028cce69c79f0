"""The live recap through the real bot: after the recap is posted, a late answer in a question's
thread, a deleted answer and a takeaway in the recap's reflection thread update the published
recap in place (the same message edited, its files replaced, an "updated" line)."""

from __future__ import annotations

from typing import Any

from tests.e2e.botproc import (
    BotProcess,
    World,
    chat_yaml,
    count_posts,
    host,
    wait_post,
    wait_thread,
)

PROMPTS = """\
recap:
  prompts:
    - What will you try first?
    - Who will you thank?
"""


def transcript(world: World, message_id: int) -> str:
    """The Markdown transcript attached to a message as the stand-in holds it now."""
    message = world.standin.world.messages[message_id]
    return next(a.data for a in message.attachments if a.filename.endswith(".md")).decode()


def mid(message: dict[str, Any]) -> int:
    return int(message["id"])


async def start(world: World, bot: BotProcess, questions: int) -> int:
    """Start a short chat with two reflection prompts; returns Q1's thread."""
    chat = chat_yaml(world.channel, questions=questions, interval="4s", last_call="1s", late="2s")
    (bot.chats / "e2echat.yaml").write_text(chat + PROMPTS)
    await bot.start()
    assert "starting now" in (await host(world, world.mod, "start", chat="e2echat")).content
    return await wait_thread(world, await wait_post(world, "**Q1:**"))


async def test_the_published_recap_follows_late_answers_deletes_and_takeaways(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy) = world.standin, world.people
    thread = await start(world, bot, questions=2)
    await standin.say(thread, ana, "An answer that stays")
    doomed = await standin.say(thread, ben, "An answer deleted later https://example.org/gone")

    recap = await wait_post(world, "📋", within=60)
    recap_id = mid(recap)
    reflection = await wait_thread(world, recap)
    # Wait until the bot knows its reflection thread (a message in a thread the bot has not
    # recorded yet is taken as the channel's, like a fast answer to a question).
    await standin.wait_for(lambda: bot.log_count("recap published"), timeout=30)
    assert "An answer deleted later" in transcript(world, recap_id)
    assert "Updated" not in recap["content"]

    await standin.delete(mid(doomed))
    await standin.say(thread, cy, "A late thought, in the thread the next morning")
    await standin.say(reflection, ana, "R1: a weekly thank-you note")
    await standin.say(world.channel, ben, "A1: the channel is not the chat's any more")

    def updated() -> bool:
        message = standin.world.messages[recap_id]
        return "1 takeaway" in message.content and "removed" in message.content

    await standin.wait_for(updated, timeout=30)
    content = standin.world.messages[recap_id].content
    assert "+1 late answer" in content
    assert "1 removed" in content
    text = transcript(world, recap_id)
    assert "A late thought, in the thread the next morning" in text
    assert "a weekly thank-you note" in text
    assert "An answer deleted later" not in text
    assert "example.org/gone" not in text
    assert "the channel is not the chat's" not in text
    # Edited in place: one recap message, edits sent with mentions disabled.
    assert count_posts(world, "📋") == 1
    edits = standin.calls("PATCH", rf"/channels/{world.channel.id}/messages/{recap_id}$")
    assert edits
    assert all(call.json.get("allowed_mentions") == {"parse": []} for call in edits)
    assert await bot.stop() == 0


async def test_what_changed_while_the_bot_was_down_updates_the_recap(
    world: World, bot: BotProcess
) -> None:
    """While the bot is down after the recap: a late answer and a takeaway are sent, an
    answer in the channel is edited, one in a thread is deleted, and an answer gets a
    reaction. At the next start backfill reads them all back and the recap follows."""
    standin, (ana, ben, cy) = world.standin, world.people
    thread = await start(world, bot, questions=1)
    kept = await standin.say(thread, ana, "An answer in time")
    edited = await standin.say(world.channel, cy, "A1: a first draft")
    doomed = await standin.say(thread, ben, "An answer taken back while the bot was down")
    recap = await wait_post(world, "📋", within=60)
    reflection = await wait_thread(world, recap)
    await standin.wait_for(lambda: bot.log_count("recap published"), timeout=30)
    assert "a first draft" in transcript(world, mid(recap))

    await bot.kill()
    await standin.say(thread, ben, "Sent while the bot was down")
    await standin.say(reflection, ana, "R2: following ben, sent while the bot was down")
    await standin.edit(mid(edited), cy, "A1: the final version, edited while the bot was down")
    await standin.delete(mid(doomed))
    await standin.react(mid(kept), ben, "👍")
    await bot.start()

    def updated() -> bool:
        text = transcript(world, mid(recap))
        return "Sent while the bot was down" in text and "taken back" not in text

    await standin.wait_for(updated, timeout=30)
    text = transcript(world, mid(recap))
    assert "following ben, sent while the bot was down" in text
    assert "the final version, edited while the bot was down" in text
    assert "a first draft" not in text
    assert bot.query("SELECT reactions FROM answers WHERE message_id = ?", (mid(kept),)) == [(1,)]
    content = standin.world.messages[mid(recap)].content
    assert "+1 late answer" in content
    assert "1 removed" in content
    assert count_posts(world, "📋") == 1
    assert await bot.stop() == 0

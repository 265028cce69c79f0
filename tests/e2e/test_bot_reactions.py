"""Reactions changed while the bot was away are counted: the backfill at start compares every
stored answer's reactions with Discord's and reads who reacted where the counts differ."""

from __future__ import annotations

from tests.e2e.botproc import BotProcess, World, start_chat, wait_post, wait_thread


def highlights(recap: dict[str, object]) -> list[str]:
    """The recap's "🔥 N · **name**: text" lines, as posted (the question embeds)."""
    embeds = recap["embeds"]
    assert isinstance(embeds, list)
    lines = [line for e in embeds for line in str(e.get("description", "")).splitlines()]
    return [line for line in lines if line.startswith("🔥")]


async def test_reactions_changed_while_the_bot_was_killed_are_counted_after_restart(
    world: World, bot: BotProcess
) -> None:
    standin, (ana, ben, cy), mod = world.standin, world.people, world.mod
    await start_chat(world, bot, questions=1, interval="6s", late="3s")
    thread = await wait_thread(world, await wait_post(world, "**Q1:**"))
    first = int((await standin.say(thread, ana, "gardens need tending"))["id"])
    second = int((await standin.say(world.channel, ben, "A1: reply to everyone"))["id"])
    third = int((await standin.say(thread, cy, "quiet until now"))["id"])
    await standin.react(first, ben, "👍")
    await standin.react(first, cy, "👍")
    await standin.react(second, ana, "🎉")
    await standin.wait_for(lambda: len(bot.query("SELECT 1 FROM reactions")) == 3, timeout=20)

    await bot.kill()
    # While the bot is down, no reaction event reaches it.
    await standin.unreact(first, cy, "👍")  # 2 -> 1
    await standin.unreact(second, ana, "🎉")  # the emoji is gone from the message ...
    await standin.react(second, mod, "👍")  # ... and another one came
    await standin.react(third, ana, "🔥")
    await standin.react(third, ben, "🔥")
    await standin.react(third, standin.bot, "🔥")  # the bot's own (me): never counted
    fourth = int((await standin.say(thread, ana, "sent while the bot was down"))["id"])
    await standin.react(fourth, cy, "❤️")
    await bot.start()

    recap = await wait_post(world, "📋", within=60)
    assert set(bot.query("SELECT message_id, user_id, emoji FROM reactions")) == {
        (first, ben.id, "👍"),
        (second, mod.id, "👍"),
        (third, ana.id, "🔥"),
        (third, ben.id, "🔥"),
        (fourth, cy.id, "❤️"),
    }
    assert dict(bot.query("SELECT message_id, reactions FROM answers")) == {
        first: 1,
        second: 1,
        third: 2,
        fourth: 1,
    }
    # The three most reacted answers, ties by time: the recap shows the counts as they are.
    assert highlights(recap) == [
        "🔥 2 · **cy**: quiet until now",
        "🔥 1 · **ana**: gardens need tending",
        "🔥 1 · **ben**: reply to everyone",
    ]
    # Discord was asked who reacted only where a count changed: 👍 on `first` (2 -> 1), 👍 on
    # `second` (new), 🔥 on `third`, ❤️ on `fourth`; the vanished 🎉 needed no asking.
    asked = standin.calls("GET", r"/messages/\d+/reactions/[^/]+$")
    assert sorted(int(r.path.split("/")[4]) for r in asked) == [first, second, third, fourth]
    assert await bot.stop() == 0
